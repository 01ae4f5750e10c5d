import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError } from "../config/format";
import { serviceSchema } from "../config/schema";
import { runStack } from "./harness/run-stack";
import { Sections, secure } from "./harness/stack-file";

type Edit = (sections: Sections) => void;
const services = (s: Sections) => s["services"] as Record<string, any>[];
const section = (s: Sections, name: string) => s[name] as Record<string, any>;
/** The operator secrets of secrets.ci in dev: the registry token and the delivery's App keys and runner token. */
const PLAIN_CI = ["GHCR_PAT", "PLATFORM_DEPLOY_APP_KEY", "PLATFORM_PROMOTER_APP_KEY", "CODEBUILD_GITHUB_TOKEN"];

interface Case {
    title: string;
    stack: string;
    edit: Edit;
    /** Every line the error must contain, exactly. */
    expected: string[];
}

const cases: Case[] = [
    {
        title: "wrong type",
        stack: "prod",
        edit: (s) => (services(s)[0]!["replicas"] = "three"),
        expected: ['Pulumi.prod.yaml: services[0].replicas: expected an integer >= 1, got "three"'],
    },
    {
        title: "out of range",
        stack: "staging",
        edit: (s) => (services(s)[0]!["replicas"] = 0),
        expected: ["Pulumi.staging.yaml: services[0].replicas: expected an integer >= 1, got 0"],
    },
    {
        title: "unknown key in a section",
        stack: "prod",
        edit: (s) => (services(s)[0]!["replicass"] = 3),
        expected: [
            "Pulumi.prod.yaml: services[0].replicass: unknown key, expected one of: name, image, replicas, port, expose, secrets, jwksDirectory, env, logLevel, probes, resources, autoscaling, ingress, egress, migrations, seeds, strategy, smoke, rolloutTimeoutSeconds, pod",
        ],
    },
    {
        title: "unknown top-level key",
        stack: "dev",
        edit: (s) => (s["servics"] = []),
        expected: [
            "Pulumi.dev.yaml: servics: unknown key, expected one of: environment, aws, cluster, namespace, database, redis, secrets, services, github, entryPoint, alerts, delivery, registries, workloads, monitoring, logs, backup",
        ],
    },
    {
        title: "missing required key",
        stack: "staging",
        edit: (s) => delete section(s, "namespace")["name"],
        expected: [
            "Pulumi.staging.yaml: namespace.name: expected a DNS label (lowercase letters, digits, '-'), got nothing (the key is missing)",
        ],
    },
    {
        title: "missing required section",
        stack: "local",
        edit: (s) => delete s["services"],
        expected: ["Pulumi.local.yaml: services: expected a list of services (at least 1), got nothing (the key is missing)"],
    },
    {
        title: "bad enum",
        stack: "dev",
        edit: (s) => (section(s, "environment")["imageTagFormat"] = "loose"),
        expected: ['Pulumi.dev.yaml: environment.imageTagFormat: expected one of "any", "environment-sha", "semver", got "loose"'],
    },
    {
        title: "bad cluster mode",
        stack: "dev",
        edit: (s) => (section(s, "cluster")["mode"] = "gke"),
        expected: ['Pulumi.dev.yaml: cluster.mode: expected mode to be one of "eks", "existing", "render", got "gke"'],
    },
    {
        title: "mutable image tag in prod",
        stack: "prod",
        edit: (s) => (services(s)[0]!["image"].tag = "latest"),
        expected: [
            'Pulumi.prod.yaml: services[0].image.tag: expected an immutable release tag vX.Y.Z (environment.imageTagFormat is "semver"), got "latest"',
        ],
    },
    {
        title: "another environment's tag in staging",
        stack: "staging",
        edit: (s) => (services(s)[0]!["image"].tag = "dev-a1b2c3d"),
        expected: [
            'Pulumi.staging.yaml: services[0].image.tag: expected an immutable tag staging-<git sha> (environment.imageTagFormat is "environment-sha"), got "dev-a1b2c3d"',
        ],
    },
    {
        title: "node instance type missing from the table of known sizes",
        stack: "prod",
        edit: (s) => (section(s, "cluster")["nodeGroup"].instanceType = "x9.huge"),
        expected: ["Pulumi.prod.yaml: cluster.nodeGroup.instanceType: expected a known instance type (t3.medium, t3.large, "],
    },
    {
        title: "node instance type below the cluster requirements",
        stack: "prod",
        edit: (s) => (section(s, "cluster")["nodeGroup"].instanceType = "m6i.large"),
        expected: [
            'Pulumi.prod.yaml: cluster.nodeGroup.instanceType: expected an instance type with >= 4 vCPU and >= 8 GiB (requirements), got "m6i.large (2 vCPU, 8 GiB)"',
        ],
    },
    {
        title: "fewer nodes than the requirements",
        stack: "prod",
        edit: (s) => (section(s, "cluster")["nodeGroup"].minSize = 2),
        expected: ["Pulumi.prod.yaml: cluster.nodeGroup.minSize: expected at least 3 nodes (requirements.nodes), got 2"],
    },
    {
        title: "empty availability zone list",
        stack: "prod",
        edit: (s) => (section(s, "cluster")["vpc"].availabilityZones = []),
        expected: [
            "Pulumi.prod.yaml: cluster.vpc.availabilityZones: expected a list of availability zones (2 to 6 items), got an empty list",
        ],
    },
    {
        title: "public endpoint with no CIDR list in prod",
        stack: "prod",
        edit: (s) => (section(s, "cluster")["endpoint"] = { publicAccess: true }),
        expected: [
            "Pulumi.prod.yaml: cluster.endpoint.publicAccessCidrs: expected at least one CIDR when endpoint.publicAccess is true, got an empty list",
        ],
    },
    {
        title: "deploy role in another account",
        stack: "prod",
        edit: (s) => (section(s, "aws")["assumeRoleArn"] = "arn:aws:iam::111111111111:role/platform-deployer"),
        expected: [
            'Pulumi.prod.yaml: aws.assumeRoleArn: expected a role in account 333333333333 (aws.accountId), got "arn:aws:iam::111111111111:role/platform-deployer"',
            `Pulumi.prod.yaml: aws.assumeRoleArn: expected the bootstrap stack's deployer role arn:aws:iam::333333333333:role/platform-deployer, which the deploy role may assume, got "arn:aws:iam::111111111111:role/platform-deployer"`,
        ],
    },
    {
        title: "a credential in plain env",
        stack: "dev",
        edit: (s) => (services(s)[0]!["env"].APP_JWT_SECRET = "hunter2"),
        expected: [
            'Pulumi.dev.yaml: services[0].env.APP_JWT_SECRET: expected no credential in plain env (move it to secrets.provided, set with --secret), got "<a plain value>"',
        ],
    },
    {
        title: "secrets written in plain text",
        stack: "dev",
        edit: (s) =>
            Object.assign(section(s, "secrets"), {
                provided: {
                    GOOGLE_SERVICE_ACCOUNT_KEY: "{}",
                    APPLE_SHARED_SECRET: "shared",
                    SENTRY_DSN: "https://key@sentry.example/1",
                    COLLAB_PAY_WEBHOOK_SECRET: "whsec",
                },
                ci: Object.fromEntries(PLAIN_CI.map((name) => [name, "plain"])),
            }),
        expected: [
            ...["GOOGLE_SERVICE_ACCOUNT_KEY", "APPLE_SHARED_SECRET", "SENTRY_DSN", "COLLAB_PAY_WEBHOOK_SECRET"].map(
                (name) => `provided.${name}`,
            ),
            ...PLAIN_CI.map((name) => `ci.${name}`),
        ].map(
            (key) =>
                `Pulumi.dev.yaml: secrets.${key}: expected an encrypted value (pulumi config set --secret --path 'platform:secrets.${key}'), got plain text`,
        ),
    },
    {
        title: "a required provided secret is missing",
        stack: "prod",
        edit: (s) => delete section(s, "secrets")["provided"].SENTRY_DSN,
        expected: [
            "Pulumi.prod.yaml: secrets.provided.SENTRY_DSN: expected a value for SENTRY_DSN (secrets.required lists it): pulumi config set --secret --path 'platform:secrets.provided.SENTRY_DSN', got nothing (the key is missing)",
        ],
    },
    {
        title: "a secret key name outside [A-Z0-9_]",
        stack: "prod",
        edit: (s) => (section(s, "secrets")["generated"] = ["SESSION_SECRET", "app-jwt-secret"]),
        expected: ['Pulumi.prod.yaml: secrets.generated[1]: expected an env var name matching [A-Z][A-Z0-9_]*, got "app-jwt-secret"'],
    },
    {
        title: "a rotation period of 0",
        stack: "staging",
        edit: (s) => (section(s, "secrets")["rotationDays"] = 0),
        expected: ["Pulumi.staging.yaml: secrets.rotationDays: expected an integer from 1 to 365, got 0"],
    },
    {
        title: "Secrets Manager without EKS",
        stack: "local",
        edit: (s) => (section(s, "secrets")["backend"] = "aws-secrets-manager"),
        expected: [
            'Pulumi.local.yaml: secrets.backend: expected "kubernetes" unless cluster.mode is "eks" (External Secrets authenticates through IRSA), got "aws-secrets-manager"',
        ],
    },
    {
        title: "existing cluster without a kubeconfig",
        stack: "local",
        edit: (s) =>
            (s["cluster"] = { mode: "existing", name: "shared", ingressNginx: { enabled: false }, certManager: { enabled: false } }),
        expected: ['Pulumi.local.yaml: secrets.kubeconfig: expected a kubeconfig secret when cluster.mode is "existing"'],
    },
    {
        title: "PostgreSQL older than 15",
        stack: "prod",
        edit: (s) => (section(s, "database")["engineVersion"] = "14"),
        expected: ['Pulumi.prod.yaml: database.engineVersion: expected PostgreSQL 15 or newer, got "14"'],
    },
    {
        title: "Redis cluster topology with 0 shards",
        stack: "prod",
        edit: (s) => Object.assign(section(s, "redis"), { topology: "cluster", shards: 0 }),
        expected: ["Pulumi.prod.yaml: redis.shards: expected an integer from 1 to 500, got 0"],
    },
    {
        title: "Redis sentinel with fewer than 3 sentinels",
        stack: "local",
        edit: (s) => Object.assign(section(s, "redis"), { topology: "sentinel", sentinels: 2 }),
        expected: ["Pulumi.local.yaml: redis.sentinels: expected an integer >= 3, got 2"],
    },
    {
        title: "backup retention under 7 days in prod",
        stack: "prod",
        edit: (s) => (section(s, "database")["backupRetentionDays"] = 1),
        expected: ["Pulumi.prod.yaml: database.backupRetentionDays: expected at least 7 days (policy rds-backup-retention), got 1"],
    },
    {
        title: "replication without a replica to fail over to",
        stack: "staging",
        edit: (s) => (section(s, "redis")["replicasPerShard"] = 0),
        expected: [
            'Pulumi.staging.yaml: redis.replicasPerShard: expected at least 1 replica for automatic failover when topology is "replication", got 0',
        ],
    },
    {
        title: "replicas above the autoscaler's maximum",
        stack: "prod",
        edit: (s) => (services(s)[0]!["replicas"] = 12),
        expected: ["Pulumi.prod.yaml: services[0].replicas: expected at most autoscaling.maxReplicas (10), got 12"],
    },
    {
        title: "an autoscaling target outside 1-100",
        stack: "prod",
        edit: (s) => (services(s)[0]!["autoscaling"].targetCpuPercent = 120),
        expected: ["Pulumi.prod.yaml: services[0].autoscaling.targetCpuPercent: expected an integer from 1 to 100, got 120"],
    },
    {
        title: "a hook weight that puts seeds before migrations",
        stack: "staging",
        edit: (s) => (services(s)[0]!["seeds"].weight = 5),
        expected: [
            "Pulumi.staging.yaml: services[0].seeds.weight: expected seeds to run after migrations (weight > 10, same or later phase), got 5",
        ],
    },
    {
        title: "seeds before deploy while migrations run after it",
        stack: "dev",
        edit: (s) => (services(s)[0]!["seeds"].when = ["pre-install"]),
        expected: [
            'Pulumi.dev.yaml: services[0].seeds.when: expected seeds to run after migrations (weight > 10, same or later phase), got a list ["pre-install"]',
        ],
    },
    {
        title: "a probe port outside 1-65535",
        stack: "prod",
        edit: (s) => (services(s)[0]!["probes"] = { port: 70000 }),
        expected: ["Pulumi.prod.yaml: services[0].probes.port: expected an integer from 1 to 65535, got 70000"],
    },
    {
        title: "a hook deadline shorter than its retries",
        stack: "prod",
        edit: (s) => (services(s)[0]!["migrations"] = { activeDeadlineSeconds: 60 }),
        expected: [
            "Pulumi.prod.yaml: services[0].migrations.activeDeadlineSeconds: expected more than the retry wrapper's 62 s of waiting, or the Job is killed before its last attempt, got 60",
        ],
    },
    {
        title: "more than 6 environment reviewers",
        stack: "prod",
        edit: (s) => (section(s, "github")["environment"].reviewers = { users: ["a", "b", "c", "d", "e"], teams: ["f", "g"] }),
        expected: ["Pulumi.prod.yaml: github.environment.reviewers: expected at most 6 users and teams in all (GitHub's limit), got 7"],
    },
    {
        title: "a wait timer above 43200 minutes",
        stack: "prod",
        edit: (s) => (section(s, "github")["environment"].waitTimerMinutes = 50000),
        expected: ["Pulumi.prod.yaml: github.environment.waitTimerMinutes: expected an integer from 0 to 43200, got 50000"],
    },
    {
        title: "a production environment with no tag or branch policy",
        stack: "prod",
        edit: (s) => (section(s, "environment")["deployFrom"] = {}),
        expected: ["Pulumi.prod.yaml: environment.deployFrom: expected exactly one of branch or tag, got a mapping {}"],
    },
    {
        title: "an empty reviewer list where reviewers are required",
        stack: "prod",
        edit: (s) => (section(s, "github")["environment"].reviewers = {}),
        expected: ["Pulumi.prod.yaml: github.environment.reviewers: expected 2 or more reviewers (requiredReviewers), got an empty list"],
    },
    {
        title: "an invalid secret never shows its value",
        stack: "dev",
        edit: (s) => (section(s, "secrets")["provided"] = { "bad-name": secure() }),
        expected: ['Pulumi.dev.yaml: secrets.provided.bad-name: expected an env var name matching [A-Z][A-Z0-9_]*, got "bad-name"'],
    },
    {
        title: "a plain-text secret next to encrypted ones (mixed section)",
        stack: "dev",
        edit: (s) =>
            Object.assign(section(s, "secrets")["provided"], { APPLE_SHARED_SECRET: secure(), SENTRY_DSN: "https://key@sentry.example/1" }),
        expected: [
            "Pulumi.dev.yaml: secrets.provided.SENTRY_DSN: expected an encrypted value (pulumi config set --secret --path 'platform:secrets.provided.SENTRY_DSN'), got plain text",
        ],
    },
    {
        title: "a plain-text kubeconfig next to an encrypted database URL",
        stack: "local",
        edit: (s) => {
            s["cluster"] = { mode: "existing", name: "shared", ingressNginx: { enabled: false }, certManager: { enabled: false } };
            s["database"] = { mode: "external" };
            Object.assign(section(s, "secrets"), { kubeconfig: "apiVersion: v1", databaseUrl: secure() });
        },
        expected: [
            "Pulumi.local.yaml: secrets.kubeconfig: expected an encrypted value (pulumi config set --secret --path 'platform:secrets.kubeconfig'), got plain text",
        ],
    },
    {
        title: "an encrypted value in a service's plain env",
        stack: "dev",
        edit: (s) => (services(s)[0]!["env"].FEATURE_FLAGS = secure()),
        expected: [
            "Pulumi.dev.yaml: services[0].env.FEATURE_FLAGS: expected a plain value: an app secret goes under secrets.provided (pulumi config set --secret --path 'platform:secrets.provided.FEATURE_FLAGS') and in services[0].secrets, got [secret]",
        ],
    },
    {
        title: "an encrypted value where a plain one is expected",
        stack: "prod",
        edit: (s) => (section(s, "database")["databaseName"] = secure()),
        expected: [
            "Pulumi.prod.yaml: database.databaseName: expected a plain value: secrets belong under platform:secrets: set each secret on its own (pulumi config set --secret --path 'platform:secrets.provided.<NAME>' for the app, secrets.ci.<NAME> for workflows), got [secret]",
            "Pulumi.prod.yaml: database.databaseName: expected a database name (lowercase letters, digits, '_'; at most 63 characters), got [secret]",
        ],
    },
    {
        title: "a whole secrets section encrypted as text that is not JSON",
        stack: "dev",
        edit: (s) => (s["secrets"] = secure()),
        expected: [
            "Pulumi.dev.yaml: secrets: expected a plain value: set each secret on its own (pulumi config set --secret --path 'platform:secrets.provided.<NAME>' for the app, secrets.ci.<NAME> for workflows); the settings of platform:secrets stay plain, got [secret]",
            "Pulumi.dev.yaml: secrets: expected an object (a YAML mapping), got [secret]",
        ],
    },
];

