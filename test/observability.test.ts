import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { alertRules } from "../components/monitoring/alert-rules";
import { servicePanels } from "../components/monitoring/dashboards";
import { ALL_METRICS, APP_METRICS } from "../components/monitoring/metrics";
import { preDeploySnapshotId } from "../components/operations/backups";
import { BACKUP_SCRIPTS, BACKUP_SCRIPTS_DIR } from "../components/operations/postgres-dump";
import { ALERT_THRESHOLD_DEFAULTS } from "../config/observability";
import { Graph, plaintextPaths } from "./harness/graph";
import { restrictedViolations } from "./harness/pod-security";
import { recordStack, runStack } from "./harness/run-stack";
import { SECRET_PLACEHOLDER_PREFIX, secure, Sections } from "./harness/stack-file";

const RULE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule";
/** One evaluation per stack for the assertions that read a committed stack as is (each costs seconds). */
const recorded = new Map<string, ReturnType<typeof recordStack>>();
const record = (stack: string) => recorded.get(stack) ?? recorded.set(stack, recordStack(stack)).get(stack)!;
const RUNBOOK_ALERTS = [
    "PodCrashLooping",
    "MigrationJobSlow",
    "MigrationJobFailed",
    "HighErrorRate",
    "CriticalErrorRate",
    "HighLatencyP95",
    "RateLimitedRequests",
    "MemoryNearLimit",
    "DatabaseConnectionFailures",
    "HpaAtMaxReplicas",
];

/** Metric names a PromQL expression reads: identifiers that are not functions, keywords, labels or durations. */
export function metricsOf(expr: string): string[] {
    const stripped = expr
        .replace(/"(?:[^"\\]|\\.)*"/g, '""')
        .replace(/\{[^}]*\}/g, "")
        .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, "")
        .replace(/\[[^\]]*\]/g, "");
    const names = [...stripped.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/g)].filter((m) => m[2] === undefined).map((m) => m[1]!);
    const keywords = new Set(["and", "or", "unless", "bool", "offset", "inf", "nan", "e"]);
    return [...new Set(names.filter((n) => !keywords.has(n.toLowerCase())))];
}

function dashboards(graph: Graph) {
    return graph
        .ofType("kubernetes:core/v1:ConfigMap")
        .filter((m) => m.inputs.metadata?.labels?.grafana_dashboard === "1")
        .map((m) => JSON.parse(Object.values(m.inputs.data as Record<string, string>)[0]!) as { title: string; panels: any[] });
}

