import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterConfig, StackConfig } from "../../config/load";
import type { AwsPlacement } from "../data/data-service";
import { keyAdmins } from "../security/kms-policy";
import { AddonNamespaceContext, PRIVATE_RANGES } from "../kubernetes/addon-namespace";
import { createEks } from "./eks";

export interface ClusterArgs {
    /** The stack's `cluster` section; its `mode` picks EKS, an existing cluster or render-to-folder. */
    config: ClusterConfig;
    /** Region and deploy role. Required when mode is `eks`. */
    aws?: NonNullable<StackConfig["aws"]>;
    /** The stack's AWS provider. Required when mode is `eks`. */
    awsProvider?: aws.Provider;
    /** Kubeconfig secret of an existing cluster. Required when mode is `existing`. */
    kubeconfig?: pulumi.Output<string>;
    /** The app namespaces, where the on-call role may edit (EKS mode). Defaults to none. */
    appNamespaces?: string[];
    /** Retention of the control plane's log group (EKS). Defaults to CloudWatch's: never expire. */
    logRetentionDays?: number;
}

/** A Kubernetes cluster to deploy into, and the provider that reaches it. */
export class Cluster extends pulumi.ComponentResource {
    public readonly provider: k8s.Provider;
    public readonly clusterName: pulumi.Output<string>;
    /** Secret. Undefined in render mode, which talks to no cluster. */
    public readonly kubeconfig?: pulumi.Output<string>;
    /** Folder the manifests are written to, in render mode. */
    public readonly renderDirectory?: string;
    public readonly oidcProviderArn?: pulumi.Output<string>;
    public readonly oidcIssuerUrl?: pulumi.Output<string>;
    /** Security group of the nodes, made with the VPC; databases admit it. */
    public readonly nodeSecurityGroupId?: pulumi.Output<string>;
    /** The EKS-managed cluster security group: the control plane's network interfaces (the API on 443). */
    public readonly clusterSecurityGroupId?: pulumi.Output<string>;
    /** Address ranges of the VPC's subnets (EKS mode): the ALB lives in the public ones, data services in the private ones. */
    public readonly subnetCidrs?: { private: string[]; public: string[] };
    /** Where AWS-managed data services go (EKS mode): the VPC, private subnets, reachable from the nodes. */
    public readonly awsPlacement?: AwsPlacement;
    /** How add-on namespaces are declared here: providers, and where the API server's interfaces are. */
    public readonly addonNamespaces: AddonNamespaceContext;

    constructor(name: string, args: ClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:kubernetes:Cluster", name, {}, opts);
        const { config } = args;
        switch (config.mode) {
            case "render":
                this.renderDirectory = config.outputDirectory;
                this.clusterName = pulumi.output("rendered");
                this.provider = new k8s.Provider(`${name}-k8s`, { renderYamlToDirectory: config.outputDirectory }, { parent: this });
                break;
            case "existing": {
                if (args.kubeconfig === undefined) throw new Error("Cluster: mode existing needs args.kubeconfig");
                this.kubeconfig = pulumi.secret(args.kubeconfig);
                this.clusterName = pulumi.output(config.name);
                this.provider = new k8s.Provider(`${name}-k8s`, { kubeconfig: this.kubeconfig }, { parent: this });
                break;
            }
            case "eks": {
                if (args.aws === undefined || args.awsProvider === undefined)
                    throw new Error("Cluster: mode eks needs args.aws and args.awsProvider");
                const eks = createEks(name, config, args.aws, args.awsProvider, this, args.appNamespaces, args.logRetentionDays);
                this.clusterName = eks.clusterName;
                this.kubeconfig = eks.kubeconfig;
                this.oidcProviderArn = eks.oidcProviderArn;
                this.oidcIssuerUrl = eks.oidcIssuerUrl;
                this.nodeSecurityGroupId = eks.nodeSecurityGroupId;
                this.clusterSecurityGroupId = eks.clusterSecurityGroupId;
                this.subnetCidrs = { private: eks.privateSubnetCidrs, public: eks.publicSubnetCidrs };
                this.awsPlacement = {
                    provider: args.awsProvider,
                    vpcId: eks.vpcId,
                    privateSubnetIds: eks.privateSubnetIds,
                    nodeSecurityGroupId: eks.nodeSecurityGroupId,
                    privateSubnetCidrs: eks.privateSubnetCidrs,
                    keys: { accountId: args.aws.accountId, region: args.aws.region, admins: keyAdmins(args.aws) },
                };
                // Everything deployed through the provider waits for joined nodes, the CNI and CoreDNS.
                this.provider = new k8s.Provider(`${name}-k8s`, { kubeconfig: eks.kubeconfig }, { parent: this, dependsOn: eks.ready });
                break;
            }
        }
        this.addonNamespaces = {
            provider: this.provider,
            // Adopts the namespaces Helm created before the program declared them (the default provider refuses an existing object).
            namespaceProvider:
                this.kubeconfig === undefined
                    ? this.provider
                    : new k8s.Provider(
                          `${name}-k8s-namespaces`,
                          { kubeconfig: this.kubeconfig, upsertExistingObjects: true },
                          { parent: this, dependsOn: [this.provider] },
                      ),
            controlPlaneCidrs: this.subnetCidrs?.private ?? PRIVATE_RANGES,
        };
        this.registerOutputs({ clusterName: this.clusterName, kubeconfig: this.kubeconfig });
    }
}
