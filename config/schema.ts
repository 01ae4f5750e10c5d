import { z } from "zod";
import { deliverySchema, IMAGE_DIGEST } from "./delivery";
import { logLevelSchema, smokeSchema, strategySchema } from "./delivery-strategy";
import { boolean, dnsLabel, ENV_NAME, envMap, integer, integerChoice, list, oneOf, secretString, section, text } from "./primitives";
import {
    dnsName,
    githubLogin,
    githubRepositoryName,
    gitRefName,
    helmReleaseName,
    int32,
    isCanonicalCidr,
    isLabelValue,
    postgresIdentifier,
} from "./primitives";
import { DEFAULT_KUBERNETES_VERSION } from "./eks-versions";
import { DEFAULT_OVERLAPPING_SECRETS } from "./secret-names";
import { elasticacheOperationsShape, nodeGroupVersionShape, rdsOperationsShape } from "./operations";
import { rdsTlsShape } from "./database-tls";

/** Retention periods CloudWatch Logs accepts. */
const LOG_RETENTION_DAYS = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;
import { podProfileSchema, registriesSchema, workloadsSchema } from "./workloads";
import { backupSchema, logsSchema, monitoringSchema } from "./observability";

/**
 * The stack configuration: every key under the `platform:` namespace of a `Pulumi.<stack>.yaml`.
 * Defaults live here and nowhere else. Rules that relate two sections live in `rules.ts`.
 */

const CIDR = /^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/;
const cidr = () => text({ pattern: CIDR, valid: isCanonicalCidr, describe: "an IPv4 CIDR block such as 10.0.0.0/16" });
const roleArn = () =>
    text({ pattern: /^arn:aws:iam::\d{12}:role\/[\w+=,.@/-]+$/, describe: "an IAM role ARN arn:aws:iam::<account>:role/<name>" });
const cpuQuantity = () => text({ pattern: /^\d+(\.\d+)?m?$/, describe: "a CPU quantity such as 500m or 2" });
const memoryQuantity = () => text({ pattern: /^\d+(\.\d+)?(Ki|Mi|Gi|Ti)?$/, describe: "a memory quantity such as 512Mi or 2Gi" });
const chartVersion = () => text({ pattern: /^v?\d+\.\d+\.\d+$/, describe: "a pinned chart version X.Y.Z" });

export const IMAGE_TAG_FORMATS = ["any", "environment-sha", "semver"] as const;

export const environmentSchema = section({
    name: dnsLabel().describe("Short environment name used in names, tags and secret paths, e.g. `prod`."),
    project: dnsLabel().default("supernova").describe("The product deployed. Defaults to `supernova`."),
    deployFrom: section({
        branch: gitRefName("a git branch").optional().describe("Git branch whose pushes deploy this stack, e.g. `develop`."),
        tag: gitRefName("a git tag pattern", true).optional().describe("Git tag pattern whose pushes deploy this stack, e.g. `v*`."),
    }).describe("The branch or tag that deploys this stack (exactly one)."),
    imageTagFormat: oneOf(IMAGE_TAG_FORMATS).describe(
        "Which image tags are accepted: `any` (local only), `environment-sha` (`<name>-<sha>`), `semver` (`vX.Y.Z`).",
    ),
    protectStatefulResources: boolean().default(true).describe("Protect databases and other state from deletion. Defaults to true."),
    rollbackWithinSeconds: integer({ min: 60 })
        .optional()
        .describe("A failed rollout must be rolled back within this many seconds (seed 004: 300 in prod). Defaults to no bound."),
});

export const awsSchema = section({
    accountId: text({ pattern: /^\d{12}$/, describe: "a 12-digit AWS account id" }),
    region: text({ pattern: /^[a-z]{2}(-gov)?-[a-z]+-\d$/, describe: "an AWS region such as eu-west-1" }),
    assumeRoleArn: roleArn().describe("Role assumed in this environment's own account for every AWS call."),
    breakGlassRoleArn: roleArn()
        .optional()
        .describe("Emergency role that may administer (never use) the stack's KMS keys besides the deployer. Defaults to none."),
});

