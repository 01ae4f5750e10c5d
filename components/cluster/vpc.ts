import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { flowRoleTags } from "../gateway/contract";
import { createFlowLogs } from "./flow-logs";
import { carveSubnets } from "./subnets";

export interface VpcArgs {
    /** The VPC range. */
    cidr: string;
    /** One private and one public subnet is created in each. */
    availabilityZones: string[];
    /** `single` shares one NAT gateway; `one-per-az` survives the loss of a zone. */
    natGateways: "single" | "one-per-az";
    /** EKS cluster name, for the subnet discovery tags of load balancers. */
    clusterName: string;
    provider: aws.Provider;
    /** Flow logs (all traffic) are kept this many days. */
    flowLogRetentionDays: number;
    accountId: string;
    region: string;
    /** Administrators of the flow logs' KMS key (deployer, break-glass). */
    keyAdmins: string[];
}

/** A VPC with public subnets (load balancers, NAT) and private subnets (nodes, databases). */
export class Vpc extends pulumi.ComponentResource {
    public readonly vpcId: pulumi.Output<string>;
    public readonly privateSubnetIds: pulumi.Output<string>[];
    public readonly publicSubnetIds: pulumi.Output<string>[];
    public readonly privateSubnetCidrs: string[];
    public readonly publicSubnetCidrs: string[];
    /**
     * The nodes' (and so the pods') own security group, made with the VPC: data services admit it, so they
     * need not wait for the EKS cluster. Its only rules are the egress below and the load balancer's ingress.
     */
    public readonly nodeSecurityGroupId: pulumi.Output<string>;

    constructor(name: string, args: VpcArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:aws:Vpc", name, {}, opts);
        const childOpts = { parent: this, provider: args.provider };
        const cidrs = carveSubnets(args.cidr, args.availabilityZones.length);
        const clusterTag = { [`kubernetes.io/cluster/${args.clusterName}`]: "shared" };

        const vpc = new aws.ec2.Vpc(
            `${name}-vpc`,
            { cidrBlock: args.cidr, enableDnsHostnames: true, enableDnsSupport: true, tags: { Name: name } },
            childOpts,
        );
        // The default security group admits nothing and sends nothing (FSBP EC2.2): only named groups carry traffic.
        new aws.ec2.DefaultSecurityGroup(
            `${name}-default-sg`,
            { vpcId: vpc.id, ingress: [], egress: [], tags: { Name: `${name}-default` } },
            childOpts,
        );
        createFlowLogs(`${name}-flow-logs`, { vpcId: vpc.id, ...args }, childOpts);
        const gateway = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id }, childOpts);
        const publicRoutes = new aws.ec2.RouteTable(
            `${name}-public`,
            { vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: gateway.id }] },
            childOpts,
        );

        const publicSubnets = args.availabilityZones.map((zone, i) => {
            const subnet = new aws.ec2.Subnet(
                `${name}-public-${zone}`,
                {
                    vpcId: vpc.id,
                    availabilityZone: zone,
                    cidrBlock: cidrs.public[i],
                    mapPublicIpOnLaunch: false,
                    tags: { Name: `${name}-public-${zone}`, "kubernetes.io/role/elb": "1", ...clusterTag },
                },
                childOpts,
            );
            new aws.ec2.RouteTableAssociation(`${name}-public-${zone}`, { subnetId: subnet.id, routeTableId: publicRoutes.id }, childOpts);
            return subnet;
        });

        const natZones = args.natGateways === "one-per-az" ? args.availabilityZones : args.availabilityZones.slice(0, 1);
        const natGateways = natZones.map((zone, i) => {
            const address = new aws.ec2.Eip(`${name}-nat-${zone}`, { domain: "vpc" }, childOpts);
            return new aws.ec2.NatGateway(
                `${name}-nat-${zone}`,
                { allocationId: address.id, subnetId: publicSubnets[i]!.id },
                { ...childOpts, dependsOn: [gateway] },
            );
        });

        const privateSubnets = args.availabilityZones.map((zone, i) => {
            const subnet = new aws.ec2.Subnet(
                `${name}-private-${zone}`,
                {
                    vpcId: vpc.id,
                    availabilityZone: zone,
                    cidrBlock: cidrs.private[i],
                    tags: { Name: `${name}-private-${zone}`, "kubernetes.io/role/internal-elb": "1", ...clusterTag },
                },
                childOpts,
            );
            const nat = natGateways[Math.min(i, natGateways.length - 1)]!;
            const routes = new aws.ec2.RouteTable(
                `${name}-private-${zone}`,
                { vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: nat.id }] },
                childOpts,
            );
            new aws.ec2.RouteTableAssociation(`${name}-private-${zone}`, { subnetId: subnet.id, routeTableId: routes.id }, childOpts);
            return subnet;
        });

        const nodes = new aws.ec2.SecurityGroup(
            `${name}-nodes-sg`,
            {
                vpcId: vpc.id,
                description: "EKS nodes and pods: admitted by the data services; reaches anything (images, AWS APIs, the database)",
                egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }],
                tags: { Name: `${name}-nodes`, ...flowRoleTags("nodes") },
            },
            childOpts,
        );

        this.vpcId = vpc.id;
        this.nodeSecurityGroupId = nodes.id;
        this.privateSubnetCidrs = cidrs.private;
        this.publicSubnetCidrs = cidrs.public;
        this.publicSubnetIds = publicSubnets.map((s) => s.id);
        this.privateSubnetIds = privateSubnets.map((s) => s.id);
        this.registerOutputs({ vpcId: this.vpcId, privateSubnetIds: this.privateSubnetIds, publicSubnetIds: this.publicSubnetIds });
    }
}
