import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ARGO_ROLLOUTS_CHART_VERSION } from "../../config/delivery-strategy";
import { PRIVATE_RANGES } from "../kubernetes/addon-namespace";
import { pinnedRelease } from "../kubernetes/pinned-release";
import { baselineNetworkPolicies, podSecurityLabels } from "../namespace";

export const ARGO_ROLLOUTS_NAMESPACE = "argo-rollouts";
export const ARGO_ROLLOUTS_REPO = "https://argoproj.github.io/argo-helm";

export interface ArgoRolloutsArgs {
    /** Exact chart version. Defaults to ARGO_ROLLOUTS_CHART_VERSION. */
    chartVersion?: string;
    /** The Prometheus URLs the services' analyses query: the controller runs those queries. */
    prometheusAddresses: string[];
    provider: k8s.Provider;
}

/** The chart's values: its CRDs kept on uninstall (Rollouts survive a reinstall), no dashboard exposed. */
export function argoRolloutsValues() {
    return {
        installCRDs: true,
        keepCRDs: true,
        controller: { replicas: 2 },
        dashboard: { enabled: false },
    };
}

/** Where the controller may connect: the API server, and each Prometheus an analysis names (in-cluster by namespace). */
export function controllerEgressSpec(prometheusAddresses: string[]): k8s.types.input.networking.v1.NetworkPolicySpec {
    const privateTo = PRIVATE_RANGES.map((cidr) => ({ ipBlock: { cidr } }));
    const prometheus = [...new Set(prometheusAddresses)].map((address) => {
        const url = new URL(address);
        const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
        const inCluster = /^[a-z0-9-]+\.([a-z0-9-]+)\.svc(\.cluster\.local)?$/.exec(url.hostname);
        return {
            to: inCluster ? [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": inCluster[1]! } } }] : privateTo,
            ports: [{ protocol: "TCP", port }],
        };
    });
    return {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [
            {
                to: privateTo,
                ports: [
                    { protocol: "TCP", port: 443 },
                    { protocol: "TCP", port: 6443 },
                ],
            },
            ...prometheus,
        ],
    };
}

/** The Argo Rollouts controller (blueGreen / canary strategies), pinned, in its own locked-down namespace. */
export class ArgoRollouts extends pulumi.ComponentResource {
    constructor(name: string, args: ArgoRolloutsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:delivery:ArgoRollouts", name, {}, opts);
        const childOpts = { parent: this, provider: args.provider };
        const namespace = new k8s.core.v1.Namespace(
            `${name}-namespace`,
            { metadata: { name: ARGO_ROLLOUTS_NAMESPACE, labels: podSecurityLabels() } },
            childOpts,
        );
        const metadata = (policy: string) => ({ name: policy, namespace: namespace.metadata.name });
        const policies = [
            ...baselineNetworkPolicies(name, namespace.metadata.name, childOpts),
            new k8s.networking.v1.NetworkPolicy(
                `${name}-controller-egress`,
                { metadata: metadata("controller-egress"), spec: controllerEgressSpec(args.prometheusAddresses) },
                childOpts,
            ),
        ];
        pinnedRelease(
            `${name}-release`,
            {
                chart: "argo-rollouts",
                version: args.chartVersion ?? ARGO_ROLLOUTS_CHART_VERSION,
                repo: ARGO_ROLLOUTS_REPO,
                namespace: ARGO_ROLLOUTS_NAMESPACE,
                values: argoRolloutsValues(),
            },
            { ...childOpts, dependsOn: [namespace, ...policies] },
        );
        this.registerOutputs({});
    }
}