/** Legacy entry point, kept only to run side by side during a migration (docs/traffic.md); retired upstream 2026-03-24. */
const addons = {
    ingressNginx: section({
        enabled: boolean()
            .default(false)
            .describe("Legacy: keep ingress-nginx (retired, no security fixes) while migrating to the Gateway. Defaults to false."),
        chartVersion: chartVersion().default("4.13.3").describe("Defaults to 4.13.3."),
    }).default({ enabled: false, chartVersion: "4.13.3" }),
    certManager: section({
        enabled: boolean()
            .default(false)
            .describe("Legacy: cert-manager for the ingress-nginx certificates during a migration. Defaults to false."),
        chartVersion: chartVersion().default("v1.18.2").describe("Defaults to v1.18.2."),
        issuer: oneOf(["letsencrypt-prod", "letsencrypt-staging"]).default("letsencrypt-prod"),
        email: text({ pattern: /^[^@\s]+@[^@\s]+\.[^@\s]+$/, describe: "an email address" }).optional(),
    }).default({ enabled: false, chartVersion: "v1.18.2", issuer: "letsencrypt-prod" }),
};

/** Pinned versions of the EKS add-ons (support status and sources: docs/traffic.md). */
export const EKS_ADDON_VERSIONS = {
    awsLoadBalancerController: "3.4.2",
    gatewayApi: "v1.5.0",
    externalDns: "1.22.0",
    metricsServer: "3.14.0",
    clusterAutoscaler: "9.59.0",
} as const;
const eksAddons = section({
    awsLoadBalancerController: chartVersion()
        .default(EKS_ADDON_VERSIONS.awsLoadBalancerController)
        .describe("Chart of the Gateway implementation."),
    gatewayApi: chartVersion()
        .default(EKS_ADDON_VERSIONS.gatewayApi)
        .describe("Gateway API CRDs (standard channel) the controller is built for."),
    externalDns: chartVersion().default(EKS_ADDON_VERSIONS.externalDns),
    metricsServer: chartVersion().default(EKS_ADDON_VERSIONS.metricsServer),
    clusterAutoscaler: chartVersion().default(EKS_ADDON_VERSIONS.clusterAutoscaler),
})
    .prefault({})
    .describe("Pinned chart versions of the EKS add-ons. Defaults to the versions in docs/traffic.md.");

export const eksClusterSchema = section({
    mode: z.literal("eks"),
    name: dnsLabel().optional().describe("EKS cluster name. Defaults to `<project>-<environment>`."),
    kubernetesVersion: text({ pattern: /^1\.\d{2}$/, describe: "a Kubernetes minor version such as 1.35" })
        .default(DEFAULT_KUBERNETES_VERSION)
        .describe(`In EKS standard support (config/data/eks-versions.json). Defaults to ${DEFAULT_KUBERNETES_VERSION}.`),
    vpc: section({
        cidr: cidr().default("10.0.0.0/16"),
        availabilityZones: list(text({ pattern: /^[a-z]{2}(-gov)?-[a-z]+-\d[a-z]$/, describe: "an availability zone" }), {
            min: 2,
            max: 6,
            what: "availability zones",
            unique: true,
        }),
        natGateways: oneOf(["single", "one-per-az"]).default("single").describe("Defaults to `single`."),
        flowLogRetentionDays: integerChoice(LOG_RETENTION_DAYS)
            .default(365)
            .describe("VPC flow logs (all traffic, KMS-encrypted log group) are kept this many days. Defaults to 365."),
    }),
    endpoint: section({
        publicAccess: boolean().default(false).describe("Expose the API server publicly. Defaults to false."),
        publicAccessCidrs: list(cidr(), { what: "CIDR blocks", unique: true }).default([]),
    }).default({ publicAccess: false, publicAccessCidrs: [] }),
    nodeGroup: section({
        instanceType: text({ describe: "an EC2 instance type" }),
        minSize: int32({ min: 1 }).describe(
            "Nodes at creation and the autoscaler's floor; cluster-autoscaler owns the size between min and max.",
        ),
        maxSize: int32({ min: 1 }),
        diskSizeGiB: integer({ min: 20, max: 16384 }).default(50),
        ...nodeGroupVersionShape,
        requirements: section({
            nodes: integer({ min: 1 }),
            vcpu: integer({ min: 1 }),
            memoryGiB: integer({ min: 1 }),
        })
            .optional()
            .describe("Minimums the node group must meet (the runbook's cluster requirements)."),
    }),
    adminRoleArns: list(roleArn(), { what: "IAM role ARNs", unique: true })
        .default([])
        .describe("Roles granted cluster admin through EKS access entries."),
    onCallRoleArn: roleArn()
        .optional()
        .describe("On-call engineers' role: view cluster-wide (no Secrets), edit in the app namespace. Defaults to none."),
    adoptCreatorAccessEntry: boolean()
        .default(false)
        .describe(
            "The cluster was created with the creator's implicit admin: import the deployer's access entry instead of creating it. Defaults to false.",
        ),
    addons: eksAddons,
    ...addons,
});

