/**
 * The cluster suite (`npm run test:cluster`): every stack's Kubernetes objects and Helm releases applied
 * to a real control plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler; kwok plays
 * the nodes and the pods' lifecycle) started once on loopback; a namespace per stack.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as fs from "fs";
import * as path from "path";
import { recordStack } from "../harness/run-stack";
import { REPO_ROOT, STACKS } from "../harness/stack-file";
import { CHART_DIRECTORY, CHART_PATH } from "../../components/service-release/service-release";
import { ControlPlane, leftoverProcesses, startControlPlane } from "./control-plane";
import { limitRangeViolations, podCharge, quotaShortfalls, rolloutPeakPods } from "./fit";
import { brokenCases } from "./broken-cases";
import { ADDON_POD_PROFILES, NODE_EXPORTER } from "./addon-pods";
import { NODE_EXPORTER_NAMESPACE } from "../../components/monitoring/monitoring";
import { FIELD_MANAGER, Kube, withJsonFileAsync } from "./kube";
import { FAIL_POD_MARK } from "./kwok-stages";
import { apiGroup, applyOrder, localCopyOf, missingNamespaces, ServiceChartRelease, stackObjects, StackObjects } from "./objects";
import { STAND_IN_GROUPS, standInCrds, validatePublished } from "./published-schemas";
import {
    assertWeightOrder,
    baselinePermissions,
    hookJobs,
    permissions,
    podReferences,
    provisionVolumes,
    renderedHooks,
    waitForRollout,
    waitUntil,
    watchServing,
    weight,
} from "./release-checks";

const CRD_DIRS = [path.join(REPO_ROOT, ".tools", "crds", "gateway-api"), path.join(REPO_ROOT, ".tools", "crds", "prometheus-operator")];
const POST_RENDER = path.join(__dirname, "post-render.mjs");
/** Render mode (local) has no Helm timeout of its own; the chart's default rollout plus hooks. */
const DEFAULT_TIMEOUT_SECONDS = 900;
/** What the chart's workloads need from the Kubernetes API, by ServiceAccount name: nothing. */
const SERVICE_ACCOUNT_NEEDS: Record<string, { verb: string; resource: string }[]> = {};
/** Requests a compromised app pod must not be able to make (each `kubectl auth can-i` must say no). */
const FORBIDDEN_REQUESTS = [
    ["get", "secrets"],
    ["list", "secrets"],
    ["watch", "secrets"],
    ["create", "pods"],
    ["create", "pods/exec"],
    ["delete", "pods"],
    ["list", "configmaps"],
    ["patch", "deployments.apps"],
    ["create", "jobs.batch"],
    ["create", "rolebindings.rbac.authorization.k8s.io"],
    ["create", "serviceaccounts/token"],
    ["list", "nodes"],
    ["list", "namespaces"],
] as const;

/** Namespaces whose add-on needs a weaker level than restricted (the policy pack's exceptions agree). */
const ADDON_LEVEL_EXCEPTIONS: Record<string, string> = { [NODE_EXPORTER_NAMESPACE]: "privileged", "ingress-nginx": "baseline" };

let plane: ControlPlane | undefined;
let kube: Kube;
const report: string[] = [];
const log = (line: string) => {
    report.push(line);
    console.log(`[cluster] ${line}`);
};
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

before(async () => {
    plane = await startControlPlane();
    kube = new Kube(plane.env);
    const t = plane.timings;
    log(
        `control plane up in ${seconds(t["nodes ready"]!)} (certificates ${seconds(t["certificates"]!)}, ` +
            `/readyz ${seconds(t["apiserver ready"]!)}, fake nodes Ready ${seconds(t["nodes ready"]!)}) in ${plane.dir}`,
    );
    for (const dir of CRD_DIRS) {
        kube.kubectl(["apply", "--server-side", `--field-manager=${FIELD_MANAGER}`, "-f", dir]);
    }
    const standIns = standInCrds();
    kube.apply(standIns, FIELD_MANAGER);
    kube.kubectl(["wait", "--for=condition=Established", "crd", "--all", "--timeout=60s"]);
    log(`CRDs installed from ${CRD_DIRS.map((d) => path.relative(REPO_ROOT, d)).join(", ")}`);
    log(`STAND-IN CRDs accepting any spec (not validated): ${standIns.map((c) => c.metadata.name).join(", ")}`);
});

