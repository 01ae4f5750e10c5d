/**
 * Least-privilege IAM documents of the entry point's controllers, written for this platform: the load
 * balancer controller may only touch load balancers tagged with this cluster (it gets the security
 * groups from us and manages no rule), external-dns only the stack's zone.
 */

const CLUSTER_TAG = "elbv2.k8s.aws/cluster";

const ELB_READ = [
    "DescribeLoadBalancers",
    "DescribeLoadBalancerAttributes",
    "DescribeListeners",
    "DescribeListenerAttributes",
    "DescribeListenerCertificates",
    "DescribeSSLPolicies",
    "DescribeRules",
    "DescribeTargetGroups",
    "DescribeTargetGroupAttributes",
    "DescribeTargetHealth",
    "DescribeTags",
    "DescribeTrustStores",
    "DescribeCapacityReservation",
].map((a) => `elasticloadbalancing:${a}`);

const EC2_READ = [
    "DescribeAccountAttributes",
    "DescribeAddresses",
    "DescribeAvailabilityZones",
    "DescribeInternetGateways",
    "DescribeVpcs",
    "DescribeSubnets",
    "DescribeSecurityGroups",
    "DescribeInstances",
    "DescribeNetworkInterfaces",
    "DescribeTags",
    "DescribeRouteTables",
    "GetSecurityGroupsForVpc",
].map((a) => `ec2:${a}`);

const ELB_CREATE = ["CreateLoadBalancer", "CreateTargetGroup"].map((a) => `elasticloadbalancing:${a}`);

const ELB_MANAGE = [
    "CreateListener",
    "DeleteListener",
    "CreateRule",
    "DeleteRule",
    "ModifyListener",
    "ModifyListenerAttributes",
    "AddListenerCertificates",
    "RemoveListenerCertificates",
    "ModifyRule",
    "ModifyLoadBalancerAttributes",
    "SetIpAddressType",
    "SetSecurityGroups",
    "SetSubnets",
    "DeleteLoadBalancer",
    "ModifyTargetGroup",
    "ModifyTargetGroupAttributes",
    "DeleteTargetGroup",
    "RegisterTargets",
    "DeregisterTargets",
    "AddTags",
    "RemoveTags",
].map((a) => `elasticloadbalancing:${a}`);

export function loadBalancerControllerPolicy(clusterName: string, certificateArns: string[]): Record<string, unknown> {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Action: ["iam:CreateServiceLinkedRole"],
                Resource: "*",
                Condition: { StringEquals: { "iam:AWSServiceName": "elasticloadbalancing.amazonaws.com" } },
            },
            { Effect: "Allow", Action: [...EC2_READ, ...ELB_READ, "acm:ListCertificates"], Resource: "*" },
            ...(certificateArns.length > 0 ? [{ Effect: "Allow", Action: ["acm:DescribeCertificate"], Resource: certificateArns }] : []),
            {
                Effect: "Allow",
                Action: [...ELB_CREATE, "elasticloadbalancing:AddTags"],
                Resource: "*",
                Condition: { StringEquals: { [`aws:RequestTag/${CLUSTER_TAG}`]: clusterName } },
            },
            {
                Effect: "Allow",
                Action: ELB_MANAGE,
                Resource: "*",
                Condition: { StringEquals: { [`aws:ResourceTag/${CLUSTER_TAG}`]: clusterName } },
            },
        ],
    };
}

/** external-dns: change records in one zone only; list zones to find it. */
export function externalDnsPolicy(hostedZoneId: string): Record<string, unknown> {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Action: ["route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets", "route53:ListTagsForResources"],
                Resource: [`arn:aws:route53:::hostedzone/${hostedZoneId}`],
            },
            { Effect: "Allow", Action: ["route53:ListHostedZones"], Resource: "*" },
        ],
    };
}

/** cluster-autoscaler: resize only the node groups tagged for this cluster. */
export function clusterAutoscalerPolicy(clusterName: string): Record<string, unknown> {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Action: ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
                Resource: "*",
                Condition: { StringEquals: { [`aws:ResourceTag/k8s.io/cluster-autoscaler/${clusterName}`]: "owned" } },
            },
            {
                Effect: "Allow",
                Action: [
                    "autoscaling:DescribeAutoScalingGroups",
                    "autoscaling:DescribeAutoScalingInstances",
                    "autoscaling:DescribeLaunchConfigurations",
                    "autoscaling:DescribeScalingActivities",
                    "autoscaling:DescribeTags",
                    "ec2:DescribeImages",
                    "ec2:DescribeInstanceTypes",
                    "ec2:DescribeLaunchTemplateVersions",
                    "ec2:GetInstanceTypesFromInstanceRequirements",
                    "eks:DescribeNodegroup",
                ],
                Resource: "*",
            },
        ],
    };
}