export const existingClusterSchema = section({
    mode: z.literal("existing"),
    name: dnsLabel().describe("A name for the cluster, used in outputs."),
    ...addons,
});

export const renderClusterSchema = section({
    mode: z.literal("render"),
    outputDirectory: text().default("rendered").describe("Where manifests are written. Defaults to `rendered`."),
    ...addons,
});

export const CLUSTER_MODES = ["eks", "existing", "render"] as const;
export const clusterSchema = z.discriminatedUnion("mode", [eksClusterSchema, existingClusterSchema, renderClusterSchema], {
    error: () => `expected mode to be one of ${CLUSTER_MODES.map((m) => JSON.stringify(m)).join(", ")}`,
});

export const namespaceSchema = section({
    name: dnsLabel(),
    quota: section({
        requestsCpu: cpuQuantity(),
        requestsMemory: memoryQuantity(),
        limitsCpu: cpuQuantity(),
        limitsMemory: memoryQuantity(),
        pods: int32({ min: 1 }),
    }),
    limitRange: section({
        defaultRequest: section({ cpu: cpuQuantity(), memory: memoryQuantity() }),
        defaultLimit: section({ cpu: cpuQuantity(), memory: memoryQuantity() }),
    }),
});

const pgVersion = text({ pattern: /^\d+(\.\d+)?$/, describe: "a PostgreSQL version such as 16 or 16.4" });
const databaseName = postgresIdentifier;
/** The image of in-cluster Postgres, and the psql client of the role bootstrap Job. */
const POSTGRES_CLIENT_IMAGE = "postgres:16.4-alpine3.20";
const appRole = () =>
    databaseName()
        .default("api")
        .describe(
            "The app's own login role (no superuser), owner of the schema of the same name where its tables live. Defaults to `api`.",
        );

