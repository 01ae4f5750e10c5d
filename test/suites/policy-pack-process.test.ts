import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { EMERGENCY_VARIABLE } from "../../policies/rules/prod-deployment-window";
import { isSecretValue } from "../harness/graph";
import { GENERATED_SECRET_PREFIX } from "../harness/mocks";
import { EXIT } from "../harness/policy-pack/check";
import { isRunning } from "../harness/policy-pack/process";
import { graphResources, PackResource } from "../harness/policy-pack/resources";
import { PolicyPackSession } from "../harness/policy-pack/session";
import { secret } from "../harness/policy-pack/wire";
import { REPO_ROOT } from "../harness/project";
import { recordStack } from "../harness/run-stack";

/**
 * `npm run test:policy-pack`: the policy pack's processes end to end, each test starting its own
 * (a probe pack, `npm run policy` as a command, a test process that crashes). Prints its timings.
 */
const TIMEOUT_MS = 240_000;
const ms = (start: number) => `${Math.round(performance.now() - start)} ms`;

describe("a secret value reaches the pack as a secret", () => {
    let probe: PolicyPackSession;
    let db: PackResource;
    before(async () => {
        const [session, { graph }] = await Promise.all([
            PolicyPackSession.start({ dir: path.join(REPO_ROOT, "test", "fixtures", "secret-probe-pack") }),
            recordStack("prod"),
        ]);
        probe = session;
        db = (await graphResources(graph)).find((r) => r.type === "aws:rds/instance:Instance")!;
    });
    after(() => probe?.stop());

    it("the SDK's server holds it as a Secret (it comes back wrapped) and a policy reads its plain value", async (t) => {
        t.diagnostic(`probe pack start-up ${Math.round(probe.startupMs)} ms`);
        assert.ok(isSecretValue(db.inputs["password"]), "sent as a secret");
        const { remediations, violations } = await probe.analyze([db]);
        assert.deepEqual(
            remediations.map((r) => r.policy),
            ["echo"],
        );
        assert.deepEqual(remediations[0]!.properties!["password"], secret(`${GENERATED_SECRET_PREFIX}postgres-password`));
        assert.ok(!isSecretValue(remediations[0]!.properties!["username"]), "a plain value stays plain");
        const seen = JSON.parse(violations.find((v) => v.policy === "observe")!.message) as Record<string, string>;
        assert.equal(seen["password"], "string");
    });

    it("stops cleanly: no process is left once stop() returns", async () => {
        await probe.stop();
        assert.equal(isRunning(probe.pid), false);
    });
});

describe("npm run policy -- <stack>, as a command", () => {
    let dir: string;
    before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "policy-cli-"))));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("prints each violation (enforcement, policy, resource, message) and exits 1 on a mandatory one", (t) => {
        // Production rules tried on the cheap local stack through the config file, and an incident override
        // through the environment, which the pack's process inherits as it does from the engine.
        const config = path.join(dir, "config.json");
        fs.writeFileSync(
            config,
            JSON.stringify({
                "service-minimum-replicas": { productionStacks: ["local"] },
                "emergency-change-override": { productionStacks: ["local"] },
            }),
        );
        const started = performance.now();
        const run = spawnSync(process.execPath, ["--import", "tsx", "scripts/policy.ts", "local", "--policy-pack-config", config], {
            cwd: REPO_ROOT,
            encoding: "utf8",
            env: { ...process.env, [EMERGENCY_VARIABLE]: "INC-4711 payment outage" },
            timeout: TIMEOUT_MS,
        });
        t.diagnostic(`npm run policy -- local: ${ms(started)}; ${run.stdout.trim().split("\n").at(-1)}`);
        assert.equal(run.status, EXIT.mandatory, run.stderr);
        const lines = run.stdout.trim().split("\n");
        assert.deepEqual(lines.slice(1, -1), [
            "mandatory service-minimum-replicas  urn:pulumi:local::platform::platform:app:ServiceRelease$kubernetes:helm.sh/v4:Chart::supernova-server-chart",
            "    supernova-server runs 1 replica(s) in local; production needs at least 3.",
            "advisory  emergency-change-override  (stack)",
            "    EMERGENCY CHANGE to local: deployment window and change freeze not enforced. Reason: INC-4711 payment outage",
        ]);
        assert.match(lines.at(-1)!, /^1 mandatory, 1 advisory violation\(s\)\. Program \d+ ms, pack start-up \d+ ms, analysis \d+ ms\.$/);
    });
});

describe("the pack's process", () => {
    it("is gone when the test process that started it dies without stopping it", async () => {
        const script = `require("./test/harness/policy-pack/process").startPackProcess().then((s) => {
            console.log(s.pid);
            throw new Error("a test failed");
        });`;
        const crashed = spawnSync(process.execPath, ["--import", "tsx", "-e", script], {
            cwd: REPO_ROOT,
            encoding: "utf8",
            timeout: TIMEOUT_MS,
        });
        assert.equal(crashed.status, 1, crashed.stderr);
        assert.match(crashed.stderr, /Error: a test failed/);
        const pid = Number(crashed.stdout.trim());
        assert.ok(pid > 0, crashed.stdout);
        // Killed on the way out; init reaps it shortly after.
        for (let i = 0; i < 50 && isRunning(pid); i++) await new Promise((resolve) => setTimeout(resolve, 100));
        assert.equal(isRunning(pid), false);
    });
});
