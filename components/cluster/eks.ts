import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { controlPlaneLogGroup } from "../operations/control-plane-logs";
import { BOOTSTRAP_ROLES, roleArn } from "../../config/delivery";
import type { EksClusterConfig, StackConfig } from "../../config/load";
import { grantClusterView } from "./access-entries";
import { eksKubeconfig } from "./exec-kubeconfig";
import { Vpc } from "./vpc";

/** Every control-plane log type EKS offers; all are shipped to CloudWatch. */
export const CONTROL_PLANE_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"];

export const NODE_POLICIES = [
    "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
    "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
    "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
];

const CLUSTER_ADMIN_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy";

export interface EksOutputs {
    /** What the Kubernetes provider waits for: nodes joined, CNI, kube-proxy and CoreDNS running. */
    ready: pulumi.Resource[];
    privateSubnetCidrs: string[];
    publicSubnetCidrs: string[];
    clusterSecurityGroupId: pulumi.Output<string>;
    clusterName: pulumi.Output<string>;
    kubeconfig: pulumi.Output<string>;
    oidcProviderArn: pulumi.Output<string>;
    oidcIssuerUrl: pulumi.Output<string>;
    nodeSecurityGroupId: pulumi.Output<string>;
    vpcId: pulumi.Output<string>;
    privateSubnetIds: pulumi.Output<string>[];
}

export function assumeRolePolicy(service: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }],
    });
}

/** Trust policy for a Kubernetes service account (IRSA) through the cluster's OIDC provider. */
export function serviceAccountTrustPolicy(oidcProviderArn: string, issuerUrl: string, namespace: string, serviceAccount: string): string {
    const issuer = issuerUrl.replace(/^https:\/\//, "");
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Federated: oidcProviderArn },
                Action: "sts:AssumeRoleWithWebIdentity",
                Condition: {
                    StringEquals: {
                        [`${issuer}:sub`]: `system:serviceaccount:${namespace}:${serviceAccount}`,
                        [`${issuer}:aud`]: "sts.amazonaws.com",
                    },
                },
            },
        ],
    });
}

