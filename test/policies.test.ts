import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { POLICIES } from "../policies/all";
import { ACME_SERVERS, clusterIssuerSpec } from "../components/cluster-addons";
import { loadPolicyPackConfig, PolicyConfigError } from "./harness/policy-pack/config";
import { fixtureResource, PackResource } from "./harness/policy-pack/resources";
import { PolicyPackSession } from "./harness/policy-pack/session";
import { UNKNOWN_INPUT } from "./harness/policy-pack/wire";

// Every case goes through the pack's analyzer gRPC server, started once for this file as the engine starts it.
let pack: PolicyPackSession;
before(async () => {
    pack = await PolicyPackSession.start();
});
after(() => pack?.stop());

type Props = Record<string, any>;
const fixture = fixtureResource;

/** What one policy reports on these resources (Remediate, Analyze per resource, then AnalyzeStack), its config given in the pack config. */
async function runPolicy(name: string, resources: PackResource[], config?: Record<string, unknown>, session = pack): Promise<string[]> {
    assert.ok(
        session.info.policies.some((p) => p.name === name),
        `the pack serves ${name}`,
    );
    const { violations } = await session.analyze(resources, { config: config ? { [name]: config } : {} });
    return violations.filter((v) => v.policy === name).map((v) => v.message);
}

const RELEASE = "kubernetes:helm.sh/v3:Release";
const releaseProps = (): Props => ({
    name: "supernova-server",
    chart: "/repo/charts/api-service",
    values: {
        image: { repository: "ghcr.io/collab/supernova-server", tag: "v1.2.3", digest: `sha256:${"9f".repeat(32)}` },
        replicaCount: 3,
        autoscaling: { enabled: true, minReplicas: 3, maxReplicas: 10 },
        env: { DEV_AUTH_OPEN: "false", LOG_LEVEL: "info" },
        resources: { requests: { cpu: "500m", memory: "512Mi" }, limits: { cpu: "2000m", memory: "2Gi" } },
        probes: { liveness: { path: "/healthz" }, readiness: { path: "/healthz" } },
        migrations: { enabled: true, activeDeadlineSeconds: 300 },
        seeds: { enabled: true, activeDeadlineSeconds: 300 },
    },
});
const rdsProps = (): Props => ({
    engine: "postgres",
    engineVersion: "16",
    storageEncrypted: true,
    kmsKeyId: "arn:aws:kms:eu-west-1:333333333333:key/db",
    publiclyAccessible: false,
    backupRetentionPeriod: 30,
    multiAz: true,
    deletionProtection: true,
    skipFinalSnapshot: false,
});
const cacheProps = (): Props => ({
    atRestEncryptionEnabled: true,
    transitEncryptionEnabled: true,
    authToken: "token",
    automaticFailoverEnabled: true,
});
const eksProps = (): Props => ({
    vpcConfig: { endpointPrivateAccess: true, endpointPublicAccess: false },
    encryptionConfig: { provider: { keyArn: "arn:aws:kms:eu-west-1:333333333333:key/eks" }, resources: ["secrets"] },
    enabledClusterLogTypes: ["api", "audit", "authenticator", "controllerManager", "scheduler"],
});
const productionEnvironment = (): Props => ({
    repository: "platform",
    environment: "production",
    reviewers: [{ users: [1001, 1002], teams: [] }],
    waitTimer: 5,
    canAdminsBypass: false,
    preventSelfReview: true,
    deploymentBranchPolicy: { protectedBranches: false, customBranchPolicies: true },
});
const mainProtection = (): Props => ({
    pattern: "main",
    requiredPullRequestReviews: [{ requiredApprovingReviewCount: 2 }],
    requireSignedCommits: true,
    allowsForcePushes: false,
    allowsDeletions: false,
});

interface Failing {
    /** The one field this case changes. */
    change: string;
    edit: (props: Props) => void;
    message: string;
}
interface Case {
    policy: string;
    type: string;
    props: () => Props;
    stack?: string;
    config?: Record<string, unknown>;
    failing: Failing[];
}

const set = (path: string, value: unknown) => (props: Props) => {
    const keys = path.split(".");
    const last = keys.pop()!;
    const target = keys.reduce((o, k) => o[k], props);
    if (value === undefined) delete target[last];
    else target[last] = value;
};

