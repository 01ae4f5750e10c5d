/**
 * Alert rules tested like code, with the real tool: every stack's rendered PrometheusRule goes through
 * `promtool check rules`, then `promtool test rules` feeds each alert a firing and a silent case
 * (alert-cases.ts). The dashboards' queries are checked by promtool's parser too (as recording rules).
 * Run: npm run test:alerts (prints the case count and timings).
 */
import { after, before, describe, it } from "node:test";
import * as assert from "node:assert/strict";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import type { AlertRule } from "../../components/monitoring/alert-rules";
import { recordStack } from "../harness/run-stack";
import { REPO_ROOT, STACKS } from "../harness/stack-file";
import { alertCases } from "./alert-cases";

const PROMTOOL = process.env["PROMTOOL"] ?? path.join(REPO_ROOT, ".tools", "bin", "promtool");
const started = Date.now();
const log = (message: string) => console.log(`[alerts +${((Date.now() - started) / 1000).toFixed(1)} s] ${message}`);

function promtool(args: string[]): { status: number | null; output: string } {
    const run = spawnSync(PROMTOOL, args, { encoding: "utf8" });
    if (run.error) throw new Error(`${PROMTOOL}: ${run.error.message} (run bash scripts/setup.sh)`);
    return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

interface RuleFile {
    stack: string;
    service: string;
    namespace: string;
    file: string;
    rules: AlertRule[];
    thresholds: Parameters<typeof alertCases>[3];
}

describe("alert rules under promtool", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "promtool-"));
    const files: RuleFile[] = [];
    const dashboards: { stack: string; name: string; exprs: string[] }[] = [];

    before(async () => {
        log(promtool(["--version"]).output.split("\n")[0]!);
        for (const stack of STACKS) {
            const { graph, config } = await recordStack(stack);
            for (const rule of graph.ofType("kubernetes:monitoring.coreos.com/v1:PrometheusRule")) {
                const namespace = String(rule.inputs.metadata.namespace);
                const service = String(rule.inputs.metadata.labels["app.kubernetes.io/name"]);
                const file = path.join(dir, `${stack}-${service}.rules.yaml`);
                fs.writeFileSync(file, stringify(rule.inputs.spec));
                files.push({
                    stack,
                    service,
                    namespace,
                    file,
                    rules: rule.inputs.spec.groups[0].rules,
                    thresholds: config.monitoring.thresholds,
                });
            }
            for (const map of graph
                .ofType("kubernetes:core/v1:ConfigMap")
                .filter((m) => m.inputs.metadata?.labels?.grafana_dashboard === "1")) {
                for (const json of Object.values(map.inputs.data as Record<string, string>)) {
                    const model = JSON.parse(json) as { panels: { targets: { expr: string }[] }[] };
                    dashboards.push({
                        stack,
                        name: map.inputs.metadata.name,
                        exprs: model.panels.flatMap((p) => p.targets.map((t) => t.expr)),
                    });
                }
            }
        }
        log(`${files.length} rule files and ${dashboards.length} dashboards from ${STACKS.length} stacks`);
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("every stack renders a PrometheusRule per service", () => {
        assert.deepEqual([...new Set(files.map((f) => f.stack))].sort(), [...STACKS].sort());
    });

    it("passes promtool check rules, every rendered file", () => {
        const t = Date.now();
        const run = promtool(["check", "rules", "--lint=all", "--lint-fatal", ...files.map((f) => f.file)]);
        assert.equal(run.status, 0, run.output);
        log(`promtool check rules: ${files.length} files in ${Date.now() - t} ms`);
    });

    it("fires each alert past its threshold and stays silent short of it (promtool test rules)", () => {
        const t = Date.now();
        let count = 0;
        const perAlert = new Map<string, Set<string>>();
        for (const ruleFile of files) {
            const cases = alertCases(ruleFile.rules, ruleFile.namespace, ruleFile.service, ruleFile.thresholds);
            const testFile = path.join(dir, `${ruleFile.stack}-${ruleFile.service}.test.yaml`);
            fs.writeFileSync(
                testFile,
                stringify({ rule_files: [path.basename(ruleFile.file)], evaluation_interval: "30s", tests: cases.map((c) => c.test) }),
            );
            const run = promtool(["test", "rules", testFile]);
            assert.equal(run.status, 0, `${ruleFile.stack} ${ruleFile.service}:\n${run.output}`);
            count += cases.length;
            for (const c of cases) perAlert.set(c.alert, (perAlert.get(c.alert) ?? new Set()).add(c.kind));
            // Every alert of the file has both kinds of case.
            assert.deepEqual(
                ruleFile.rules.map((r) => r.alert).filter((alert) => cases.filter((c) => c.alert === alert).length !== 2),
                [],
            );
        }
        for (const [alert, kinds] of perAlert) assert.deepEqual([...kinds].sort(), ["fires", "silent"], alert);
        log(
            `promtool test rules: ${count} alert cases (${perAlert.size} alerts, a firing and a silent case each, over ${files.length} files) in ${Date.now() - t} ms`,
        );
    });

    it("a broken case fails: promtool notices an alert that should fire but does not", () => {
        const ruleFile = files.find((f) => f.stack === "prod")!;
        const [firing] = alertCases(ruleFile.rules, ruleFile.namespace, ruleFile.service, ruleFile.thresholds);
        const inverted = { ...firing!.test, alert_rule_test: firing!.test.alert_rule_test.map((a) => ({ ...a, exp_alerts: [] })) };
        const testFile = path.join(dir, "inverted.test.yaml");
        fs.writeFileSync(
            testFile,
            stringify({ rule_files: [path.basename(ruleFile.file)], evaluation_interval: "30s", tests: [inverted] }),
        );
        const run = promtool(["test", "rules", testFile]);
        assert.notEqual(run.status, 0, "promtool must fail a test that expects silence from a firing alert");
        assert.match(run.output, new RegExp(firing!.alert));
    });

    it("every dashboard query parses (promtool check rules, as recording rules)", () => {
        const file = path.join(dir, "dashboards.rules.yaml");
        fs.writeFileSync(
            file,
            stringify({
                groups: dashboards.map((d, i) => ({
                    name: `${d.stack}-${d.name}-${i}`,
                    rules: d.exprs.map((expr, j) => ({ record: `dashboard:query_${j}`, expr })),
                })),
            }),
        );
        const run = promtool(["check", "rules", file]);
        assert.equal(run.status, 0, run.output);
    });
});