/** EKS in its own VPC: private nodes, KMS-encrypted Secrets, all logs, IRSA, add-ons, access entries. */
export function createEks(
    name: string,
    cluster: EksClusterConfig,
    awsConfig: NonNullable<StackConfig["aws"]>,
    provider: aws.Provider,
    parent: pulumi.Resource,
    logRetentionDays?: number,
): EksOutputs {
    const opts = { parent, provider };
    const vpc = new Vpc(`${name}-network`, { ...cluster.vpc, clusterName: cluster.name, provider }, { parent });

    const secretsKey = new aws.kms.Key(
        `${name}-secrets-key`,
        { description: `Envelope encryption of Kubernetes Secrets in ${cluster.name}`, enableKeyRotation: true, deletionWindowInDays: 30 },
        opts,
    );
    const clusterRole = new aws.iam.Role(`${name}-cluster-role`, { assumeRolePolicy: assumeRolePolicy("eks.amazonaws.com") }, opts);
    const clusterPolicy = new aws.iam.RolePolicyAttachment(
        `${name}-cluster-policy`,
        { role: clusterRole.name, policyArn: "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy" },
        opts,
    );

    const eks = new aws.eks.Cluster(
        `${name}-eks`,
        {
            name: cluster.name,
            version: cluster.kubernetesVersion,
            roleArn: clusterRole.arn,
            vpcConfig: {
                subnetIds: vpc.privateSubnetIds,
                endpointPrivateAccess: true,
                endpointPublicAccess: cluster.endpoint.publicAccess,
                publicAccessCidrs: cluster.endpoint.publicAccess ? cluster.endpoint.publicAccessCidrs : undefined,
            },
            enabledClusterLogTypes: CONTROL_PLANE_LOG_TYPES,
            encryptionConfig: { provider: { keyArn: secretsKey.arn }, resources: ["secrets"] },
            accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: true },
        },
        {
            ...opts,
            dependsOn: [
                clusterPolicy,
                ...(logRetentionDays === undefined ? [] : [controlPlaneLogGroup(name, cluster.name, logRetentionDays, opts)]),
            ],
        },
    );

    const issuerUrl = eks.identities.apply((ids) => ids[0]?.oidcs?.[0]?.issuer ?? "");
    const oidc = new aws.iam.OpenIdConnectProvider(`${name}-oidc`, { url: issuerUrl, clientIdLists: ["sts.amazonaws.com"] }, opts);

    const nodeRole = new aws.iam.Role(`${name}-node-role`, { assumeRolePolicy: assumeRolePolicy("ec2.amazonaws.com") }, opts);
    const nodePolicies = NODE_POLICIES.map(
        (policyArn) =>
            new aws.iam.RolePolicyAttachment(`${name}-node-${policyArn.split("/").pop()}`, { role: nodeRole.name, policyArn }, opts),
    );
    const clusterSecurityGroupId = eks.vpcConfig.apply((c) => c.clusterSecurityGroupId);
    // Nodes carry the cluster's group (control plane <-> nodes, node <-> node) and the VPC's node group,
    // which the data services admit. Security groups of a managed node group can only be set here.
    const template = new aws.ec2.LaunchTemplate(
        `${name}-node-template`,
        {
            description: `Nodes of ${cluster.name}`,
            vpcSecurityGroupIds: [clusterSecurityGroupId, vpc.nodeSecurityGroupId],
            blockDeviceMappings: [
                {
                    deviceName: "/dev/xvda",
                    ebs: { volumeSize: cluster.nodeGroup.diskSizeGiB, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" },
                },
            ],
            updateDefaultVersion: true,
        },
        opts,
    );
    const nodes = new aws.eks.NodeGroup(
        `${name}-nodes`,
        {
            clusterName: eks.name,
            nodeRoleArn: nodeRole.arn,
            subnetIds: vpc.privateSubnetIds,
            instanceTypes: [cluster.nodeGroup.instanceType],
            launchTemplate: { id: template.id, version: template.latestVersion.apply((v) => String(v)) },
            amiType: "AL2023_x86_64_STANDARD",
            capacityType: "ON_DEMAND",
            scalingConfig: {
                desiredSize: cluster.nodeGroup.minSize,
                minSize: cluster.nodeGroup.minSize,
                maxSize: cluster.nodeGroup.maxSize,
            },
            updateConfig: { maxUnavailable: 1 },
        },
        // Created at minSize; cluster-autoscaler (components/capacity.ts) owns the size between min and max.
        {
            ...opts,
            dependsOn: nodePolicies,
            ignoreChanges: ["scalingConfig.desiredSize"],
            customTimeouts: { create: "30m", update: "60m", delete: "30m" },
        },
    );

    const ebsRole = new aws.iam.Role(
        `${name}-ebs-csi-role`,
        {
            assumeRolePolicy: pulumi
                .all([oidc.arn, issuerUrl])
                .apply(([arn, url]) => serviceAccountTrustPolicy(arn, url, "kube-system", "ebs-csi-controller-sa")),
        },
        opts,
    );
    new aws.iam.RolePolicyAttachment(
        `${name}-ebs-csi-policy`,
        { role: ebsRole.name, policyArn: "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy" },
        opts,
    );
    const addon = (addonName: string, extra: Partial<aws.eks.AddonArgs> = {}, dependsOn: pulumi.Resource[] = []) =>
        new aws.eks.Addon(
            `${name}-addon-${addonName}`,
            { clusterName: eks.name, addonName, resolveConflictsOnUpdate: "OVERWRITE", ...extra },
            // CoreDNS and the CSI driver are Deployments: created only when they are running on the nodes.
            { ...opts, dependsOn, customTimeouts: { create: "20m", update: "20m" } },
        );
    const cni = addon("vpc-cni", { configurationValues: JSON.stringify({ enableNetworkPolicy: "true" }) });
    const kubeProxy = addon("kube-proxy");
    const coredns = addon("coredns", {}, [nodes]);
    addon("aws-ebs-csi-driver", { serviceAccountRoleArn: ebsRole.arn }, [nodes]);

    for (const principalArn of cluster.adminRoleArns) {
        const roleName = principalArn.split("/").pop();
        const entry = new aws.eks.AccessEntry(
            `${name}-access-${roleName}`,
            { clusterName: eks.name, principalArn, type: "STANDARD" },
            opts,
        );
        new aws.eks.AccessPolicyAssociation(
            `${name}-access-${roleName}-admin`,
            { clusterName: eks.name, principalArn, policyArn: CLUSTER_ADMIN_POLICY, accessScope: { type: "cluster" } },
            { ...opts, dependsOn: [entry] },
        );
    }

    // Pull-request previews read the cluster (never write) with the bootstrap stack's preview role.
    grantClusterView(`${name}-access-preview`, eks.name, roleArn(awsConfig.accountId, BOOTSTRAP_ROLES.preview), opts);

    const kubeconfig = pulumi
        .all([eks.name, eks.endpoint, eks.certificateAuthority])
        .apply(([clusterName, endpoint, ca]) =>
            eksKubeconfig({ clusterName, endpoint, certificateAuthority: ca.data ?? "", region: awsConfig.region }),
        );

    return {
        ready: [nodes, cni, kubeProxy, coredns],
        privateSubnetCidrs: vpc.privateSubnetCidrs,
        publicSubnetCidrs: vpc.publicSubnetCidrs,
        clusterSecurityGroupId,
        clusterName: eks.name,
        kubeconfig: pulumi.secret(kubeconfig),
        oidcProviderArn: oidc.arn,
        oidcIssuerUrl: issuerUrl,
        nodeSecurityGroupId: vpc.nodeSecurityGroupId,
        vpcId: vpc.vpcId,
        privateSubnetIds: vpc.privateSubnetIds,
    };
}