const CASES: Case[] = [
    {
        policy: "namespace-pod-security-restricted",
        type: "kubernetes:core/v1:Namespace",
        props: () => ({
            metadata: {
                name: "supernova",
                labels: Object.fromEntries(["enforce", "audit", "warn"].map((m) => [`pod-security.kubernetes.io/${m}`, "restricted"])),
            },
        }),
        failing: [
            {
                change: "enforce baseline",
                edit: (props) => (props["metadata"].labels["pod-security.kubernetes.io/enforce"] = "baseline"),
                message: 'Pod Security must be "restricted" for enforce (label pod-security.kubernetes.io/<mode>).',
            },
        ],
    },
    {
        policy: "service-minimum-replicas",
        type: RELEASE,
        props: releaseProps,
        failing: [
            {
                change: "autoscaler minimum 1",
                edit: set("values.autoscaling.minReplicas", 1),
                message: "supernova-server runs 1 replica(s) in prod; production needs at least 3.",
            },
        ],
    },
    {
        policy: "dev-auth-open-only-in-dev",
        type: RELEASE,
        props: releaseProps,
        failing: [
            {
                change: "DEV_AUTH_OPEN true",
                edit: set("values.env.DEV_AUTH_OPEN", "true"),
                message: "supernova-server sets DEV_AUTH_OPEN=true in prod: authentication would be open. Only dev, local may.",
            },
        ],
    },
    {
        policy: "image-tag-immutable",
        type: RELEASE,
        props: releaseProps,
        failing: [
            { change: "latest", edit: set("values.image.tag", "latest"), message: 'supernova-server uses the mutable image tag "latest".' },
            {
                change: "a staging tag in prod",
                edit: set("values.image.tag", "staging-e4f5a6b"),
                message: 'supernova-server uses "staging-e4f5a6b" in prod; production deploys release tags vX.Y.Z only.',
            },
        ],
    },
    {
        policy: "image-digest-in-production",
        type: RELEASE,
        props: releaseProps,
        failing: [
            {
                change: "no digest",
                edit: set("values.image.digest", ""),
                message: "supernova-server runs its image by tag in prod; production runs images by digest (image.digest sha256:<64 hex>).",
            },
        ],
    },
    {
        policy: "service-resources-and-probes",
        type: RELEASE,
        props: releaseProps,
        failing: [
            {
                change: "no memory limit",
                edit: set("values.resources.limits.memory", undefined),
                message: "supernova-server does not set resources.limits.memory.",
            },
            {
                change: "no readiness probe",
                edit: set("values.probes.readiness", undefined),
                message: "supernova-server does not set probes.readiness.path.",
            },
        ],
    },
    {
        policy: "migration-hook-deadline",
        type: RELEASE,
        props: releaseProps,
        failing: [
            {
                change: "no deadline",
                edit: set("values.migrations.activeDeadlineSeconds", undefined),
                message: "supernova-server: migrations.activeDeadlineSeconds is undefined; expected 1 to 3600.",
            },
        ],
    },
    {
        policy: "configmap-no-secret-keys",
        type: "kubernetes:core/v1:ConfigMap",
        props: () => ({ metadata: { name: "supernova-server-env" }, data: { LOG_LEVEL: "info" } }),
        failing: [
            {
                change: "DATABASE_URL in data",
                edit: set("data.DATABASE_URL", "postgresql://..."),
                message: "ConfigMap supernova-server-env holds DATABASE_URL; put secrets in a Secret.",
            },
        ],
    },
    {
        policy: "release-values-no-secret-keys",
        type: RELEASE,
        props: releaseProps,
        failing: [
            {
                change: "SESSION_SECRET in env",
                edit: set("values.env.SESSION_SECRET", "x"),
                message: "supernova-server passes SESSION_SECRET as plain values (they end up in a ConfigMap).",
            },
        ],
    },
    {
        policy: "rds-storage-encrypted",
        type: "aws:rds/instance:Instance",
        props: rdsProps,
        failing: [
            {
                change: "unencrypted",
                edit: set("storageEncrypted", false),
                message: "RDS instance db is not encrypted at rest (storageEncrypted).",
            },
            {
                change: "no KMS key",
                edit: set("kmsKeyId", undefined),
                message: "RDS instance db is encrypted with the AWS-managed key, not a KMS key of the environment.",
            },
        ],
    },
    {
        policy: "rds-not-public",
        type: "aws:rds/instance:Instance",
        props: rdsProps,
        failing: [{ change: "public", edit: set("publiclyAccessible", true), message: "RDS instance db is publicly accessible." }],
    },
    {
        policy: "rds-backup-retention",
        type: "aws:rds/instance:Instance",
        props: rdsProps,
        failing: [
            {
                change: "1 day",
                edit: set("backupRetentionPeriod", 1),
                message: "RDS instance db keeps backups 1 day(s); prod needs at least 30.",
            },
        ],
    },
    {
        policy: "rds-multi-az-in-production",
        type: "aws:rds/instance:Instance",
        props: rdsProps,
        failing: [{ change: "single AZ", edit: set("multiAz", false), message: "RDS instance db is single-AZ in prod." }],
    },
    {
        policy: "rds-deletion-protection-in-production",
        type: "aws:rds/instance:Instance",
        props: rdsProps,
        failing: [
            {
                change: "no deletion protection",
                edit: set("deletionProtection", false),
                message: "RDS instance db has no deletion protection in prod.",
            },
            {
                change: "no final snapshot",
                edit: set("skipFinalSnapshot", true),
                message: "RDS instance db skips its final snapshot in prod.",
            },
        ],
    },
    {
        policy: "rds-engine-version",
        type: "aws:rds/instance:Instance",
        props: rdsProps,
        failing: [
            { change: "14", edit: set("engineVersion", "14.9"), message: "RDS instance db runs PostgreSQL 14.9; 15 or newer is required." },
        ],
    },
    {
        policy: "elasticache-encryption",
        type: "aws:elasticache/replicationGroup:ReplicationGroup",
        props: cacheProps,
        failing: [
            {
                change: "no at-rest encryption",
                edit: set("atRestEncryptionEnabled", false),
                message: "ElastiCache db is not encrypted at rest.",
            },
            { change: "no TLS", edit: set("transitEncryptionEnabled", false), message: "ElastiCache db is not encrypted in transit." },
        ],
    },
    {
        policy: "elasticache-auth-token",
        type: "aws:elasticache/replicationGroup:ReplicationGroup",
        props: cacheProps,
        failing: [{ change: "no token", edit: set("authToken", undefined), message: "ElastiCache db has no AUTH token." }],
    },
    {
        policy: "elasticache-failover-in-production",
        type: "aws:elasticache/replicationGroup:ReplicationGroup",
        props: cacheProps,
        failing: [
            {
                change: "no failover",
                edit: set("automaticFailoverEnabled", false),
                message: "ElastiCache db has no automatic failover in prod.",
            },
        ],
    },
    {
        policy: "eks-endpoint-restricted",
        type: "aws:eks/cluster:Cluster",
        props: eksProps,
        failing: [
            {
                change: "public, no CIDRs",
                edit: set("vpcConfig.endpointPublicAccess", true),
                message: "EKS cluster db exposes its API endpoint to the whole internet.",
            },
        ],
    },
    {
        policy: "eks-secrets-encryption",
        type: "aws:eks/cluster:Cluster",
        props: eksProps,
        failing: [
            {
                change: "no encryption",
                edit: set("encryptionConfig", undefined),
                message: "EKS cluster db does not encrypt Secrets with a KMS key.",
            },
        ],
    },
    {
        policy: "eks-control-plane-logs",
        type: "aws:eks/cluster:Cluster",
        props: eksProps,
        failing: [
            {
                change: "api and audit only",
                edit: set("enabledClusterLogTypes", ["api", "audit"]),
                message: "EKS cluster db does not log authenticator, controllerManager, scheduler.",
            },
        ],
    },
    {
        policy: "secretsmanager-kms-key",
        type: "aws:secretsmanager/secret:Secret",
        props: () => ({ name: "supernova/prod/database-url", kmsKeyId: "arn:aws:kms:eu-west-1:333333333333:key/app" }),
        failing: [
            {
                change: "default key",
                edit: set("kmsKeyId", undefined),
                message: "Secret supernova/prod/database-url uses the default key, not a KMS key of the environment.",
            },
        ],
    },
    {
        policy: "iam-no-wildcard-actions",
        type: "aws:iam/rolePolicy:RolePolicy",
        props: () => ({
            policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: ["sts:AssumeRole"], Resource: ["arn:aws:iam::1:role/x"] }] }),
        }),
        failing: [
            {
                change: "s3:*",
                edit: set(
                    "policy",
                    JSON.stringify({ Statement: [{ Effect: "Allow", Action: ["sts:AssumeRole", "s3:*"], Resource: ["*"] }] }),
                ),
                message: "IAM policy db allows wildcard actions: s3:*.",
            },
        ],
    },
    {
        policy: "github-production-environment-protection",
        type: "github:index/repositoryEnvironment:RepositoryEnvironment",
        props: productionEnvironment,
        failing: [
            {
                change: "1 reviewer",
                edit: set("reviewers", [{ users: [1001], teams: [] }]),
                message: "platform/production lists 1 reviewer(s); at least 2 are required.",
            },
            {
                change: "no wait",
                edit: set("waitTimer", 0),
                message: "platform/production waits 0 minute(s) before deploying; at least 5 are required.",
            },
            {
                change: "admin bypass",
                edit: set("canAdminsBypass", true),
                message: "platform/production lets admins bypass its protection rules.",
            },
            {
                change: "self review",
                edit: set("preventSelfReview", false),
                message: "platform/production lets the author of a deployment approve it.",
            },
        ],
    },
    {
        policy: "github-main-branch-protection",
        type: "github:index/branchProtection:BranchProtection",
        props: mainProtection,
        failing: [
            {
                change: "1 approval",
                edit: set("requiredPullRequestReviews", [{ requiredApprovingReviewCount: 1 }]),
                message: "db: main needs 2 approvals, has 1.",
            },
            { change: "unsigned", edit: set("requireSignedCommits", false), message: "db: main accepts unsigned commits." },
            { change: "force pushes", edit: set("allowsForcePushes", true), message: "db: main can be force-pushed or deleted." },
        ],
    },
    {
        policy: "aws-provider-default-tags",
        type: "pulumi:providers:aws",
        props: () => ({ defaultTags: JSON.stringify({ tags: { environment: "prod", project: "supernova", "managed-by": "pulumi" } }) }),
        failing: [
            {
                change: "no project tag",
                edit: set("defaultTags", JSON.stringify({ tags: { environment: "prod", "managed-by": "pulumi" } })),
                message: "AWS provider db does not tag resources with project.",
            },
        ],
    },
    {
        policy: "helm-chart-pinned",
        type: RELEASE,
        props: () => ({
            chart: "ingress-nginx",
            version: "4.13.3",
            repositoryOpts: { repo: "https://kubernetes.github.io/ingress-nginx" },
        }),
        failing: [
            {
                change: "no version",
                edit: set("version", undefined),
                message: "ingress-nginx from https://kubernetes.github.io/ingress-nginx is not pinned to a version X.Y.Z.",
            },
        ],
    },
    {
        policy: "image-tag-traceable",
        type: RELEASE,
        props: releaseProps,
        failing: [
            {
                change: "a tag that names neither a commit nor a release",
                edit: set("values.image.tag", "build-42"),
                message: 'supernova-server uses "build-42" in prod; expected prod-<git sha> or vX.Y.Z.',
            },
        ],
    },
    {
        policy: "iap-sandbox-not-in-production",
        type: RELEASE,
        props: releaseProps,
        failing: [
            {
                change: "IAP_USE_SANDBOX true",
                edit: set("values.env.IAP_USE_SANDBOX", "TRUE"),
                message: "supernova-server sets IAP_USE_SANDBOX=true in prod: sandbox receipts would unlock paid features.",
            },
        ],
    },
    {
        policy: "trusted-certificate-issuer-in-production",
        type: "kubernetes:cert-manager.io/v1:ClusterIssuer",
        props: () => ({ metadata: { name: "letsencrypt-prod" }, spec: clusterIssuerSpec("letsencrypt-prod", "platform@supernova.com") }),
        failing: [
            {
                change: "the staging ACME directory",
                edit: set("spec.acme.server", ACME_SERVERS["letsencrypt-staging"]),
                message: `ClusterIssuer letsencrypt-prod uses the staging directory ${ACME_SERVERS["letsencrypt-staging"]} in prod.`,
            },
        ],
    },
    {
        policy: "trusted-certificate-issuer-in-production",
        type: RELEASE,
        props: () => {
            const props = releaseProps();
            props["values"].ingress = { enabled: true, host: "api.supernova.com", clusterIssuer: "letsencrypt-prod" };
            return props;
        },
        failing: [
            {
                change: "the service's Ingress names the staging issuer",
                edit: set("values.ingress.clusterIssuer", "letsencrypt-staging"),
                message: "supernova-server takes its certificate from letsencrypt-staging in prod.",
            },
        ],
    },
    // The security baseline (issue #24): one-field changes of each control's happy fixture.
    {
        policy: "eks-version-supported",
        type: "aws:eks/cluster:Cluster",
        props: () => ({ version: "1.35" }),
        config: { at: "2026-11-23" },
        failing: [
            {
                change: "1.33 (extended support)",
                edit: set("version", "1.33"),
                message: "EKS cluster db runs Kubernetes 1.33, out of standard support since 2026-07-29 (extended).",
            },
            {
                change: "a version the table lacks",
                edit: set("version", "1.99"),
                message: "EKS cluster db runs Kubernetes 1.99, which the support table does not list.",
            },
        ],
    },
    {
        policy: "ec2-launch-template-imdsv2",
        type: "aws:ec2/launchTemplate:LaunchTemplate",
        props: () => ({ metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 } }),
        failing: [
            {
                change: "IMDSv1 allowed",
                edit: set("metadataOptions.httpTokens", "optional"),
                message: "Launch template db does not require IMDSv2 (httpTokens: optional).",
            },
            {
                change: "hop limit 2",
                edit: set("metadataOptions.httpPutResponseHopLimit", 2),
                message: "Launch template db lets IMDS replies travel 2 hop(s); at most 1.",
            },
        ],
    },
    {
        policy: "eks-vpc-cni-irsa",
        type: "aws:eks/addon:Addon",
        props: () => ({ addonName: "vpc-cni", serviceAccountRoleArn: "arn:aws:iam::333333333333:role/cni" }),
        failing: [
            {
                change: "no IRSA role",
                edit: set("serviceAccountRoleArn", undefined),
                message: "EKS add-on db (vpc-cni) has no serviceAccountRoleArn: it runs with the node role.",
            },
        ],
    },
    {
        policy: "eks-no-implicit-admin",
        type: "aws:eks/cluster:Cluster",
        props: () => ({ accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false } }),
        failing: [
            {
                change: "creator admin",
                edit: set("accessConfig.bootstrapClusterCreatorAdminPermissions", true),
                message: "EKS cluster db gives its creator implicit cluster-admin.",
            },
            {
                change: "aws-auth ConfigMap",
                edit: set("accessConfig.authenticationMode", "API_AND_CONFIG_MAP"),
                message: "EKS cluster db authenticates with API_AND_CONFIG_MAP, not access entries only.",
            },
        ],
    },
    {
        policy: "iam-trust-policy-scoped",
        type: "aws:iam/role:Role",
        props: () => ({
            assumeRolePolicy: JSON.stringify({
                Statement: [
                    {
                        Effect: "Allow",
                        Principal: { Federated: "arn:aws:iam::333333333333:oidc-provider/token.actions.githubusercontent.com" },
                        Action: "sts:AssumeRoleWithWebIdentity",
                        Condition: {
                            StringEquals: {
                                "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                                "token.actions.githubusercontent.com:sub": "repo:collab/platform:environment:production",
                            },
                        },
                    },
                ],
            }),
        }),
        failing: [
            {
                change: "subject repo:collab/*",
                edit: (p) =>
                    (p["assumeRolePolicy"] = p["assumeRolePolicy"].replace("repo:collab/platform:environment:production", "repo:collab/*")),
                message: "Role db trust policy: GitHub subject repo:collab/* is not one repository's environment or ref.",
            },
            {
                change: "no audience",
                edit: (p) =>
                    (p["assumeRolePolicy"] = p["assumeRolePolicy"].replace(
                        '"token.actions.githubusercontent.com:aud":"sts.amazonaws.com",',
                        "",
                    )),
                message:
                    "Role db trust policy: web identity arn:aws:iam::333333333333:oidc-provider/token.actions.githubusercontent.com without an audience condition.",
            },
        ],
    },
    {
        policy: "iam-no-wildcard-resources",
        type: "aws:iam/rolePolicy:RolePolicy",
        props: () => ({
            policy: JSON.stringify({
                Statement: [
                    {
                        Effect: "Allow",
                        Action: ["secretsmanager:GetSecretValue"],
                        Resource: ["arn:aws:secretsmanager:eu-west-1:333333333333:secret:a"],
                    },
                ],
            }),
        }),
        failing: [
            {
                change: 'Resource "*"',
                edit: (p) => (p["policy"] = p["policy"].replace('["arn:aws:secretsmanager:eu-west-1:333333333333:secret:a"]', '"*"')),
                message: "IAM policy db allows secretsmanager:GetSecretValue on every resource.",
            },
        ],
    },
    {
        policy: "iam-no-admin-policy-attachment",
        type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        props: () => ({ role: "r", policyArn: "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy" }),
        failing: [
            {
                change: "AdministratorAccess",
                edit: set("policyArn", "arn:aws:iam::aws:policy/AdministratorAccess"),
                message: "db attaches arn:aws:iam::aws:policy/AdministratorAccess.",
            },
        ],
    },
    {
        policy: "rds-auto-minor-version-upgrade",
        type: "aws:rds/instance:Instance",
        props: () => ({ autoMinorVersionUpgrade: true }),
        failing: [
            {
                change: "off",
                edit: set("autoMinorVersionUpgrade", false),
                message: "RDS instance db has automatic minor version upgrades off.",
            },
        ],
    },
    {
        policy: "rds-enhanced-monitoring",
        type: "aws:rds/instance:Instance",
        props: () => ({ monitoringInterval: 60, monitoringRoleArn: "arn:aws:iam::333333333333:role/m" }),
        failing: [
            {
                change: "interval 0",
                edit: set("monitoringInterval", 0),
                message: "RDS instance db has no enhanced monitoring every 60 s or less (interval 0).",
            },
        ],
    },
    {
        policy: "rds-ca-certificate-pinned",
        type: "aws:rds/instance:Instance",
        props: () => ({ caCertIdentifier: "rds-ca-rsa2048-g1" }),
        failing: [
            {
                change: "expired rds-ca-2019",
                edit: set("caCertIdentifier", "rds-ca-2019"),
                message: "RDS instance db has CA rds-ca-2019, not one of rds-ca-rsa2048-g1, rds-ca-rsa4096-g1, rds-ca-ecc384-g1.",
            },
        ],
    },
    {
        policy: "elasticache-backup-enabled",
        type: "aws:elasticache/replicationGroup:ReplicationGroup",
        props: () => ({ snapshotRetentionLimit: 7 }),
        failing: [
            {
                change: "retention 0",
                edit: set("snapshotRetentionLimit", 0),
                message: "ElastiCache group db keeps snapshots 0 day(s); at least 1.",
            },
        ],
    },
    {
        policy: "kms-key-rotation",
        type: "aws:kms/key:Key",
        props: () => ({ enableKeyRotation: true }),
        failing: [{ change: "rotation off", edit: set("enableKeyRotation", false), message: "KMS key db does not rotate." }],
    },
    {
        policy: "security-group-no-public-ingress",
        type: "aws:ec2/securityGroup:SecurityGroup",
        props: () => ({ ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }], egress: [] }),
        failing: [
            {
                change: "port 5432 from 0.0.0.0/0",
                edit: set("ingress.0.fromPort", 5432),
                message: "Security group db admits the internet: 0.0.0.0/0 on 5432-443.",
            },
            {
                change: "all ports from ::/0",
                edit: set("ingress", [{ protocol: "-1", fromPort: 0, toPort: 0, ipv6CidrBlocks: ["::/0"] }]),
                message: "Security group db admits the internet: ::/0 on all ports.",
            },
        ],
    },
];

