import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";

/** Each service runs as its own ServiceAccount, named after it (never the namespace's `default`). */
export const serviceAccountName = (service: string) => service;

/** The service's ServiceAccount: no API token is mounted (the app never calls the Kubernetes API). */
export function createServiceAccount(
    name: string,
    service: string,
    namespace: pulumi.Input<string>,
    opts: pulumi.CustomResourceOptions,
): k8s.core.v1.ServiceAccount {
    return new k8s.core.v1.ServiceAccount(
        name,
        {
            metadata: { name: serviceAccountName(service), namespace, labels: { "app.kubernetes.io/name": service } },
            automountServiceAccountToken: false,
        },
        opts,
    );
}
