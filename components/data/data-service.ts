import * as aws from "@pulumi/aws";
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";

/** Where AWS-managed data services live: the cluster's VPC, private subnets, reachable from its nodes. */
export interface AwsPlacement {
    provider: aws.Provider;
    vpcId: pulumi.Input<string>;
    privateSubnetIds: pulumi.Input<string>[];
    /** Security group of the cluster's nodes: the only source admitted. */
    nodeSecurityGroupId: pulumi.Input<string>;
}

/** What every data service (Postgres, Redis) is given besides its own config section. */
export interface DataServiceArgs {
    /** Prefix of physical names, `<project>-<environment>`. */
    identifier: string;
    /** Protect the service's state from deletion (`protect`, deletion protection, final snapshots). */
    protect: boolean;
    namespace: pulumi.Input<string>;
    k8sProvider: k8s.Provider;
    /** Required for the AWS-managed modes. */
    aws?: AwsPlacement;
    /** Required when mode is `external`: the URL secret from `secrets`. */
    externalUrl?: pulumi.Output<string>;
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

/** A password that stays the same across runs (state keeps it) and is a secret everywhere. */
export function generatedPassword(name: string, parent: pulumi.Resource): pulumi.Output<string> {
    return pulumi.secret(new random.RandomPassword(name, { length: 32, special: false }, { parent }).result);
}