after(async () => {
    if (plane === undefined) return;
    const peak = plane.peakMemoryBytes();
    const dir = plane.dir;
    await plane.stop();
    log(`control plane stopped; peak memory ${(peak / 2 ** 20).toFixed(0)} MiB (sum of each process's peak RSS)`);
    const leftovers = leftoverProcesses(dir);
    log(leftovers.length === 0 ? "no process left behind (ps)" : `LEFT BEHIND: ${leftovers.join("; ")}`);
    log(`suite process peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
    assert.deepEqual(leftovers, [], "every control-plane process stopped");
});

function installedCrdVersion(name: string): string | undefined {
    const file = path.join(REPO_ROOT, ".tools", "crds", name, ".version");
    return fs.existsSync(file) ? fs.readFileSync(file, "utf8").trim() : undefined;
}

/** API groups/versions/kinds the test API server serves (built-in and installed CRDs). */
function servedKinds(apiVersion: string): Set<string> {
    const url = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    try {
        const list = JSON.parse(kube.kubectl(["get", "--raw", url])) as { resources: { kind: string }[] };
        return new Set(list.resources.map((r) => r.kind));
    } catch {
        return new Set();
    }
}

interface ReleaseState {
    installed: boolean;
    /** pod-template-hash of the ReplicaSet serving after the last successful upgrade. */
    servingHash?: string;
}

/** CLUSTER_SUITE_STACKS=local,prod runs only those stacks (while working on one); CI runs them all. */
const stacks = process.env["CLUSTER_SUITE_STACKS"]?.split(",") ?? [...STACKS];

for (const stack of stacks) {
    describe(`cluster: ${stack}`, () => {
        let objects: StackObjects;
        let stackStarted = 0;
        before(async () => {
            stackStarted = Date.now();
            objects = stackObjects((await recordStack(stack)).graph);
        });
        after(() => log(`${stack}: suite time ${seconds(Date.now() - stackStarted)}`));

        it("applies every object the program registers (server-side apply, no warnings)", async () => {
            for (const namespace of missingNamespaces(objects)) {
                kube.apply([{ apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } }], FIELD_MANAGER);
                log(`${stack}: namespace ${namespace} created by the suite (a third-party chart's, not the program's)`);
            }
            const toApply = [];
            for (const manifest of applyOrder(objects.manifests)) {
                if (servedKinds(manifest.apiVersion).has(manifest.kind)) {
                    toApply.push(manifest);
                    const standIn = STAND_IN_GROUPS[apiGroup(manifest.apiVersion)];
                    if (standIn) log(`${stack}: ${manifest.kind} ${manifest.metadata.name}: NOT VALIDATED (${standIn.why})`);
                } else {
                    log(`${stack}: ${manifest.kind} ${manifest.metadata.name}: no CRD here; ${await validatePublished(manifest)}`);
                }
            }
            assert.ok(
                toApply.some((m) => m.kind === "Namespace"),
                "the program registers its namespace",
            );
            const out = kube.apply(toApply, FIELD_MANAGER);
            assert.equal(out.trim().split("\n").length, toApply.length, out);
            log(`${stack}: ${toApply.length} objects applied: ${toApply.map((m) => `${m.kind}/${m.metadata.name}`).join(", ")}`);
            const installed = { gatewayApi: installedCrdVersion("gateway-api") };
            for (const remote of objects.remoteFiles) {
                const copy = localCopyOf(remote.file, installed);
                log(
                    copy === undefined
                        ? `${stack}: NOT APPLIED: ${remote.file} (downloaded at deploy time; not reachable here)`
                        : `${stack}: ${remote.file}: applied from the local copy .tools/crds/${copy} before the stack`,
                );
            }
            for (const release of objects.thirdParty) {
                log(
                    `${stack}: NOT INSTALLED: Helm release ${release.chart} ${release.version ?? ""} from ${release.repo ?? "?"} ` +
                        `into ${release.namespace} (third-party chart; no chart repository is reachable here)`,
                );
            }
            for (const namespace of toApply.filter((m) => m.kind === "Namespace")) {
                const live = kube.json(["get", "namespace", namespace.metadata.name]);
                const expected = ADDON_LEVEL_EXCEPTIONS[namespace.metadata.name] ?? "restricted";
                assert.equal(
                    live.metadata.labels["pod-security.kubernetes.io/enforce"],
                    expected,
                    `${namespace.metadata.name} enforces ${expected}`,
                );
            }
        });

        it("each add-on namespace admits its chart's pods and refuses what its level forbids (PodSecurity admission, dry run)", () => {
            const namespaces = objects.manifests.filter((m) => m.kind === "Namespace" && ADDON_POD_PROFILES[m.metadata.name]);
            const dryRun = (namespace: string, spec: Record<string, unknown>) => {
                const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "admission-probe", namespace }, spec };
                try {
                    kube.kubectl(["create", "--dry-run=server", "-f", "-"], JSON.stringify(pod));
                    return "admitted";
                } catch (error) {
                    const message = String((error as Error).message);
                    assert.match(message, /violates PodSecurity/, message);
                    return "refused";
                }
            };
            for (const namespace of namespaces) {
                const name = namespace.metadata.name as string;
                const level = namespace.metadata.labels["pod-security.kubernetes.io/enforce"];
                assert.equal(dryRun(name, ADDON_POD_PROFILES[name]!.spec), "admitted", `${name}: ${ADDON_POD_PROFILES[name]!.source}`);
                assert.equal(dryRun(name, NODE_EXPORTER.spec), level === "privileged" ? "admitted" : "refused", `${name}: host access`);
                log(
                    `${stack}: ${name} (${level}): its chart's pods admitted; a host-network, hostPath pod ${level === "privileged" ? "admitted" : "refused"}`,
                );
            }
            if (stack !== "local") assert.ok(namespaces.length >= 4, "the add-on namespaces are the program's");
        });

        it("every workload the program registers directly runs: pods admitted, volumes bound, Ready", async () => {
            const workloads = objects.manifests.filter((m) => ["StatefulSet", "Deployment", "DaemonSet"].includes(m.kind));
            for (const workload of workloads) {
                const { kind, metadata } = workload;
                await waitUntil(`${kind}/${metadata.name} Ready`, 120_000, () => {
                    const refused = kube
                        .items("events", metadata.namespace)
                        .filter((e) => e.reason === "FailedCreate" && e.involvedObject.name === metadata.name);
                    assert.deepEqual(
                        refused.map((e) => e.message),
                        [],
                        `${kind}/${metadata.name}`,
                    );
                    provisionVolumes(kube, metadata.namespace);
                    const live = kube.json(["get", kind, metadata.name, "-n", metadata.namespace]);
                    return (live.status?.readyReplicas ?? 0) >= (workload.spec.replicas ?? 1);
                });
            }
            log(
                `${stack}: ${workloads.length} workloads of the program Ready (${workloads.map((w) => w.metadata.name).join(", ") || "none"})`,
            );
        });

        // One describe per release of this repository's chart; the graph decides how many.
        const releaseNames = () => objects.charts.map((c) => c.name);
        it("registers at least one release of charts/api-service", () => {
            assert.ok(releaseNames().length >= 1, `releases of ${CHART_PATH}`);
        });

        describe("each release of charts/api-service", () => {
            const states = new Map<string, ReleaseState>();
            const releases = () => objects.charts;

            it("installs with --atomic --wait --wait-for-jobs and is deployed; hooks ran in weight order", async () => {
                for (const release of releases()) {
                    const state: ReleaseState = { installed: false };
                    states.set(release.name, state);
                    const run = await helmRun("install", release, release.values);
                    assert.equal(run.code, 0, failure(run));
                    assertNoApiWarnings(run.stderr);
                    const status = JSON.parse(kube.helm(["status", release.name, "-n", release.namespace, "-o", "json"]));
                    assert.equal(status.info.status, "deployed");
                    assert.equal(status.version, 1);
                    state.installed = true;
                    log(`${stack}: helm install ${release.name}: deployed in ${run.seconds.toFixed(1)} s`);

                    const hooks = hookJobs(kube, release, 1);
                    assert.ok(hooks.length > 0, "the chart's hooks ran");
                    for (const job of hooks) assert.ok(job.status.succeeded >= 1, `${job.metadata.name} succeeded`);
                    assertWeightOrder(hooks);
                    log(
                        `${stack}: hooks in order: ${hooks.map((j) => `${j.metadata.name} (weight ${weight(j)}, created ${j.metadata.creationTimestamp}, done ${j.status.completionTime})`).join(" -> ")}`,
                    );
                }
            });

            it("keeps or deletes hook Jobs as their delete policy says", () => {
                for (const release of installed()) {
                    const hooks = renderedHooks(kube, release, 1);
                    assert.ok(hooks.length > 0);
                    for (const hook of hooks) {
                        const policies = String(hook.metadata.annotations?.["helm.sh/hook-delete-policy"] ?? "before-hook-creation").split(
                            ",",
                        );
                        const exists = kube.items("jobs", release.namespace).some((j) => j.metadata.name === hook.metadata.name);
                        // Helm deletes a succeeded hook only for hook-succeeded; before-hook-creation keeps it (for its logs)
                        // until the same hook runs again, and ttlSecondsAfterFinished removes it in the end.
                        assert.equal(
                            exists,
                            !policies.includes("hook-succeeded"),
                            `${hook.metadata.name} with policy ${policies.join(",")}`,
                        );
                        if (exists)
                            assert.ok(hook.spec.ttlSecondsAfterFinished > 0, `${hook.metadata.name} expires (ttlSecondsAfterFinished)`);
                    }
                }
            });

            it("pods fit the ResourceQuota and LimitRange, with room for a rolling update at full scale plus a hook", () => {
                for (const release of installed()) {
                    const namespace = release.namespace;
                    const pods = kube.items("pods", namespace).filter((p) => !["Succeeded", "Failed"].includes(p.status.phase));
                    const limitRanges = kube.items("limitranges", namespace);
                    assert.ok(limitRanges.length > 0, "a LimitRange");
                    for (const pod of pods) assert.deepEqual(limitRangeViolations(pod, limitRanges), [], pod.metadata.name);

                    const deployment = kube.json(["get", "deployment", release.name, "-n", namespace]);
                    const appPod = pods.find(
                        (p) =>
                            p.metadata.labels["app.kubernetes.io/instance"] === release.name &&
                            !p.metadata.labels["app.kubernetes.io/component"],
                    );
                    assert.ok(appPod, "a running app pod");
                    const autoscaling = release.values.autoscaling ?? {};
                    const replicas = autoscaling.enabled ? autoscaling.maxReplicas : deployment.spec.replicas;
                    const peak = rolloutPeakPods(replicas, deployment.spec.strategy.rollingUpdate?.maxSurge);
                    const current = pods.filter((p) => p.metadata.labels["app.kubernetes.io/instance"] === release.name).length;
                    const hook = renderedHooks(kube, release, 1)[0];
                    const extra = [
                        ...Array.from({ length: peak - current }, () => podCharge(appPod)),
                        ...(hook ? [podCharge({ spec: hook.spec.template.spec })] : []),
                    ];
                    for (const quota of kube.items("resourcequotas", namespace)) {
                        assert.deepEqual(
                            quotaShortfalls(quota.status.hard, quota.status.used, extra),
                            [],
                            `${quota.metadata.name}: ${peak} app pods (max ${replicas} + surge) and one hook on top of ${JSON.stringify(quota.status.used)}`,
                        );
                    }
                    log(
                        `${stack}: quota holds ${peak} app pods (${replicas} + surge) and a hook pod; used now ${JSON.stringify(kube.items("resourcequotas", namespace)[0]?.status.used)}`,
                    );
                }
            });

            it("every Secret and ConfigMap the pods read exists, or an ExternalSecret of the program creates it", () => {
                for (const release of installed()) {
                    const synced = new Set(
                        objects.manifests
                            .filter((m) => m.kind === "ExternalSecret" && m.metadata.namespace === release.namespace)
                            .map((m) => m.spec?.target?.name ?? m.metadata.name),
                    );
                    const existing = {
                        Secret: new Set(kube.items("secrets", release.namespace).map((s) => s.metadata.name as string)),
                        ConfigMap: new Set(kube.items("configmaps", release.namespace).map((s) => s.metadata.name as string)),
                    };
                    const pods = kube.items("pods", release.namespace, `app.kubernetes.io/instance=${release.name}`);
                    assert.ok(pods.length > 0);
                    for (const pod of pods) {
                        for (const ref of podReferences(pod.spec)) {
                            const found = existing[ref.kind].has(ref.name) || (ref.kind === "Secret" && synced.has(ref.name));
                            assert.ok(found, `pod ${pod.metadata.name} reads ${ref.kind} ${ref.name}, which nothing creates`);
                        }
                    }
                }
            });

            it("upgrade: migrations run again, seeds do not", async () => {
                for (const release of installed()) {
                    const values = withImageTag(release.values, "upgrade");
                    const run = await helmRun("upgrade", release, values);
                    assert.equal(run.code, 0, failure(run));
                    assertNoApiWarnings(run.stderr);
                    const hooks = hookJobs(kube, release, 2);
                    const components = hooks.map((j) => j.metadata.labels["app.kubernetes.io/component"]);
                    assert.ok(components.includes("migrate"), `revision 2 ran the migration: ${components.join(", ")}`);
                    assert.ok(!components.includes("seed"), `revision 2 ran no seed: ${components.join(", ")}`);
                    for (const job of hooks) assert.ok(job.status.succeeded >= 1, `${job.metadata.name} succeeded`);
                    const status = JSON.parse(kube.helm(["status", release.name, "-n", release.namespace, "-o", "json"]));
                    assert.equal(status.info.status, "deployed");
                    states.get(release.name)!.servingHash = await waitForRollout(kube, release, "upgrade");
                    log(
                        `${stack}: helm upgrade ${release.name}: revision 2 deployed in ${run.seconds.toFixed(1)} s; hooks: ${hooks.map((j) => j.metadata.name).join(", ")}`,
                    );
                }
            });

            it("a failing migration on upgrade rolls back to the previous revision; the previous ReplicaSet keeps serving", async () => {
                for (const release of installed()) {
                    const previousHash = states.get(release.name)?.servingHash;
                    assert.ok(previousHash, "revision 2 is serving");
                    const values = withImageTag(release.values, "broken-migration");
                    values.podLabels = { ...(values.podLabels ?? {}), [FAIL_POD_MARK]: "migrate" };
                    const watch = watchServing(kube, release);
                    const run = await helmRun("upgrade", release, values);
                    const serving = await watch.stop();
                    assert.notEqual(run.code, 0, "the upgrade fails");
                    assert.match(run.stderr, /has been rolled back due to atomic being set/, run.stderr);
                    assert.match(run.stderr, /job .*migrate-3 failed/, run.stderr);

                    const history = JSON.parse(kube.helm(["history", release.name, "-n", release.namespace, "-o", "json"])) as any[];
                    const last = history.at(-1);
                    assert.equal(last.status, "deployed");
                    assert.equal(last.description, "Rollback to 2");
                    assert.equal(history.find((h) => h.revision === 3)?.status, "failed");
                    const hash = await waitForRollout(kube, release, "rollback");
                    assert.equal(hash, previousHash, "the ReplicaSet of revision 2 serves again");
                    assert.ok(
                        serving.minReady >= 1,
                        `some pod was Ready throughout (min ${serving.minReady} over ${serving.samples} samples)`,
                    );
                    const failed = kube.json(["get", "job", `${release.name}-migrate-3`, "-n", release.namespace]);
                    assert.ok(failed.status.failed >= 1, "the forced migration failed");
                    log(
                        `${stack}: failing upgrade of ${release.name}: rolled back to revision 2 in ${run.seconds.toFixed(1)} s; ` +
                            `ReplicaSet ${previousHash} serving again; Ready pods never below ${serving.minReady} (${serving.samples} samples)`,
                    );
                }
            });

            it("each workload's ServiceAccount can do only what it needs (kubectl auth can-i against real RBAC)", () => {
                const baseline = baselinePermissions(kube);
                for (const release of installed()) {
                    const namespace = release.namespace;
                    const accounts = new Map<string, string[]>();
                    for (const kind of ["deployments", "statefulsets", "daemonsets", "jobs", "cronjobs"]) {
                        for (const workload of kube.items(kind, namespace)) {
                            const spec = kind === "cronjobs" ? workload.spec.jobTemplate.spec.template.spec : workload.spec.template.spec;
                            const account = spec.serviceAccountName ?? "default";
                            accounts.set(account, [...(accounts.get(account) ?? []), `${workload.kind}/${workload.metadata.name}`]);
                        }
                    }
                    assert.ok(accounts.size > 0);
                    for (const [account, workloads] of accounts) {
                        const as = `system:serviceaccount:${namespace}:${account}`;
                        const needs = SERVICE_ACCOUNT_NEEDS[account] ?? [];
                        for (const need of needs)
                            assert.ok(kube.canI(as, namespace, need.verb, need.resource), `${account} may ${need.verb} ${need.resource}`);
                        assert.ok(
                            kube.canI(as, namespace, "create", "selfsubjectaccessreviews.authorization.k8s.io"),
                            "can-i answers yes where RBAC allows",
                        );
                        for (const [verb, resource] of FORBIDDEN_REQUESTS) {
                            if (needs.some((n) => n.verb === verb && n.resource === resource)) continue;
                            assert.equal(
                                kube.canI(as, namespace, verb, resource),
                                false,
                                `${account} (${workloads.join(", ")}) must not ${verb} ${resource}`,
                            );
                        }
                        if (needs.length === 0) {
                            assert.deepEqual(
                                permissions(kube, as, namespace),
                                baseline,
                                `${account} has no permission beyond any authenticated identity`,
                            );
                        }
                        for (const pod of kube
                            .items("pods", namespace)
                            .filter((p) => (p.spec.serviceAccountName ?? "default") === account)) {
                            const tokens = (pod.spec.volumes ?? []).filter((v: any) =>
                                v.projected?.sources?.some((s: any) => s.serviceAccountToken),
                            );
                            if (needs.length === 0)
                                assert.deepEqual(tokens, [], `${pod.metadata.name} mounts no API token it does not need`);
                        }
                        log(
                            `${stack}: ServiceAccount ${account} (${workloads.join(", ")}): ${needs.length} API needs; all ${FORBIDDEN_REQUESTS.length} forbidden requests denied`,
                        );
                    }
                }
            });

            it("a broken chart value fails with the API server's own message", async () => {
                for (const release of installed()) {
                    for (const broken of brokenCases(release, objects)) {
                        const name = `${release.name}-broken-${broken.name}`.slice(0, 53);
                        const run = await helmRun("install", { ...release, name, timeoutSeconds: 120 }, broken.values, broken.postRender);
                        kube.helm(["uninstall", name, "-n", release.namespace, "--ignore-not-found", "--wait"]);
                        assert.notEqual(run.code, 0, `${broken.name}: install must fail`);
                        const message = [...run.refused, run.stderr].join("\n");
                        assert.match(message, broken.expect, `${broken.name}: ${message}`);
                        log(
                            `${stack}: broken ${broken.name}: ${firstLine(message.match(broken.expect) ? message.split("\n").find((l) => broken.expect.test(l))! : message)}`,
                        );
                    }
                }
            });

            function installed(): ServiceChartRelease[] {
                const list = releases().filter((r) => states.get(r.name)?.installed);
                assert.equal(list.length, releases().length, "every release installed (see the install test)");
                return list;
            }
        });
    });
}

