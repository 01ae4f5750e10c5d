import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ARGO_ROLLOUTS_CHART_VERSION } from "../../config/delivery-strategy";
import { APP_METRICS } from "../../components/monitoring/metrics";
import { validatePublished } from "../cluster/published-schemas";
import { EXAMPLES, Example, exampleDir, services } from "../harness/examples";
import { Graph } from "../harness/graph";
import { lintChart, Manifest, renderChart, validateManifest } from "../harness/helm";
import { restrictedViolations } from "../harness/pod-security";
import { PolicyPackSession } from "../harness/policy-pack/session";
import { recordStack } from "../harness/run-stack";
import { Sections } from "../harness/stack-file";

/**
 * The seed systems onboarded by config alone (examples/<system>/Pulumi.prod.yaml) and each delivery
 * strategy's chart rendered by helm and validated: a dozen stack evaluations and helm renders, so its
 * own script (npm run test:examples), out of npm test's budget.
 */
const PACK_CONFIG = { "prod-deployment-window": { at: "2026-11-25T11:00:00Z" } };

// Each example (and each named variant) runs once for this file: every run costs seconds.
const recorded = new Map<string, ReturnType<typeof recordStack>>();
const recordExample = (example: Example, variant?: { name: string; edit: (s: Sections) => void }) => {
    const key = `${example}/${variant?.name ?? ""}`;
    if (!recorded.has(key)) recorded.set(key, recordStack("prod", { projectDir: exampleDir(example), running: {}, edit: variant?.edit }));
    return recorded.get(key)!;
};

function valuesOf(graph: Graph, service: string): Record<string, any> {
    const release = graph.resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.name === service);
    assert.ok(release, `a release for ${service}`);
    return release.inputs.values;
}

const byKind = (manifests: Manifest[], kind: string) => manifests.filter((m) => m.kind === kind);
const one = (manifests: Manifest[], kind: string) => {
    const found = byKind(manifests, kind);
    assert.equal(found.length, 1, `one ${kind}, found ${found.length}`);
    return found[0]!;
};

/** Every object valid against its schema: Kubernetes OpenAPI, or Argo Rollouts' published CRD schema. */
async function validateAll(manifests: Manifest[]): Promise<void> {
    for (const manifest of manifests.filter((m) => m.apiVersion !== "gateway.k8s.aws/v1beta1")) {
        if (manifest.apiVersion.startsWith("argoproj.io/"))
            assert.equal(await validatePublished(manifest), "valid against @kubernetes-models/argo-rollouts's published schema");
        else await validateManifest(manifest);
    }
}

function assertRestricted(manifests: Manifest[]): void {
    const pods = manifests.flatMap((m) =>
        m.kind === "Pod"
            ? [{ name: `Pod/${m.metadata.name}`, pod: m.spec }]
            : m.spec?.template?.spec
              ? [{ name: `${m.kind}/${m.metadata.name}`, pod: m.spec.template.spec }]
              : [],
    );
    assert.ok(pods.length >= 2);
    for (const { name, pod } of pods) assert.deepEqual(restrictedViolations(pod), [], name);
}

const hookEvents = (manifests: Manifest[]) =>
    byKind(manifests, "Job").map((job) => [job.metadata.name, job.metadata.annotations["helm.sh/hook"]]);

