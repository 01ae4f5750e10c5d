import type * as pulumi from "@pulumi/pulumi";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DATA_CLIENT_LABEL } from "../components/kubernetes/pod-security";
import { Graph, isSecretValue, plaintextPaths } from "./harness/graph";
import { GENERATED_SECRET_PREFIX } from "./harness/mocks";
import { resolveAll } from "./harness/outputs";
import { restrictedViolations } from "./harness/pod-security";
import { recordStack, RunOptions } from "./harness/run-stack";
import { SECRET_PLACEHOLDER_PREFIX, secure, Sections } from "./harness/stack-file";

const dataEnv = (graph: Graph) => resolveAll(graph.outputs["dataEnv"] as Record<string, pulumi.Output<string>>);
const set = (name: string, value: unknown) => (s: Sections) => (s[name] = value);
const merge = (name: string, value: Record<string, unknown>) => (s: Sections) => Object.assign(s[name] as object, value);
/** A Redis topology, and the service reading that topology's settings instead of REDIS_URL. */
const redisTopology = (value: Record<string, unknown>, names: string[]) => (s: Sections) => {
    merge("redis", value)(s);
    const service = (s["services"] as { secrets: string[] }[])[0]!;
    service.secrets = [...service.secrets.filter((n) => n !== "REDIS_URL"), ...names];
};

function assertNoPlaintextSecrets(graph: Graph): void {
    const leaks = graph.resources.flatMap((r) =>
        [SECRET_PLACEHOLDER_PREFIX, GENERATED_SECRET_PREFIX].flatMap((needle) =>
            plaintextPaths(r.rawInputs, needle).map((p) => `${r.urn} ${p}`),
        ),
    );
    assert.deepEqual(leaks, [], "secret values stored in plain text");
}

