import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { graphResources, PackResource } from "../harness/policy-pack/resources";
import { PolicyPackSession } from "../harness/policy-pack/session";
import { recordStack } from "../harness/run-stack";

/*
 * The pack's mutation test: the recorded prod graph, changed in one place per case as a change that
 * bypassed the program and its config would, must be reported by the policy for that control as
 * mandatory; the unchanged graph passes. The table in docs/security.md is this list.
 */

const PACK_CONFIG = { "prod-deployment-window": { at: "2026-11-25T11:00:00Z" }, "eks-version-supported": { at: "2026-11-23" } };

type Props = Record<string, any>;
interface Mutation {
    change: string;
    policy: string;
    mutate: (resources: PackResource[]) => PackResource[];
}

/** The one resource of a type (and name) the mutation edits; fails loudly when the graph no longer has it. */
function one(resources: PackResource[], type: string, name?: string | RegExp): PackResource {
    const found = resources.filter(
        (r) => r.type === type && (name === undefined || (typeof name === "string" ? r.name === name : name.test(r.name))),
    );
    assert.ok(found.length >= 1, `the prod graph has ${type} ${name ?? ""}`);
    return found[0]!;
}
/** Edit inputs (what Analyze sees) and outputs (what AnalyzeStack sees) alike. */
const edit = (resource: PackResource, change: (props: Props) => void) =>
    [resource.inputs, resource.outputs].forEach((p) => change(p as Props));
const editing = (type: string, name: string | RegExp | undefined, change: (props: Props) => void) => (resources: PackResource[]) => {
    edit(one(resources, type, name), change);
    return resources;
};
const without = (type: string, name?: string | RegExp) => (resources: PackResource[]) => {
    const gone = one(resources, type, name);
    return resources.filter((r) => r !== gone);
};
const documentEdit = (key: string, change: (doc: any) => void) => (props: Props) => {
    const doc = JSON.parse(props[key]);
    change(doc);
    props[key] = JSON.stringify(doc);
};

const GITHUB_TRUST = JSON.stringify({
    Version: "2012-10-17",
    Statement: [
        {
            Effect: "Allow",
            Principal: { Federated: "arn:aws:iam::333333333333:oidc-provider/token.actions.githubusercontent.com" },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: {
                StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" },
                StringLike: { "token.actions.githubusercontent.com:sub": "repo:collab/*" },
            },
        },
    ],
});

