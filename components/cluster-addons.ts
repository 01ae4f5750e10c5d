import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterConfig } from "../config/load";
import { pinnedRelease } from "./kubernetes/pinned-release";

export const ACME_SERVERS = {
    "letsencrypt-prod": "https://acme-v02.api.letsencrypt.org/directory",
    "letsencrypt-staging": "https://acme-staging-v02.api.letsencrypt.org/directory",
} as const;

export interface ClusterAddonsArgs {
    /** `ingressNginx` and `certManager` of the stack's `cluster` section; each can be off. */
    config: Pick<ClusterConfig, "ingressNginx" | "certManager">;
    provider: k8s.Provider;
}

/** Cluster-wide services the app relies on: ingress-nginx and cert-manager with a Let's Encrypt issuer. */
export class ClusterAddons extends pulumi.ComponentResource {
    constructor(name: string, args: ClusterAddonsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:kubernetes:ClusterAddons", name, {}, opts);
        const { ingressNginx, certManager } = args.config;
        const childOpts = { parent: this, provider: args.provider };

        if (ingressNginx.enabled) {
            pinnedRelease(
                `${name}-ingress-nginx`,
                {
                    chart: "ingress-nginx",
                    version: ingressNginx.chartVersion,
                    repo: "https://kubernetes.github.io/ingress-nginx",
                    namespace: "ingress-nginx",
                    values: { controller: { replicaCount: 2, ingressClassResource: { name: "nginx", default: true } } },
                },
                childOpts,
            );
        }
        if (certManager.enabled) {
            const release = pinnedRelease(
                `${name}-cert-manager`,
                {
                    chart: "cert-manager",
                    version: certManager.chartVersion,
                    repo: "https://charts.jetstack.io",
                    namespace: "cert-manager",
                    values: { crds: { enabled: true } },
                },
                childOpts,
            );
            new k8s.apiextensions.CustomResource(
                `${name}-cluster-issuer`,
                {
                    apiVersion: "cert-manager.io/v1",
                    kind: "ClusterIssuer",
                    metadata: { name: certManager.issuer },
                    spec: clusterIssuerSpec(certManager.issuer, certManager.email ?? ""),
                },
                { ...childOpts, dependsOn: [release] },
            );
        }
        this.registerOutputs({});
    }
}

export function clusterIssuerSpec(issuer: keyof typeof ACME_SERVERS, email: string) {
    return {
        acme: {
            server: ACME_SERVERS[issuer],
            email,
            privateKeySecretRef: { name: `${issuer}-account-key` },
            solvers: [{ http01: { ingress: { ingressClassName: "nginx" } } }],
        },
    };
}
