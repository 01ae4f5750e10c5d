import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { SECRET_LOOKING_ENV } from "../config/rules";
import * as fs from "fs";
import * as path from "path";
import { applyOrder, localCopyOf, missingNamespaces, stackObjects } from "./cluster/objects";
import { Graph } from "./harness/graph";
import { lintChart, Manifest, renderChart, validateManifest } from "./harness/helm";
import { restrictedViolations } from "./harness/pod-security";
import { recordStack } from "./harness/run-stack";
import { REPO_ROOT, Sections, StackName, STACKS } from "./harness/stack-file";

/** The chart values the program computed for a service, from the recorded Release (or Chart in render mode). */
function valuesOf(graph: Graph, service = "supernova-server"): Record<string, any> {
    const release = graph.resources.find(
        (r) => (r.type === "kubernetes:helm.sh/v3:Release" || r.type === "kubernetes:helm.sh/v4:Chart") && r.inputs.name === service,
    );
    assert.ok(release, `a release for ${service}`);
    return release.inputs.values;
}

const byKind = (manifests: Manifest[], kind: string) => manifests.filter((m) => m.kind === kind);
const one = (manifests: Manifest[], kind: string, name?: string) => {
    const found = byKind(manifests, kind).filter((m) => name === undefined || m.metadata.name === name);
    assert.equal(found.length, 1, `one ${kind}${name ? ` ${name}` : ""}, found ${found.length}`);
    return found[0]!;
};
const podSpecs = (manifests: Manifest[]) =>
    manifests
        .filter((m) => m.kind === "Deployment" || m.kind === "Job")
        .map((m) => ({ name: `${m.kind}/${m.metadata.name}`, pod: m.spec.template.spec }));

const NAMESPACES: Record<StackName, string> = {
    local: "supernova-local",
    dev: "supernova-dev",
    staging: "supernova-staging",
    prod: "supernova",
};