describe("resource policies: happy path passes, each one-field change fails with its message", () => {
    for (const c of CASES) {
        describe(c.policy, () => {
            const run = (props: Props) => runPolicy(c.policy, [fixture(c.stack ?? "prod", c.type, "db", props)], c.config);
            it("passes the happy-path fixture", async () => assert.deepEqual(await run(c.props()), []));
            for (const failing of c.failing) {
                it(`fails on: ${failing.change}`, async () => {
                    const props = c.props();
                    failing.edit(props);
                    assert.deepEqual(await run(props), [failing.message]);
                });
            }
        });
    }
});

describe("stricter rules apply only to production stacks", () => {
    it("a dev release may have 1 replica, DEV_AUTH_OPEN=true and a dev-<sha> tag", async () => {
        const props = releaseProps();
        Object.assign(props["values"], {
            replicaCount: 1,
            autoscaling: { enabled: false },
            image: { tag: "dev-a1b2c3d" },
            env: { DEV_AUTH_OPEN: "true" },
        });
        for (const name of ["service-minimum-replicas", "dev-auth-open-only-in-dev", "image-tag-immutable"]) {
            assert.deepEqual(await runPolicy(name, [fixture("dev", RELEASE, "app", props)]), [], name);
        }
    });

    it("dev keeps 7 days of backups, single-AZ", async () => {
        const props = { ...rdsProps(), backupRetentionPeriod: 7, multiAz: false, deletionProtection: false };
        for (const name of ["rds-backup-retention", "rds-multi-az-in-production", "rds-deletion-protection-in-production"]) {
            assert.deepEqual(await runPolicy(name, [fixture("dev", "aws:rds/instance:Instance", "db", props)]), [], name);
        }
        assert.deepEqual(
            await runPolicy("rds-backup-retention", [
                fixture("dev", "aws:rds/instance:Instance", "db", { ...props, backupRetentionPeriod: 3 }),
            ]),
            ["RDS instance db keeps backups 3 day(s); dev needs at least 7."],
        );
    });

    it("thresholds are tunable through the pack config", async () => {
        const props = { ...rdsProps(), backupRetentionPeriod: 14 };
        const resource = fixture("prod", "aws:rds/instance:Instance", "db", props);
        assert.equal((await runPolicy("rds-backup-retention", [resource])).length, 1);
        assert.deepEqual(await runPolicy("rds-backup-retention", [resource], { productionMinimumDays: 14 }), []);
    });

    it("concurrent analyses on one pack each see their own config", async () => {
        const resource = fixture("prod", "aws:rds/instance:Instance", "db", { ...rdsProps(), backupRetentionPeriod: 14 });
        const results = await Promise.all(
            [14, 30, 14, 30].map((days) => runPolicy("rds-backup-retention", [resource], { productionMinimumDays: days })),
        );
        assert.deepEqual(
            results.map((messages) => messages.length),
            [0, 1, 0, 1],
        );
    });
});

