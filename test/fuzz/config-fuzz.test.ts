/**
 * The config fuzz with a fixed seed (npm run test:fuzz; `npm run fuzz` runs longer with a random seed):
 * 200 mutations of the stack files, each a config error naming its key or a graph the pack accepts.
 * Ten seconds of CPU, so its own script, out of npm test's budget.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkMutation, fuzzConfig, namesMutation } from "../harness/config-fuzz";

describe("config fuzz (fixed seed here; `npm run fuzz` runs longer with a random seed)", () => {
    it("each mutation of a stack file is a config error naming its key, or a graph the pack accepts", async (t) => {
        const report = await fuzzConfig({ runs: 200, seed: 20261123, graphRuns: 2 });
        t.diagnostic(
            `config fuzz: ${report.runs} cases, seed ${report.seed}, ${report.seconds.toFixed(1)} s, outcomes ${JSON.stringify(report.outcomes)}`,
        );
        assert.equal(report.failure, undefined, report.failure);
        assert.equal(report.outcomes["valid-graph"], 2, "the sample of valid configs was deployed and checked");
        assert.ok(report.outcomes["config-error"] > report.runs / 3, "most mutations are refused");
    });

    it("fails on a graph the pack refuses, and on a config error that names another key", async () => {
        const same = { stack: "prod", kind: "set" as const, path: ["services", 0, "replicas"], value: 3, why: "test" };
        const stricter = { "service-minimum-replicas": { minimumReplicas: 5 } };
        await assert.rejects(checkMutation(same, true, stricter), /mandatory violations:\nservice-minimum-replicas/);
        const problem = { path: ["services", 0, "replicas"], message: "expected at most autoscaling.maxReplicas (10)" };
        assert.ok(namesMutation(problem, ["services", 0, "autoscaling", "maxReplicas"]));
        assert.ok(namesMutation(problem, ["services", 0]));
        assert.ok(!namesMutation(problem, ["services", 0, "port"]));
    });
});