describe("prod data layer", () => {
    it("RDS: PostgreSQL 16, encrypted, private, Multi-AZ, 30-day backups, deletion protection, protected", async () => {
        const { graph } = await recordStack("prod");
        const db = graph.one("aws:rds/instance:Instance");
        const i = db.inputs;
        assert.equal(i.engine, "postgres");
        assert.equal(i.engineVersion, "16");
        assert.equal(i.storageEncrypted, true);
        assert.equal(i.kmsKeyId, "arn:aws:mock:eu-west-1:000000000000:Key/postgres-key", "the database's own KMS key");
        assert.equal(i.publiclyAccessible, false);
        assert.equal(i.multiAz, true);
        assert.equal(i.backupRetentionPeriod, 30);
        assert.match(i.backupWindow, /^\d\d:\d\d-\d\d:\d\d$/);
        assert.equal(i.deletionProtection, true);
        assert.equal(i.skipFinalSnapshot, false);
        // A name of its own per stack lifetime: a second teardown does not collide with the first (docs/runbooks/teardown.md).
        assert.equal(i.finalSnapshotIdentifier, "supernova-prod-postgres-final-5eed0001");
        assert.equal(db.protect, true, "pulumi protect");
        assert.equal(i.performanceInsightsEnabled, true);
        assert.deepEqual(i.enabledCloudwatchLogsExports, ["postgresql", "upgrade"]);
        assert.ok(isSecretValue(db.rawInputs["password"]), "master password is a secret");

        const params = graph.one("aws:rds/parameterGroup:ParameterGroup").inputs;
        assert.equal(params.family, "postgres16");
        assert.ok(params.parameters.some((p: { name: string; value: string }) => p.name === "rds.force_ssl" && p.value === "1"));
        const subnets = graph.one("aws:rds/subnetGroup:SubnetGroup").inputs.subnetIds;
        assert.ok(subnets.length === 3 && subnets.every((id: string) => id.includes("-private-")), "private subnets only");

        const sg = graph.one("aws:ec2/securityGroup:SecurityGroup", "postgres-sg").inputs;
        // With pooling, only the proxy reaches the instance (paths.test.ts evaluates the whole path).
        assert.deepEqual(sg.ingress, [{ protocol: "tcp", fromPort: 5432, toPort: 5432, securityGroups: ["postgres-proxy-sg-id"] }]);
        assert.deepEqual(sg.egress, []);
    });

    it("RDS alarms on CPU, free storage and connections, to the stack's alerts topic", async () => {
        const { graph } = await recordStack("prod");
        const alarms = graph
            .ofType("aws:cloudwatch/metricAlarm:MetricAlarm")
            .map((a) => a.inputs)
            .filter((a) => a.namespace === "AWS/RDS");
        const byMetric = Object.fromEntries(alarms.map((a) => [a.metricName, a]));
        assert.deepEqual(Object.keys(byMetric).sort(), ["CPUUtilization", "DatabaseConnections", "FreeStorageSpace"]);
        assert.equal(byMetric["CPUUtilization"].threshold, 80);
        assert.equal(byMetric["CPUUtilization"].comparisonOperator, "GreaterThanThreshold");
        assert.equal(byMetric["FreeStorageSpace"].threshold, 10 * 1024 ** 3);
        assert.equal(byMetric["FreeStorageSpace"].comparisonOperator, "LessThanThreshold");
        assert.equal(byMetric["DatabaseConnections"].threshold, 1351, "75% of db.r6g.large's 1802");
        for (const alarm of alarms) assert.deepEqual(alarm.alarmActions, ["arn:aws:mock:eu-west-1:000000000000:Topic/alerts-topic"]);
    });

    it("pools connections through RDS Proxy with TLS required", async () => {
        const { graph } = await recordStack("prod");
        const proxy = graph.one("aws:rds/proxy:Proxy").inputs;
        assert.equal(proxy.requireTls, true);
        assert.equal(proxy.engineFamily, "POSTGRESQL");
        const auth = graph.one("aws:secretsmanager/secret:Secret", "postgres-proxy-auth").inputs;
        assert.ok(auth.kmsKeyId, "proxy credentials encrypted with the database's KMS key");
        const env = await dataEnv(graph);
        assert.equal(
            env["DATABASE_URL"]!.value,
            `postgresql://api:${GENERATED_SECRET_PREFIX}postgres-app-password@postgres-proxy.proxy.rds.mock:5432/supernova_production?sslmode=verify-full&sslrootcert=/etc/postgres-ca/ca-bundle.pem`,
        );
    });

    it("ElastiCache: encrypted at rest and in transit, AUTH token, automatic failover, protected", async () => {
        const { graph } = await recordStack("prod");
        const group = graph.one("aws:elasticache/replicationGroup:ReplicationGroup");
        const g = group.inputs;
        assert.equal(g.atRestEncryptionEnabled, true);
        assert.equal(g.transitEncryptionEnabled, true);
        assert.ok(isSecretValue(group.rawInputs["authToken"]));
        assert.equal(g.automaticFailoverEnabled, true);
        assert.equal(g.multiAzEnabled, true);
        assert.equal(g.numCacheClusters, 3);
        assert.equal(g.snapshotRetentionLimit, 14);
        assert.equal(group.protect, true);
        const sg = graph.one("aws:ec2/securityGroup:SecurityGroup", "redis-sg").inputs;
        assert.deepEqual(sg.ingress[0].securityGroups, ["cluster-network-nodes-sg-id"]);
        assert.equal(sg.ingress[0].fromPort, 6379);
    });

    it("gives the app DATABASE_URL and REDIS_URL, both secret", async () => {
        const { graph } = await recordStack("prod");
        const env = await dataEnv(graph);
        assert.deepEqual(Object.keys(env).sort(), ["DATABASE_URL", "REDIS_URL"]);
        assert.equal(env["REDIS_URL"]!.value, `rediss://:${GENERATED_SECRET_PREFIX}redis-auth-token@redis-group.primary.cache.mock:6379`);
        assert.ok(Object.values(env).every((v) => v.secret));
    });
});

