import { execFile, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { toolPath } from "./control-plane";

/** The field manager of every server-side apply: the Pulumi Kubernetes provider's own. */
export const FIELD_MANAGER = "pulumi-kubernetes";

/** kubectl and helm against one control plane; every call's stderr lands in the error it throws. */
export class Kube {
    constructor(private readonly env: NodeJS.ProcessEnv) {}

    kubectl(args: string[], input?: string): string {
        try {
            return execFileSync(toolPath("kubectl"), args, { env: this.env, input, encoding: "utf8", stdio: ["pipe", "pipe", "pipe"] });
        } catch (error) {
            throw commandError("kubectl", args, error);
        }
    }

    json<T = any>(args: string[]): T {
        return JSON.parse(this.kubectl([...args, "-o", "json"])) as T;
    }

    items(kind: string, namespace: string, selector?: string): any[] {
        return this.json<{ items: any[] }>(["get", kind, "-n", namespace, ...(selector ? ["-l", selector] : [])]).items;
    }

    /** Server-side apply; a warning from the API server fails like an error. */
    apply(manifests: unknown[], fieldManager: string): string {
        const list = { apiVersion: "v1", kind: "List", items: manifests };
        return this.kubectl(
            ["apply", "--server-side", `--field-manager=${fieldManager}`, "--warnings-as-errors", "-f", "-"],
            JSON.stringify(list),
        );
    }

    /** `kubectl auth can-i` as another identity: true for yes, false for no, anything else throws. */
    canI(as: string, namespace: string, verb: string, resource: string): boolean {
        try {
            execFileSync(toolPath("kubectl"), ["auth", "can-i", verb, resource, "-n", namespace, `--as=${as}`, "--quiet"], {
                env: this.env,
                stdio: ["ignore", "pipe", "pipe"],
            });
            return true;
        } catch (error) {
            if ((error as { status?: number }).status === 1) return false;
            throw commandError("kubectl", ["auth", "can-i", verb, resource], error);
        }
    }

    helm(args: string[]): string {
        try {
            return execFileSync(toolPath("helm"), args, { env: this.env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
        } catch (error) {
            throw commandError("helm", args, error);
        }
    }

    /**
     * Runs a helm command that waits (install, upgrade) while watching the namespace's events: when a
     * controller reports that the API server refused to create a pod (FailedCreate), helm would only
     * time out much later, so it is stopped at once and the API server's message is the error.
     */
    async helmWatched(args: string[], namespace: string, ownedBy: (objectName: string) => boolean): Promise<HelmRun> {
        const started = Date.now();
        const since = new Date(started - 1000).toISOString();
        const child = spawn(toolPath("helm"), args, { env: this.env, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d) => (stdout += d));
        child.stderr.on("data", (d) => (stderr += d));
        const exited = new Promise<number>((resolve) => child.on("close", (code) => resolve(code ?? 1)));
        let refused: string[] = [];
        let done = false;
        void exited.then(() => (done = true));
        while (!done) {
            await Promise.race([exited, sleep(1000)]);
            if (done) break;
            refused = await this.refusals(namespace, since, ownedBy);
            if (refused.length > 0) {
                child.kill("SIGTERM");
                await exited;
                break;
            }
        }
        const code = await exited;
        return { code, stdout, stderr, refused, seconds: (Date.now() - started) / 1000 };
    }

    /** Messages of FailedCreate events (the API server refused an object a controller creates) since `since`. */
    async refusals(namespace: string, since: string, ownedBy: (objectName: string) => boolean): Promise<string[]> {
        const text = await new Promise<string>((resolve) =>
            execFile(
                toolPath("kubectl"),
                ["get", "events", "-n", namespace, "-o", "json"],
                { env: this.env, maxBuffer: 64 << 20 },
                (_e, out) => resolve(out ?? ""),
            ),
        );
        if (!text) return [];
        const events = (JSON.parse(text) as { items: any[] }).items;
        return events
            .filter((e) => e.reason === "FailedCreate" && ownedBy(e.involvedObject?.name ?? ""))
            .filter((e) => (e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp) >= since.slice(0, 19))
            .map((e) => `${e.involvedObject.kind}/${e.involvedObject.name}: ${e.message}`)
            .filter((message, i, all) => all.findIndex((m) => m.split(":")[0] === message.split(":")[0]) === i);
    }
}

export interface HelmRun {
    code: number;
    stdout: string;
    stderr: string;
    /** The API server's refusals seen while helm ran (FailedCreate events). */
    refused: string[];
    seconds: number;
}

function commandError(tool: string, args: string[], error: unknown): Error {
    const e = error as { stderr?: string | Buffer; message: string };
    const stderr = e.stderr ? e.stderr.toString().trim() : e.message;
    return new Error(`${tool} ${args.join(" ")}: ${stderr}`);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `use` with a temporary JSON values file. */
export async function withJsonFileAsync<T>(value: unknown, use: (file: string) => Promise<T>): Promise<T> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cluster-values-"));
    try {
        const file = path.join(dir, "values.json");
        fs.writeFileSync(file, JSON.stringify(value));
        return await use(file);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}