describe("scope", () => {
    it("service rules judge only releases of the api-service chart, not third-party charts", async () => {
        const certManager = fixture("prod", RELEASE, "cert-manager", {
            name: "cert-manager",
            chart: "cert-manager",
            version: "v1.18.2",
            values: {},
        });
        for (const name of ["image-tag-immutable", "service-minimum-replicas", "service-resources-and-probes"]) {
            assert.deepEqual(await runPolicy(name, [certManager]), [], name);
        }
    });

    it("add-on namespaces need default-deny too (only kube-system is exempt by default)", async () => {
        const addon = fixture("prod", RELEASE, "ingress", { chart: "ingress-nginx", namespace: "ingress-nginx" });
        assert.deepEqual(await runPolicy("namespace-default-deny", [addon]), [
            'Namespace "ingress-nginx" runs workloads but has no default-deny NetworkPolicy.',
        ]);
        assert.deepEqual(await runPolicy("namespace-default-deny", [addon], { exemptNamespaces: ["ingress-nginx"] }), []);
        const system = fixture("prod", RELEASE, "metrics", { chart: "metrics-server", namespace: "kube-system" });
        assert.deepEqual(await runPolicy("namespace-default-deny", [system]), []);
    });

    it("namespace-pod-security-restricted: an add-on's exception allows its level or stricter; Helm creates no namespace", async () => {
        const labelled = (name: string, level: string) =>
            fixture("prod", "kubernetes:core/v1:Namespace", name, {
                metadata: {
                    name,
                    labels: Object.fromEntries(["enforce", "audit", "warn"].map((m) => [`pod-security.kubernetes.io/${m}`, level])),
                },
            });
        assert.deepEqual(await runPolicy("namespace-pod-security-restricted", [labelled("monitoring-node-exporter", "privileged")]), []);
        assert.deepEqual(await runPolicy("namespace-pod-security-restricted", [labelled("ingress-nginx", "restricted")]), []);
        assert.deepEqual(await runPolicy("namespace-pod-security-restricted", [labelled("monitoring", "privileged")]), [
            'Pod Security must be "restricted" for enforce, audit, warn (label pod-security.kubernetes.io/<mode>).',
        ]);
        assert.deepEqual(await runPolicy("namespace-pod-security-restricted", [labelled("ingress-nginx", "privileged")]), [
            'Pod Security must be "baseline" or stricter for enforce, audit, warn (label pod-security.kubernetes.io/<mode>).',
        ]);
        const release = (createNamespace: boolean) =>
            fixture("prod", RELEASE, "eso", {
                name: "external-secrets",
                chart: "external-secrets",
                namespace: "external-secrets",
                createNamespace,
            });
        assert.deepEqual(await runPolicy("namespace-pod-security-restricted", [release(false)]), []);
        assert.deepEqual(await runPolicy("namespace-pod-security-restricted", [release(true)]), [
            "Helm release external-secrets creates namespace external-secrets: it would have no Pod Security labels nor NetworkPolicies.",
        ]);
    });
});

