import type * as aws from "@pulumi/aws";

/**
 * Instance metadata of the nodes: IMDSv2 only (session tokens), and a hop limit of 1 so the token's reply
 * dies before it reaches a pod's network namespace; pods cannot take the node role's credentials. Only
 * host-network pods (vpc-cni, kube-proxy) read IMDS; the load balancer controller and the autoscaler are
 * given region and VPC id, and the EBS CSI driver reads the node's labels when IMDS is out of reach.
 */
export const IMDS_HOP_LIMIT = 1;

export function nodeMetadataOptions(): aws.types.input.ec2.LaunchTemplateMetadataOptions {
    return { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: IMDS_HOP_LIMIT, instanceMetadataTags: "disabled" };
}
