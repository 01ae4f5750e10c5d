import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterConfig } from "../config/load";
import {
    AddonNamespaceContext,
    AddonNamespaceSpec,
    addonNamespace,
    apiServerEgress,
    httpsEgress,
    webhookIngress,
} from "./kubernetes/addon-namespace";
import { pinnedRelease } from "./kubernetes/pinned-release";

export const INGRESS_NGINX_NAMESPACE = "ingress-nginx";
export const CERT_MANAGER_NAMESPACE = "cert-manager";
/** Labels of the legacy add-ons' pods (chart templates): ingress-nginx's controller, cert-manager's webhook. */
export const INGRESS_NGINX_CONTROLLER_LABELS = {
    "app.kubernetes.io/name": "ingress-nginx",
    "app.kubernetes.io/component": "controller",
} as const;
export const CERT_MANAGER_WEBHOOK_LABELS = { "app.kubernetes.io/name": "webhook", "app.kubernetes.io/component": "webhook" } as const;
/** Container ports: ingress-nginx's admission webhook, cert-manager's webhook (securePort). */
export const LEGACY_WEBHOOK_PORTS = { ingressNginx: 8443, certManager: 10250 } as const;

/**
 * ingress-nginx's namespace: `baseline`. The retired chart's controller adds NET_BIND_SERVICE and writes to
 * its root filesystem; restricted was never part of its support, and no fix will come. Users reach the
 * controller on 80/443 from anywhere (its LoadBalancer), the API server calls its webhook, it proxies to the
 * apps' pods (their own policies decide) and watches the API server.
 */
export function ingressNginxNamespace(controlPlaneCidrs: string[]): AddonNamespaceSpec {
    return {
        name: INGRESS_NGINX_NAMESPACE,
        level: "baseline",
        policies: {
            "controller-ingress": {
                podSelector: { matchLabels: INGRESS_NGINX_CONTROLLER_LABELS },
                policyTypes: ["Ingress"],
                ingress: [
                    {
                        ports: [
                            { protocol: "TCP", port: 80 },
                            { protocol: "TCP", port: 443 },
                        ],
                    },
                ],
            },
            "webhook-ingress": webhookIngress(INGRESS_NGINX_CONTROLLER_LABELS, LEGACY_WEBHOOK_PORTS.ingressNginx, controlPlaneCidrs),
            "api-server-egress": apiServerEgress(controlPlaneCidrs),
            "upstream-egress": {
                podSelector: { matchLabels: INGRESS_NGINX_CONTROLLER_LABELS },
                policyTypes: ["Egress"],
                egress: [{ to: [{ namespaceSelector: {} }] }],
            },
        },
    };
}

/**
 * cert-manager's namespace: `restricted` (the chart runs every pod non-root, read-only, no capabilities,
 * RuntimeDefault seccomp). It talks HTTPS to the API server and the ACME server, HTTP to the domains it
 * self-checks (HTTP-01); the API server calls its webhook. The solver pods run in the Ingress's namespace.
 */
export function certManagerNamespace(controlPlaneCidrs: string[]): AddonNamespaceSpec {
    return {
        name: CERT_MANAGER_NAMESPACE,
        level: "restricted",
        policies: {
            "web-egress": httpsEgress({}, [80, 443]),
            "webhook-ingress": webhookIngress(CERT_MANAGER_WEBHOOK_LABELS, LEGACY_WEBHOOK_PORTS.certManager, controlPlaneCidrs),
        },
    };
}

export const ACME_SERVERS = {
    "letsencrypt-prod": "https://acme-v02.api.letsencrypt.org/directory",
    "letsencrypt-staging": "https://acme-staging-v02.api.letsencrypt.org/directory",
} as const;

export interface ClusterAddonsArgs {
    /** `ingressNginx` and `certManager` of the stack's `cluster` section; each can be off. */
    config: Pick<ClusterConfig, "ingressNginx" | "certManager">;
    provider: k8s.Provider;
    /** How their namespaces are declared (Cluster.addonNamespaces). */
    addonNamespaces: AddonNamespaceContext;
}

/** Cluster-wide services the app relies on: ingress-nginx and cert-manager with a Let's Encrypt issuer. */
export class ClusterAddons extends pulumi.ComponentResource {
    constructor(name: string, args: ClusterAddonsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:kubernetes:ClusterAddons", name, {}, opts);
        const { ingressNginx, certManager } = args.config;
        const childOpts = { parent: this, provider: args.provider };
        const cidrs = args.addonNamespaces.controlPlaneCidrs;

        if (ingressNginx.enabled) {
            const namespace = addonNamespace(`${name}-ingress-nginx`, ingressNginxNamespace(cidrs), args.addonNamespaces, this);
            pinnedRelease(
                `${name}-ingress-nginx`,
                {
                    chart: "ingress-nginx",
                    version: ingressNginx.chartVersion,
                    repo: "https://kubernetes.github.io/ingress-nginx",
                    namespace: INGRESS_NGINX_NAMESPACE,
                    values: { controller: { replicaCount: 2, ingressClassResource: { name: "nginx", default: true } } },
                },
                { ...childOpts, dependsOn: namespace },
            );
        }
        if (certManager.enabled) {
            const namespace = addonNamespace(`${name}-cert-manager`, certManagerNamespace(cidrs), args.addonNamespaces, this);
            const release = pinnedRelease(
                `${name}-cert-manager`,
                {
                    chart: "cert-manager",
                    version: certManager.chartVersion,
                    repo: "https://charts.jetstack.io",
                    namespace: CERT_MANAGER_NAMESPACE,
                    values: { crds: { enabled: true } },
                },
                { ...childOpts, dependsOn: namespace },
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