describe("dev data layer", () => {
    it("is not protected, so dev can be torn down, and runs single-node Redis", async () => {
        const { graph } = await recordStack("dev");
        const db = graph.one("aws:rds/instance:Instance");
        assert.equal(db.protect, false);
        assert.equal(db.inputs.deletionProtection, false);
        assert.equal(db.inputs.skipFinalSnapshot, false, "a teardown of dev keeps a final snapshot");
        assert.equal(graph.ofType("aws:rds/proxy:Proxy").length, 0);
        const g = graph.one("aws:elasticache/replicationGroup:ReplicationGroup").inputs;
        assert.equal(g.numCacheClusters, 1);
        assert.equal(g.automaticFailoverEnabled, false);
        assert.equal(g.transitEncryptionEnabled, true);
    });
});

describe("Redis topologies", () => {
    it("cluster mode: shards x replicas, REDIS_CLUSTER_NODES and a secret REDIS_PASSWORD", async () => {
        const { graph } = await recordStack("prod", {
            edit: redisTopology({ topology: "cluster", shards: 3, replicasPerShard: 1 }, ["REDIS_CLUSTER_NODES", "REDIS_PASSWORD"]),
        });
        const g = graph.one("aws:elasticache/replicationGroup:ReplicationGroup").inputs;
        assert.equal(g.clusterMode, "enabled");
        assert.equal(g.numNodeGroups, 3);
        assert.equal(g.replicasPerNodeGroup, 1);
        assert.equal(g.parameterGroupName, "default.redis7.cluster.on");
        assert.equal(g.numCacheClusters, undefined);
        const env = await dataEnv(graph);
        assert.deepEqual(env["REDIS_CLUSTER_NODES"], { value: "redis-group.config.cache.mock:6379", secret: false });
        assert.equal(env["REDIS_PASSWORD"]!.secret, true);
        assert.equal(env["REDIS_URL"], undefined);
    });

    it("in-cluster sentinel: replicas, three sentinels, REDIS_SENTINEL and REDIS_MASTER", async () => {
        const { graph } = await recordStack("local", {
            edit: redisTopology({ topology: "sentinel" }, ["REDIS_SENTINEL", "REDIS_MASTER", "REDIS_PASSWORD"]),
        });
        const sets = Object.fromEntries(graph.ofType("kubernetes:apps/v1:StatefulSet").map((s) => [s.inputs.metadata.name, s.inputs.spec]));
        assert.equal(sets["redis"].replicas, 3);
        assert.equal(sets["redis-sentinel"].replicas, 3);
        const sentinelScript = sets["redis-sentinel"].template.spec.containers[0].command[2];
        assert.match(sentinelScript, /sentinel monitor mymaster redis-0\.redis\.supernova-local\.svc\.cluster\.local 6379 2/);
        const env = await dataEnv(graph);
        assert.equal(
            env["REDIS_SENTINEL"]!.value,
            [0, 1, 2].map((i) => `redis-sentinel-${i}.redis-sentinel.supernova-local.svc.cluster.local:26379`).join(","),
        );
        assert.deepEqual(env["REDIS_MASTER"], { value: "mymaster", secret: false });
        assert.equal(env["REDIS_PASSWORD"]!.secret, true);
        assertNoPlaintextSecrets(graph);
    });
});