describe("unknown values during preview", () => {
    it("never produce a violation; the pack reports the policy as not runnable, as advisory", async () => {
        // What a program sends for a value a preview does not know yet, whatever its type.
        const cases: [string, string, Props, string][] = [
            ["rds-storage-encrypted", "aws:rds/instance:Instance", { ...rdsProps(), storageEncrypted: UNKNOWN_INPUT }, ".storageEncrypted"],
            ["rds-not-public", "aws:rds/instance:Instance", { ...rdsProps(), publiclyAccessible: UNKNOWN_INPUT }, ".publiclyAccessible"],
            ["iam-no-wildcard-actions", "aws:iam/rolePolicy:RolePolicy", { policy: UNKNOWN_INPUT }, ".policy"],
            ["secretsmanager-kms-key", "aws:secretsmanager/secret:Secret", { name: "x", kmsKeyId: UNKNOWN_INPUT }, ".kmsKeyId"],
            [
                "elasticache-auth-token",
                "aws:elasticache/replicationGroup:ReplicationGroup",
                { ...cacheProps(), authToken: UNKNOWN_INPUT },
                ".authToken",
            ],
        ];
        for (const [name, type, props, at] of cases) {
            const { violations } = await pack.analyze([fixture("prod", type, "db", props)]);
            assert.deepEqual(
                violations.filter((v) => v.policy === name),
                [
                    {
                        policy: name,
                        enforcementLevel: "advisory",
                        message: `can't run policy '${name}' from policy pack 'platform-safety@v0.1.0' during preview: string value at ${at} can't be known during preview`,
                        urn: `urn:pulumi:prod::platform::${type}::db`,
                    },
                ],
                name,
            );
            assert.ok(!violations.some((v) => v.enforcementLevel === "mandatory" && v.policy === name), name);
        }
    });
});