export const rdsSchema = section({
    mode: z.literal("rds"),
    engineVersion: pgVersion.default("16").describe("PostgreSQL 15 or newer. Defaults to 16."),
    instanceClass: text({ pattern: /^db\.[a-z0-9]+\.[a-z0-9]+$/, describe: "an RDS instance class" }),
    allocatedStorageGiB: integer({ min: 20, max: 65536 }),
    maxAllocatedStorageGiB: integer({ min: 20, max: 65536 }).optional().describe("Storage autoscaling ceiling. Defaults to off."),
    multiAz: boolean(),
    backupRetentionDays: integer({ min: 1, max: 35 }),
    backupWindow: text({ pattern: /^\d{2}:\d{2}-\d{2}:\d{2}$/, describe: "a UTC window hh:mm-hh:mm" }).default("03:00-04:00"),
    databaseName: databaseName(),
    username: databaseName().default("app").describe("Master user name (the platform's, never the app's). Defaults to `app`."),
    appRole: appRole(),
    bootstrapImage: text()
        .default(POSTGRES_CLIENT_IMAGE)
        .describe(`Pinned image with psql for the Job that creates the app's role. Defaults to ${POSTGRES_CLIENT_IMAGE}.`),
    pooling: boolean().default(false).describe("Connect through RDS Proxy (the PgBouncer role). Defaults to false."),
    monitoringIntervalSeconds: integerChoice([1, 5, 10, 15, 30, 60] as const)
        .default(60)
        .describe("Enhanced monitoring (OS metrics) every this many seconds. Defaults to 60."),
    publiclyAccessible: boolean()
        .default(false)
        .describe("Give the instance a public address. Defaults to false; the policy pack blocks true everywhere."),
    alarms: section({
        connectionsPercent: integer({ min: 1, max: 100 })
            .default(75)
            .describe("Alarm above this share of the instance class's default max_connections. Defaults to 75."),
    })
        .prefault({})
        .describe("Thresholds of the CloudWatch alarms; they notify the stack's alerts topic."),
    ...rdsOperationsShape,
    ...rdsTlsShape,
});

export const inClusterPostgresSchema = section({
    mode: z.literal("in-cluster"),
    image: text().default(POSTGRES_CLIENT_IMAGE).describe(`Pinned postgres image. Defaults to ${POSTGRES_CLIENT_IMAGE}.`),
    storageGiB: integer({ min: 1 }).default(5),
    databaseName: databaseName(),
    username: databaseName().default("app").describe("Superuser (the platform's, never the app's). Defaults to `app`."),
    appRole: appRole(),
});

export const databaseSchema = z.discriminatedUnion("mode", [rdsSchema, inClusterPostgresSchema, section({ mode: z.literal("external") })], {
    error: () => 'expected mode to be one of "rds", "in-cluster", "external"',
});

export const elasticacheSchema = section({
    mode: z.literal("elasticache"),
    topology: oneOf(["single", "replication", "cluster"]).describe("`replication` fails over automatically; `cluster` shards."),
    nodeType: text({ pattern: /^cache\.[a-z0-9]+\.[a-z0-9]+$/, describe: "an ElastiCache node type" }),
    engineVersion: text({ pattern: /^\d+\.\d+$/, describe: "a Redis version such as 7.1" }).default("7.1"),
    replicasPerShard: integer({ min: 0, max: 5 }).default(0),
    shards: integer({ min: 1, max: 500 }).default(1),
    snapshotRetentionDays: integer({ min: 1, max: 35 }).default(7).describe("Automatic snapshots (FSBP ElastiCache.1). Defaults to 7."),
    ...elasticacheOperationsShape,
});

export const inClusterRedisSchema = section({
    mode: z.literal("in-cluster"),
    topology: oneOf(["single", "sentinel"]),
    image: text().default("redis:7.4.1-alpine3.20").describe("Pinned redis image. Defaults to redis:7.4.1-alpine3.20."),
    replicas: integer({ min: 1, max: 9 }).default(2).describe("Replicas of the master (sentinel topology). Defaults to 2."),
    sentinels: integer({ min: 3 }).default(3).describe("Sentinels (sentinel topology), at least 3 for a quorum. Defaults to 3."),
    storageGiB: integer({ min: 1 }).default(2),
});

export const redisSchema = z.discriminatedUnion(
    "mode",
    [elasticacheSchema, inClusterRedisSchema, section({ mode: z.literal("external") })],
    {
        error: () => 'expected mode to be one of "elasticache", "in-cluster", "external"',
    },
);

export const GENERATED_SECRETS = ["SESSION_SECRET", "APP_JWT_SECRET", "ISSUER_ADMIN_SECRET"];
export const EXTERNAL_SECRETS_CHART_VERSION = "2.8.0";
const envName = () => text({ pattern: ENV_NAME, describe: "an env var name matching [A-Z][A-Z0-9_]*" });

