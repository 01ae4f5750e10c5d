import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError } from "../config/format";
import { runStack } from "./harness/run-stack";
import { Sections, secure } from "./harness/stack-file";

type Edit = (sections: Sections) => void;
const services = (s: Sections) => s["services"] as Record<string, any>[];
const section = (s: Sections, name: string) => s[name] as Record<string, any>;

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
            "Pulumi.prod.yaml: services[0].replicass: unknown key, expected one of: name, image, replicas, port, expose, secrets, jwksDirectory, env, probes, resources, autoscaling, ingress, migrations, seeds, rolloutTimeoutSeconds",
        ],
    },
    {
        title: "unknown top-level key",
        stack: "dev",
        edit: (s) => (s["servics"] = []),
        expected: [
            "Pulumi.dev.yaml: servics: unknown key, expected one of: environment, aws, cluster, namespace, database, redis, secrets, services, github",
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
                ci: { GHCR_PAT: "ghp_plain" },
            }),
        expected: [
            ...["GOOGLE_SERVICE_ACCOUNT_KEY", "APPLE_SHARED_SECRET", "SENTRY_DSN", "COLLAB_PAY_WEBHOOK_SECRET"].map(
                (name) => `provided.${name}`,
            ),
            "ci.GHCR_PAT",
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
        expected: [
            "Pulumi.prod.yaml: database.backupRetentionDays: expected at least 7 days when environment.protectStatefulResources is true, got 1",
        ],
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
            "Pulumi.prod.yaml: database.databaseName: expected a database name, got [secret]",
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

describe("malformed stack config fails before any resource is registered", () => {
    for (const c of cases) {
        it(c.title, async () => {
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
        });
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