describe("stack policies", () => {
    const ns = (name: string, type: string, props: Props): PackResource => fixture("prod", type, name, props);
    const denyAll = () =>
        ns("deny", "kubernetes:networking.k8s.io/v1:NetworkPolicy", {
            metadata: { name: "default-deny-all", namespace: "supernova" },
            spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
        });
    const release = ns("app", RELEASE, { ...releaseProps(), namespace: "supernova" });

    it("namespace-default-deny: passes with a deny-all policy, fails when the policy admits traffic", async () => {
        assert.deepEqual(await runPolicy("namespace-default-deny", [denyAll(), release]), []);
        const leaky = ns("deny", "kubernetes:networking.k8s.io/v1:NetworkPolicy", {
            metadata: { name: "default-deny-all", namespace: "supernova" },
            spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"], ingress: [{}] },
        });
        assert.deepEqual(await runPolicy("namespace-default-deny", [leaky, release]), [
            'Namespace "supernova" runs workloads but has no default-deny NetworkPolicy.',
        ]);
    });

    it("github-production-deployment-policy: passes with a tag policy, fails without one", async () => {
        const env = ns("env", "github:index/repositoryEnvironment:RepositoryEnvironment", productionEnvironment());
        const tagPolicy = ns("tags", "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy", {
            repository: "platform",
            environment: "production",
            tagPattern: "v*",
        });
        assert.deepEqual(await runPolicy("github-production-deployment-policy", [env, tagPolicy]), []);
        assert.deepEqual(await runPolicy("github-production-deployment-policy", [env]), [
            "platform/production accepts deployments from any ref: add a tag or branch policy.",
        ]);
    });
});