async function expectConfigError(stack: string, edit: Edit): Promise<ConfigError> {
    const { graph, error } = await runStack(stack, { edit });
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    assert.equal(graph.resources.length, 0, "no resource may be registered when config is invalid");
    return error;
}

/** The case fails with exactly its expected lines (a line ending in ", " matches as a prefix). */
async function expectLines(c: Case): Promise<void> {
    const error = await expectConfigError(c.stack, c.edit);
    const lines = error.message.split("\n");
    for (const expected of c.expected) {
        assert.ok(
            lines.some((line) => line === expected || (expected.endsWith(", ") && line.startsWith(expected))),
            `missing line:\n  ${expected}\nin:\n  ${lines.join("\n  ")}`,
        );
    }
    assert.equal(lines.length, 1 + c.expected.length, `unexpected extra problems:\n${error.message}`);
    assert.doesNotMatch(error.message, /TEST-SECRET-VALUE/, "no message prints a decrypted value");
}

describe("malformed stack config fails before any resource is registered", () => {
    for (const c of cases) {
        it(c.title, () => expectLines(c));
    }

    it("reports every problem of one section in one message", async () => {
        const error = await expectConfigError("prod", (s) => {
            services(s)[0]!["replicas"] = "three";
            services(s)[0]!["replicass"] = 3;
            section(s, "environment")["imageTagFormat"] = "loose";
        });
        assert.match(error.message, /^invalid stack configuration \(3 problems\):/);
        assert.match(error.message, /services\[0\]\.replicas: expected an integer >= 1, got "three"/);
        assert.match(error.message, /services\[0\]\.replicass: unknown key/);
        assert.match(error.message, /environment\.imageTagFormat: expected one of/);
    });

    it("reports field and cross-section problems of different sections together", async () => {
        const error = await expectConfigError("prod", (s) => {
            services(s)[0]!["replicas"] = "three";
            section(s, "cluster")["endpoint"] = { publicAccess: true };
            section(s, "database")["engineVersion"] = "14";
        });
        assert.deepEqual(error.message.split("\n"), [
            "invalid stack configuration (3 problems):",
            'Pulumi.prod.yaml: services[0].replicas: expected an integer >= 1, got "three"',
            "Pulumi.prod.yaml: cluster.endpoint.publicAccessCidrs: expected at least one CIDR when endpoint.publicAccess is true, got an empty list",
            'Pulumi.prod.yaml: database.engineVersion: expected PostgreSQL 15 or newer, got "14"',
        ]);
    });

    it("never prints a secret value", async () => {
        const error = await expectConfigError("dev", (s) => (section(s, "secrets")["provided"] = { "bad-name": secure() }));
        assert.doesNotMatch(error.message, /TEST-SECRET-VALUE/);
    });
});

