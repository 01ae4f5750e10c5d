import type * as pulumi from "@pulumi/pulumi";
import { createAwsProvider } from "./components/aws-provider";
import { Cluster } from "./components/cluster/cluster";
import { ClusterAddons } from "./components/cluster-addons";
import { Namespace } from "./components/namespace";
import type { StackConfig } from "./config/load";

export interface StackOutputs {
    clusterName: pulumi.Output<string>;
    namespace: pulumi.Output<string>;
    kubeconfig?: pulumi.Output<string>;
    renderDirectory?: string;
}

/** Composes the components of one stack from its validated config. */
export function composeStack(config: StackConfig): StackOutputs {
    const awsProvider = config.aws ? createAwsProvider("aws", config.aws, config.environment) : undefined;
    const cluster = new Cluster("cluster", {
        config: config.cluster,
        aws: config.aws,
        awsProvider,
        kubeconfig: config.secrets.kubeconfig,
    });
    if (config.cluster.ingressNginx.enabled || config.cluster.certManager.enabled) {
        new ClusterAddons("cluster-addons", { config: config.cluster, provider: cluster.provider });
    }
    const namespace = new Namespace("app", { config: config.namespace, provider: cluster.provider });
    return {
        clusterName: cluster.clusterName,
        namespace: namespace.name,
        kubeconfig: cluster.kubeconfig,
        renderDirectory: cluster.renderDirectory,
    };
}