describe("change management", () => {
    const anyResource = fixture("prod", "kubernetes:core/v1:Namespace", "ns", {});
    const window = (at: string, extra: Record<string, unknown> = {}) =>
        runPolicy("prod-deployment-window", [anyResource], { at, ...extra });

    it("is advisory by default and allows Tuesday to Thursday 10:00-14:00 UTC", async () => {
        assert.equal(pack.info.policies.find((p) => p.name === "prod-deployment-window")?.enforcementLevel, "advisory");
        assert.deepEqual(await window("2026-11-25T11:30:00Z"), []);
    });

    it("flags a Friday, an evening and a freeze date", async () => {
        assert.deepEqual(await window("2026-11-27T11:00:00Z"), [
            "2026-11-27T11:00:00.000Z is outside the deployment window (Tuesday, Wednesday, Thursday, 10:00-14:00 UTC). Deploy inside the window, or set PLATFORM_EMERGENCY_CHANGE=<incident> for an emergency.",
        ]);
        assert.equal((await window("2026-11-25T14:00:00Z")).length, 1);
        assert.deepEqual(await window("2026-12-23T11:00:00Z", { freezes: ["2026-12-20/2027-01-02"] }), [
            "2026-12-23 is in the change freeze 2026-12-20/2027-01-02. Deploy inside the window, or set PLATFORM_EMERGENCY_CHANGE=<incident> for an emergency.",
        ]);
    });

    it("is mandatory when the pack config says so", async () => {
        const { violations } = await pack.analyze([anyResource], {
            config: { "prod-deployment-window": { enforcementLevel: "mandatory", at: "2026-11-27T11:00:00Z" } },
        });
        assert.deepEqual(
            violations.filter((v) => v.policy === "prod-deployment-window").map((v) => [v.policy, v.enforcementLevel]),
            [["prod-deployment-window", "mandatory"]],
        );
    });

    it("does not apply to other stacks", async () => {
        assert.deepEqual(
            await runPolicy("prod-deployment-window", [fixture("staging", "x:y:Z", "ns", {})], { at: "2026-11-27T11:00:00Z" }),
            [],
        );
    });

    // The override itself (an environment variable of the pack's process) is tested through `npm run policy`, in test/suites/policy-pack-stacks.test.ts (npm run test:policy-pack).
    it("reports no override when none is set", async () => {
        assert.deepEqual(await runPolicy("emergency-change-override", [anyResource]), []);
    });
});

