/**
 * kube-score over every stack's rendered objects (`npm run test:score`): zero critical findings, with
 * the ignores of render/kube-score-ignores.ts only. Prints each stack's summary and its timing.
 */
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { after, describe, it } from "node:test";
import { stringify } from "yaml";
import { Finding, scoreFiles, summarize } from "../../render/kube-score";
import { MONITORING_NAMESPACE } from "../../config/observability";
import { KUBE_SCORE_IGNORES } from "../../render/kube-score-ignores";
import { renderStack, writeRendered } from "../../render/render-stack";
import { STACKS } from "../harness/stack-file";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-score-"));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
const all: Finding[] = [];

describe("kube-score v1.20.0 over every stack's rendered objects", () => {
    for (const stack of STACKS) {
        it(`${stack}: no critical finding outside the ignore list`, async () => {
            const started = Date.now();
            const rendered = await renderStack(stack);
            const findings = scoreFiles(writeRendered(rendered, path.join(dir, stack)));
            all.push(...findings);
            const s = summarize(rendered.objects.length, findings);
            console.log(
                `[score] ${stack}: ${s.objects} objects, ${s.critical} critical, ${s.warning} warning, ignored ${s.ignoredCritical} critical / ${s.ignoredWarning} warning, ${Date.now() - started} ms`,
            );
            assert.ok(s.objects > 20, "the render holds the stack's objects");
            const critical = findings.filter((f) => f.grade === "CRITICAL" && !f.ignoredBy);
            assert.deepEqual(
                critical.map((f) => `${f.object} ${f.check}: ${f.summary}`),
                [],
            );
        });
    }

    it("every ignore has a reason and still matches a finding (a stale ignore is removed)", () => {
        for (const ignore of KUBE_SCORE_IGNORES) {
            assert.ok(ignore.reason.length > 40, `${ignore.check}: a reason`);
            assert.ok(
                all.some((f) => f.ignoredBy === ignore),
                `${ignore.check}${ignore.objects ? ` (${ignore.objects.join(", ")})` : ""} matches no finding`,
            );
        }
        assert.equal(new Set(KUBE_SCORE_IGNORES.map((i) => i.check)).size, KUBE_SCORE_IGNORES.length, "each check listed once");
    });

    it("the add-on namespaces' ignore covers only those namespaces: a policy that selects no pod of the app's namespace still fails", () => {
        const policy = (namespace: string) => ({
            apiVersion: "networking.k8s.io/v1",
            kind: "NetworkPolicy",
            metadata: { name: "selects-nothing", namespace },
            spec: { podSelector: { matchLabels: { app: "nowhere" } }, policyTypes: ["Ingress"] },
        });
        const verdicts = ["supernova-prod", MONITORING_NAMESPACE].map((namespace) => {
            const file = path.join(dir, `policy-${namespace}.yaml`);
            fs.writeFileSync(file, stringify(policy(namespace)));
            const finding = scoreFiles([file]).find((f) => f.check === "networkpolicy-targets-pod");
            assert.ok(finding, `kube-score flags the policy in ${namespace}`);
            return [namespace, finding.grade, finding.ignoredBy === undefined ? "counted" : "ignored"];
        });
        assert.deepEqual(verdicts, [
            ["supernova-prod", "CRITICAL", "counted"],
            [MONITORING_NAMESPACE, "CRITICAL", "ignored"],
        ]);
    });

    it("the scorer fails what the issue found: a low UID and no ephemeral-storage are critical and not ignored", () => {
        const file = path.join(dir, "broken.yaml");
        const container = {
            name: "app",
            image: "ghcr.io/collab/x@sha256:" + "a".repeat(64),
            resources: { requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "1", memory: "1Gi" } },
        };
        const deployment = {
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name: "broken", namespace: "x" },
            spec: {
                selector: { matchLabels: { app: "broken" } },
                template: {
                    metadata: { labels: { app: "broken" } },
                    spec: { securityContext: { runAsUser: 1000, runAsGroup: 1000 }, containers: [container] },
                },
            },
        };
        fs.writeFileSync(file, stringify(deployment));
        const critical = scoreFiles([file])
            .filter((f) => f.grade === "CRITICAL" && !f.ignoredBy)
            .map((f) => f.check);
        for (const check of ["container-security-context-user-group-id", "container-ephemeral-storage-request-and-limit"]) {
            assert.ok(critical.includes(check), `${check} in ${critical.join(", ")}`);
        }
    });
});
