import type * as aws from "@pulumi/aws";
import type { EksClusterConfig } from "../../config/load";

/**
 * How the nodes follow the control plane (docs/runbooks/upgrade.md, docs/runbooks/node-rotation.md).
 * The version and AMI release are in-place updates of the managed node group: EKS starts new nodes,
 * then cordons and drains the old ones honouring PodDisruptionBudgets (never forced), one at a time.
 */
export function nodeVersionArgs(cluster: EksClusterConfig): Partial<aws.eks.NodeGroupArgs> {
    return {
        version: cluster.nodeGroup.kubernetesVersion ?? cluster.kubernetesVersion,
        releaseVersion: cluster.nodeGroup.amiReleaseVersion,
        forceUpdateVersion: false,
    };
}

/**
 * The instance type lives in the launch template, not in the node group's `instanceTypes` (which
 * replaces the whole group, and AWS force-terminates the old nodes whatever the PDBs say): a new
 * template version is a rolling update of the same group, drained like a version upgrade.
 */
export function nodeTemplateInstanceArgs(cluster: EksClusterConfig): Partial<aws.ec2.LaunchTemplateArgs> {
    return { instanceType: cluster.nodeGroup.instanceType };
}