describe("monitoring: alerts, monitors, routes, dashboards", () => {
    it("prod: each service has a ServiceMonitor on /metrics and a PrometheusRule with the runbook's alerts and thresholds", async () => {
        const { graph } = await record("prod");
        const monitor = graph.one("kubernetes:monitoring.coreos.com/v1:ServiceMonitor");
        assert.deepEqual(monitor.inputs.spec.selector.matchLabels, {
            "app.kubernetes.io/name": "supernova-server",
            "app.kubernetes.io/instance": "supernova-server",
        });
        assert.equal(monitor.inputs.spec.endpoints[0].port, "http");
        assert.equal(monitor.inputs.spec.endpoints[0].path, "/metrics");
        const rules = graph.one(RULE).inputs.spec.groups[0].rules as { alert: string; expr: string; labels: { severity: string } }[];
        assert.deepEqual(
            rules.map((r) => r.alert),
            RUNBOOK_ALERTS,
        );
        const expr = (alert: string) => rules.find((r) => r.alert === alert)!.expr;
        assert.match(expr("PodCrashLooping"), /\[5m\]\)\) >= 3$/);
        assert.match(expr("MigrationJobSlow"), /> 120 and/);
        assert.match(expr("HighErrorRate"), /> 0\.01$/);
        assert.match(expr("CriticalErrorRate"), /> 0\.05$/);
        assert.match(expr("HighLatencyP95"), /histogram_quantile\(0\.95, .*\) > 2$/);
        assert.match(expr("RateLimitedRequests"), /status=~"429".* > 0\.1$/);
        assert.match(expr("MemoryNearLimit"), /> 0\.85$/);
        assert.equal(rules.find((r) => r.alert === "CriticalErrorRate")!.labels.severity, "critical");
        assert.equal(rules.find((r) => r.alert === "HighErrorRate")!.labels.severity, "warning");
    });

    it("the operator objects pass the prometheus-operator schemas (@kubernetes-models/prometheus-operator)", async () => {
        for (const stack of ["prod", "local"]) {
            const { graph } = await recordStack(stack);
            const objects = graph.resources.filter((r) => r.type.startsWith("kubernetes:monitoring.coreos.com/v1:"));
            assert.ok(objects.length >= 2, stack);
            for (const object of objects) {
                const kind = object.inputs.kind as string;
                const models = (await import(`@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/${kind}`)) as Record<
                    string,
                    new (d: unknown) => { validate(): void }
                >;
                new models[kind]!(object.inputs).validate();
            }
        }
        const models = await import("@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule");
        const Rule = models.PrometheusRule as unknown as new (d: unknown) => { validate(): void };
        assert.throws(() => new Rule({ metadata: { name: "x" }, spec: { groups: [{ name: "g", rules: [{ alert: "A" }] }] } }).validate());
    });

    it("alert routes: prod pages critical alerts (PagerDuty) and posts warnings (Slack), keys stay secret; dev routes nowhere", async () => {
        const { graph } = await record("prod");
        const secret = graph.ofType("kubernetes:core/v1:Secret").find((s) => s.inputs.metadata.name === "alertmanager-routes")!;
        assert.equal(secret.inputs.metadata.namespace, "monitoring");
        assert.deepEqual(plaintextPaths(secret.rawInputs, SECRET_PLACEHOLDER_PREFIX), [], "the provided keys stay secret");
        const config = parse(secret.inputs.stringData["alertmanager.yaml"]);
        const route = (severity: string) => config.route.routes.find((r: any) => r.matchers.includes(`severity="${severity}"`)).receiver;
        assert.equal(route("critical"), "pagerduty");
        assert.equal(route("warning"), "slack");
        assert.ok(config.receivers.find((r: any) => r.name === "pagerduty").pagerduty_configs[0].routing_key);
        assert.equal(config.receivers.find((r: any) => r.name === "slack").slack_configs[0].channel, "#supernova-ops");

        const dev = await record("dev");
        const devConfig = parse(
            dev.graph.ofType("kubernetes:core/v1:Secret").find((s) => s.inputs.metadata.name === "alertmanager-routes")!.inputs.stringData[
                "alertmanager.yaml"
            ],
        );
        assert.deepEqual(devConfig.receivers, [{ name: "null" }]);
        const release = dev.graph.ofType("kubernetes:helm.sh/v3:Release").find((r) => r.inputs.chart === "kube-prometheus-stack")!;
        assert.equal(release.inputs.version, "91.5.0");
        assert.equal(release.inputs.values.alertmanager.alertmanagerSpec.configSecret, "alertmanager-routes");
    });

    it("config: prod must route, a route needs its key, and prod keeps logs 30 days", async () => {
        const noRoutes = await runStack("prod", {
            edit: (s: Sections) => void ((s["monitoring"] as any).routes = { critical: "none", warning: "slack" }),
        });
        assert.match(String(noRoutes.error), /monitoring\.routes\.critical: expected "pagerduty" in production/);
        const noKey = await runStack("staging", { edit: (s: Sections) => void delete (s["monitoring"] as any).slackWebhookUrl });
        assert.match(
            String(noKey.error),
            /monitoring\.routes\.critical: expected a route whose key is set: "slack" needs monitoring\.slackWebhookUrl/,
        );
        const shortLogs = await runStack("prod", { edit: (s: Sections) => void ((s["logs"] as any).retentionDays = "14") });
        assert.match(String(shortLogs.error), /logs\.retentionDays: expected at least 30 days in production/);
        const withKey = await runStack("dev", {
            edit: (s: Sections) => void (s["monitoring"] = { routes: { critical: "slack" }, slackWebhookUrl: secure() }),
        });
        assert.equal(withKey.error, undefined);
    });

    it("dashboards: one per service, as a sidecar ConfigMap; every panel reads metrics the alerts use or the app exposes", async () => {
        const { graph } = await record("prod");
        const [dashboard, ...others] = dashboards(graph);
        assert.equal(others.length, 0);
        assert.equal(dashboard!.title, "supernova-server (prod)");
        const alertMetrics = new Set((graph.one(RULE).inputs.spec.groups[0].rules as { expr: string }[]).flatMap((r) => metricsOf(r.expr)));
        const allowed = new Set([...alertMetrics, ...Object.values(APP_METRICS)]);
        for (const panel of dashboard!.panels) {
            for (const target of panel.targets) {
                const used = metricsOf(target.expr);
                assert.ok(used.length > 0, `${panel.title}: ${target.expr}`);
                assert.deepEqual(
                    used.filter((m) => !allowed.has(m) && !ALL_METRICS.has(m)),
                    [],
                    `${panel.title}: ${target.expr}`,
                );
            }
        }
        assert.deepEqual(
            [...alertMetrics].filter((m) => !ALL_METRICS.has(m)),
            [],
            "alerts read only metrics named in metrics.ts",
        );
        assert.deepEqual(metricsOf('sum by (le) (rate(foo_bucket{job="x"}[5m])) / on (a) bar > 2 and baz'), ["foo_bucket", "bar", "baz"]);
        // A panel over a metric nobody exposes is caught.
        const stray = servicePanels("ns", "svc", false).map((p) => ({
            ...p,
            targets: [{ expr: "rate(nobody_exposes_this[5m])", legendFormat: "" }],
        }));
        assert.ok(stray.flatMap((p) => p.targets.flatMap((t) => metricsOf(t.expr))).some((m) => !ALL_METRICS.has(m)));
    });

    it("thresholds come from config: a stricter latency threshold changes the rule", () => {
        const rules = alertRules(
            { service: "s", namespace: "n", autoscales: false },
            { ...ALERT_THRESHOLD_DEFAULTS, latencyP95Seconds: 1 },
        );
        assert.match(rules.find((r) => r.alert === "HighLatencyP95")!.expr, / > 1$/);
        assert.equal(
            rules.some((r) => r.alert === "HpaAtMaxReplicas"),
            false,
            "no HPA alert without an autoscaler",
        );
    });

    it("Prometheus may scrape the app's port; the scrape policy admits nothing else", async () => {
        const { graph } = await record("prod");
        const policy = graph
            .ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy")
            .find((p) => p.inputs.metadata.name === "supernova-server-metrics-scrape")!;
        assert.deepEqual(policy.inputs.spec.ingress, [
            {
                from: [
                    {
                        namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } },
                        podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } },
                    },
                ],
                ports: [{ protocol: "TCP", port: 3001 }],
            },
        ]);
    });
});

