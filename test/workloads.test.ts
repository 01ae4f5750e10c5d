/**
 * Day one in production (issue 22): the image pulls, the pods start, stay apart, stay bounded and
 * shut down cleanly. Asserted on what each stack renders (`npm run render`), hooks and data included.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { targetGroupDefaults } from "../components/gateway/entry-point";
import { dockerConfigJson, dockerConfigTemplate } from "../components/registry/pull-secrets";
import { ConfigError } from "../config/format";
import { PromotionError, validatePromotion } from "../config/promotion";
import { ignoreFileProblems, SCAN_GATE, scanTarget } from "../config/scan-gate";
import { MAX_HOST_ID } from "../config/workloads";
import { RenderedStack, renderStack } from "../render/render-stack";
import { KUBE_SCORE_IGNORES } from "../render/kube-score-ignores";
import type { Manifest } from "./harness/helm";
import { RUNNING_RELEASES, runStack } from "./harness/run-stack";
import { REPO_ROOT, Sections } from "./harness/stack-file";
import { loadWorkflow } from "./harness/workflows";
import * as fs from "fs";
import * as path from "path";

const WORKLOAD_KINDS = new Set(["Deployment", "StatefulSet", "Job", "DaemonSet", "CronJob", "Pod"]);
const podSpec = (m: Manifest): Record<string, any> =>
    m.kind === "Pod" ? m.spec : (m.kind === "CronJob" ? m.spec.jobTemplate.spec : m.spec).template.spec;
const workloads = (r: RenderedStack) => r.objects.filter((m) => WORKLOAD_KINDS.has(m.kind));
const find = (r: RenderedStack, kind: string, name: string | RegExp) => {
    const found = r.objects.find(
        (m) => m.kind === kind && (typeof name === "string" ? m.metadata.name === name : name.test(m.metadata.name)),
    );
    assert.ok(found, `${r.stack} renders ${kind} ${String(name)}`);
    return found;
};
const app = (r: RenderedStack) => find(r, "Deployment", "supernova-server");
const migrate = (r: RenderedStack) => find(r, "Job", /^supernova-server-migrate-/);
const service0 = (s: Sections) => (s["services"] as Record<string, any>[])[0]!;
const DIGEST = `sha256:${"9f".repeat(32)}`;

async function configError(stack: string, edit: (s: Sections) => void, running = RUNNING_RELEASES[stack]): Promise<string> {
    const { error } = await runStack(stack, { edit, running });
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error.message;
}

const rendered: Record<string, RenderedStack> = {};
before(async () => {
    for (const stack of ["local", "staging", "prod"]) rendered[stack] = await renderStack(stack);
});

describe("1. registry credentials: every workload from ghcr.io references its dockerconfigjson Secret", () => {
    it("prod: External Secrets writes registry-ghcr-io (kubernetes.io/dockerconfigjson) from Secrets Manager through its own store", () => {
        const prod = rendered["prod"]!;
        const external = find(prod, "ExternalSecret", "registry-ghcr-io");
        assert.equal(external.spec.target.template.type, "kubernetes.io/dockerconfigjson");
        assert.deepEqual(external.spec.target.template, dockerConfigTemplate("ghcr.io", "token"));
        assert.deepEqual(external.spec.data, [{ secretKey: "token", remoteRef: { key: "supernova/prod/registries/ghcr.io" } }]);
        assert.equal(external.spec.secretStoreRef.name, "registry-secrets");
        assert.ok(find(prod, "SecretStore", "registry-secrets"));
    });

    it("local (no AWS): a plain dockerconfigjson Secret; its document is what `kubectl create secret docker-registry` writes", () => {
        const secret = find(rendered["local"]!, "Secret", "registry-ghcr-io");
        assert.equal(secret.type, "kubernetes.io/dockerconfigjson");
        assert.deepEqual(Object.keys(secret.stringData), [".dockerconfigjson"]);
        const doc = JSON.parse(dockerConfigJson("ghcr.io", "token", "s3cret"));
        assert.equal(Buffer.from(doc.auths["ghcr.io"].auth, "base64").toString(), "token:s3cret");
    });

    it("the app, its migration and seed hooks reference it in every stack", () => {
        for (const r of Object.values(rendered)) {
            const fromGhcr = workloads(r).filter((w) =>
                podSpec(w).containers.some((c: { image: string }) => c.image.startsWith("ghcr.io/")),
            );
            assert.ok(fromGhcr.length >= 3, `${r.stack}: app and hooks`);
            for (const w of fromGhcr)
                assert.deepEqual(podSpec(w).imagePullSecrets, [{ name: "registry-ghcr-io" }], `${r.stack} ${w.metadata.name}`);
        }
    });

    it("in-cluster data pulls with its registry's Secret when that registry needs one (docker.io with a token)", async () => {
        const r = await renderStack("local", {
            edit: (s) => (s["registries"] as unknown[]).push({ server: "docker.io", auth: "token", token: { secure: "v1:x" } }),
        });
        for (const name of ["postgres", "redis"]) {
            assert.deepEqual(podSpec(find(r, "StatefulSet", name)).imagePullSecrets, [{ name: "registry-docker-io" }], name);
        }
        assert.deepEqual(podSpec(find(r, "Job", /^postgres-bootstrap/)).imagePullSecrets, [{ name: "registry-docker-io" }]);
    });

    it("a stack whose image registry needs credentials and has none fails validation, naming the fix", async () => {
        const message = await configError("prod", (s) => delete s["registries"]);
        assert.match(message, /services\[0\]\.image\.repository.*expected the registry ghcr\.io in platform:registries/);
        const noToken = await configError("prod", (s) => delete (s["registries"] as Record<string, unknown>[])[0]!["token"]);
        assert.match(noToken, /registries\[0\]\.token.*pulumi config set --secret --path 'platform:registries\[0\]\.token'/);
    });
});

describe("2. replicas spread across zones and nodes", () => {
    it("prod: a zone and a node constraint with the app's own selector, DoNotSchedule (workloads.spread)", () => {
        const spec = podSpec(app(rendered["prod"]!));
        const selector = app(rendered["prod"]!).spec.selector.matchLabels;
        assert.deepEqual(
            spec.topologySpreadConstraints.map((c: Record<string, unknown>) => [c["topologyKey"], c["whenUnsatisfiable"], c["maxSkew"]]),
            [
                ["topology.kubernetes.io/zone", "DoNotSchedule", 1],
                ["kubernetes.io/hostname", "DoNotSchedule", 1],
            ],
        );
        for (const c of spec.topologySpreadConstraints) {
            assert.deepEqual(c.labelSelector.matchLabels, selector);
            assert.deepEqual(c.matchLabelKeys, ["pod-template-hash"]);
        }
    });

    it("staging spreads with ScheduleAnyway (its default); one replica (local) has no constraint", () => {
        const staging = podSpec(app(rendered["staging"]!)).topologySpreadConstraints;
        assert.deepEqual(
            staging.map((c: Record<string, unknown>) => c["whenUnsatisfiable"]),
            ["ScheduleAnyway", "ScheduleAnyway"],
        );
        assert.equal(podSpec(app(rendered["local"]!)).topologySpreadConstraints, undefined);
    });

    it("the PodDisruptionBudget stays coherent with the autoscaler's minimum", () => {
        const prod = rendered["prod"]!;
        const hpa = find(prod, "HorizontalPodAutoscaler", "supernova-server");
        const pdb = find(prod, "PodDisruptionBudget", "supernova-server");
        assert.ok(pdb.spec.maxUnavailable < hpa.spec.minReplicas, "a voluntary eviction always leaves a replica");
    });
});

describe("3. bounded local storage", () => {
    it("every container of every workload (app, hooks, data) requests and limits ephemeral-storage; every emptyDir has a sizeLimit", () => {
        for (const r of Object.values(rendered)) {
            for (const w of workloads(r)) {
                for (const c of podSpec(w).containers) {
                    assert.ok(c.resources?.requests?.["ephemeral-storage"], `${r.stack} ${w.metadata.name}/${c.name} request`);
                    assert.ok(c.resources?.limits?.["ephemeral-storage"], `${r.stack} ${w.metadata.name}/${c.name} limit`);
                }
                for (const v of podSpec(w).volumes ?? []) {
                    if (v.emptyDir) assert.ok(v.emptyDir.sizeLimit, `${r.stack} ${w.metadata.name} volume ${v.name}`);
                }
            }
        }
    });

    it("a /tmp larger than the storage limit is refused", async () => {
        const message = await configError("prod", (s) => (service0(s)["pod"] = { tmpSizeLimit: "4Gi" }));
        assert.match(message, /services\[0\]\.pod\.tmpSizeLimit.*expected at most the ephemeral-storage limit 1Gi/);
    });
});

describe("4. UIDs and GIDs above 10000", () => {
    it(`every pod runs as a UID and GID above ${MAX_HOST_ID}, but for the ignored in-cluster Postgres`, () => {
        const exempt = KUBE_SCORE_IGNORES.flatMap((i) => (i.check === "container-security-context-user-group-id" ? (i.objects ?? []) : []));
        for (const r of Object.values(rendered)) {
            for (const w of workloads(r)) {
                if (exempt.includes(`${w.kind}/${w.metadata.name}`)) continue;
                const sc = podSpec(w).securityContext;
                assert.ok(
                    sc.runAsUser > MAX_HOST_ID && sc.runAsGroup > MAX_HOST_ID,
                    `${r.stack} ${w.kind}/${w.metadata.name}: ${JSON.stringify(sc)}`,
                );
            }
        }
    });

    it("configurable per service, and a low UID is refused", async () => {
        const r = await renderStack("local", { edit: (s) => (service0(s)["pod"] = { runAsUser: 20000, runAsGroup: 20001 }) });
        assert.deepEqual([podSpec(app(r)).securityContext.runAsUser, podSpec(migrate(r)).securityContext.runAsGroup], [20000, 20001]);
        assert.match(await configError("local", (s) => (service0(s)["pod"] = { runAsUser: 1000 })), /services\[0\]\.pod\.runAsUser/);
    });
});

describe("5. immutable, scanned images", () => {
    it("staging and prod run repository@sha256 (app and hooks), the tag kept in the version label", () => {
        for (const stack of ["staging", "prod"]) {
            const { tag, digest } = RUNNING_RELEASES[stack]!["supernova-server"]!;
            for (const w of [app(rendered[stack]!), migrate(rendered[stack]!)]) {
                assert.equal(podSpec(w).containers[0].image, `ghcr.io/collab/supernova-server@${digest}`, `${stack} ${w.metadata.name}`);
                assert.equal(w.metadata.labels["app.kubernetes.io/version"], tag);
            }
        }
    });

    it("a staging or prod deploy without a digest is refused; a promotion there must carry one", async () => {
        const message = await configError("prod", () => {}, { "supernova-server": { tag: "v1.2.3" } });
        assert.match(message, /services\[0\]\.image\.digest.*expected the digest of v1\.2\.3 in prod/);
        assert.throws(
            () => validatePromotion(REPO_ROOT, { service: "supernova-server", environment: "prod", tag: "v1.3.0" }),
            (e: unknown) => e instanceof PromotionError && /digest: expected the image's digest/.test(e.message),
        );
        assert.doesNotThrow(() => validatePromotion(REPO_ROOT, { service: "supernova-server", environment: "dev", tag: "dev-a1b2c3d" }));
    });

    it("deploy.yml scans the promoted image with the pinned Trivy action before pulumi up, failing on CRITICAL/HIGH, summary in the job summary", () => {
        const steps = loadWorkflow(".github/workflows/deploy.yml").jobs["up"]!.steps!;
        const target = steps.findIndex((s) => s["id"] === "scan-target");
        const scan = steps.findIndex((s) => String(s["uses"] ?? "").startsWith("aquasecurity/trivy-action"));
        const summary = steps.findIndex(
            (s) => String(s["run"] ?? "").includes("GITHUB_STEP_SUMMARY") && String(s["run"]).includes("trivy"),
        );
        const up = steps.findIndex((s) => /^pulumi (up|preview)/.test(String(s["run"] ?? "")));
        assert.ok(target >= 0 && target < scan && scan < summary && summary < up, `order ${[target, scan, summary, up]}`);
        const step = steps[scan]!;
        assert.equal(step["uses"], SCAN_GATE.action, "pinned by commit");
        assert.match(SCAN_GATE.action, /@[0-9a-f]{40}$/);
        assert.deepEqual(
            [step["with"]["severity"], step["with"]["exit-code"], step["with"]["version"], step["env"]["TRIVY_IGNOREFILE"]],
            [SCAN_GATE.severity, "1", SCAN_GATE.trivyVersion, SCAN_GATE.ignoreFile],
        );
        assert.equal(step["with"]["image-ref"], "${{ steps.scan-target.outputs.image }}");
        assert.match(steps[summary]!["if"], /always\(\)/);
    });

    it("the scan target is the promotion's repository@digest in staging and prod, nothing in dev", () => {
        assert.deepEqual(scanTarget(REPO_ROOT, "prod", { service: "supernova-server", digest: DIGEST }), {
            scan: true,
            image: `ghcr.io/collab/supernova-server@${DIGEST}`,
        });
        assert.deepEqual(scanTarget(REPO_ROOT, "dev", { service: "supernova-server" }), { scan: false, image: "" });
        assert.throws(() => scanTarget(REPO_ROOT, "staging", { service: "supernova-server" }), /carries none/);
    });

    it("the ignore file's exceptions each have a reason and expire within 90 days", () => {
        const now = new Date("2026-11-23T00:00:00Z");
        assert.deepEqual(ignoreFileProblems(fs.readFileSync(path.join(REPO_ROOT, SCAN_GATE.ignoreFile), "utf8"), now), []);
        const entry = (extra: string) => `vulnerabilities:\n  - id: CVE-2026-1\n${extra}`;
        assert.deepEqual(ignoreFileProblems(entry("    statement: unreachable\n    expired_at: 2027-01-15\n"), now), []);
        assert.deepEqual(ignoreFileProblems(entry("    statement: unreachable\n"), now), ["CVE-2026-1: expected expired_at (YYYY-MM-DD)"]);
        assert.deepEqual(ignoreFileProblems(entry("    expired_at: 2027-06-01\n"), now), [
            "CVE-2026-1: expected a statement (why the finding is accepted)",
            "CVE-2026-1: expired_at 2027-06-01 is more than 90 days away",
        ]);
    });
});

describe("6. graceful shutdown", () => {
    const delay = Number(targetGroupDefaults().targetGroupAttributes.find((a) => a.key === "deregistration_delay.timeout_seconds")!.value);

    it("the app waits longer than the ALB's deregistration delay before it stops, and the grace period is above that", () => {
        for (const r of Object.values(rendered)) {
            const spec = podSpec(app(r));
            const preStop = spec.containers[0].lifecycle.preStop.sleep.seconds;
            assert.ok(preStop > delay, `${r.stack}: preStop ${preStop} s > deregistration ${delay} s`);
            assert.ok(
                spec.terminationGracePeriodSeconds > preStop,
                `${r.stack}: grace ${spec.terminationGracePeriodSeconds} s > ${preStop} s`,
            );
        }
    });

    it("a preStop at or under the deregistration delay, or a grace period under the preStop, is refused", async () => {
        const message = await configError(
            "prod",
            (s) => (service0(s)["pod"] = { preStopSeconds: delay, terminationGracePeriodSeconds: 20 }),
        );
        assert.match(message, /services\[0\]\.pod\.preStopSeconds.*deregistration delay/);
        assert.match(message, /services\[0\]\.pod\.terminationGracePeriodSeconds.*expected more than preStopSeconds/);
    });
});
