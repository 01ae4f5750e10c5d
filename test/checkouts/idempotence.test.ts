import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { CHART_PATH } from "../../components/service-release/service-release";
import { MOCK_KEY_PAIR_ENV, rsaKeyPair } from "../harness/mocks";
import { REPO_ROOT } from "../harness/project";
import { graphText } from "./graph-text";

/**
 * A deploy from another checkout (another absolute path) must register the same inputs: otherwise the
 * release shows a diff and re-runs its migration hook (issue 25 item 8). The graph is evaluated here
 * and in a copy of this checkout elsewhere on disk, by a separate process started in that copy.
 */
const STACKS = ["local", "prod"];

function copyCheckout(): string {
    const target = fs.mkdtempSync(path.join(os.tmpdir(), "platform-checkout-"));
    const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: REPO_ROOT })
        .toString()
        .split("\0")
        .filter((file) => file !== "" && fs.existsSync(path.join(REPO_ROOT, file)) && fs.lstatSync(path.join(REPO_ROOT, file)).isFile());
    for (const file of files) {
        fs.mkdirSync(path.dirname(path.join(target, file)), { recursive: true });
        fs.copyFileSync(path.join(REPO_ROOT, file), path.join(target, file));
    }
    fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(target, "node_modules"));
    return target;
}

describe("idempotent across checkouts", () => {
    const copy = copyCheckout();
    after(() => fs.rmSync(copy, { recursive: true, force: true }));

    it("the graph evaluated from two checkout paths is identical, and names the chart relative to the project", async () => {
        const started = Date.now();
        const here = await graphText(STACKS);
        const there = execFileSync(process.execPath, ["--import", "tsx", path.join("test", "checkouts", "graph-text.ts"), ...STACKS], {
            cwd: copy,
            // The mocks' RSA key is random per process; both evaluations use this one.
            env: { ...process.env, [MOCK_KEY_PAIR_ENV]: JSON.stringify(rsaKeyPair()) },
            maxBuffer: 256 * 1024 * 1024,
        }).toString();
        console.log(`# two evaluations of ${STACKS.join(", ")}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
        assert.ok(here.length > 0 && here.includes(CHART_PATH));
        const theirs = there.split("\n");
        const differing = here
            .split("\n")
            .filter((line, i) => line !== theirs[i])
            .map((line) => (JSON.parse(line) as { urn: string }).urn);
        assert.deepEqual(differing, [], "resources whose inputs differ between checkouts");
        assert.equal(theirs.length, here.split("\n").length);
        assert.ok(!here.includes(REPO_ROOT), `no input holds this checkout's path ${REPO_ROOT}`);
    });
});