describe("in-cluster data services (local)", () => {
    it("run restricted-compliant pods with pinned images, admitted only from the app's pods", async () => {
        const { graph } = await recordStack("local");
        const sets = graph.ofType("kubernetes:apps/v1:StatefulSet");
        assert.deepEqual(sets.map((s) => s.inputs.metadata.name).sort(), ["postgres", "redis"]);
        for (const set of sets) {
            const pod = set.inputs.spec.template.spec;
            assert.deepEqual(restrictedViolations(pod), [], set.name);
            assert.match(pod.containers[0].image, /^[a-z]+:\d+\.\d+(\.\d+)?-alpine\d/, "pinned image");
            assert.equal(set.inputs.metadata.namespace, "supernova-local");
        }
        const policy = graph
            .ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy")
            .find((p) => p.inputs.metadata.name === "postgres-ingress");
        assert.deepEqual(policy!.inputs.spec.ingress, [
            { from: [{ podSelector: { matchLabels: DATA_CLIENT_LABEL } }], ports: [{ protocol: "TCP", port: 5432 }] },
        ]);
        const env = await dataEnv(graph);
        assert.equal(
            env["DATABASE_URL"]!.value,
            `postgresql://api:${GENERATED_SECRET_PREFIX}postgres-app-password@postgres.supernova-local.svc.cluster.local:5432/supernova_local`,
        );
        assert.equal(
            env["REDIS_URL"]!.value,
            `redis://:${GENERATED_SECRET_PREFIX}redis-password@redis.supernova-local.svc.cluster.local:6379`,
        );
    });

    it("the in-cluster restricted check catches a privileged pod", () => {
        const pod = { containers: [{ name: "bad", securityContext: { privileged: true } }] };
        const violations = restrictedViolations(pod);
        assert.ok(violations.includes("Privileged Containers: bad must not be privileged"));
        assert.ok(violations.includes("Capabilities: bad must drop ALL"));
        assert.ok(violations.includes("Seccomp: bad must use RuntimeDefault or Localhost"));
    });
});

describe("external data services", () => {
    it("pass the configured secrets through, still secret", async () => {
        const options: RunOptions = {
            edit: (s) => {
                set("database", { mode: "external" })(s);
                set("redis", { mode: "external" })(s);
                set("secrets", { backend: "kubernetes", databaseUrl: secure(), redisUrl: secure() })(s);
            },
        };
        const { graph } = await recordStack("local", options);
        const env = await dataEnv(graph);
        assert.deepEqual(env["DATABASE_URL"], { value: `${SECRET_PLACEHOLDER_PREFIX}secrets.databaseUrl`, secret: true });
        assert.deepEqual(env["REDIS_URL"], { value: `${SECRET_PLACEHOLDER_PREFIX}secrets.redisUrl`, secret: true });
        assert.equal(graph.ofType("kubernetes:apps/v1:StatefulSet").length, 0);
    });
});

