import type * as pulumi from "@pulumi/pulumi";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { deploymentDrift, driftReport, JsonPatchOp, KubeObject, resetPatch } from "../drift/deployment-drift";
import { Graph } from "./harness/graph";
import { renderChart } from "./harness/helm";
import { resolveAll } from "./harness/outputs";
import { recordStack, runStack } from "./harness/run-stack";
import type { Sections } from "./harness/stack-file";

/** Day two (issue 25, items 4-7): upgrades, data changes on purpose, restore, teardown. Runbooks: docs/runbooks/. */

const section = (s: Sections, ...path: string[]) => path.reduce((at, key) => at[key] as Record<string, any>, s as Record<string, any>);
const merge =
    (value: Record<string, unknown>, ...path: string[]) =>
    (s: Sections) =>
        Object.assign(section(s, ...path), value);
const INSTANCE = "aws:rds/instance:Instance";
const CACHE = "aws:elasticache/replicationGroup:ReplicationGroup";
const databaseUrl = async (graph: Graph) =>
    (await resolveAll(graph.outputs["dataEnv"] as Record<string, pulumi.Output<string>>))["DATABASE_URL"]?.value ?? "";

async function configError(stack: string, edit: (s: Sections) => void): Promise<string> {
    const { error } = await runStack(stack, { edit });
    assert.ok(error instanceof Error, "expected a config error");
    return error.message;
}

describe("upgrades: the nodes follow the control plane (item 4)", () => {
    it("a control-plane upgrade moves the node group too, in place and never forced past a PDB", async () => {
        const before = await recordStack("prod", { edit: merge({ kubernetesVersion: "1.34" }, "cluster") });
        const after = await recordStack("prod");
        for (const [graph, version] of [
            [before.graph, "1.34"],
            [after.graph, "1.35"],
        ] as const) {
            assert.equal(graph.one("aws:eks/cluster:Cluster").inputs.version, version);
            const nodes = graph.one("aws:eks/nodeGroup:NodeGroup");
            assert.equal(nodes.inputs.version, version, "the nodes' version follows the control plane");
            assert.equal(nodes.inputs.forceUpdateVersion, false, "EKS drains honouring PodDisruptionBudgets");
            assert.equal(nodes.urn, before.graph.one("aws:eks/nodeGroup:NodeGroup").urn, "same node group, updated in place");
        }
    });

    it("the nodes may stay behind the control plane (upgrade order) and pin their AMI release", async () => {
        const { graph } = await recordStack("prod", {
            edit: (s) => {
                merge({ kubernetesVersion: "1.34", amiReleaseVersion: "1.34.2-20251120" }, "cluster", "nodeGroup")(s);
            },
        });
        const nodes = graph.one("aws:eks/nodeGroup:NodeGroup").inputs;
        assert.equal(nodes.version, "1.34");
        assert.equal(nodes.releaseVersion, "1.34.2-20251120");
    });

    it("the instance type is the launch template's: a change is a rolling update, not a replaced node group", async () => {
        const { graph } = await recordStack("prod", { edit: merge({ instanceType: "c7i.xlarge" }, "cluster", "nodeGroup") });
        assert.equal(graph.one("aws:ec2/launchTemplate:LaunchTemplate").inputs.instanceType, "c7i.xlarge");
        assert.equal(graph.one("aws:eks/nodeGroup:NodeGroup").inputs.instanceTypes, undefined, "instanceTypes replaces the group");
    });

    it("refuses nodes newer than the control plane, too far behind, or an AMI of another version", async () => {
        assert.match(
            await configError("prod", merge({ kubernetesVersion: "1.36" }, "cluster", "nodeGroup")),
            /cluster\.nodeGroup\.kubernetesVersion: expected the control plane's version 1\.35 or up to 3 minors older/,
        );
        assert.match(
            await configError("prod", merge({ kubernetesVersion: "1.29" }, "cluster", "nodeGroup")),
            /cluster\.nodeGroup\.kubernetesVersion: expected the control plane's version/,
        );
        assert.match(
            await configError("prod", merge({ amiReleaseVersion: "1.32.9-20251120" }, "cluster", "nodeGroup")),
            /cluster\.nodeGroup\.amiReleaseVersion: expected an AMI release of the nodes' Kubernetes version 1\.35/,
        );
    });
});

