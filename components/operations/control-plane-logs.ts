import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";

/** Where EKS writes control-plane logs; created first so its retention is ours, not "never expire". */
export const controlPlaneLogGroupName = (cluster: string) => `/aws/eks/${cluster}/cluster`;

/** The control plane's log group with the stack's retention; the EKS cluster must depend on it. */
export function controlPlaneLogGroup(name: string, cluster: string, retentionDays: number, opts: pulumi.CustomResourceOptions) {
    return new aws.cloudwatch.LogGroup(
        `${name}-control-plane-logs`,
        { name: controlPlaneLogGroupName(cluster), retentionInDays: retentionDays },
        opts,
    );
}