describe("service profiles: each seed system evaluates from its example stack file", () => {
    const graphs = new Map<Example, Graph>();
    let pack: PolicyPackSession;
    before(async () => {
        pack = await PolicyPackSession.start();
        for (const example of EXAMPLES) graphs.set(example, (await recordExample(example)).graph);
    });
    after(() => pack?.stop());

    for (const example of EXAMPLES) {
        it(`${example}: the policy pack reports nothing`, async () => {
            const { engineConfig } = await recordExample(example);
            assert.ok(engineConfig);
            const analysis = await pack.analyzeGraph(graphs.get(example)!, {
                config: PACK_CONFIG,
                stack: { stack: "prod", ...engineConfig },
            });
            assert.deepEqual(analysis.violations, []);
        });
    }

    it("kametrix: port 3000, /api/health probes with timings, migrations before the pods, rolling", () => {
        const values = valuesOf(graphs.get("kametrix")!, "kametrix-app");
        assert.equal(values.port, 3000);
        assert.deepEqual(values.probes.liveness, {
            path: "/api/health",
            initialDelaySeconds: 20,
            periodSeconds: 10,
            timeoutSeconds: 5,
            failureThreshold: 3,
        });
        assert.deepEqual(values.probes.readiness, { path: "/api/health", initialDelaySeconds: 5, periodSeconds: 5, timeoutSeconds: 3 });
        assert.equal(values.env.LOG_LEVEL, "info");
        assert.deepEqual(values.migrations.when, ["pre-install", "pre-upgrade"]);
        assert.deepEqual(values.rollout, { enabled: false });
        assert.deepEqual(values.smoke.paths, ["/api/health"]);
        assert.equal(
            graphs.get("kametrix")!.resources.filter((r) => r.inputs?.chart === "argo-rollouts").length,
            0,
            "no controller for rolling only",
        );
    });

    it("volteryde: three services, two blue-green behind the Argo Rollouts add-on, the worker rolling", () => {
        const graph = graphs.get("volteryde")!;
        const releases = graph.resources.filter(
            (r) => r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.chart?.endsWith("api-service"),
        );
        assert.deepEqual(releases.map((r) => r.inputs.name).sort(), ["nestjs-service", "springboot-service", "temporal-workers"]);
        assert.equal(valuesOf(graph, "nestjs-service").rollout.type, "blueGreen");
        assert.equal(valuesOf(graph, "springboot-service").port, 8080);
        assert.equal(valuesOf(graph, "temporal-workers").rollout.enabled, false);
        const controller = graph.resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.chart === "argo-rollouts");
        assert.ok(controller, "the Argo Rollouts add-on");
        assert.equal(controller.inputs.version, ARGO_ROLLOUTS_CHART_VERSION);
        assert.equal(controller.inputs.repositoryOpts.repo, "https://argoproj.github.io/argo-helm");
        for (const release of releases)
            assert.ok(release.dependsOn.includes(controller.urn), `${release.inputs.name} waits for the controller`);
    });

    it("learinal: /livez and /readyz with the seed's timings, LOG_LEVEL warn, blue-green with 30 minutes of blue", () => {
        const values = valuesOf(graphs.get("learinal")!, "learinal-backend");
        assert.deepEqual(values.probes.liveness, { path: "/livez", initialDelaySeconds: 40, periodSeconds: 30 });
        assert.deepEqual(values.probes.readiness, { path: "/readyz", initialDelaySeconds: 10, periodSeconds: 5 });
        assert.equal(values.env.LOG_LEVEL, "warn");
        assert.deepEqual(values.rollout.blueGreen, { autoPromotion: true, scaleDownDelaySeconds: 1800 });
        const [errors, latency] = values.rollout.analysis.metrics;
        assert.match(errors.successCondition, /result\[0\] <= 0\.01$/);
        assert.match(latency.successCondition, /result\[0\] <= 0\.5$/);
    });

    it("Supernova's prod stack stays rolling: no Rollout, no controller", async () => {
        const { graph } = await recordStack("prod");
        assert.deepEqual(valuesOf(graph, "supernova-server").rollout, { enabled: false });
        assert.ok(!graph.resources.some((r) => r.inputs?.chart === "argo-rollouts"));
    });
});

