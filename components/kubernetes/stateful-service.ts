import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { DATA_CLIENT_LABEL, restrictedContainerSecurity, restrictedPodSecurity, scratchVolume, withEphemeralStorage } from "./pod-security";

export interface StatefulServiceSpec {
    /** `app.kubernetes.io/name` and the name of the Service and StatefulSet. */
    app: string;
    namespace: pulumi.Input<string>;
    image: string;
    /** The image's non-root user id. */
    uid: number;
    port: number;
    replicas: number;
    command?: pulumi.Input<string>[];
    args?: pulumi.Input<string>[];
    env?: k8s.types.input.core.v1.EnvVar[];
    readinessCommand: string[];
    storageGiB: number;
    dataPath: string;
    /** Writable folders besides the data volume (the root filesystem is read-only). */
    scratchPaths: string[];
    /** Also admit the pods of these apps (replication, sentinels). */
    peerApps?: string[];
    resources: { requests: Record<string, string>; limits: Record<string, string> };
    /** dockerconfigjson Secrets of the image's registry (components/registry/pull-secrets.ts). Defaults to none. */
    imagePullSecrets?: string[];
}

/**
 * A StatefulSet with a persistent volume, a headless Service and a NetworkPolicy that admits only the
 * app's pods (DATA_CLIENT_LABEL) and listed peers. Pods pass Pod Security `restricted`.
 */
export function createStatefulService(name: string, spec: StatefulServiceSpec, opts: pulumi.CustomResourceOptions) {
    const labels = { "app.kubernetes.io/name": spec.app, "app.kubernetes.io/managed-by": "pulumi" };
    const selector = { "app.kubernetes.io/name": spec.app };
    const scratch = spec.scratchPaths.map((path, i) => ({ name: `scratch-${i}`, path }));

    const service = new k8s.core.v1.Service(
        `${name}-service`,
        {
            metadata: { name: spec.app, namespace: spec.namespace, labels },
            spec: {
                clusterIP: "None",
                selector,
                ports: [{ name: "tcp", port: spec.port, targetPort: spec.port }],
                publishNotReadyAddresses: true,
            },
        },
        opts,
    );
    const statefulSet = new k8s.apps.v1.StatefulSet(
        `${name}-statefulset`,
        {
            metadata: { name: spec.app, namespace: spec.namespace, labels },
            spec: {
                serviceName: spec.app,
                replicas: spec.replicas,
                selector: { matchLabels: selector },
                template: {
                    metadata: { labels },
                    spec: {
                        automountServiceAccountToken: false,
                        securityContext: restrictedPodSecurity(spec.uid),
                        imagePullSecrets: (spec.imagePullSecrets ?? []).map((name) => ({ name })),
                        containers: [
                            {
                                name: spec.app,
                                image: spec.image,
                                command: spec.command,
                                args: spec.args,
                                env: spec.env,
                                ports: [{ name: "tcp", containerPort: spec.port }],
                                readinessProbe: { exec: { command: spec.readinessCommand }, periodSeconds: 5, failureThreshold: 6 },
                                livenessProbe: { tcpSocket: { port: spec.port }, initialDelaySeconds: 30, periodSeconds: 10 },
                                resources: withEphemeralStorage(spec.resources),
                                securityContext: restrictedContainerSecurity(),
                                volumeMounts: [
                                    { name: "data", mountPath: spec.dataPath },
                                    ...scratch.map((s) => ({ name: s.name, mountPath: s.path })),
                                ],
                            },
                        ],
                        volumes: scratch.map((s) => scratchVolume(s.name)),
                    },
                },
                volumeClaimTemplates: [
                    {
                        metadata: { name: "data" },
                        spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: `${spec.storageGiB}Gi` } } },
                    },
                ],
            },
        },
        opts,
    );
    const peers = (spec.peerApps ?? []).map((app) => ({ podSelector: { matchLabels: { "app.kubernetes.io/name": app } } }));
    const sources = [{ podSelector: { matchLabels: DATA_CLIENT_LABEL } }, ...peers];
    const policy = new k8s.networking.v1.NetworkPolicy(
        `${name}-ingress`,
        {
            metadata: { name: `${spec.app}-ingress`, namespace: spec.namespace, labels },
            spec: {
                podSelector: { matchLabels: selector },
                // Peers (replicas, sentinels) talk to each other; a lone server needs no egress beyond DNS.
                policyTypes: peers.length > 0 ? ["Ingress", "Egress"] : ["Ingress"],
                ingress: [{ from: sources, ports: [{ protocol: "TCP", port: spec.port }] }],
                egress: peers.length > 0 ? [{ to: peers }] : undefined,
            },
        },
        opts,
    );
    return { service, statefulSet, policy, host: pulumi.interpolate`${spec.app}.${spec.namespace}.svc.cluster.local` };
}

/** The stable DNS name of one pod of a StatefulSet behind a headless Service. */
export function podHost(app: string, index: number, namespace: string): string {
    return `${app}-${index}.${app}.${namespace}.svc.cluster.local`;
}
