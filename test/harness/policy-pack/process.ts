import * as grpc from "@grpc/grpc-js";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import { AnalyzerHandshakeRequest } from "@pulumi/pulumi/proto/analyzer_pb";
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { REPO_ROOT } from "../project";

/** The repository's policy pack. */
export const POLICY_PACK_DIR = path.join(REPO_ROOT, "policies");

/**
 * The engine passes its own gRPC address first; `run-policy-pack` drops it (a policy pack never calls
 * the engine). There is no engine here, so the argument holds a loopback address nothing listens on.
 */
export const NO_ENGINE_ADDRESS = "127.0.0.1:0";
/** The engine raises gRPC's 4 MB message limit to 400 MB for analyzers. */
const MAX_MESSAGE_BYTES = 400 * 1024 * 1024;
/** A cold start type-checks the pack with ts-node; on a busy 2-core machine that takes tens of seconds. */
const START_TIMEOUT_MS = Number(process.env["POLICY_PACK_START_TIMEOUT_MS"] ?? 120_000);
const STOP_GRACE_MS = 5_000;

export interface PackProcessOptions {
    /** Directory holding `PulumiPolicy.yaml`. Defaults to the repository's `policies/`. */
    dir?: string;
    /** Environment on top of this process's own, as the engine passes its environment through (e.g. `PULUMI_CONFIG`). */
    env?: Record<string, string | undefined>;
}

export interface PackProcess {
    client: AnalyzerClient;
    pid: number;
    /** `version` of PulumiPolicy.yaml; the engine prefers it to the version the pack reports. */
    projectVersion?: string;
    /** Milliseconds from spawn until the pack answered over gRPC. */
    startupMs: number;
    /** Everything the pack wrote after its port (the engine shows it as diagnostics). */
    output(): string;
    stop(): Promise<void>;
}

export class PolicyPackStartError extends Error {}

interface PolicyProject {
    runtime?: string | { name: string; options?: Record<string, unknown> };
    version?: string;
}

function loadPolicyProject(dir: string): PolicyProject {
    const file = path.join(dir, "PulumiPolicy.yaml");
    if (!fs.existsSync(file))
        throw new PolicyPackStartError(`failed to load Pulumi policy project located at "${dir}": no PulumiPolicy.yaml`);
    return parse(fs.readFileSync(file, "utf8")) as PolicyProject;
}

/** Arguments of `pulumi-analyzer-policy`: the engine address, the pack directory ("." as its cwd), `-<option>=<value>` per runtime option. */
function analyzerArgs(dir: string, project: PolicyProject): string[] {
    const file = path.join(dir, "PulumiPolicy.yaml");
    const runtime = typeof project.runtime === "string" ? { name: project.runtime } : project.runtime;
    if (runtime?.name !== "nodejs") throw new PolicyPackStartError(`${file}: runtime ${runtime?.name} is not nodejs`);
    const options = Object.entries(runtime.options ?? {})
        .filter(([, v]) => v !== undefined && v !== null && String(v) !== "")
        .map(([k, v]) => `-${k}=${String(v)}`);
    return [NO_ENGINE_ADDRESS, ".", ...options];
}

/** The `@pulumi/pulumi/cmd/run-policy-pack` the pack's own dependencies provide, as `pulumi-analyzer-policy` finds it. */
function runPolicyPackScript(dir: string): string {
    try {
        return require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [dir] });
    } catch {
        throw new PolicyPackStartError(
            `it looks like the policy pack's dependencies are not installed; try running npm install in "${dir}"`,
        );
    }
}

// Packs still running when this process exits (a test that failed before its `after` hook ran, Ctrl-C).
const running = new Set<ChildProcess>();
const killAll = () => running.forEach((child) => child.kill("SIGKILL"));
process.on("exit", killAll);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
        killAll();
        process.kill(process.pid, signal);
    });
}

/**
 * Starts a policy pack the way the engine starts a Node.js one: `pulumi-analyzer-policy` runs
 * `node @pulumi/pulumi/cmd/run-policy-pack <engine> . -typescript=true` in the pack's directory,
 * reads the port from the first line of its stdout, dials it, and tries `Handshake` (the Node.js
 * policy SDK answers UNIMPLEMENTED, which the engine accepts).
 */
export async function startPackProcess(options: PackProcessOptions = {}): Promise<PackProcess> {
    const dir = options.dir ?? POLICY_PACK_DIR;
    const started = performance.now();
    const project = loadPolicyProject(dir);
    const child = spawn(process.execPath, [runPolicyPackScript(dir), ...analyzerArgs(dir, project)], {
        cwd: dir,
        env: { ...process.env, ...options.env },
        stdio: ["pipe", "pipe", "pipe"],
    });
    running.add(child);
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    let output = "";
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const stop = async () => {
        if (child.exitCode === null && child.signalCode === null) {
            child.kill("SIGTERM");
            const timer = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
            await exited;
            clearTimeout(timer);
        }
        running.delete(child);
    };
    try {
        const port = await readPort(child, exited, () => output);
        child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
        const client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
            "grpc.max_receive_message_length": MAX_MESSAGE_BYTES,
            "grpc.max_send_message_length": MAX_MESSAGE_BYTES,
        });
        await handshake(client, dir);
        return {
            client,
            pid: child.pid!,
            projectVersion: project.version,
            startupMs: performance.now() - started,
            output: () => output,
            stop: async () => {
                client.close();
                await stop();
            },
        };
    } catch (error) {
        await stop();
        throw error;
    }
}

/** The first line of stdout, which must be a port number; what the engine reads byte by byte. */
function readPort(child: ChildProcess, exited: Promise<void>, output: () => string): Promise<number> {
    return new Promise((resolve, reject) => {
        let line = "";
        const fail = (why: string) => reject(new PolicyPackStartError(`policy pack failed to start: ${why}\n${output()}`.trimEnd()));
        const timer = setTimeout(() => fail(`no port on stdout after ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
        const onData = (chunk: Buffer) => {
            line += chunk.toString();
            const newline = line.indexOf("\n");
            if (newline < 0) return;
            child.stdout!.off("data", onData);
            clearTimeout(timer);
            const port = line.slice(0, newline).trim();
            if (/^\d+$/.test(port)) resolve(Number(port));
            else fail(`it wrote a non-numeric port to stdout ('${port}')`);
        };
        child.stdout!.on("data", onData);
        void exited.then(() => {
            clearTimeout(timer);
            fail(`it exited (code ${child.exitCode}, signal ${child.signalCode}) before printing its port`);
        });
    });
}

async function handshake(client: AnalyzerClient, dir: string): Promise<void> {
    await new Promise<void>((resolve, reject) => client.waitForReady(Date.now() + 10_000, (error) => (error ? reject(error) : resolve())));
    const request = new AnalyzerHandshakeRequest().setEngineAddress(NO_ENGINE_ADDRESS).setRootDirectory(dir).setProgramDirectory(dir);
    await new Promise<void>((resolve, reject) =>
        client.handshake(request, (error) => (error && error.code !== grpc.status.UNIMPLEMENTED ? reject(error) : resolve())),
    );
}

/** Whether a process exists and has not terminated (a zombie waiting to be reaped counts as terminated). */
export function isRunning(pid: number): boolean {
    try {
        const state = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.[0];
        return state !== "Z" && state !== "X";
    } catch {
        return false;
    }
}