describe("the policy pack config file (--policy-pack-config), validated before Configure as the engine does", () => {
    let dir: string;
    before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "policy-config-"))));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = (content: unknown) => {
        const at = path.join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
        fs.writeFileSync(at, typeof content === "string" ? content : JSON.stringify(content));
        return at;
    };
    const problems = async (content: unknown): Promise<string[]> => {
        try {
            await pack.configure(loadPolicyPackConfig(file(content)));
        } catch (error) {
            assert.ok(error instanceof PolicyConfigError, String(error));
            return error.problems.map((p) => p.replace(dir, "<dir>").replace(/config-\w+\.json/, "config.json"));
        }
        return [];
    };

    it("lists every schema violation, per policy, in the engine's words", async () => {
        assert.deepEqual(
            await problems({
                "rds-backup-retention": { productionMinimumDays: "fourteen" },
                "prod-deployment-window": { at: "next tuesday", days: [1, 7] },
                "namespace-default-deny": { enforcementLevel: "advisory", exemptNamespaces: "kube-system" },
            }),
            [
                "validating policy config: platform-safety 0.1.0  namespace-default-deny: exemptNamespaces: must be array",
                'validating policy config: platform-safety 0.1.0  prod-deployment-window: at: must match format "date-time"',
                "validating policy config: platform-safety 0.1.0  prod-deployment-window: days.1: must be <= 6",
                "validating policy config: platform-safety 0.1.0  rds-backup-retention: productionMinimumDays: must be integer",
            ],
        );
    });

    it("rejects an enforcement level the engine does not know, naming the file", async () => {
        assert.deepEqual(await problems({ "rds-not-public": "strict" }), [
            '<dir>/config.json: parsing enforcement level for "rds-not-public": "strict" is not a valid enforcement level',
        ]);
        const [notJson, ...more] = await problems("{ not json");
        assert.match(notJson ?? "", /^<dir>\/config\.json: .*JSON at position 2/);
        assert.deepEqual(more, []);
    });

    it("rejects a policy the pack does not have, or a property it does not read (a misspelt name would otherwise change nothing)", async () => {
        assert.deepEqual(
            await problems({ "rds-backup-retnetion": { productionMinimumDays: 60 }, "rds-backup-retention": { productionMinimumDay: 60 } }),
            [
                "validating policy config: platform-safety 0.1.0  rds-backup-retention: productionMinimumDay: no such property in the policy's config schema",
                "validating policy config: platform-safety 0.1.0  rds-backup-retnetion: no such policy in the pack",
            ],
        );
    });

    it("accepts a valid file: levels (also for all policies) and properties reach the pack", async () => {
        const content = {
            all: "mandatory",
            "rds-backup-retention": { productionMinimumDays: 60 },
            "prod-deployment-window": { at: "2026-11-25T11:00:00Z" },
        };
        assert.deepEqual(await problems(content), []);
        const db = fixture("prod", "aws:rds/instance:Instance", "db", rdsProps());
        const { violations } = await pack.analyze([db], { config: loadPolicyPackConfig(file(content)) });
        assert.ok(violations.every((v) => v.enforcementLevel === "mandatory"));
        assert.deepEqual(
            violations.filter((v) => v.policy === "rds-backup-retention"),
            [
                {
                    policy: "rds-backup-retention",
                    enforcementLevel: "mandatory",
                    message: "RDS instance db keeps backups 30 day(s); prod needs at least 60.",
                    urn: "urn:pulumi:prod::platform::aws:rds/instance:Instance::db",
                },
            ],
        );
    });
});

describe("the pack as the engine sees it (GetAnalyzerInfo)", () => {
    it("serves every policy of policies/all.ts: at least 20, kebab-case, described, with an enforcement level", () => {
        assert.equal(pack.info.name, "platform-safety");
        assert.ok(pack.info.supportsConfig);
        assert.deepEqual(
            pack.info.policies.map((p) => p.name),
            POLICIES.map((p) => p.name).sort(),
        );
        assert.ok(pack.info.policies.length >= 20, `${pack.info.policies.length} policies`);
        for (const p of pack.info.policies) {
            assert.match(p.name, /^[a-z0-9]+(-[a-z0-9]+)*$/);
            assert.ok(p.description.length > 10, p.name);
            assert.ok(["mandatory", "advisory"].includes(p.enforcementLevel), p.name);
        }
    });

    it("publishes each tunable policy's config schema with its defaults", () => {
        const retention = pack.info.policies.find((p) => p.name === "rds-backup-retention");
        assert.deepEqual(
            Object.keys(retention?.configSchema?.properties ?? {}).every((key) => "default" in retention!.configSchema!.properties[key]!),
            true,
        );
        const published = pack.info.policies.filter((p) => p.configSchema).map((p) => p.name);
        assert.deepEqual(
            published,
            POLICIES.filter((p) => p.configSchema)
                .map((p) => p.name)
                .sort(),
        );
    });

    it("tests every policy here or in the stack tests", () => {
        const tested = new Set([
            ...CASES.map((c) => c.policy),
            "namespace-default-deny",
            "github-production-deployment-policy",
            "prod-deployment-window",
            "emergency-change-override",
            "stateful-resources-protected",
            // Stack policies of the security baseline: test/suites/policy-mutations.test.ts (the prod graph, one change each).
            "eks-addon-version-pinned",
            "eks-node-role-minimal",
            "kms-key-policy-explicit",
            "vpc-flow-logs-enabled",
            "vpc-default-security-group-closed",
            "service-own-service-account",
        ]);
        assert.deepEqual(
            pack.info.policies.map((p) => p.name).filter((name) => !tested.has(name)),
            [],
        );
    });
});

describe("stateful-resources-protected (reads the protect option, so its fixtures carry one)", () => {
    const run = (stack: string, type: string, props: Props, protect: boolean) => {
        const resource = fixtureResource(stack, type, "db", props);
        return runPolicy("stateful-resources-protected", [{ ...resource, options: { ...resource.options, protect } }]);
    };
    const RDS = "aws:rds/instance:Instance";
    it("passes the happy-path fixture", async () => assert.deepEqual(await run("staging", RDS, rdsProps(), true), []));
    it("fails on: not protected", async () =>
        assert.deepEqual(await run("staging", RDS, rdsProps(), false), ["Instance db is not protected from deletion in staging."]));
    it("fails on: no deletion protection", async () =>
        assert.deepEqual(await run("prod", RDS, { ...rdsProps(), deletionProtection: false }, true), [
            "RDS instance db has no deletion protection in prod.",
        ]));
    it("fails on: an unprotected ElastiCache group", async () =>
        assert.deepEqual(await run("prod", "aws:elasticache/replicationGroup:ReplicationGroup", cacheProps(), false), [
            "ReplicationGroup db is not protected from deletion in prod.",
        ]));
    it("lets dev and local drop their data", async () => {
        assert.deepEqual(await run("dev", RDS, { ...rdsProps(), deletionProtection: false }, false), []);
        assert.deepEqual(await run("local", "kubernetes:apps/v1:StatefulSet", {}, false), []);
    });
});
