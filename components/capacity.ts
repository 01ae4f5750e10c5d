import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CLUSTER_AUTOSCALER_IMAGES } from "../config/cluster-autoscaler-versions";
import type { EksClusterConfig } from "../config/load";
import { IrsaContext, irsaRole } from "./cluster/irsa";
import { clusterAutoscalerPolicy } from "./gateway/iam";
import { pinnedRelease } from "./kubernetes/pinned-release";

export const CLUSTER_AUTOSCALER_SERVICE_ACCOUNT = "cluster-autoscaler";

export interface CapacityArgs {
    cluster: EksClusterConfig;
    region: string;
    irsa: IrsaContext;
    k8sProvider: k8s.Provider;
}

/** What the HPA and the node group need to scale: metrics-server (HA) and cluster-autoscaler with IRSA. */
export class Capacity extends pulumi.ComponentResource {
    constructor(name: string, args: CapacityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:kubernetes:Capacity", name, {}, opts);
        const { cluster } = args;
        const k8sOpts = { parent: this, provider: args.k8sProvider };
        pinnedRelease(
            `${name}-metrics-server`,
            {
                chart: "metrics-server",
                version: cluster.addons.metricsServer,
                repo: "https://kubernetes-sigs.github.io/metrics-server/",
                namespace: "kube-system",
                values: metricsServerValues(),
            },
            k8sOpts,
        );
        const role = irsaRole(
            `${name}-cluster-autoscaler`,
            args.irsa,
            { namespace: "kube-system", serviceAccount: CLUSTER_AUTOSCALER_SERVICE_ACCOUNT },
            clusterAutoscalerPolicy(cluster.name),
            this,
        );
        pinnedRelease(
            `${name}-cluster-autoscaler`,
            {
                chart: "cluster-autoscaler",
                version: cluster.addons.clusterAutoscaler,
                repo: "https://kubernetes.github.io/autoscaler",
                namespace: "kube-system",
                values: clusterAutoscalerValues(cluster.name, cluster.kubernetesVersion, args.region, role.arn),
            },
            k8sOpts,
        );
        this.registerOutputs({});
    }
}

export function metricsServerValues() {
    return {
        replicas: 2,
        podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
        topologySpreadConstraints: [
            {
                maxSkew: 1,
                topologyKey: "topology.kubernetes.io/zone",
                whenUnsatisfiable: "ScheduleAnyway",
                labelSelector: { matchLabels: { "app.kubernetes.io/name": "metrics-server" } },
            },
        ],
    };
}

/** Finds the managed node group by the tags EKS puts on its Auto Scaling group; the image matches the cluster's minor version. */
export function clusterAutoscalerValues(clusterName: string, kubernetesVersion: string, region: string, roleArn: pulumi.Input<string>) {
    const image = CLUSTER_AUTOSCALER_IMAGES[kubernetesVersion];
    if (image === undefined)
        throw new Error(`no cluster-autoscaler release known for Kubernetes ${kubernetesVersion} (config/cluster-autoscaler-versions.ts)`);
    return {
        cloudProvider: "aws",
        awsRegion: region,
        autoDiscovery: { clusterName },
        image: { tag: image },
        rbac: {
            serviceAccount: {
                create: true,
                name: CLUSTER_AUTOSCALER_SERVICE_ACCOUNT,
                annotations: { "eks.amazonaws.com/role-arn": roleArn },
            },
        },
        extraArgs: { "balance-similar-node-groups": true, "skip-nodes-with-system-pods": false, expander: "least-waste" },
    };
}