for (const stack of STACKS) {
    describe(`chart rendered with the ${stack} values`, () => {
        let graph: Graph;
        let values: Record<string, any>;
        let manifests: Manifest[];
        before(async () => {
            graph = (await recordStack(stack)).graph;
            values = valuesOf(graph);
            manifests = renderChart(values, "supernova-server", NAMESPACES[stack]);
        });

        it("splits the stack's Kubernetes resources for the cluster suite: objects, this chart's releases, third-party releases", () => {
            const objects = stackObjects(graph);
            const k8sResources = graph.resources.filter((r) => r.type.startsWith("kubernetes:"));
            assert.equal(
                objects.manifests.length + objects.charts.length + objects.thirdParty.length + objects.remoteFiles.length,
                k8sResources.length,
            );
            assert.deepEqual(
                objects.charts.map((c) => [c.name, c.namespace]),
                [["supernova-server", NAMESPACES[stack]]],
            );
            assert.deepEqual(objects.charts[0]!.values, values);
            assert.equal(applyOrder(objects.manifests)[0]!.kind, "Namespace");
            assert.ok(objects.manifests.every((m) => typeof m.metadata.name === "string" && m.apiVersion && m.kind));
            // Every namespace a release installs into is declared by the program (or is kube-system).
            assert.deepEqual(missingNamespaces(objects), []);
            const gatewayApi = /^GATEWAY_API_VERSION=(\S+)$/m.exec(
                fs.readFileSync(path.join(REPO_ROOT, "scripts", "install-tools.sh"), "utf8"),
            )?.[1];
            const copies = objects.remoteFiles.map((f) => localCopyOf(f.file, { gatewayApi }) ?? "none");
            assert.deepEqual(
                copies,
                stack === "local" ? [] : ["gateway-api", "none"],
                "the Gateway API CRDs the suite installs are the ones the program applies",
            );
        });

        it("passes helm lint --strict", () => {
            assert.match(lintChart(values), /1 chart\(s\) linted, 0 chart\(s\) failed/);
        });

        it("validates every object against the Kubernetes OpenAPI schemas", async () => {
            assert.ok(manifests.length >= 6);
            // The load balancer controller publishes no schema package for its CRDs; traffic.test.ts checks that object's fields.
            for (const manifest of manifests.filter((m) => m.apiVersion !== "gateway.k8s.aws/v1beta1")) await validateManifest(manifest);
        });

        it("runs only pods that pass Pod Security restricted", () => {
            for (const { name, pod } of podSpecs(manifests)) assert.deepEqual(restrictedViolations(pod), [], name);
        });

        it("hooks: migrations then seeds, with the runbook's annotations and timings", () => {
            const migrate = one(manifests, "Job", "supernova-server-migrate-1");
            assert.deepEqual(migrate.metadata.annotations, {
                "helm.sh/hook": "post-install,post-upgrade",
                "helm.sh/hook-weight": "10",
                "helm.sh/hook-delete-policy": "before-hook-creation",
            });
            assert.equal(migrate.spec.backoffLimit, 0);
            assert.equal(migrate.spec.activeDeadlineSeconds, values.migrations.activeDeadlineSeconds);
            assert.equal(values.migrations.activeDeadlineSeconds, stack === "prod" ? 240 : 300, "prod's fit its 5-minute rollback");
            assert.equal(migrate.spec.ttlSecondsAfterFinished, 3600);
            const container = migrate.spec.template.spec.containers[0];
            assert.deepEqual(container.command.slice(3), ["retry", "2", "60", "6", "--", "node", "db/migrate.mjs"]);
            // By digest where the stack has one (staging, prod: issue 22), else by tag.
            const ref = values.image.digest ? `@${values.image.digest}` : `:${values.image.tag}`;
            assert.equal(container.image, `${values.image.repository}${ref}`);
            const seed = one(manifests, "Job", "supernova-server-seed-1");
            assert.equal(seed.metadata.annotations["helm.sh/hook"], "post-install");
            assert.equal(seed.metadata.annotations["helm.sh/hook-weight"], "20");
            assert.deepEqual(seed.spec.template.spec.containers[0].command.slice(-2), ["node", "db/seed.mjs"]);
        });

        it("keeps secrets out of ConfigMaps and rolls pods when config or secrets change", () => {
            for (const map of byKind(manifests, "ConfigMap")) {
                assert.deepEqual(
                    Object.keys(map.data).filter((key) => SECRET_LOOKING_ENV.test(key)),
                    [],
                    map.metadata.name,
                );
            }
            const deployment = one(manifests, "Deployment");
            const annotations = deployment.spec.template.metadata.annotations;
            assert.match(annotations["checksum/config"], /^[0-9a-f]{64}$/);
            assert.equal(annotations["checksum/secrets"], values.secretsChecksum);
            assert.deepEqual(deployment.spec.strategy.rollingUpdate, { maxUnavailable: 0, maxSurge: "25%" });
            assert.deepEqual(deployment.spec.template.spec.containers[0].envFrom, [
                { configMapRef: { name: "supernova-server-env" } },
                { secretRef: { name: "supernova-server-secrets" } },
            ]);
            const tokens = one(manifests, "ConfigMap", "supernova-server-tokens");
            assert.ok(JSON.parse(tokens.data["jwks.json"]).keys.length >= 1);
        });

        it("probes /healthz on 3001 and lets traffic in only from the Gateway and the Helm smoke test, on 3001", () => {
            const container = one(manifests, "Deployment").spec.template.spec.containers[0];
            assert.deepEqual(container.livenessProbe.httpGet, { path: "/healthz", port: 3001 });
            assert.deepEqual(container.readinessProbe.httpGet, { path: "/healthz", port: 3001 });
            const policy = one(manifests, "NetworkPolicy", "supernova-server").spec;
            const gateway =
                stack === "local"
                    ? [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "gateway" } } }]
                    : ["10.0.224.0/22", "10.0.228.0/22", "10.0.232.0/22"].map((cidr) => ({ ipBlock: { cidr } }));
            const smoke = [
                {
                    podSelector: {
                        matchLabels: { "app.kubernetes.io/instance": "supernova-server", "app.kubernetes.io/component": "smoke" },
                    },
                },
            ];
            assert.deepEqual(policy.ingress, [
                { from: gateway, ports: [{ protocol: "TCP", port: 3001 }] },
                { from: smoke, ports: [{ protocol: "TCP", port: 3001 }] },
            ]);
            assert.deepEqual(policy.policyTypes, ["Ingress"]);
        });
    });
}

