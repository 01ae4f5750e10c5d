import { execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { MOCK_KEY_PAIR_ENV, rsaKeyPair } from "../test/harness/mocks";
import type { Snapshot } from "./snapshot";

/** What a base snapshot's child process needs: the ref's checkout, the stack, and the head's secret key. */
export interface BaseRequest {
    /** The repository the ref is resolved in (the head's checkout). */
    repoRoot: string;
    ref: string;
    stack: string;
    secretKey: string;
    policyConfig?: Record<string, Record<string, unknown>>;
}

const git = (cwd: string, ...args: string[]) =>
    execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();

/** A ref's commit, or an error that names the ref (a shallow clone lacks the base: fetch-depth 0). */
export function resolveRef(repoRoot: string, ref: string): string {
    try {
        return git(repoRoot, "rev-parse", "--verify", "--quiet", `${ref}^{commit}`);
    } catch {
        throw new Error(`git cannot resolve ${ref} in ${repoRoot} (a shallow clone needs fetch-depth: 0)`);
    }
}

/** Installed things the checkout needs and git does not hold: dependencies and the built tools (cyclonus, helm). */
const LINKED = ["node_modules", ".tools"];

/**
 * Evaluates the stack at a git ref without touching the working tree: a detached worktree of the ref
 * in a temporary directory (dependencies and tools linked from the head's checkout), the snapshot taken
 * there by a child process running the ref's own program through review/snapshot-child.ts, JSON on
 * its stdout. The worktree is removed afterwards, whatever happened.
 */
export async function snapshotAtRef(request: BaseRequest): Promise<Snapshot> {
    const commit = resolveRef(request.repoRoot, request.ref);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "review-base-"));
    try {
        git(request.repoRoot, "worktree", "add", "--detach", "--quiet", dir, commit);
        for (const name of LINKED) {
            const target = path.join(request.repoRoot, name);
            if (fs.existsSync(target) && !fs.existsSync(path.join(dir, name))) fs.symlinkSync(target, path.join(dir, name));
        }
        const tree = `${request.ref} (${commit.slice(0, 7)})`;
        return await runChild(dir, tree, request);
    } finally {
        try {
            git(request.repoRoot, "worktree", "remove", "--force", dir);
        } catch {
            fs.rmSync(dir, { recursive: true, force: true });
            git(request.repoRoot, "worktree", "prune");
        }
    }
}

function runChild(dir: string, tree: string, request: BaseRequest): Promise<Snapshot> {
    const entry = path.join(__dirname, "snapshot-child.ts");
    const child = spawn(process.execPath, ["--import", "tsx", entry, dir, request.stack, tree], {
        cwd: dir,
        env: {
            ...process.env,
            REVIEW_SECRET_KEY: request.secretKey,
            REVIEW_POLICY_CONFIG: JSON.stringify(request.policyConfig ?? {}),
            // The mocks' key pair is random per process: the base gets head's, so generated keys compare equal.
            [MOCK_KEY_PAIR_ENV]: JSON.stringify(rsaKeyPair()),
        },
        stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    return new Promise((resolve, reject) => {
        child.once("error", reject);
        child.once("close", (code) => {
            if (code !== 0)
                return reject(new Error(`the snapshot of ${request.stack} at ${tree} failed (exit ${code}):\n${stderr.trim()}`));
            try {
                resolve(JSON.parse(stdout) as Snapshot);
            } catch (error) {
                reject(new Error(`the snapshot at ${tree} printed no JSON: ${(error as Error).message}\n${stderr.trim()}`));
            }
        });
    });
}
