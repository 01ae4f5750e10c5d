import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DELIVERY_SECRETS, WORKFLOW_FILES } from "../config/delivery";
import { ConfigError } from "../config/format";
import { runExample, services } from "./harness/examples";
import { Sections } from "./harness/stack-file";
import { Job, loadWorkflow, Workflow } from "./harness/workflows";

/* The seed systems' example stacks and each strategy's rendered chart: test/examples (npm run test:examples). */
describe("progressive delivery config errors name the key", () => {
    const expectProblem = async (edit: (s: Sections) => void, line: string) => {
        const { error, graph } = await runExample("learinal", edit);
        assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
        assert.equal(graph.resources.length, 0);
        assert.ok(error.message.split("\n").includes(line), error.message);
    };

    it("a post-* migration hook under blue-green (traffic would shift before it runs)", () =>
        expectProblem(
            (s) => (services(s)[0]!.migrations.when = ["post-install", "post-upgrade"]),
            'Pulumi.prod.yaml: services[0].migrations.when: expected only pre-install/pre-upgrade under strategy blueGreen: Argo Rollouts shifts traffic before Helm runs post-* hooks, got a list ["post-install","post-upgrade"]',
        ));

    it("an unknown strategy", () =>
        expectProblem(
            (s) => (services(s)[0]!.strategy = { type: "recreate" }),
            'Pulumi.prod.yaml: services[0].strategy.type: expected type to be one of "rolling", "blueGreen", "canary", got "recreate"',
        ));

    it("a canary weight over 100", () =>
        expectProblem(
            (s) => (services(s)[0]!.strategy = { type: "canary", steps: [{ setWeight: 120 }] }),
            "Pulumi.prod.yaml: services[0].strategy.steps[0].setWeight: expected an integer from 1 to 100, got 120",
        ));

    it("an analysis step without Prometheus", () =>
        expectProblem(
            (s) => (services(s)[0]!.strategy = { type: "canary", steps: [{ setWeight: 20 }, { analysis: true }] }),
            'Pulumi.prod.yaml: services[0].strategy.steps[1]: expected strategy.analysis.prometheusAddress: an analysis step queries Prometheus, got a mapping {"analysis":true}',
        ));

    it("an unknown log level, and LOG_LEVEL set twice", async () => {
        await expectProblem(
            (s) => (services(s)[0]!.logLevel = "verbose"),
            'Pulumi.prod.yaml: services[0].logLevel: expected one of "fatal", "error", "warn", "info", "debug", "trace", got "verbose"',
        );
        await expectProblem(
            (s) => (services(s)[0]!.env.LOG_LEVEL = "info"),
            'Pulumi.prod.yaml: services[0].env.LOG_LEVEL: expected LOG_LEVEL in logLevel only, not also in env, got "info"',
        );
    });

    it("a probe timeout of 0", () =>
        expectProblem(
            (s) => (services(s)[0]!.probes.liveness.timeoutSeconds = 0),
            "Pulumi.prod.yaml: services[0].probes.liveness.timeoutSeconds: expected an integer >= 1, got 0",
        ));
});

describe("smoke test, notifications, release record and rollback in the workflows", () => {
    const deploy = () => loadWorkflow(WORKFLOW_FILES.deploy).jobs["up"]!;
    const step = (job: Job, name: RegExp) => {
        const found = (job.steps ?? []).filter((s) => name.test(String(s["name"] ?? "")));
        assert.equal(found.length, 1, `one step ${name}`);
        return found[0]!;
    };

    it("deploy.yml: after pulumi up, waits for the Rollout, then runs the Helm smoke test", () => {
        const job = deploy();
        const names = (job.steps ?? []).map((s) => String(s["name"] ?? s["uses"]));
        const up = names.findIndex((n) => n.startsWith("pulumi up"));
        const rollout = names.findIndex((n) => n.startsWith("Progressive rollout healthy"));
        const smoke = names.findIndex((n) => n.startsWith("Smoke test"));
        assert.ok(up >= 0 && up < rollout && rollout < smoke, names.join(" | "));
        assert.match(step(job, /^Smoke test/)["run"], /^helm test "\$SERVICE" --namespace "\$NAMESPACE"/);
        assert.match(step(job, /^Progressive rollout healthy/)["run"], /--for=jsonpath='\{\.status\.phase\}'=Healthy/);
    });

    it("record-deploy.yml notifies Slack of every result, from the repository secret", () => {
        const record = loadWorkflow(WORKFLOW_FILES.recordDeploy).jobs["record"]!;
        const notify = step(record, /^Notify Slack$/);
        assert.equal(notify["if"], undefined, "every result");
        assert.equal(notify["env"]["SLACK_WEBHOOK_URL"], `\${{ secrets.${DELIVERY_SECRETS.slackWebhook} }}`);
    });

    it("record-deploy.yml: a GitHub release for a successful prod deploy, an issue for a failed one; called after release and rollback", () => {
        const record = loadWorkflow(WORKFLOW_FILES.recordDeploy).jobs["record"]!;
        assert.equal(step(record, /^GitHub release/)["if"], "inputs.result == 'success' && inputs.stack == 'prod' && !inputs.rollback");
        assert.match(step(record, /^GitHub release/)["run"], /^gh release create/);
        assert.equal(step(record, /^Issue for the failed deploy/)["if"], "inputs.result == 'failure'");
        assert.match(step(record, /^Issue for the failed deploy/)["run"], /^gh issue create/);
        for (const file of [WORKFLOW_FILES.release, WORKFLOW_FILES.rollback]) {
            const caller = loadWorkflow(file).jobs["record"]!;
            assert.equal(caller["uses"], `./${WORKFLOW_FILES.recordDeploy}`, file);
            assert.equal(caller["with"]["result"], "${{ needs.deploy.result }}", file);
            assert.match(caller["if"], /^always\(\)/, file);
        }
    });

    it("rollback.yml: the previous tag through the release's gates (same validation, deploy.yml in the environment, rollback accepted)", () => {
        const rollback = loadWorkflow(WORKFLOW_FILES.rollback);
        const release = loadWorkflow(WORKFLOW_FILES.release);
        assert.deepEqual(Object.keys(rollback.on["workflow_dispatch"].inputs), ["service", "environment", "target", "reason"]);
        const validate = (w: Workflow) => step(w.jobs["validate"]!, /^Validate the promotion/);
        assert.equal(validate(rollback)["run"], validate(release)["run"]);
        assert.equal(validate(rollback)["env"]["ROLLBACK"], "true");
        const job = rollback.jobs["deploy"]!;
        assert.equal(job["uses"], `./${WORKFLOW_FILES.deploy}`);
        assert.equal(job["with"]["rollback"], true);
        assert.equal(job["with"]["tag"], "${{ needs.validate.outputs.tag }}");
        assert.equal(job["secrets"], "inherit");
        // The previous tag: the second distinct tag of this service's successful releases to this environment.
        assert.match(step(rollback.jobs["validate"]!, /^The tag to go back to/)["run"], /sed -n 2p/);
    });
});