async function helmRun(command: "install" | "upgrade", release: ServiceChartRelease, values: unknown, postRender?: string) {
    const timeout = `${release.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS}s`;
    return withJsonFileAsync(values, (file) =>
        kube.helmWatched(
            [
                command,
                release.name,
                CHART_DIRECTORY,
                "-n",
                release.namespace,
                "-f",
                file,
                "--atomic",
                "--wait",
                "--wait-for-jobs",
                `--timeout=${timeout}`,
                ...(postRender ? ["--post-renderer", POST_RENDER, "--post-renderer-args", postRender] : []),
            ],
            release.namespace,
            (objectName) => objectName.startsWith(release.name),
        ),
    );
}

function failure(run: { code: number; stderr: string; refused: string[] }): string {
    return `helm exited ${run.code}: ${run.stderr}${run.refused.length ? `\nAPI server refused: ${run.refused.join("\n")}` : ""}`;
}

/** Helm prints the API server's warnings (e.g. Pod Security `warn`) on stderr; they count as failures. */
function assertNoApiWarnings(stderr: string): void {
    const warnings = stderr.split("\n").filter((l) => /warning/i.test(l));
    assert.deepEqual(warnings, [], "API server warnings");
}

function withImageTag(values: Record<string, any>, suffix: string): Record<string, any> {
    const copy = structuredClone(values);
    copy.image = { ...copy.image, tag: `${copy.image.tag}-${suffix}` };
    return copy;
}

function firstLine(text: string): string {
    return text.trim().split("\n")[0]!.slice(0, 400);
}
