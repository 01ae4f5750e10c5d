import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** Where AWS-managed data services live: the cluster's VPC, private subnets, reachable from its nodes. */
export interface AwsPlacement {
    provider: aws.Provider;
    vpcId: pulumi.Input<string>;
    privateSubnetIds: pulumi.Input<string>[];
    /** Security group of the cluster's nodes: the only source admitted. */
    nodeSecurityGroupId: pulumi.Input<string>;
}

/** A security group that admits one TCP port from the cluster's nodes and nothing else. */
export function nodeOnlySecurityGroup(name: string, port: number, placement: AwsPlacement, parent: pulumi.Resource): aws.ec2.SecurityGroup {
    return new aws.ec2.SecurityGroup(
        name,
        {
            vpcId: placement.vpcId,
            description: `Port ${port} from the cluster's nodes only`,
            ingress: [{ protocol: "tcp", fromPort: port, toPort: port, securityGroups: [placement.nodeSecurityGroupId] }],
            egress: [],
        },
        { parent, provider: placement.provider },
    );
}
