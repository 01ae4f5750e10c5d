import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { controlPlaneLogGroup } from "../operations/control-plane-logs";
import { BOOTSTRAP_ROLES, roleArn } from "../../config/delivery";
import type { EksClusterConfig, StackConfig } from "../../config/load";
import { EKS_ADDON_BUILDS, type EksAddon } from "../../config/eks-versions";
import { attachKeyPolicy, KEY_USE_ACTIONS, keyAdmins } from "../security/kms-policy";
import { grantClusterAdmin, grantClusterView } from "./access-entries";
import { nodeMetadataOptions } from "./node-hardening";
import { eksKubeconfig } from "./exec-kubeconfig";
import { nodeTemplateInstanceArgs, nodeVersionArgs } from "./node-versions";
import { Vpc } from "./vpc";

/** Every control-plane log type EKS offers; all are shipped to CloudWatch. */
export const CONTROL_PLANE_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"];

/** The node role's policies. The CNI policy is not among them: vpc-cni has its own IRSA role, so pods cannot borrow it. */
export const NODE_POLICIES = [
    "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
    "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
];
export const CNI_POLICY = "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy";

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
    appNamespaces: string[] = [],
    logRetentionDays?: number,
): EksOutputs {
    const opts = { parent, provider };
    const vpc = new Vpc(
        `${name}-network`,
        {
            ...cluster.vpc,
            clusterName: cluster.name,
            provider,
            accountId: awsConfig.accountId,
            region: awsConfig.region,
            keyAdmins: keyAdmins(awsConfig),
        },
        { parent },
    );

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
            // No implicit admin for whoever creates it: the deployer gets an explicit access entry below.
            accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false },
        },
        {
            ...opts,
            dependsOn: [
                clusterPolicy,
                ...(logRetentionDays === undefined ? [] : [controlPlaneLogGroup(name, cluster.name, logRetentionDays, opts)]),
            ],
            // The flag only counts at creation (changing it would replace the cluster): clusters made before keep theirs.
            ignoreChanges: ["accessConfig.bootstrapClusterCreatorAdminPermissions"],
        },
    );
    attachKeyPolicy(
        `${name}-secrets-key`,
        secretsKey,
        {
            accountId: awsConfig.accountId,
            admins: keyAdmins(awsConfig),
            // The control plane encrypts and decrypts Secrets with the cluster role's credentials.
            uses: [{ sid: "EnvelopeEncryptionByTheClusterRole", roles: [clusterRole.arn], actions: KEY_USE_ACTIONS }],
        },
        opts,
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
            ...nodeTemplateInstanceArgs(cluster),
            metadataOptions: nodeMetadataOptions(),
        },
        opts,
    );
    const nodes = new aws.eks.NodeGroup(
        `${name}-nodes`,
        {
            clusterName: eks.name,
            nodeRoleArn: nodeRole.arn,
            subnetIds: vpc.privateSubnetIds,
            launchTemplate: { id: template.id, version: template.latestVersion.apply((v) => String(v)) },
            amiType: "AL2023_x86_64_STANDARD",
            capacityType: "ON_DEMAND",
            scalingConfig: {
                desiredSize: cluster.nodeGroup.minSize,
                minSize: cluster.nodeGroup.minSize,
                maxSize: cluster.nodeGroup.maxSize,
            },
            updateConfig: { maxUnavailable: 1 },
            ...nodeVersionArgs(cluster),
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
    const cniRole = new aws.iam.Role(
        `${name}-vpc-cni-role`,
        {
            assumeRolePolicy: pulumi
                .all([oidc.arn, issuerUrl])
                .apply(([arn, url]) => serviceAccountTrustPolicy(arn, url, "kube-system", "aws-node")),
        },
        opts,
    );
    const cniPolicy = new aws.iam.RolePolicyAttachment(`${name}-vpc-cni-policy`, { role: cniRole.name, policyArn: CNI_POLICY }, opts);
    const builds = EKS_ADDON_BUILDS[cluster.kubernetesVersion];
    const addon = (addonName: EksAddon, extra: Partial<aws.eks.AddonArgs> = {}, dependsOn: pulumi.Resource[] = []) =>
        new aws.eks.Addon(
            `${name}-addon-${addonName}`,
            { clusterName: eks.name, addonName, addonVersion: builds?.[addonName], resolveConflictsOnUpdate: "OVERWRITE", ...extra },
            // CoreDNS and the CSI driver are Deployments: created only when they are running on the nodes.
            { ...opts, dependsOn, customTimeouts: { create: "20m", update: "20m" } },
        );
    const cni = addon(
        "vpc-cni",
        { serviceAccountRoleArn: cniRole.arn, configurationValues: JSON.stringify({ enableNetworkPolicy: "true" }) },
        [cniPolicy],
    );
    const kubeProxy = addon("kube-proxy");
    const coredns = addon("coredns", {}, [nodes]);
    addon("aws-ebs-csi-driver", { serviceAccountRoleArn: ebsRole.arn }, [nodes]);

    for (const principalArn of cluster.adminRoleArns) {
        const roleName = principalArn.split("/").pop();
        grantClusterAdmin(`${name}-access-${roleName}`, eks.name, principalArn, opts);
    }
    // The deployer (every `pulumi up`) is admin by an entry of its own, not as the cluster's creator. A cluster
    // created with the creator's implicit admin already has this entry: adopt it (import) rather than create it.
    const deployerAdmin = grantClusterAdmin(`${name}-access-deployer`, eks.name, awsConfig.assumeRoleArn, opts, {
        adoptFrom: cluster.adoptCreatorAccessEntry ? cluster.name : undefined,
    });

    // Pull-request previews read the cluster (never write) with the bootstrap stack's preview role.
    grantClusterView(`${name}-access-preview`, eks.name, roleArn(awsConfig.accountId, BOOTSTRAP_ROLES.preview), opts);
    // On-call engineers: read everything but Secrets, restart and scale in the app namespaces (the runbooks' kubectl).
    if (cluster.onCallRoleArn) {
        grantClusterView(`${name}-access-on-call`, eks.name, cluster.onCallRoleArn, opts, { editNamespaces: appNamespaces });
    }

    const kubeconfig = pulumi
        .all([eks.name, eks.endpoint, eks.certificateAuthority])
        .apply(([clusterName, endpoint, ca]) =>
            eksKubeconfig({ clusterName, endpoint, certificateAuthority: ca.data ?? "", region: awsConfig.region }),
        );

    return {
        ready: [nodes, cni, kubeProxy, coredns, deployerAdmin],
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
