import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../config/load";
import { GATEWAY_ACCESS_LABEL, READINESS_GATE_LABEL } from "./gateway/contract";

export type NamespaceConfig = StackConfig["namespace"];

export interface NamespaceArgs {
    /** Name, quota and default container limits, from the stack's `namespace` section. */
    config: NamespaceConfig;
    /** Provider of the target cluster. */
    provider: k8s.Provider;
}

/** The Pod Security level enforced, audited and warned on. Restricted is the runbook's requirement. */
export const POD_SECURITY_LEVEL = "restricted";

export function podSecurityLabels(level = POD_SECURITY_LEVEL): Record<string, string> {
    const labels: Record<string, string> = {};
    for (const mode of ["enforce", "audit", "warn"]) {
        labels[`pod-security.kubernetes.io/${mode}`] = level;
        labels[`pod-security.kubernetes.io/${mode}-version`] = "latest";
    }
    return labels;
}

/**
 * The baseline of every namespace we create: `default-deny-all` and `allow-dns-egress`, as children
 * `${name}-default-deny` and `${name}-allow-dns`.
 */
export function baselineNetworkPolicies(
    name: string,
    namespace: pulumi.Input<string>,
    opts: pulumi.CustomResourceOptions,
): k8s.networking.v1.NetworkPolicy[] {
    const metadata = (policy: string) => ({ name: policy, namespace });
    return [
        new k8s.networking.v1.NetworkPolicy(
            `${name}-default-deny`,
            { metadata: metadata("default-deny-all"), spec: defaultDenySpec() },
            opts,
        ),
        new k8s.networking.v1.NetworkPolicy(`${name}-allow-dns`, { metadata: metadata("allow-dns-egress"), spec: dnsEgressSpec() }, opts),
    ];
}

/** Denies all ingress and egress for every pod in the namespace; workloads add their own allows. */
export function defaultDenySpec(): k8s.types.input.networking.v1.NetworkPolicySpec {
    return { podSelector: {}, policyTypes: ["Ingress", "Egress"] };
}

/** Lets every pod resolve names through the cluster DNS (kube-dns in kube-system). */
export function dnsEgressSpec(): k8s.types.input.networking.v1.NetworkPolicySpec {
    return {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [
            {
                to: [
                    {
                        namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
                        podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
                    },
                ],
                ports: [
                    { protocol: "UDP", port: 53 },
                    { protocol: "TCP", port: 53 },
                ],
            },
        ],
    };
}

/** An application namespace: restricted Pod Security, default-deny networking, quota and limits. */
export class Namespace extends pulumi.ComponentResource {
    public readonly name: pulumi.Output<string>;

    constructor(name: string, args: NamespaceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:kubernetes:Namespace", name, {}, opts);
        const { config, provider } = args;
        const childOpts = { parent: this, provider };

        const namespace = new k8s.core.v1.Namespace(
            `${name}-namespace`,
            {
                metadata: {
                    name: config.name,
                    labels: {
                        ...podSecurityLabels(),
                        // Its routes may attach to the Gateway; its pods get the load balancer's readiness gate.
                        ...GATEWAY_ACCESS_LABEL,
                        ...READINESS_GATE_LABEL,
                        "app.kubernetes.io/managed-by": "pulumi",
                    },
                },
            },
            childOpts,
        );
        this.name = namespace.metadata.name;
        const metadata = (policy: string) => ({ name: policy, namespace: this.name });

        baselineNetworkPolicies(name, this.name, childOpts);
        new k8s.core.v1.ResourceQuota(
            `${name}-quota`,
            {
                metadata: metadata("compute"),
                spec: {
                    hard: {
                        "requests.cpu": config.quota.requestsCpu,
                        "requests.memory": config.quota.requestsMemory,
                        "limits.cpu": config.quota.limitsCpu,
                        "limits.memory": config.quota.limitsMemory,
                        pods: String(config.quota.pods),
                    },
                },
            },
            childOpts,
        );
        new k8s.core.v1.LimitRange(
            `${name}-limits`,
            {
                metadata: metadata("container-defaults"),
                spec: {
                    limits: [
                        {
                            type: "Container",
                            defaultRequest: config.limitRange.defaultRequest,
                            default: config.limitRange.defaultLimit,
                        },
                    ],
                },
            },
            childOpts,
        );
        this.registerOutputs({ name: this.name });
    }
}