const setKey = (target: Record<string, unknown>, key: string, value: unknown) =>
    Object.defineProperty(target, key, { value, enumerable: true, configurable: true, writable: true });
const secondService = (s: Sections, changes: Record<string, unknown>) =>
    services(s).push({ ...structuredClone(services(s)[0]!), ...changes });
const P = "Pulumi.prod.yaml";

/** Values the target APIs (Kubernetes, Helm, AWS, GitHub, git) would reject in the middle of a deploy. */
const limitCases: Case[] = [
    {
        title: "the same availability zone twice",
        stack: "prod",
        edit: (s) => (section(s, "cluster")["vpc"].availabilityZones = ["eu-west-1a", "eu-west-1a", "eu-west-1b"]),
        expected: [`${P}: cluster.vpc.availabilityZones[1]: expected no duplicate (the same as [0]), got "eu-west-1a"`],
    },
    {
        title: "the same generated secret twice",
        stack: "prod",
        edit: (s) => (section(s, "secrets")["generated"] = ["SESSION_SECRET", "APP_JWT_SECRET", "SESSION_SECRET"]),
        expected: [`${P}: secrets.generated[2]: expected no duplicate (the same as [0]), got "SESSION_SECRET"`],
    },
    {
        title: "an availability zone of another region",
        stack: "prod",
        edit: (s) => (section(s, "cluster")["vpc"].availabilityZones = ["us-east-1a", "eu-west-1b"]),
        expected: [
            `${P}: cluster.vpc.availabilityZones[0]: expected a zone of aws.region "eu-west-1" (eu-west-1<letter>), got "us-east-1a"`,
        ],
    },
    {
        title: "maxAllocatedStorageGiB below the allocated storage",
        stack: "prod",
        edit: (s) => (section(s, "database")["maxAllocatedStorageGiB"] = 50),
        expected: [
            `${P}: database.maxAllocatedStorageGiB: expected at least 110 (RDS needs the autoscaling ceiling 10% above allocatedStorageGiB), got 50`,
        ],
    },
    {
        title: "replicas above Kubernetes' int32",
        stack: "prod",
        edit: (s) => (services(s)[0]!["replicas"] = 2147483648),
        expected: [`${P}: services[0].replicas: expected an integer of at most 2147483647 (Kubernetes' int32), got 2147483648`],
    },
    {
        title: "a node group maxSize above int32",
        stack: "prod",
        edit: (s) => (section(s, "cluster")["nodeGroup"].maxSize = 2147483648),
        expected: [`${P}: cluster.nodeGroup.maxSize: expected an integer of at most 2147483647 (Kubernetes' int32), got 2147483648`],
    },
    {
        title: "a 64-character database name (Postgres: 63)",
        stack: "prod",
        edit: (s) => (section(s, "database")["databaseName"] = "d".repeat(64)),
        expected: [`${P}: database.databaseName: expected a database name (lowercase letters, digits, '_'; at most 63 characters), `],
    },
    {
        title: "an ingress host label over 63 characters",
        stack: "prod",
        edit: (s) => (services(s)[0]!["ingress"].host = `${"a".repeat(64)}.supernova.com`),
        expected: [
            `${P}: services[0].ingress.host: expected a DNS host name such as api.example.com (labels of 1-63 characters, at most 253 in all), `,
        ],
    },
    {
        title: "an ingress host over 253 characters",
        stack: "prod",
        edit: (s) => (services(s)[0]!["ingress"].host = `${Array.from({ length: 5 }, () => "h".repeat(60)).join(".")}.com`),
        expected: [
            `${P}: services[0].ingress.host: expected a DNS host name such as api.example.com (labels of 1-63 characters, at most 253 in all), `,
        ],
    },
    {
        title: "a service name over Helm's 53-character release-name limit",
        stack: "prod",
        edit: (s) => (services(s)[0]!["name"] = `supernova-server-${"x".repeat(40)}`),
        expected: [`${P}: services[0].name: expected a DNS label of at most 53 characters (Helm's release-name limit), `],
    },
    {
        title: "a 10,000-character repository name",
        stack: "prod",
        edit: (s) => (section(s, "github")["serviceRepository"] = "r".repeat(10_000)),
        expected: [`${P}: github.serviceRepository: expected a repository name (at most 100 letters, digits, '.', '-', '_'), `],
    },
    {
        title: "two services on the same ingress host and path",
        stack: "prod",
        edit: (s) => secondService(s, { name: "supernova-admin" }),
        expected: [
            `${P}: services[1].ingress.host: expected a host+path no other service routes (supernova-server has api.supernova.com/), got "api.supernova.com"`,
        ],
    },
    {
        title: "deployFrom.branch with a space",
        stack: "dev",
        edit: (s) => (section(s, "environment")["deployFrom"] = { branch: "feature branch" }),
        expected: [
            'Pulumi.dev.yaml: environment.deployFrom.branch: expected a git branch (a valid git ref name: git check-ref-format), got "feature branch"',
        ],
    },
    {
        title: "deployFrom.branch with a NUL character",
        stack: "staging",
        edit: (s) => (section(s, "environment")["deployFrom"] = { branch: "main\u0000" }),
        expected: [
            'Pulumi.staging.yaml: environment.deployFrom.branch: expected a git branch (a valid git ref name: git check-ref-format), got "main\\u0000"',
        ],
    },
    {
        title: "an image tag that is not a Kubernetes label value (the chart labels pods with it)",
        stack: "prod",
        edit: (s) => (
            (section(s, "environment")["imageTagFormat"] = "semver"),
            (services(s)[0]!["image"].tag = `v1.2.3-${"b".repeat(60)}`)
        ),
        expected: [
            `${P}: services[0].image.tag: expected an image tag that is also a Kubernetes label value (at most 63 of [A-Za-z0-9_.-], alphanumeric at both ends), `,
        ],
    },
    {
        title: "a CIDR block with host bits set",
        stack: "dev",
        edit: (s) => (section(s, "cluster")["vpc"].cidr = "10.0.0.1/16"),
        expected: ['Pulumi.dev.yaml: cluster.vpc.cidr: expected an IPv4 CIDR block such as 10.0.0.0/16, got "10.0.0.1/16"'],
    },
    {
        title: "a VPC larger than EC2 allows",
        stack: "dev",
        edit: (s) => (section(s, "cluster")["vpc"].cidr = "10.0.0.0/8"),
        expected: ['Pulumi.dev.yaml: cluster.vpc.cidr: expected a VPC block from /16 to /28 (EC2\'s limits), got "10.0.0.0/8"'],
    },
    {
        title: "a project name too long for the RDS and ElastiCache identifiers",
        stack: "dev",
        edit: (s) => (section(s, "environment")["project"] = `supernova-${"p".repeat(30)}`),
        expected: [
            `Pulumi.dev.yaml: environment: expected environment.project and environment.name to make a valid ElastiCache replication group id (at most 40 characters, no "--"), got "supernova-${"p".repeat(30)}-dev-redis"`,
        ],
    },
    {
        title: "an RDS backup window overlapping the maintenance window",
        stack: "prod",
        edit: (s) => (section(s, "database")["backupWindow"] = "04:00-05:00"),
        expected: [`${P}: database.backupWindow: expected a window outside the maintenance window tue:04:30-tue:05:30, got "04:00-05:00"`],
    },
    {
        title: "a backup window at 25 o'clock",
        stack: "prod",
        edit: (s) => (section(s, "database")["backupWindow"] = "25:00-25:30"),
        expected: [`${P}: database.backupWindow: expected a UTC window hh:mm-hh:mm of at least 30 minutes, got "25:00-25:30"`],
    },
    {
        title: "the kube-system namespace",
        stack: "staging",
        edit: (s) => (section(s, "namespace")["name"] = "kube-system"),
        expected: [
            "Pulumi.staging.yaml: namespace.name: expected a namespace of the app's own (kube-*, default and the add-ons' namespaces are taken), got \"kube-system\"",
        ],
    },
    {
        title: "a service named like the in-cluster database",
        stack: "local",
        edit: (s) => (services(s)[0]!["name"] = "postgres"),
        expected: ['Pulumi.local.yaml: services[0].name: expected a name the platform does not use in the namespace, got "postgres"'],
    },
    {
        title: "a plain env var that a secret also sets",
        stack: "dev",
        edit: (s) => (services(s)[0]!["env"].REDIS_SENTINEL = "redis:26379"),
        expected: [
            'Pulumi.dev.yaml: services[0].env.REDIS_SENTINEL: expected a name that is not also a secret (secrets.provided, secrets.generated or the data layer), got "REDIS_SENTINEL"',
        ],
    },
    {
        title: "two branch protection rules for one pattern (duplicate resources)",
        stack: "prod",
        edit: (s) => section(s, "github")["branchProtection"].service.push({ pattern: "develop", requiredApprovals: 2 }),
        expected: [`${P}: github.branchProtection.service[2].pattern: expected a pattern no other rule protects, got "develop"`],
    },
];

