import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export const CLUSTER_VIEW_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy";

/**
 * Read-only access to the cluster's Kubernetes API for a principal (the preview role): an access entry
 * with the EKS view policy, cluster-wide. Reads Secrets? No: AmazonEKSViewPolicy excludes them.
 */
export function grantClusterView(
    name: string,
    clusterName: pulumi.Input<string>,
    principalArn: string,
    opts: pulumi.CustomResourceOptions,
): aws.eks.AccessPolicyAssociation {
    const entry = new aws.eks.AccessEntry(`${name}-entry`, { clusterName, principalArn, type: "STANDARD" }, opts);
    return new aws.eks.AccessPolicyAssociation(
        `${name}-view`,
        { clusterName, principalArn, policyArn: CLUSTER_VIEW_POLICY, accessScope: { type: "cluster" } },
        { ...opts, dependsOn: [entry] },
    );
}