describe("logs and backups", () => {
    it("prod: control-plane logs kept 90 days in a group created before the cluster; app logs through Container Insights", async () => {
        const { graph } = await record("prod");
        const groups = graph.ofType("aws:cloudwatch/logGroup:LogGroup");
        const controlPlane = groups.find((g) => g.inputs.name === "/aws/eks/supernova-prod/cluster")!;
        assert.equal(controlPlane.inputs.retentionInDays, 90);
        assert.ok(
            graph.one("aws:eks/cluster:Cluster").dependsOn.includes(controlPlane.urn),
            "EKS would create the group without retention",
        );
        for (const kind of ["application", "dataplane", "host"]) {
            assert.equal(groups.find((g) => g.inputs.name === `/aws/containerinsights/supernova-prod/${kind}`)!.inputs.retentionInDays, 90);
        }
        assert.equal(
            graph.ofType("aws:eks/addon:Addon").find((a) => a.inputs.addonName === "amazon-cloudwatch-observability")!.inputs.clusterName,
            "supernova-prod",
        );
        const dev = await record("dev");
        assert.equal(
            dev.graph.ofType("aws:cloudwatch/logGroup:LogGroup").find((g) => g.inputs.name === "/aws/eks/supernova-dev/cluster")!.inputs
                .retentionInDays,
            7,
        );
    });

    it("prod: EKS node and ElastiCache alarms sized from the stack's instance types notify the alerts topic", async () => {
        const { graph } = await record("prod");
        const alarms = graph.ofType("aws:cloudwatch/metricAlarm:MetricAlarm");
        const memory = alarms.find((a) => a.inputs.metricName === "node_memory_working_set")!;
        assert.equal(memory.inputs.threshold, Math.round(8 * 1024 ** 3 * 0.85), "85% of c6i.xlarge's 8 GiB");
        assert.deepEqual(memory.inputs.dimensions, { ClusterName: "supernova-prod" });
        assert.ok(alarms.some((a) => a.inputs.metricName === "cluster_failed_node_count"));
        const cache = alarms.filter((a) => a.inputs.namespace === "AWS/ElastiCache");
        assert.deepEqual(
            [...new Set(cache.map((a) => a.inputs.dimensions.CacheClusterId))],
            ["supernova-prod-redis-001", "supernova-prod-redis-002", "supernova-prod-redis-003"],
        );
        assert.equal(cache.length, 9);
        for (const alarm of [memory, ...cache]) assert.match(alarm.inputs.alarmActions[0], /alerts/);
    });

    it("prod: AWS Backup plan (daily 30 days, weekly 90) into an encrypted vault, selecting the RDS instance", async () => {
        const { graph } = await record("prod");
        const plan = graph.one("aws:backup/plan:Plan");
        assert.deepEqual(
            plan.inputs.rules.map((r: any) => [r.ruleName, r.lifecycle.deleteAfter]),
            [
                ["daily", 30],
                ["weekly", 90],
            ],
        );
        const vault = graph.one("aws:backup/vault:Vault");
        assert.match(vault.inputs.kmsKeyArn, /vault-key/);
        assert.equal(vault.protect, true);
        assert.deepEqual(graph.one("aws:backup/selection:Selection").inputs.resources, [
            graph.one("aws:rds/instance:Instance").rawOutputs["arn"],
        ]);
        assert.equal((await record("dev")).graph.ofType("aws:backup/plan:Plan").length, 0);
    });

    it("prod: a snapshot named after the release is taken before the release upgrades, and kept", async () => {
        const { graph } = await record("prod");
        const snapshot = graph.one("aws:rds/snapshot:Snapshot");
        assert.equal(snapshot.inputs.dbSnapshotIdentifier, "supernova-prod-postgres-pre-supernova-server-v1-2-3");
        assert.equal(snapshot.retainOnDelete, true);
        const release = graph.ofType("kubernetes:helm.sh/v3:Release").find((r) => r.inputs.name === "supernova-server")!;
        assert.ok(release.dependsOn.includes(snapshot.urn), "the release waits for the snapshot");
        const next = await recordStack("prod", {
            edit: (s: Sections) =>
                void Object.assign((s["services"] as any)[0].image, { tag: "v1.3.0", digest: `sha256:${"3".repeat(64)}` }),
        });
        assert.equal(
            next.graph.one("aws:rds/snapshot:Snapshot").inputs.dbSnapshotIdentifier,
            "supernova-prod-postgres-pre-supernova-server-v1-3-0",
        );
        assert.match(preDeploySnapshotId("db", { a: { tag: "x".repeat(300) } }), /^db-pre-a-x+-[0-9a-f]{16}$/);
    });

    it("local: a pg_dump CronJob under Pod Security restricted runs the very scripts the round-trip suite proves", async () => {
        const { graph } = await record("local");
        const cron = graph.one("kubernetes:batch/v1:CronJob");
        assert.equal(cron.inputs.spec.schedule, "15 2 * * *");
        assert.equal(cron.inputs.spec.concurrencyPolicy, "Forbid");
        const pod = cron.inputs.spec.jobTemplate.spec.template;
        assert.deepEqual(restrictedViolations(pod.spec), []);
        const env = Object.fromEntries(pod.spec.containers[0].env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
        assert.equal(env.BACKUP_KEEP, "3");
        assert.equal(env.PGDATABASE, "supernova_local");
        assert.equal(pod.metadata.labels["platform.supernova.dev/data-client"], "true", "the Postgres policy admits it");
        const scripts = graph.ofType("kubernetes:core/v1:ConfigMap").find((m) => m.inputs.metadata.name === "postgres-dump-scripts")!;
        for (const file of BACKUP_SCRIPTS)
            assert.equal(scripts.inputs.data[file], fs.readFileSync(path.join(BACKUP_SCRIPTS_DIR, file), "utf8"));
        assert.equal(graph.one("kubernetes:core/v1:PersistentVolumeClaim").retainOnDelete, true);
    });

    it("LOG_LEVEL comes from logs.level when a service sets none", async () => {
        const { graph } = await recordStack("dev", {
            edit: (s: Sections) => {
                delete (s["services"] as any)[0].env.LOG_LEVEL;
                (s["logs"] as any).level = "warn";
            },
        });
        const release = graph.ofType("kubernetes:helm.sh/v3:Release").find((r) => r.inputs.name === "supernova-server")!;
        assert.equal(JSON.stringify(release.inputs.values).includes('"LOG_LEVEL":"warn"'), true);
    });
});