/** Settings unsafe outside dev/local: refused by the config, each mirrored by a policy. */
const guardCases: Case[] = [
    {
        title: "imageTagFormat any outside local",
        stack: "staging",
        edit: (s) => (section(s, "environment")["imageTagFormat"] = "any"),
        expected: [
            'Pulumi.staging.yaml: environment.imageTagFormat: expected "environment-sha" or "semver" in a staging environment like staging (policy image-tag-traceable), got "any"',
        ],
    },
    {
        title: "IAP_USE_SANDBOX=true in prod",
        stack: "prod",
        edit: (s) => (services(s)[0]!["env"].IAP_USE_SANDBOX = "true"),
        expected: [
            `${P}: services[0].env.IAP_USE_SANDBOX: expected "false" (sandbox receipts would buy real access) in a production environment like prod (policy iap-sandbox-not-in-production), got "true"`,
        ],
    },
    {
        title: "the letsencrypt-staging issuer in prod",
        stack: "prod",
        edit: (s) => (section(s, "cluster")["certManager"] = { issuer: "letsencrypt-staging" }),
        expected: [
            `${P}: cluster.certManager.issuer: expected "letsencrypt-prod" (browsers distrust staging certificates) in a production environment like prod (policy trusted-certificate-issuer-in-production), got "letsencrypt-staging"`,
        ],
    },
    {
        title: "DEV_AUTH_OPEN=true in staging",
        stack: "staging",
        edit: (s) => (services(s)[0]!["env"].DEV_AUTH_OPEN = "true"),
        expected: [
            'Pulumi.staging.yaml: services[0].env.DEV_AUTH_OPEN: expected "false" (authentication open to anyone) in a staging environment like staging (policy dev-auth-open-only-in-dev), got "true"',
        ],
    },
    {
        title: "protectStatefulResources false in staging",
        stack: "staging",
        edit: (s) => (section(s, "environment")["protectStatefulResources"] = false),
        expected: [
            "Pulumi.staging.yaml: environment.protectStatefulResources: expected true (databases could be deleted) in a staging environment like staging (policy stateful-resources-protected, rds-deletion-protection-in-production), got false",
        ],
    },
    {
        title: "a public endpoint open to 0.0.0.0/0, even in dev",
        stack: "dev",
        edit: (s) => (section(s, "cluster")["endpoint"] = { publicAccess: true, publicAccessCidrs: ["0.0.0.0/0"] }),
        expected: [
            'Pulumi.dev.yaml: cluster.endpoint.publicAccessCidrs[0]: expected a block narrower than the whole internet (policy eks-endpoint-restricted), got "0.0.0.0/0"',
        ],
    },
    {
        title: "fewer than 3 replicas in prod",
        stack: "prod",
        edit: (s) => {
            services(s)[0]!["replicas"] = 2;
        },
        expected: [
            `${P}: services[0].replicas: expected at least 3 in a production environment like prod (policy service-minimum-replicas), got 2`,
        ],
    },
    {
        title: "a stack file whose environment.name is another stack's",
        stack: "prod",
        edit: (s) => (section(s, "environment")["name"] = "dev"),
        expected: [`${P}: environment.name: expected the stack's name "prod" (Pulumi.prod.yaml), got "dev"`],
    },
];