export const secretsSchema = section({
    backend: oneOf(["aws-secrets-manager", "kubernetes"])
        .default("kubernetes")
        .describe("`aws-secrets-manager` (External Secrets Operator, needs EKS) or a plain Kubernetes Secret. Defaults to kubernetes."),
    rotationDays: integer({ min: 1, max: 365 })
        .default(90)
        .describe(
            "Generated secrets and the JWKS key rotate after this (scheduled: .github/workflows/rotate-secrets.yml). Defaults to 90.",
        ),
    overlapDays: integer({ min: 0, max: 90 })
        .default(7)
        .describe("How long after a rotation the app still gets the previous value as <NAME>_PREVIOUS. Defaults to 7."),
    overlapping: list(envName(), { what: "names in secrets.generated" })
        .default(DEFAULT_OVERLAPPING_SECRETS)
        .describe("Generated secrets that sign or encrypt; the app also gets <NAME>_PREVIOUS. Defaults to APP_JWT_SECRET, SESSION_SECRET."),
    jwksOverlapDays: integer({ min: 0, max: 90 })
        .default(7)
        .describe("How long the previous JWKS public key stays published after a rotation. Defaults to 7."),
    refreshInterval: text({ pattern: /^\d+[smh]$/, describe: "a duration such as 1h or 15m" })
        .default("1h")
        .describe("How often External Secrets re-reads Secrets Manager. Defaults to 1h."),
    externalSecretsChartVersion: text({ pattern: /^v?\d+\.\d+\.\d+$/, describe: "a pinned chart version X.Y.Z" })
        .default(EXTERNAL_SECRETS_CHART_VERSION)
        .describe(`Defaults to ${EXTERNAL_SECRETS_CHART_VERSION} (External Secrets supports only its latest minor).`),
    generated: list(envName(), { what: "env var names", unique: true })
        .default(GENERATED_SECRETS)
        .describe("Secrets generated here (64 random characters) and rotated; never a partner's. Defaults to the runbook's three we own."),
    required: list(envName(), { what: "env var names", unique: true })
        .default([])
        .describe("Secrets humans provide (in `provided`); a missing one is a config error."),
    kubeconfig: secretString("a kubeconfig (YAML)").optional().describe("Required when cluster.mode is `existing`."),
    databaseUrl: secretString("a postgresql:// URL").optional().describe("Required when database.mode is `external`."),
    redisUrl: secretString("a redis:// URL").optional().describe("Required when redis.mode is `external`."),
    provided: envMap(secretString()).default({}).describe("Secrets the app needs that humans provide (SENTRY_DSN, ...)."),
    ci: envMap(secretString())
        .default({})
        .describe("Secrets only the deploy workflows get (e.g. GHCR_PAT), named in github.environmentSecrets; never given to the app."),
});

const envValue = z.union([z.string(), z.number(), z.boolean()], { error: () => "expected a string, number or boolean" }).transform(String);

export const HOOK_EVENTS = ["pre-install", "pre-upgrade", "post-install", "post-upgrade"] as const;

/** A Helm hook Job (migrations, seeds); defaults are the runbook's. */
function hookSchema(defaults: { enabled: boolean; when: (typeof HOOK_EVENTS)[number][]; weight: number; command: string[] }) {
    return section({
        enabled: boolean().default(defaults.enabled),
        when: list(oneOf(HOOK_EVENTS), { min: 1, what: "Helm hook events", unique: true })
            .default(defaults.when)
            .describe(`When the Job runs. Defaults to ${defaults.when.join(", ")}; pre-* (weight -10) for breaking schema changes.`),
        weight: integer().default(defaults.weight).describe(`Order among hooks. Defaults to ${defaults.weight}.`),
        command: list(text(), { min: 1, what: "command words" }).default(defaults.command),
        backoffLimit: int32({ min: 0, max: 10 }).default(0),
        activeDeadlineSeconds: integer({ min: 1 }).default(300),
        ttlSecondsAfterFinished: int32({ min: 0 }).default(3600).describe("Finished Jobs (and their logs) are kept this long."),
        retry: section({
            enabled: boolean().default(true),
            initialSeconds: integer({ min: 1 }).default(2),
            maxSeconds: integer({ min: 1 }).default(60),
            maxAttempts: integer({ min: 1, max: 20 }).default(6),
        })
            .prefault({})
            .describe("Exponential retry inside the Job, independent of backoffLimit."),
    }).prefault({});
}