export const MUTATIONS: Mutation[] = [
    // The eight changes of issue #24, point 10.
    {
        change: "a GitHub OIDC trust with subject repo:collab/*",
        policy: "iam-trust-policy-scoped",
        mutate: editing("aws:iam/role:Role", "cluster-vpc-cni-role", (p) => (p["assumeRolePolicy"] = GITHUB_TRUST)),
    },
    {
        change: 'Resource: "*" on the secrets-reading policy',
        policy: "iam-no-wildcard-resources",
        mutate: editing(
            "aws:iam/rolePolicy:RolePolicy",
            /^app-secrets-.*-read$/,
            documentEdit("policy", (doc) => doc.Statement.forEach((s: Props) => (s["Resource"] = "*"))),
        ),
    },
    {
        change: "an AdministratorAccess attachment",
        policy: "iam-no-admin-policy-attachment",
        mutate: editing(
            "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
            "cluster-ebs-csi-policy",
            (p) => (p["policyArn"] = "arn:aws:iam::aws:policy/AdministratorAccess"),
        ),
    },
    {
        change: "EKS version 1.29",
        policy: "eks-version-supported",
        mutate: editing("aws:eks/cluster:Cluster", undefined, (p) => (p["version"] = "1.29")),
    },
    {
        change: "RDS automatic minor upgrades off",
        policy: "rds-auto-minor-version-upgrade",
        mutate: editing("aws:rds/instance:Instance", undefined, (p) => (p["autoMinorVersionUpgrade"] = false)),
    },
    {
        change: "Redis snapshot retention 0",
        policy: "elasticache-backup-enabled",
        mutate: editing("aws:elasticache/replicationGroup:ReplicationGroup", undefined, (p) => (p["snapshotRetentionLimit"] = 0)),
    },
    {
        change: "KMS rotation off (the database's key)",
        policy: "kms-key-rotation",
        mutate: editing("aws:kms/key:Key", "postgres-key", (p) => (p["enableKeyRotation"] = false)),
    },
    {
        change: "the database's security group opened to 0.0.0.0/0",
        policy: "security-group-no-public-ingress",
        mutate: editing("aws:ec2/securityGroup:SecurityGroup", "postgres-sg", (p) =>
            p["ingress"].push({ protocol: "tcp", fromPort: 5432, toPort: 5432, cidrBlocks: ["0.0.0.0/0"] }),
        ),
    },
    // The other controls of the baseline.
    {
        change: "a rule resource admitting ::/0 to the nodes (IPv6)",
        policy: "security-group-no-public-ingress",
        mutate: editing("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", /^entry-point-nodes-from-lb-/, (p) => {
            delete p["referencedSecurityGroupId"];
            p["cidrIpv6"] = "::/0";
        }),
    },
    {
        change: "IMDSv1 allowed on the node launch template",
        policy: "ec2-launch-template-imdsv2",
        mutate: editing(
            "aws:ec2/launchTemplate:LaunchTemplate",
            "cluster-node-template",
            (p) => (p["metadataOptions"]["httpTokens"] = "optional"),
        ),
    },
    {
        change: "IMDS hop limit 2 (pods reach the node's metadata)",
        policy: "ec2-launch-template-imdsv2",
        mutate: editing(
            "aws:ec2/launchTemplate:LaunchTemplate",
            "cluster-node-template",
            (p) => (p["metadataOptions"]["httpPutResponseHopLimit"] = 2),
        ),
    },
    {
        change: "vpc-cni without its IRSA role",
        policy: "eks-vpc-cni-irsa",
        mutate: editing("aws:eks/addon:Addon", "cluster-addon-vpc-cni", (p) => delete p["serviceAccountRoleArn"]),
    },
    {
        change: "the CNI policy back on the node role",
        policy: "eks-node-role-minimal",
        mutate: editing(
            "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
            "cluster-node-AmazonEKSWorkerNodePolicy",
            (p) => (p["policyArn"] = "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy"),
        ),
    },
    {
        change: "the creator's implicit cluster-admin back on",
        policy: "eks-no-implicit-admin",
        mutate: editing("aws:eks/cluster:Cluster", undefined, (p) => (p["accessConfig"]["bootstrapClusterCreatorAdminPermissions"] = true)),
    },
    {
        change: "an EKS add-on without addonVersion",
        policy: "eks-addon-version-pinned",
        mutate: editing("aws:eks/addon:Addon", "cluster-addon-coredns", (p) => delete p["addonVersion"]),
    },
    {
        change: "a KMS key without its key policy (the default: root kms:*)",
        policy: "kms-key-policy-explicit",
        mutate: without("aws:kms/keyPolicy:KeyPolicy", "app-secrets-key-policy"),
    },
    {
        change: "a key policy granting the account root kms:*",
        policy: "kms-key-policy-explicit",
        mutate: editing(
            "aws:kms/keyPolicy:KeyPolicy",
            "cluster-secrets-key-policy",
            documentEdit("policy", (doc) =>
                doc.Statement.push({
                    Effect: "Allow",
                    Principal: { AWS: "arn:aws:iam::333333333333:root" },
                    Action: "kms:*",
                    Resource: "*",
                }),
            ),
        ),
    },
    { change: "no VPC flow log", policy: "vpc-flow-logs-enabled", mutate: without("aws:ec2/flowLog:FlowLog") },
    {
        change: "the default security group keeps an allow-all rule",
        policy: "vpc-default-security-group-closed",
        mutate: editing("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", undefined, (p) =>
            p["ingress"].push({ protocol: "-1", fromPort: 0, toPort: 0, self: true }),
        ),
    },
    {
        change: "RDS enhanced monitoring off",
        policy: "rds-enhanced-monitoring",
        mutate: editing("aws:rds/instance:Instance", undefined, (p) => (p["monitoringInterval"] = 0)),
    },
    {
        change: "RDS CA left to the region's default",
        policy: "rds-ca-certificate-pinned",
        mutate: editing("aws:rds/instance:Instance", undefined, (p) => delete p["caCertIdentifier"]),
    },
    {
        change: "the service runs as the namespace's default ServiceAccount",
        policy: "service-own-service-account",
        mutate: editing("kubernetes:helm.sh/v3:Release", "supernova-server-release", (p) => delete p["values"]["serviceAccountName"]),
    },
    {
        change: "the External Secrets namespace without its default-deny",
        policy: "namespace-default-deny",
        mutate: without("kubernetes:networking.k8s.io/v1:NetworkPolicy", "app-secrets-eso-default-deny"),
    },
    {
        change: "Helm creates the monitoring namespace (no Pod Security labels)",
        policy: "namespace-pod-security-restricted",
        mutate: editing("kubernetes:helm.sh/v3:Release", "monitoring-kube-prometheus-stack", (p) => (p["createNamespace"] = true)),
    },
    {
        change: "the monitoring namespace at privileged (node-exporter's level)",
        policy: "namespace-pod-security-restricted",
        mutate: editing("kubernetes:core/v1:Namespace", "monitoring-namespace", (p) =>
            Object.assign(p["metadata"]["labels"], { "pod-security.kubernetes.io/enforce": "privileged" }),
        ),
    },
    // Controls that already passed before the baseline: the pack still catches their regressions.
    {
        change: "RDS publicly accessible",
        policy: "rds-not-public",
        mutate: editing("aws:rds/instance:Instance", undefined, (p) => (p["publiclyAccessible"] = true)),
    },
    {
        change: "RDS storage unencrypted",
        policy: "rds-storage-encrypted",
        mutate: editing("aws:rds/instance:Instance", undefined, (p) => (p["storageEncrypted"] = false)),
    },
    {
        change: "EKS public endpoint open to the internet",
        policy: "eks-endpoint-restricted",
        mutate: editing("aws:eks/cluster:Cluster", undefined, (p) =>
            Object.assign(p["vpcConfig"], { endpointPublicAccess: true, publicAccessCidrs: ["0.0.0.0/0"] }),
        ),
    },
    {
        change: "EKS Secrets not envelope-encrypted",
        policy: "eks-secrets-encryption",
        mutate: editing("aws:eks/cluster:Cluster", undefined, (p) => delete p["encryptionConfig"]),
    },
    {
        change: "EKS audit log off",
        policy: "eks-control-plane-logs",
        mutate: editing("aws:eks/cluster:Cluster", undefined, (p) => (p["enabledClusterLogTypes"] = ["api"])),
    },
    {
        change: "Redis in-transit encryption off",
        policy: "elasticache-encryption",
        mutate: editing("aws:elasticache/replicationGroup:ReplicationGroup", undefined, (p) => (p["transitEncryptionEnabled"] = false)),
    },
    {
        change: "an IAM policy with a wildcard action",
        policy: "iam-no-wildcard-actions",
        mutate: editing(
            "aws:iam/rolePolicy:RolePolicy",
            /^app-secrets-.*-read$/,
            documentEdit("policy", (doc) => (doc.Statement[0].Action = "secretsmanager:*")),
        ),
    },
];