/** One service rendered by real `helm template` under each strategy. */
describe("each strategy's chart, rendered by helm and validated", () => {
    const render = async (example: Example, service: string, variant?: { name: string; edit: (s: Sections) => void }) => {
        const values = valuesOf((await recordExample(example, variant)).graph, service);
        assert.match(lintChart(values), /1 chart\(s\) linted, 0 chart\(s\) failed/);
        return renderChart(values, service, "ns");
    };
    const toCanary = (s: Sections) => {
        services(s)[0]!.strategy = {
            type: "canary",
            steps: [{ setWeight: 10 }, { pause: { duration: "5m" } }, { analysis: true }, { setWeight: 50 }, { pause: {} }],
            analysis: { prometheusAddress: "http://kube-prometheus-stack-prometheus.monitoring.svc:9090" },
        };
    };
    const canary = { name: "canary", edit: toCanary };
    const rolling = { name: "rolling", edit: (s: Sections) => (services(s)[0]!.strategy = { type: "rolling" }) };

    it("rolling: a Deployment with replicas, no Rollout objects, restricted pods", async () => {
        const manifests = await render("learinal", "learinal-backend", rolling);
        await validateAll(manifests);
        assertRestricted(manifests);
        assert.equal(one(manifests, "Deployment").spec.replicas, 3);
        assert.equal(byKind(manifests, "Rollout").length + byKind(manifests, "AnalysisTemplate").length, 0);
    });

    it("blueGreen: a Rollout over the Deployment (workloadRef), preview Service, analysis before and after promotion", async () => {
        const manifests = await render("learinal", "learinal-backend");
        await validateAll(manifests);
        assertRestricted(manifests);
        const rollout = one(manifests, "Rollout");
        const deployment = one(manifests, "Deployment");
        assert.equal(deployment.spec.replicas, undefined, "the Rollout owns the replicas");
        assert.deepEqual(rollout.spec.workloadRef, {
            apiVersion: "apps/v1",
            kind: "Deployment",
            name: deployment.metadata.name,
            scaleDown: "progressively",
        });
        assert.equal(rollout.spec.template, undefined, "the pod spec stays in the Deployment");
        assert.deepEqual(rollout.spec.selector.matchLabels, deployment.spec.selector.matchLabels);
        const bg = rollout.spec.strategy.blueGreen;
        assert.equal(bg.activeService, "learinal-backend");
        assert.equal(bg.previewService, "learinal-backend-preview");
        assert.ok(byKind(manifests, "Service").some((s) => s.metadata.name === bg.previewService));
        const template = one(manifests, "AnalysisTemplate").metadata.name;
        assert.deepEqual(bg.prePromotionAnalysis.templates, [{ templateName: template }]);
        assert.deepEqual(bg.prePromotionAnalysis.args, [
            { name: "namespace", value: "ns" },
            { name: "service", value: "learinal-backend-preview" },
        ]);
        assert.equal(bg.postPromotionAnalysis.args[1].value, "learinal-backend");
        assert.equal(bg.scaleDownDelaySeconds, 1800);
    });

    it("canary: steps from config, a background analysis and an analysis step", async () => {
        const manifests = await render("learinal", "learinal-backend", canary);
        await validateAll(manifests);
        assertRestricted(manifests);
        const spec = one(manifests, "Rollout").spec.strategy.canary;
        assert.deepEqual(spec.steps.slice(0, 2), [{ setWeight: 10 }, { pause: { duration: "5m" } }]);
        assert.equal(spec.steps[2].analysis.templates[0].templateName, "learinal-backend-analysis");
        assert.deepEqual(spec.steps.slice(3), [{ setWeight: 50 }, { pause: {} }]);
        assert.equal(spec.analysis.startingStep, 0);
        assert.equal(spec.canaryService, "learinal-backend-preview");
        assert.equal(spec.stableService, "learinal-backend");
    });

    for (const strategy of ["blueGreen", "canary"] as const) {
        it(`${strategy}: a failed analysis aborts the rollout (failureLimit, success conditions on the app's metrics)`, async () => {
            const manifests = await render("learinal", "learinal-backend", strategy === "canary" ? canary : undefined);
            const rollout = one(manifests, "Rollout");
            assert.equal(rollout.spec.progressDeadlineAbort, true);
            assert.equal(rollout.spec.strategy[strategy].abortScaleDownDelaySeconds, 0);
            const metrics = one(manifests, "AnalysisTemplate").spec.metrics as Record<string, any>[];
            assert.deepEqual(
                metrics.map((m) => m.name),
                ["error-rate", "latency-p95"],
            );
            for (const metric of metrics) {
                assert.equal(metric.failureLimit, 0, "one failed measurement fails the run, and Argo Rollouts aborts on a failed run");
                assert.ok(metric.successCondition.includes("result[0] <="));
                assert.equal(metric.provider.prometheus.address, "http://kube-prometheus-stack-prometheus.monitoring.svc:9090");
            }
            assert.ok(
                metrics[0]!.provider.prometheus.query.includes(
                    `${APP_METRICS.httpRequests}{namespace="{{args.namespace}}",service="{{args.service}}",status=~"5.."}`,
                ),
            );
            assert.ok(metrics[1]!.provider.prometheus.query.includes(APP_METRICS.httpDurationBucket));
        });

        it(`${strategy}: migration and seed hooks run before the Rollout is applied (pre-* hooks), in their order`, async () => {
            const manifests = await render("learinal", "learinal-backend", {
                name: `${strategy}-seeds`,
                edit: (s) => {
                    if (strategy === "canary") toCanary(s);
                    services(s)[0]!.seeds = { enabled: true, when: ["pre-install"], weight: -5, activeDeadlineSeconds: 240 };
                },
            });
            assert.deepEqual(hookEvents(manifests), [
                ["learinal-backend-migrate-1", "pre-install,pre-upgrade"],
                ["learinal-backend-seed-1", "pre-install"],
            ]);
            const weights = byKind(manifests, "Job").map((j) => Number(j.metadata.annotations["helm.sh/hook-weight"]));
            assert.deepEqual(weights, [-10, -5], "migrations before seeds");
        });
    }

    it("the smoke test: a Helm test pod GETs each path through the Service, and the app's policy admits it", async () => {
        const manifests = await render("learinal", "learinal-backend");
        const pod = one(manifests, "Pod");
        assert.equal(pod.metadata.annotations["helm.sh/hook"], "test");
        assert.deepEqual(pod.spec.containers[0].command.slice(3), ["http://learinal-backend:80", "10", "/readyz", "/livez"]);
        assert.equal(pod.metadata.labels["app.kubernetes.io/name"], undefined, "the Service never selects the smoke pod");
        const policies = byKind(manifests, "NetworkPolicy");
        const app = policies.find((p) => p.metadata.name === "learinal-backend")!;
        assert.ok(app.spec.ingress.some((rule: any) => rule.from[0].podSelector?.matchLabels["app.kubernetes.io/component"] === "smoke"));
        const smoke = policies.find((p) => p.metadata.name === "learinal-backend-smoke")!;
        assert.deepEqual(smoke.spec.podSelector.matchLabels, pod.metadata.labels);
        assert.equal(smoke.spec.egress[0].ports[0].port, 3000);
    });

    it("an autoscaled Rollout: the HPA scales the Rollout, which sets no replicas itself", async () => {
        const manifests = await render("volteryde", "nestjs-service");
        await validateAll(manifests);
        const hpa = one(manifests, "HorizontalPodAutoscaler");
        assert.deepEqual(hpa.spec.scaleTargetRef, { apiVersion: "argoproj.io/v1alpha1", kind: "Rollout", name: "nestjs-service" });
        assert.equal(one(manifests, "Rollout").spec.replicas, undefined);
    });
});