const probe = (path: string) =>
    section({
        path: text({ pattern: /^\//, describe: "an HTTP path starting with /" }).default(path),
        initialDelaySeconds: int32({ min: 0 }).optional(),
        periodSeconds: int32({ min: 1 }).optional(),
        timeoutSeconds: int32({ min: 1 }).optional().describe("Defaults to 1 (Kubernetes)."),
        failureThreshold: int32({ min: 1 }).optional().describe("Defaults to 3 (Kubernetes)."),
    }).prefault({});

const computeResources = () => section({ cpu: cpuQuantity(), memory: memoryQuantity() });
const percent = () => integer({ min: 1, max: 100 });

export const serviceSchema = section({
    name: helmReleaseName().describe("The Helm release and its objects' name (Helm allows 53 characters)."),
    image: section({
        repository: text({
            pattern: /^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)+$/,
            describe: "an image repository such as ghcr.io/org/name",
        }),
        // The chart also writes the tag into the app.kubernetes.io/version label, so it must be a label value too.
        tag: text({
            pattern: /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/,
            valid: isLabelValue,
            describe: "an image tag that is also a Kubernetes label value (at most 63 of [A-Za-z0-9_.-], alphanumeric at both ends)",
        })
            .optional()
            .describe("Set by a promotion (release workflow) or locally; when absent the running tag is kept (docs/delivery.md)."),
        digest: text({ pattern: IMAGE_DIGEST, describe: "an image digest sha256:<64 hex>" })
            .optional()
            .describe("The promoted image's digest, when the build sent one."),
        allowRollback: boolean()
            .default(false)
            .describe("Accept a tag older than the running one (set by the release workflow's rollback input). Defaults to false."),
    }),
    replicas: int32({ min: 1 }).describe("Replicas, and the autoscaler's minimum when autoscaling is on."),
    port: integer({ min: 1, max: 65535 }).default(3001).describe("Container port. Defaults to 3001."),
    expose: boolean().default(true).describe("A Service (and Ingress when set); false for workers. Defaults to true."),
    secrets: list(envName(), { what: "secret names" })
        .default([])
        .describe(
            "The secrets this service reads: names from secrets.generated/provided/required, the data layer (DATABASE_URL, REDIS_*) or JWKS_PRIVATE_KEY (services that sign tokens). Its Secret holds only these (plus <NAME>_PREVIOUS of rotating ones). Defaults to none.",
        ),
    jwksDirectory: text({ pattern: /^\//, describe: "an absolute path" })
        .default("/app/server/auth/jwks/keys")
        .describe(
            "Where the app reads jwks.json and <kid>/public.pem (and <kid>/private.pem when it signs), as tools/gen-jwks.mjs lays them out. Defaults to /app/server/auth/jwks/keys.",
        ),
    env: envMap(envValue).default({}).describe("Non-secret environment variables (the env ConfigMap)."),
    logLevel: logLevelSchema,
    probes: section({
        port: integer({ min: 1, max: 65535 }).optional().describe("Probe port. Defaults to `port`."),
        liveness: probe("/healthz"),
        readiness: probe("/healthz"),
    })
        .prefault({})
        .describe("HTTP probes. Defaults to /healthz on the container port."),
    resources: section({ requests: computeResources(), limits: computeResources() })
        .default({ requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } })
        .describe("Defaults to requests 100m/128Mi, limits 500m/512Mi."),
    autoscaling: section({
        maxReplicas: int32({ min: 1 }),
        targetCpuPercent: percent().default(65),
        targetMemoryPercent: percent().default(70),
    })
        .optional()
        .describe("A HorizontalPodAutoscaler from `replicas` to maxReplicas. Defaults to off."),
    ingress: section({
        host: dnsName(),
    })
        .optional()
        .describe("Public host: an HTTPRoute on the stack's Gateway, a DNS record and a certificate. Defaults to none."),
    egress: list(
        section({
            name: dnsLabel().describe("What the destination is, e.g. `sentry`."),
            cidrs: list(cidr(), { min: 1, what: "CIDR blocks" }),
            ports: list(integer({ min: 1, max: 65535 }), { min: 1, what: "TCP ports" }),
        }),
        { what: "external destinations" },
    )
        .default([])
        .describe(
            "External hosts the app may reach besides its data services and DNS (TCP). The VPC and link-local ranges (instance metadata) are always excluded. Defaults to none.",
        ),
    migrations: hookSchema({ enabled: true, when: ["post-install", "post-upgrade"], weight: 10, command: ["node", "db/migrate.mjs"] }),
    seeds: hookSchema({ enabled: false, when: ["post-install"], weight: 20, command: ["node", "db/seed.mjs"] }),
    strategy: strategySchema,
    smoke: smokeSchema,
    rolloutTimeoutSeconds: integer({ min: 30, max: 3600 })
        .default(300)
        .describe("Time for the pods to become ready; the release timeout adds the hooks' worst case. Defaults to 300."),
    pod: podProfileSchema.describe("UID/GID, ephemeral storage and graceful shutdown of the service's pods (config/workloads.ts)."),
});

const githubName = (what: string) => text({ pattern: /^[A-Za-z0-9][A-Za-z0-9._-]*$/, describe: what });

/** A GitHub environment; only `environment.deployFrom` (branch or tag) may deploy to it. */
export const githubEnvironmentSchema = section({
    name: text({
        pattern: /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
        maxLength: 255,
        describe: "a GitHub environment name (at most 255 characters)",
    }).describe("e.g. `production`."),
    reviewers: section({
        users: list(githubLogin("a GitHub login"), { what: "GitHub logins", unique: true }).default([]),
        teams: list(githubName("a team slug"), { what: "team slugs", unique: true }).default([]),
    })
        .prefault({})
        .describe("Who may approve a deployment (GitHub allows 6). Names are resolved to ids."),
    requiredReviewers: integer({ min: 0, max: 6 })
        .default(0)
        .describe("How many reviewers the rule must list (the runbook: 1 for staging, 2 for production). Defaults to 0."),
    waitTimerMinutes: integer({ min: 0, max: 43200 }).default(0).describe("Delay before a deployment starts. Defaults to 0."),
    preventSelfReview: boolean().default(true).describe("The author of a deployment cannot approve it. Defaults to true."),
    canAdminsBypass: boolean().default(false).describe("Admins skip the rules. Defaults to false."),
});

export const branchProtectionSchema = section({
    pattern: text(),
    requiredApprovals: integer({ min: 0, max: 6 }),
    requiredStatusChecks: list(text(), { what: "status check names", unique: true }).default([]),
    requireUpToDate: boolean().default(true),
    requireConversationResolution: boolean().default(true),
    requireSignedCommits: boolean().default(false),
    requireCodeOwnerReviews: boolean()
        .default(false)
        .describe("One approval must come from a code owner (the repository's CODEOWNERS). Defaults to false."),
    enforceAdmins: boolean().default(true),
});

export const githubSchema = section({
    owner: githubLogin("a GitHub user or organization"),
    serviceRepository: githubRepositoryName(),
    infrastructureRepository: githubRepositoryName().describe("This repository: its deploy workflow assumes the deploy role."),
    environment: githubEnvironmentSchema,
    environmentSecrets: list(envName(), { what: "names in secrets.ci", unique: true })
        .default([])
        .describe("Secrets from `secrets.ci` (e.g. GHCR_PAT) set as the environment's Actions secrets."),
    manageRepositorySettings: boolean()
        .default(false)
        .describe("This stack owns branch protection and security settings of both repositories (one stack should). Defaults to false."),
    releaseTags: section({
        team: githubName("a team slug").describe("The release team: the only actor that may create, move or delete these tags."),
    })
        .optional()
        .describe(
            "A tag ruleset on the service repository for `environment.deployFrom.tag` (e.g. `v*`): only the release team may create, move or delete those tags. " +
                "Required in the stack that manages repository settings when its environment deploys from a tag. Defaults to none.",
        ),
    branchProtection: section({
        service: list(branchProtectionSchema, { what: "branch protection rules" }).default([]),
        infrastructure: list(branchProtectionSchema, { what: "branch protection rules" }).default([]),
    })
        .default({ service: [], infrastructure: [] })
        .describe("Rules per repository; each rule's requiredStatusChecks are the job names that repository's workflows report."),
});

const hostname = () => text({ pattern: /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/, describe: "a DNS name" });

/** How users reach the services: the Gateway, its load balancer, DNS and TLS (docs/traffic.md). */
export const entryPointSchema = section({
    gateway: section({
        name: dnsLabel().default("public"),
        namespace: dnsLabel().default("gateway"),
        proxyNamespace: dnsLabel()
            .optional()
            .describe("Existing clusters: where the Gateway's proxy pods run (they reach the app). Defaults to `namespace`."),
    })
        .prefault({})
        .describe("The Gateway routes attach to; created on EKS, expected to exist elsewhere. Defaults to gateway/public."),
    hostedZone: section({
        id: text({ pattern: /^Z[A-Z0-9]{4,32}$/, describe: "a Route 53 hosted zone id such as Z0123456789ABC" }),
        name: hostname(),
    })
        .optional()
        .describe("The stack's public Route 53 zone: records and certificate validation. Required on EKS when a service has a host."),
    dnsPolicy: oneOf(["sync", "upsert-only"])
        .default("sync")
        .describe("external-dns: `upsert-only` never deletes a record (prod). Defaults to `sync`."),
    sourceCidrs: list(cidr(), { min: 1, what: "CIDR blocks" })
        .default(["0.0.0.0/0"])
        .describe("Who may connect to the load balancer. Defaults to everyone."),
    sslPolicy: text()
        .default("ELBSecurityPolicy-TLS13-1-2-2021-06")
        .describe("TLS policy of the HTTPS listener. Defaults to TLS 1.3 and 1.2 only."),
}).prefault({});

/** Where alarms go: one SNS topic per stack and its subscriptions. */
export const alertsSchema = section({
    subscriptions: list(section({ protocol: oneOf(["email", "https", "sms"]), endpoint: text() }), { what: "SNS subscriptions" }).default(
        [],
    ),
}).prefault({});

export const stackConfigShape = {
    environment: environmentSchema,
    aws: awsSchema.optional(),
    cluster: clusterSchema,
    namespace: namespaceSchema,
    database: databaseSchema,
    redis: redisSchema,
    secrets: secretsSchema.default({
        backend: "kubernetes",
        rotationDays: 90,
        overlapDays: 7,
        overlapping: DEFAULT_OVERLAPPING_SECRETS,
        jwksOverlapDays: 7,
        refreshInterval: "1h",
        externalSecretsChartVersion: EXTERNAL_SECRETS_CHART_VERSION,
        generated: GENERATED_SECRETS,
        required: [],
        provided: {},
        ci: {},
    }),
    services: list(serviceSchema, { min: 1, what: "services" }),
    github: githubSchema.optional(),
    entryPoint: entryPointSchema,
    alerts: alertsSchema,
    delivery: deliverySchema.optional(),
    registries: registriesSchema,
    workloads: workloadsSchema,
    monitoring: monitoringSchema,
    logs: logsSchema,
    backup: backupSchema,
};
