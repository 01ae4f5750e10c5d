import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { baselineNetworkPolicies, podSecurityLabels } from "../namespace";

type NetworkPolicySpec = k8s.types.input.networking.v1.NetworkPolicySpec;
export type PodSecurityLevel = "restricted" | "baseline" | "privileged";

/** The private ranges the API server's endpoints (and the `kubernetes` Service) live in, when the cluster's subnets are unknown. */
export const PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"];
/** Link-local: the instance metadata service (and its credentials) lives here; no add-on reaches it. */
const LINK_LOCAL = "169.254.0.0/16";

/** What every add-on namespace needs from the cluster. */
export interface AddonNamespaceContext {
    /** Provider of the cluster: the NetworkPolicies. */
    provider: k8s.Provider;
    /**
     * Provider of the Namespace objects only: it adopts a namespace that already exists (`upsertExistingObjects`),
     * so a cluster whose namespace Helm created (`createNamespace: true` before) keeps working.
     */
    namespaceProvider: k8s.Provider;
    /**
     * Where the API server's network interfaces are: its endpoints (egress) and the source of its webhook
     * calls (ingress). EKS: the cluster's private subnets; elsewhere the private ranges.
     */
    controlPlaneCidrs: string[];
}

export interface AddonNamespaceSpec {
    /** The namespace's name (the add-on's chart is installed there). */
    name: string;
    /** The strictest Pod Security level the add-on's pods pass. */
    level: PodSecurityLevel;
    /** Allows on top of the baseline (default-deny, DNS): NetworkPolicy name -> spec. */
    policies: Record<string, NetworkPolicySpec>;
}

/** Egress to the API server (EKS: its interfaces in the cluster's subnets) on 443 and 6443. */
export function apiServerEgress(cidrs: string[], podSelector: Record<string, string> = {}): NetworkPolicySpec {
    return {
        podSelector: { matchLabels: podSelector },
        policyTypes: ["Egress"],
        egress: [
            {
                to: cidrs.map((cidr) => ({ ipBlock: { cidr } })),
                ports: [
                    { protocol: "TCP", port: 443 },
                    { protocol: "TCP", port: 6443 },
                ],
            },
        ],
    };
}

/** HTTPS anywhere but link-local: AWS APIs (STS, Secrets Manager, Route 53), the API server, webhooks of chat and paging services. */
export function httpsEgress(podSelector: Record<string, string> = {}, ports: number[] = [443]): NetworkPolicySpec {
    return {
        podSelector: { matchLabels: podSelector },
        policyTypes: ["Egress"],
        egress: [
            { to: [{ ipBlock: { cidr: "0.0.0.0/0", except: [LINK_LOCAL] } }], ports: ports.map((port) => ({ protocol: "TCP", port })) },
        ],
    };
}

/** The API server calls an admission webhook: from the control plane's interfaces to the webhook's container port. */
export function webhookIngress(podSelector: Record<string, string>, port: number, cidrs: string[]): NetworkPolicySpec {
    return {
        podSelector: { matchLabels: podSelector },
        policyTypes: ["Ingress"],
        ingress: [{ from: cidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: [{ protocol: "TCP", port }] }],
    };
}

/** The add-on's own pods talk to each other (any port), nobody else's. */
export function sameNamespace(): NetworkPolicySpec {
    return {
        podSelector: {},
        policyTypes: ["Ingress", "Egress"],
        ingress: [{ from: [{ podSelector: {} }] }],
        egress: [{ to: [{ podSelector: {} }] }],
    };
}

/**
 * An add-on's namespace, declared by the program: Pod Security labels at the spec's level, the baseline
 * NetworkPolicies (default-deny, DNS) and the add-on's allows. Children `${name}-namespace`,
 * `${name}-default-deny`, `${name}-allow-dns`, `${name}-<policy>`. Returns them all: the add-on's release
 * depends on them, so its pods start with their allows in place. The namespace is retained on delete:
 * it was adopted, maybe from Helm, and a rename must never delete an add-on with it.
 */
export function addonNamespace(
    name: string,
    spec: AddonNamespaceSpec,
    context: AddonNamespaceContext,
    parent: pulumi.Resource,
): pulumi.Resource[] {
    const namespace = new k8s.core.v1.Namespace(
        `${name}-namespace`,
        { metadata: { name: spec.name, labels: { ...podSecurityLabels(spec.level), "app.kubernetes.io/managed-by": "pulumi" } } },
        { parent, provider: context.namespaceProvider, retainOnDelete: true },
    );
    const policyOpts = { parent, provider: context.provider, dependsOn: [namespace] };
    return [
        namespace,
        ...baselineNetworkPolicies(name, spec.name, policyOpts),
        ...Object.entries(spec.policies).map(
            ([policy, policySpec]) =>
                new k8s.networking.v1.NetworkPolicy(
                    `${name}-${policy}`,
                    { metadata: { name: policy, namespace: spec.name }, spec: policySpec },
                    policyOpts,
                ),
        ),
    ];
}