/** Keys and values that would break the one-line-per-problem format or the loader's objects. */
const keyCases: Case[] = [
    {
        title: "an unknown key with a newline is printed escaped, on one line",
        stack: "prod",
        edit: (s) => (services(s)[0]!["repl\nicas"] = 3),
        expected: [`${P}: services[0].repl\\nicas: unknown key, expected one of: ${Object.keys(serviceSchema.shape).join(", ")}`],
    },
    {
        title: "an escape sequence in a key and a value cannot reach the terminal",
        stack: "dev",
        edit: (s) => (section(s, "environment")["deployFrom"] = { branch: "\u001b[2Jmain", "\u001b[31mtag\u009b": "v*" }),
        expected: [
            'Pulumi.dev.yaml: environment.deployFrom.branch: expected a git branch (a valid git ref name: git check-ref-format), got "\\u001b[2Jmain"',
            "Pulumi.dev.yaml: environment.deployFrom.\\u001b[31mtag\\u009b: unknown key, expected one of: branch, tag",
        ],
    },
    {
        title: "a platform:__proto__ section",
        stack: "dev",
        edit: (s) => setKey(s, "__proto__", { environment: { name: "evil" } }),
        expected: [
            'Pulumi.dev.yaml: __proto__: expected a key other than "__proto__", "constructor" or "prototype" (they would change how the loader\'s objects behave)',
        ],
    },
    {
        title: "a __proto__ key in env",
        stack: "prod",
        edit: (s) => setKey(services(s)[0]!["env"], "__proto__", "x"),
        expected: [
            `${P}: services[0].env.__proto__: expected a key other than "__proto__", "constructor" or "prototype" (they would change how the loader's objects behave)`,
        ],
    },
    {
        title: "a constructor key in secrets.ci",
        stack: "prod",
        edit: (s) => setKey(section(s, "secrets")["ci"], "constructor", secure()),
        expected: [
            `${P}: secrets.ci.constructor: expected a key other than "__proto__", "constructor" or "prototype" (they would change how the loader's objects behave)`,
        ],
    },
];

describe("config refuses what the target APIs would refuse, and unsafe settings per environment", () => {
    for (const c of [...limitCases, ...guardCases, ...keyCases]) {
        it(c.title, () => expectLines(c));
    }

    it("the same settings pass where they are allowed", async () => {
        const { error } = await runStack("dev", {
            edit: (s) => {
                services(s)[0]!["env"].IAP_USE_SANDBOX = "true";
                section(s, "environment")["protectStatefulResources"] = false;
                section(s, "cluster")["certManager"] = { issuer: "letsencrypt-staging" };
            },
        });
        assert.equal(error, undefined);
    });
});