describe("the app's own database role", () => {
    const MASTER_PASSWORD = `${GENERATED_SECRET_PREFIX}postgres-password`;
    const APP_PASSWORD = `${GENERATED_SECRET_PREFIX}postgres-app-password`;

    for (const stack of ["prod", "local"] as const) {
        it(`${stack}: the app connects as its role; only the bootstrap Job holds the master credentials`, async () => {
            const { graph, config } = await recordStack(stack);
            const database = config.database as { username: string; appRole: string };
            const url = new URL((await dataEnv(graph))["DATABASE_URL"]!.value);
            assert.equal(url.username, "api");
            assert.notEqual(url.username, database.username, "not the master user");
            assert.equal(decodeURIComponent(url.password), APP_PASSWORD);

            const job = graph.one("kubernetes:batch/v1:Job", "postgres-bootstrap");
            const pod = job.inputs.spec.template.spec;
            assert.deepEqual(restrictedViolations(pod), []);
            assert.equal(pod.automountServiceAccountToken, false);
            const credentials = graph.one("kubernetes:core/v1:Secret", "postgres-bootstrap-credentials");
            assert.ok(isSecretValue(credentials.rawInputs["stringData"]));
            assert.equal(pod.containers[0].envFrom[0].secretRef.name, credentials.inputs.metadata.name);
            assert.equal(credentials.inputs.stringData.PGUSER, database.username);
            assert.equal(credentials.inputs.stringData.PGPASSWORD, MASTER_PASSWORD);
            assert.equal(credentials.inputs.stringData.APP_ROLE, "api");
            assert.equal(
                credentials.inputs.stringData.PGHOST,
                // prod pools through RDS Proxy, and only the proxy reaches the instance.
                stack === "prod" ? "postgres-proxy.proxy.rds.mock" : "postgres.supernova-local.svc.cluster.local",
            );
            // No other Kubernetes object and no Secrets Manager value carries the master password.
            const holders = graph.resources
                .filter((r) => JSON.stringify(r.inputs).includes(MASTER_PASSWORD))
                .map((r) => r.name)
                .sort();
            const expected =
                stack === "prod"
                    ? ["postgres-bootstrap-credentials", "postgres-instance", "postgres-proxy-master-auth"]
                    : ["postgres-bootstrap-credentials", "postgres-credentials"];
            assert.deepEqual(holders, expected);
        });
    }

    it("creates the role without superuser rights, owning its schema, with public closed", async () => {
        const { graph } = await recordStack("prod");
        const sql: string = graph.one("kubernetes:core/v1:ConfigMap", "postgres-bootstrap-sql").inputs.data["app-role.sql"];
        assert.match(sql, /ALTER ROLE :"app_role" WITH LOGIN NOCREATEDB NOCREATEROLE INHERIT PASSWORD/);
        assert.match(sql, /RAISE EXCEPTION .* AND \(rolsuper OR rolreplication OR rolbypassrls\)/, "refuses a superuser role");
        assert.match(sql, /CREATE SCHEMA %I AUTHORIZATION %I/);
        assert.match(sql, /REVOKE ALL ON DATABASE :"dbname" FROM PUBLIC/);
        assert.match(sql, /REVOKE CREATE ON SCHEMA public FROM PUBLIC/);
        assert.doesNotMatch(sql, /SUPERUSER;|rds_superuser/, "never grants superuser rights");
        const egress = graph.one("kubernetes:networking.k8s.io/v1:NetworkPolicy", "postgres-bootstrap-egress").inputs.spec;
        // Only the database's subnets, on 5432: not any address.
        const privateCidrs = graph
            .ofType("aws:ec2/subnet:Subnet")
            .filter((s) => s.name.includes("-private-"))
            .map((s) => s.inputs.cidrBlock);
        assert.ok(privateCidrs.length >= 2);
        assert.deepEqual(egress.egress, [
            { to: privateCidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: [{ protocol: "TCP", port: 5432 }] },
        ]);
    });

    it("RDS Proxy authenticates the app's role, from a secret under <project>/<env>/", async () => {
        const { graph } = await recordStack("prod");
        const auth = graph.one("aws:secretsmanager/secret:Secret", "postgres-proxy-auth");
        assert.equal(auth.inputs.name, "supernova/prod/postgres-proxy-auth");
        const version = graph.one("aws:secretsmanager/secretVersion:SecretVersion", "postgres-proxy-auth");
        assert.ok(isSecretValue(version.rawInputs["secretString"]));
        assert.deepEqual(JSON.parse(version.inputs.secretString), { username: "api", password: APP_PASSWORD });
        const proxy = graph.one("aws:rds/proxy:Proxy").inputs;
        const master = graph.one("aws:secretsmanager/secret:Secret", "postgres-proxy-master-auth");
        assert.equal(master.inputs.name, "supernova/prod/postgres-master-auth");
        const arn = (name: string) => `arn:aws:mock:eu-west-1:000000000000:Secret/${name}`;
        assert.deepEqual(
            proxy.auths.map((a: { secretArn: string }) => a.secretArn),
            [arn("postgres-proxy-auth"), arn("postgres-proxy-master-auth")],
        );
        const policy = JSON.parse(graph.one("aws:iam/rolePolicy:RolePolicy", "postgres-proxy-read-auth").inputs.policy);
        assert.deepEqual(policy.Statement[0].Resource, [arn("postgres-proxy-auth"), arn("postgres-proxy-master-auth")]);
        // With pooling only the proxy reaches the instance: the role bootstrap connects through it, not to the instance.
        const bootstrap = graph.one("kubernetes:core/v1:Secret", "postgres-bootstrap-credentials").inputs.stringData;
        assert.equal(bootstrap.PGHOST, "postgres-proxy.proxy.rds.mock");
    });
});
