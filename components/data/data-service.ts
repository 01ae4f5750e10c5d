import * as aws from "@pulumi/aws";
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { FlowRole, flowRoleTags } from "../gateway/contract";
import type { RegistryConfig } from "../../config/workloads";

/** Where AWS-managed data services live: the cluster's VPC, private subnets, reachable from its nodes. */
export interface AwsPlacement {
    provider: aws.Provider;
    vpcId: pulumi.Input<string>;
    privateSubnetIds: pulumi.Input<string>[];
    /** Security group of the cluster's nodes (made with the VPC): the only source admitted. */
    nodeSecurityGroupId: pulumi.Input<string>;
    /** CIDRs of the private subnets the data services live in (the app's NetworkPolicy egress targets). */
    privateSubnetCidrs: string[];
    /** Account, region and key administrators, for the explicit policies of the data services' KMS keys. */
    keys: DataKeyContext;
}

export interface DataKeyContext {
    accountId: string;
    region: string;
    /** Deployer and break-glass roles (components/security/kms-policy.ts keyAdmins). */
    admins: string[];
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
    /** The stack's registries: in-cluster data pods reference their image registry's pull Secret. Defaults to none. */
    registries?: RegistryConfig[];
}

/**
 * A security group that admits one TCP port from the given groups (the cluster's nodes by default) and
 * lets nothing out. The description stays as it was: changing it would replace the group.
 */
export function admittingSecurityGroup(
    name: string,
    spec: { port: number; role: FlowRole; sources?: pulumi.Input<string>[] },
    placement: AwsPlacement,
    parent: pulumi.Resource,
): aws.ec2.SecurityGroup {
    const { port } = spec;
    return new aws.ec2.SecurityGroup(
        name,
        {
            vpcId: placement.vpcId,
            description: `Port ${port} from the cluster's nodes only`,
            ingress: [{ protocol: "tcp", fromPort: port, toPort: port, securityGroups: spec.sources ?? [placement.nodeSecurityGroupId] }],
            egress: [],
            tags: flowRoleTags(spec.role),
        },
        { parent, provider: placement.provider },
    );
}

/** A password that stays the same across runs (state keeps it) and is a secret everywhere. */
export function generatedPassword(name: string, parent: pulumi.Resource): pulumi.Output<string> {
    return pulumi.secret(new random.RandomPassword(name, { length: 32, special: false }, { parent }).result);
}