let pack: PolicyPackSession;
let base: PackResource[];
let engineConfig: Awaited<ReturnType<typeof recordStack>>["engineConfig"];
before(async () => {
    pack = await PolicyPackSession.start();
    const recorded = await recordStack("prod");
    base = await graphResources(recorded.graph);
    engineConfig = recorded.engineConfig;
});
after(() => pack?.stop());

const analyze = (resources: PackResource[]) => pack.analyze(resources, { config: PACK_CONFIG, stack: { stack: "prod", ...engineConfig } });

describe("the policy pack's mutation test on the recorded prod graph", () => {
    it("passes the unmutated graph", async () => {
        assert.deepEqual((await analyze(structuredClone(base))).violations, []);
    });
    for (const mutation of MUTATIONS) {
        it(`${mutation.change} -> ${mutation.policy} (mandatory)`, async (t) => {
            const { violations } = await analyze(mutation.mutate(structuredClone(base)));
            const caught = violations.filter((v) => v.policy === mutation.policy);
            assert.ok(caught.length > 0, `${mutation.policy} reports it; the pack said ${JSON.stringify(violations)}`);
            assert.ok(
                caught.every((v) => v.enforcementLevel === "mandatory"),
                `${mutation.policy} is mandatory in prod`,
            );
            t.diagnostic(`| ${mutation.change} | ${mutation.policy} | ${caught[0]!.message} |`);
        });
    }
});