describe("per-environment chart output", () => {
    it("prod: 3 to 10 replicas at 65% CPU / 70% memory, the runbook's resources, an HTTPS route", async () => {
        const manifests = renderChart(valuesOf((await recordStack("prod")).graph), "supernova-server", "supernova");
        const deployment = one(manifests, "Deployment");
        assert.equal(deployment.spec.replicas, undefined, "the autoscaler owns the replica count");
        assert.deepEqual(deployment.spec.template.spec.containers[0].resources, {
            requests: { cpu: "500m", memory: "512Mi", "ephemeral-storage": "128Mi" },
            limits: { cpu: "2000m", memory: "2Gi", "ephemeral-storage": "1Gi" },
        });
        const hpa = one(manifests, "HorizontalPodAutoscaler").spec;
        assert.equal(hpa.minReplicas, 3);
        assert.equal(hpa.maxReplicas, 10);
        assert.deepEqual(
            hpa.metrics.map((m: any) => [m.resource.name, m.resource.target.averageUtilization]),
            [
                ["cpu", 65],
                ["memory", 70],
            ],
        );
        assert.equal(one(manifests, "PodDisruptionBudget").spec.maxUnavailable, 1);
        const route = one(manifests, "HTTPRoute");
        assert.deepEqual(route.spec.hostnames, ["api.supernova.com"]);
        assert.equal(route.spec.parentRefs[0].sectionName, "https");
        assert.deepEqual(byKind(manifests, "Ingress"), []);
        assert.equal(one(manifests, "ConfigMap", "supernova-server-env").data.DEV_AUTH_OPEN, "false");
    });

    it("dev: one replica, no autoscaler or disruption budget, DEV_AUTH_OPEN=true, debug logs", async () => {
        const manifests = renderChart(valuesOf((await recordStack("dev")).graph), "supernova-server", "supernova-dev");
        assert.equal(one(manifests, "Deployment").spec.replicas, 1);
        assert.deepEqual(byKind(manifests, "HorizontalPodAutoscaler"), []);
        assert.deepEqual(byKind(manifests, "PodDisruptionBudget"), []);
        const env = one(manifests, "ConfigMap", "supernova-server-env").data;
        assert.equal(env.DEV_AUTH_OPEN, "true");
        assert.equal(env.LOG_LEVEL, "debug");
    });

    it("pre-deploy migrations for breaking changes: pre-install,pre-upgrade at weight -10", async () => {
        const edit = (s: Sections) =>
            Object.assign((s["services"] as any[])[0], {
                migrations: { when: ["pre-install", "pre-upgrade"], weight: -10, activeDeadlineSeconds: 240 },
            });
        const manifests = renderChart(valuesOf((await recordStack("prod", { edit })).graph), "supernova-server", "supernova");
        const migrate = one(manifests, "Job", "supernova-server-migrate-1");
        assert.equal(migrate.metadata.annotations["helm.sh/hook"], "pre-install,pre-upgrade");
        assert.equal(migrate.metadata.annotations["helm.sh/hook-weight"], "-10");
        assert.equal(
            migrate.spec.template.spec.containers[0].envFrom[0].secretRef.name,
            "supernova-server-secrets",
            "no dependency on the release's ConfigMap",
        );
    });
});

describe("the Helm release", () => {
    it("is atomic, waits for its Jobs and times out after the longest of rollout and each hook (Helm's timeout is per operation)", async () => {
        const { graph } = await recordStack("prod");
        const release = graph.one("kubernetes:helm.sh/v3:Release", "supernova-server-release").inputs;
        assert.equal(release.atomic, true);
        assert.equal(release.waitForJobs, true);
        assert.equal(release.namespace, "supernova");
        assert.match(release.chart, /charts\/api-service$/);
        // max(240 s rollout, 240 s hook deadline + 15 s for the Job controller)
        assert.equal(release.timeout, 255);
    });

    it("renders with hooks in the local stack (helm.v4.Chart, includeHooks)", async () => {
        const { graph } = await recordStack("local");
        const chart = graph.one("kubernetes:helm.sh/v4:Chart").inputs;
        assert.equal(chart.includeHooks, true);
        assert.equal(chart.namespace, "supernova-local");
    });

    it("deploys several services, each its own release; a worker gets no Service or route", async () => {
        const edit = (s: Sections) => {
            const services = s["services"] as any[];
            // A new service's first deploy is a promotion of its first tag.
            const image = { ...services[0].image, tag: "v1.0.0", digest: `sha256:${"0a".repeat(32)}` };
            services.push({ ...services[0], name: "supernova-worker", image, expose: false, autoscaling: undefined, ingress: undefined });
        };
        const { graph } = await recordStack("prod", { edit });
        const releases = graph.ofType("kubernetes:helm.sh/v3:Release").filter((r) => r.inputs.repositoryOpts === undefined);
        assert.deepEqual(releases.map((r) => r.inputs.name).sort(), ["supernova-server", "supernova-worker"]);
        const worker = renderChart(valuesOf(graph, "supernova-worker"), "supernova-worker", "supernova");
        assert.deepEqual(byKind(worker, "Service"), []);
        assert.deepEqual(byKind(worker, "Ingress"), []);
        assert.deepEqual(byKind(worker, "HTTPRoute"), []);
        assert.equal(one(worker, "Deployment").spec.template.spec.containers[0].envFrom[1].secretRef.name, "supernova-worker-secrets");
    });
});
