import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { retryWaitSeconds } from "../config/rules";
import { CHART_DIRECTORY } from "../components/service-release/service-release";

/**
 * Runs the chart's retry wrapper for real, as the hook Job does (`sh -c "<retry.sh>" retry ...`).
 * `sleep` is replaced by a recorder that does not wait, so the delays are exact and the test is fast.
 */
const SCRIPT = fs.readFileSync(path.join(CHART_DIRECTORY, "files", "retry.sh"), "utf8");
let dir: string;

before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "retry-"));
    fs.writeFileSync(path.join(dir, "sleep"), `#!/bin/sh\necho "$1" >> "${dir}/sleeps"\n`, { mode: 0o755 });
    // Fails (exit 3) until it has been called $1 times, then succeeds.
    fs.writeFileSync(
        path.join(dir, "flaky"),
        `#!/bin/sh\ncount=$(cat "${dir}/calls" 2>/dev/null || echo 0)\ncount=$((count + 1))\necho "$count" > "${dir}/calls"\n[ "$count" -gt "$1" ] || exit 3\n`,
        { mode: 0o755 },
    );
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function run(initial: number, max: number, attempts: number, failures: number) {
    for (const file of ["sleeps", "calls"]) fs.rmSync(path.join(dir, file), { force: true });
    const result = spawnSync(
        "sh",
        ["-c", SCRIPT, "retry", String(initial), String(max), String(attempts), "--", "flaky", String(failures)],
        {
            env: { PATH: `${dir}:${process.env["PATH"]}` },
            encoding: "utf8",
        },
    );
    const read = (file: string) => (fs.existsSync(path.join(dir, file)) ? fs.readFileSync(path.join(dir, file), "utf8").trim() : "");
    return {
        status: result.status,
        stderr: result.stderr,
        sleeps: read("sleeps").split("\n").filter(Boolean).map(Number),
        calls: Number(read("calls") || 0),
    };
}

describe("hook retry wrapper", () => {
    it("retries a command that fails twice, waiting 2 s then 4 s, and exits 0", () => {
        const r = run(2, 60, 6, 2);
        assert.equal(r.status, 0);
        assert.equal(r.calls, 3);
        assert.deepEqual(r.sleeps, [2, 4]);
    });

    it("stops after maxAttempts with the command's exit status, waits 2, 4, 8, 16, 32", () => {
        const r = run(2, 60, 6, 100);
        assert.equal(r.status, 3);
        assert.equal(r.calls, 6);
        assert.deepEqual(r.sleeps, [2, 4, 8, 16, 32]);
        assert.match(r.stderr, /attempt 6 of 6 failed \(exit 3\); giving up/);
    });

    it("caps the delay at maxSeconds", () => {
        const r = run(2, 60, 8, 100);
        assert.deepEqual(r.sleeps, [2, 4, 8, 16, 32, 60, 60]);
        assert.equal(r.status, 3);
    });

    it("runs a command that succeeds once, without waiting", () => {
        const r = run(2, 60, 6, 0);
        assert.deepEqual([r.status, r.calls, r.sleeps], [0, 1, []]);
    });

    it("agrees with the config's computation of the total wait", () => {
        for (const [initial, max, attempts] of [
            [2, 60, 6],
            [2, 60, 8],
            [1, 5, 4],
        ] as const) {
            const r = run(initial, max, attempts, 100);
            const total = r.sleeps.reduce((a, b) => a + b, 0);
            assert.equal(retryWaitSeconds({ enabled: true, initialSeconds: initial, maxSeconds: max, maxAttempts: attempts }), total);
        }
    });
});