describe("data changes on purpose (item 5)", () => {
    it("apply-immediately per stack, maintenance windows from config outside seed 001's deploy windows", async () => {
        const expected = { dev: true, staging: true, prod: false };
        for (const [stack, now] of Object.entries(expected)) {
            const { graph } = await recordStack(stack);
            const db = graph.one(INSTANCE).inputs;
            const cache = graph.one(CACHE).inputs;
            assert.equal(db.applyImmediately, now, `${stack} database`);
            assert.equal(cache.applyImmediately, now, `${stack} cache`);
            assert.equal(db.maintenanceWindow, "tue:04:30-tue:05:30");
            assert.equal(cache.maintenanceWindow, "tue:05:30-tue:06:30");
            assert.equal(cache.snapshotWindow, "02:00-03:00");
        }
        const { graph } = await recordStack("prod", {
            edit: (s) => {
                merge({ maintenanceWindow: "mon:04:00-mon:05:00", applyImmediately: true }, "database")(s);
                merge({ maintenanceWindow: "mon:05:00-mon:06:00" }, "redis")(s);
            },
        });
        assert.equal(graph.one(INSTANCE).inputs.maintenanceWindow, "mon:04:00-mon:05:00");
        assert.equal(graph.one(INSTANCE).inputs.applyImmediately, true);
        assert.equal(graph.one(CACHE).inputs.maintenanceWindow, "mon:05:00-mon:06:00");
    });

    it("refuses a maintenance window in a deployment window, too short, or overlapping the snapshot window", async () => {
        assert.match(
            await configError("prod", merge({ maintenanceWindow: "wed:11:00-wed:12:00" }, "database")),
            /database\.maintenanceWindow: expected a window outside seed 001's deployment windows/,
        );
        assert.match(
            await configError("prod", merge({ maintenanceWindow: "mon:05:00-mon:05:20" }, "database")),
            /database\.maintenanceWindow: expected a window of at least 30 minutes/,
        );
        assert.match(
            await configError("prod", merge({ maintenanceWindow: "thu:13:30-thu:14:30" }, "redis")),
            /redis\.maintenanceWindow: expected a window outside seed 001's deployment windows/,
        );
        assert.match(
            await configError("prod", merge({ snapshotWindow: "05:00-06:00" }, "redis")),
            /redis\.snapshotWindow: expected a window outside the maintenance window tue:05:30-tue:06:30/,
        );
    });

    it("a major upgrade: allowed on purpose, a new parameter family (Pulumi creates the new group before it deletes the old)", async () => {
        const { graph: today } = await recordStack("prod");
        assert.equal(today.one(INSTANCE).inputs.allowMajorVersionUpgrade, false, "a major change is refused unless allowed");
        const { graph } = await recordStack("prod", { edit: merge({ engineVersion: "17", allowMajorVersionUpgrade: true }, "database") });
        const db = graph.one(INSTANCE);
        assert.equal(db.inputs.engineVersion, "17");
        assert.equal(db.inputs.allowMajorVersionUpgrade, true);
        const params = graph.one("aws:rds/parameterGroup:ParameterGroup");
        assert.equal(params.inputs.family, "postgres17");
        assert.equal(params.urn, today.one("aws:rds/parameterGroup:ParameterGroup").urn);
        assert.equal(params.inputs.name, undefined, "auto-named: the replacement is created beside the old group");
        assert.equal(params.deleteBeforeReplace, false);
    });

    it("a pinned minor cannot fight automatic minor upgrades", async () => {
        assert.match(
            await configError("prod", merge({ engineVersion: "16.4" }, "database")),
            /database\.engineVersion: expected a major version only \(e\.g\. 16\) while autoMinorVersionUpgrade is true/,
        );
        const { graph } = await recordStack("prod", { edit: merge({ engineVersion: "16.4", autoMinorVersionUpgrade: false }, "database") });
        assert.equal(graph.one(INSTANCE).inputs.engineVersion, "16.4");
        assert.equal(graph.one(INSTANCE).inputs.autoMinorVersionUpgrade, false);
    });

    it("refuses a storage ceiling below the allocated storage", async () => {
        assert.match(
            await configError("prod", merge({ maxAllocatedStorageGiB: 50 }, "database")),
            /database\.maxAllocatedStorageGiB: expected at least 110/,
        );
    });
});

describe("restore as config (item 6)", () => {
    const snapshot = { from: "snapshot", snapshotIdentifier: "supernova-prod-2026-11-22", suffix: "r1" };

    it("step 1: a new instance beside the current one, same subnets, groups, parameters and key; the app stays", async () => {
        const { graph: today } = await recordStack("prod");
        const { graph } = await recordStack("prod", { edit: merge({ restore: snapshot }, "database") });
        const current = graph.one(INSTANCE, "postgres-instance");
        assert.deepEqual(current.inputs, today.one(INSTANCE).inputs, "the current instance is untouched");
        assert.equal(current.protect, true);
        const restored = graph.one(INSTANCE, "postgres-restore-r1");
        assert.equal(restored.inputs.identifier, "supernova-prod-postgres-r1");
        assert.equal(restored.inputs.snapshotIdentifier, "supernova-prod-2026-11-22");
        for (const key of [
            "dbSubnetGroupName",
            "vpcSecurityGroupIds",
            "parameterGroupName",
            "kmsKeyId",
            "storageEncrypted",
            "instanceClass",
            "multiAz",
            "backupRetentionPeriod",
            "deletionProtection",
            "publiclyAccessible",
        ]) {
            assert.deepEqual(restored.inputs[key], current.inputs[key], key);
        }
        assert.equal(restored.inputs.username, undefined, "the master user comes from the snapshot");
        assert.equal(restored.inputs.dbName, undefined);
        assert.notEqual(restored.inputs.finalSnapshotIdentifier, current.inputs.finalSnapshotIdentifier);
        assert.equal(restored.protect, true);
        const target = graph.one("aws:rds/proxyTarget:ProxyTarget").inputs;
        assert.equal(target.dbInstanceIdentifier, "supernova-prod-postgres", "the proxy still serves the current instance");
        assert.equal(await databaseUrl(graph), await databaseUrl(today));
    });

    it("step 2: serve switches the proxy target (pooling) or DATABASE_URL (no pooling) to the restored instance", async () => {
        const { graph } = await recordStack("prod", { edit: merge({ restore: { ...snapshot, serve: true } }, "database") });
        const target = graph.one("aws:rds/proxyTarget:ProxyTarget");
        assert.equal(target.inputs.dbInstanceIdentifier, "supernova-prod-postgres-r1");
        assert.equal(target.deleteBeforeReplace, true, "the proxy's target group holds one instance: the old target goes first");
        assert.equal(graph.ofType(INSTANCE).length, 2, "the old instance stays until retired on purpose");
        const alarm = graph.one("aws:cloudwatch/metricAlarm:MetricAlarm", "postgres-alarm-cpu").inputs;
        assert.equal(alarm.dimensions.DBInstanceIdentifier, "supernova-prod-postgres-r1", "alarms follow the served instance");

        const { graph: staging } = await recordStack("staging", {
            edit: merge(
                { restore: { from: "point-in-time", restoreTime: "2026-11-23T09:00:00Z", suffix: "pitr", serve: true } },
                "database",
            ),
        });
        const restored = staging.one(INSTANCE, "postgres-restore-pitr").inputs;
        assert.deepEqual(restored.restoreToPointInTime, {
            sourceDbInstanceIdentifier: "supernova-staging-postgres",
            restoreTime: "2026-11-23T09:00:00Z",
        });
        assert.match(await databaseUrl(staging), /@postgres-restore-pitr\.rds\.mock:5432\//);
    });

    it("point in time defaults to the latest restorable time; a suffix must make a valid identifier", async () => {
        const { graph } = await recordStack("prod", { edit: merge({ restore: { from: "point-in-time", suffix: "latest" } }, "database") });
        assert.deepEqual(graph.one(INSTANCE, "postgres-restore-latest").inputs.restoreToPointInTime, {
            sourceDbInstanceIdentifier: "supernova-prod-postgres",
            useLatestRestorableTime: true,
        });
        assert.match(
            await configError("prod", merge({ restore: { ...snapshot, suffix: "a".repeat(50) } }, "database")),
            /database\.restore\.suffix: expected a suffix that makes a valid RDS identifier of at most 63 characters/,
        );
    });
});

describe("safe teardown (item 7)", () => {
    const KEYS = ["postgres-key", "redis-key"];

    it("dev can be destroyed: nothing protected, a final snapshot of database and cache, keys kept, secret names free at once", async () => {
        const { graph } = await recordStack("dev");
        assert.deepEqual(
            graph.resources.filter((r) => r.protect).map((r) => r.urn),
            [],
            "`pulumi destroy` stops at a protected resource",
        );
        const db = graph.one(INSTANCE).inputs;
        assert.equal(db.skipFinalSnapshot, false);
        assert.equal(db.finalSnapshotIdentifier, "supernova-dev-postgres-final-5eed0001");
        assert.equal(graph.one(CACHE).inputs.finalSnapshotIdentifier, "supernova-dev-redis-final-5eed0001");
        for (const key of KEYS) {
            assert.equal(graph.one("aws:kms/key:Key", key).retainOnDelete, true, `${key} outlives the stack: its snapshots stay readable`);
        }
        const secrets = graph.ofType("aws:secretsmanager/secret:Secret");
        assert.ok(secrets.length > 0);
        for (const secret of secrets)
            assert.equal(secret.inputs.recoveryWindowInDays, 0, `${secret.inputs.name} can be re-created at once`);
    });

    it("prod and staging: keys and data protected and retained; secrets keep a recovery window", async () => {
        for (const stack of ["staging", "prod"]) {
            const { graph } = await recordStack(stack);
            for (const key of KEYS) {
                const resource = graph.one("aws:kms/key:Key", key);
                assert.equal(resource.protect, true, `${stack} ${key} protected`);
                assert.equal(resource.retainOnDelete, true, `${stack} ${key} retained`);
            }
            assert.equal(graph.one("aws:kms/key:Key", "app-secrets-key").protect, true);
            assert.equal(graph.one(INSTANCE).protect, true);
            assert.equal(graph.one(CACHE).protect, true);
            assert.match(graph.one(CACHE).inputs.finalSnapshotIdentifier, new RegExp(`^supernova-${stack}-redis-final-[0-9a-f]{8}$`));
            for (const secret of graph.ofType("aws:secretsmanager/secret:Secret")) assert.equal(secret.inputs.recoveryWindowInDays, 7);
        }
    });

    it("final snapshot names are unique per stack lifetime (a random id kept in state), not fixed", async () => {
        const { graph } = await recordStack("prod");
        const suffix = graph.one("random:index/randomId:RandomId", "postgres-final-snapshot-id");
        assert.equal(suffix.inputs.byteLength, 4);
        assert.notEqual(graph.one(INSTANCE).inputs.finalSnapshotIdentifier, "supernova-prod-postgres-final");
    });
});

describe("drift from emergency changes (item 9)", () => {
    /** What `kubectl set env deployment/<name> NAME=value` does to a Deployment: updates the entry of that name, or appends one. */
    function kubectlSetEnv(deployment: KubeObject, name: string, value: string): KubeObject {
        const copy = structuredClone(deployment);
        for (const container of copy.spec.template.spec.containers as { env?: { name: string; value?: string }[] }[]) {
            container.env ??= [];
            const entry = container.env.find((e) => e.name === name);
            if (entry) entry.value = value;
            else container.env.push({ name, value });
        }
        return copy;
    }
    /** Applies `replace`/`add`/`remove` ops of a JSON patch (RFC 6902) as the API server does. */
    function applyPatch(object: KubeObject, ops: JsonPatchOp[]): KubeObject {
        const copy = structuredClone(object) as Record<string, any>;
        for (const op of ops) {
            const keys = op.path.split("/").slice(1);
            const last = keys.pop()!;
            const parent = keys.reduce((at, key) => at[key], copy);
            if (op.op === "remove") delete parent[last];
            else parent[last] = op.value;
        }
        return copy as KubeObject;
    }

    it("seed 001's `kubectl set env DEV_AUTH_OPEN=true` is reported, and the reset patch puts the chart's back", async () => {
        const { graph } = await recordStack("prod");
        const values = graph.one("kubernetes:helm.sh/v3:Release", "supernova-server-release").inputs.values;
        const applied = renderChart(values, "supernova-server", "supernova") as KubeObject[];
        const deployment = applied.find((o) => o.kind === "Deployment" && o.metadata.name === "supernova-server")!;
        assert.deepEqual(deploymentDrift(applied, [deployment]), [], "no drift right after a deploy");

        const bypassed = kubectlSetEnv(deployment, "DEV_AUTH_OPEN", "true");
        const drift = deploymentDrift(applied, [bypassed]);
        assert.deepEqual(
            drift.map((d) => [d.deployment, d.field, d.live]),
            [["supernova-server", "env.DEV_AUTH_OPEN", "true"]],
        );
        assert.match(
            driftReport(drift),
            /deployment\/supernova-server container app env\.DEV_AUTH_OPEN: live "true", chart \(not set by the chart\)/,
        );

        const reset = applyPatch(bypassed, resetPatch(deployment, bypassed));
        assert.deepEqual(deploymentDrift(applied, [reset]), [], "overwritten on purpose");
        assert.equal(driftReport([]), "no drift: the live Deployments match what Helm applied");
    });

    it("an image changed by hand and a pod annotation are drift; kubectl rollout restart is not", async () => {
        const deployment: KubeObject = {
            kind: "Deployment",
            metadata: { name: "api" },
            spec: { template: { metadata: { annotations: { checksum: "a" } }, spec: { containers: [{ name: "api", image: "api:1" }] } } },
        };
        const live = structuredClone(deployment);
        live.spec.template.spec.containers[0].image = "api:hotfix";
        live.spec.template.metadata.annotations["kubectl.kubernetes.io/restartedAt"] = "2026-11-23T10:00:00Z";
        live.spec.template.metadata.annotations["debug"] = "on";
        assert.deepEqual(
            deploymentDrift([deployment], [live]).map((d) => d.field),
            ["image", "annotation.debug"],
        );
    });
});
