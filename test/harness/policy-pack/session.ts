import type * as grpc from "@grpc/grpc-js";
import {
    AnalyzerInfo as AnalyzerInfoResponse,
    AnalyzerStackConfigureRequest,
    AnalyzeResponse,
    RemediateResponse,
} from "@pulumi/pulumi/proto/analyzer_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import type { Graph } from "../graph";
import type { Violation } from "../policy";
import { PROJECT } from "../project";
import { AnalyzerInfo, PolicyConfigError, PolicyPackConfig, reconcilePolicyPackConfig } from "./config";
import { analyzeRequest, analyzerInfo, analyzeStackRequest, configureRequest, violation } from "./messages";
import { PackProcess, PackProcessOptions, startPackProcess } from "./process";
import { graphResources, PackResource, stackOfUrn } from "./resources";

/** What the engine tells a pack about the stack it checks (`ConfigureStack`, and the environment it starts the pack with). */
export interface StackContext {
    stack: string;
    /** Defaults to the program's project. */
    project?: string;
    /** Defaults to "organization", the name the DIY backends use. */
    organization?: string;
    /** `<namespace>:<key>` to value, secrets decrypted, as the engine passes stack config. */
    config?: Record<string, string>;
    secretKeys?: string[];
    /** true for `pulumi preview`. Defaults to false (the recorded graph has no unknown values). */
    dryRun?: boolean;
}

/** A remediation the pack returned, with the properties it would have the engine use instead. */
export interface Remediation {
    policy: string;
    urn: string;
    properties?: Record<string, unknown>;
    diagnostic?: string;
}

export interface Analysis {
    violations: Violation[];
    remediations: Remediation[];
    timings: { configureMs: number; resourcesMs: number; stackMs: number };
}

export interface AnalyzeOptions {
    /** The `--policy-pack-config` file's content. */
    config?: PolicyPackConfig;
    /** Sent with `ConfigureStack` first when given. */
    stack?: StackContext;
}

/** The environment the engine adds for a Node.js pack (`constructEnv`): stack config and identity, both spellings. */
export function stackEnvironment(context: StackContext): Record<string, string> {
    const identity = {
        ORGANIZATION: context.organization ?? "organization",
        PROJECT: context.project ?? PROJECT,
        STACK: context.stack,
        DRY_RUN: String(context.dryRun ?? false),
    };
    return {
        ...(context.config && Object.keys(context.config).length > 0 ? { PULUMI_CONFIG: JSON.stringify(context.config) } : {}),
        ...Object.fromEntries(
            Object.entries(identity).flatMap(([k, v]) => [
                [`PULUMI_NODEJS_${k}`, v],
                [`PULUMI_${k}`, v],
            ]),
        ),
    };
}

function unary<T>(call: (callback: (error: grpc.ServiceError | null, response: T) => void) => unknown, what: string): Promise<T> {
    return new Promise((resolve, reject) =>
        call((error, response) => (error ? reject(new Error(`${what} failed: ${error.details || error.message}`)) : resolve(response))),
    );
}

/**
 * One running policy pack, spoken to over gRPC as the engine does. Reusable across analyses: each
 * analysis sends `Configure` with the full reconciled config, so nothing carries over between them,
 * and analyses run one after the other (the pack's config is global to its process).
 */
export class PolicyPackSession {
    private queue: Promise<unknown> = Promise.resolve();

    private constructor(
        private readonly pack: PackProcess,
        readonly info: AnalyzerInfo,
    ) {}

    /** Starts the pack, then `ConfigureStack` (when a stack is given, as the engine does at start) and `GetAnalyzerInfo`. */
    static async start(options: PackProcessOptions & { stack?: StackContext } = {}): Promise<PolicyPackSession> {
        const env = { ...(options.stack ? stackEnvironment(options.stack) : {}), ...options.env };
        const pack = await startPackProcess({ ...options, env });
        try {
            if (options.stack) await configureStack(pack, options.stack);
            const response = await unary<AnalyzerInfoResponse>((cb) => pack.client.getAnalyzerInfo(new Empty(), cb), "GetAnalyzerInfo");
            return new PolicyPackSession(pack, analyzerInfo(response, pack.projectVersion));
        } catch (error) {
            await pack.stop();
            throw error;
        }
    }

    get startupMs(): number {
        return this.pack.startupMs;
    }

    get pid(): number {
        return this.pack.pid;
    }

    /** What the pack printed (stderr, and stdout after its port). */
    output(): string {
        return this.pack.output();
    }

    /** Validates the config against the policies' schemas, then `Configure`s the pack with defaults filled in. */
    configure(config: PolicyPackConfig = {}): Promise<void> {
        return this.serialized(() => this.sendConfigure(config));
    }

    /**
     * The engine's sequence for an update: per resource `Remediate`, then `Analyze` on the remediated
     * inputs; at the end `AnalyzeStack` over every resource's outputs.
     */
    analyze(resources: readonly PackResource[], options: AnalyzeOptions = {}): Promise<Analysis> {
        return this.serialized(() => this.analyzeNow(resources, options));
    }

    private serialized<T>(work: () => Promise<T>): Promise<T> {
        const run = this.queue.then(work);
        this.queue = run.catch(() => undefined);
        return run;
    }

    private async sendConfigure(config: PolicyPackConfig = {}): Promise<void> {
        if (!this.info.supportsConfig) {
            if (Object.keys(config).length > 0) throw new PolicyConfigError([`policy pack ${this.info.name} does not support config`]);
            return;
        }
        const request = configureRequest(reconcilePolicyPackConfig(this.info, config));
        await unary((cb) => this.pack.client.configure(request, cb), "Configure");
    }

    private async analyzeNow(resources: readonly PackResource[], options: AnalyzeOptions): Promise<Analysis> {
        const t0 = performance.now();
        if (options.stack) await configureStack(this.pack, options.stack);
        await this.sendConfigure(options.config);
        const t1 = performance.now();
        const perResource = await Promise.all(resources.map((r) => this.analyzeResource(r)));
        const t2 = performance.now();
        const request = analyzeStackRequest(resources);
        const stackResponse = await unary<AnalyzeResponse>((cb) => this.pack.client.analyzeStack(request, cb), "AnalyzeStack");
        const t3 = performance.now();
        return {
            violations: [
                ...perResource.flatMap((r) => r.violations),
                ...stackResponse.getDiagnosticsList().map((d) => violation(d, d.getUrn() || undefined)),
            ],
            remediations: perResource.flatMap((r) => r.remediations),
            timings: { configureMs: t1 - t0, resourcesMs: t2 - t1, stackMs: t3 - t2 },
        };
    }

    /** Every resource of a recorded run, the root stack included; the stack context defaults to the graph's stack. */
    async analyzeGraph(graph: Graph, options: AnalyzeOptions = {}): Promise<Analysis> {
        const resources = await graphResources(graph);
        const stack = options.stack ?? { stack: stackOfUrn(resources[0]?.urn ?? "") };
        return this.analyze(resources, { ...options, stack });
    }

    private async analyzeResource(resource: PackResource): Promise<Pick<Analysis, "violations" | "remediations">> {
        const remediated = await unary<RemediateResponse>(
            (cb) => this.pack.client.remediate(analyzeRequest(resource), cb),
            `Remediate(${resource.urn})`,
        );
        let inputs = resource.inputs;
        const remediations: Remediation[] = [];
        const violations: Violation[] = [];
        for (const r of remediated.getRemediationsList()) {
            const properties = r.getProperties()?.toJavaScript();
            remediations.push({
                policy: r.getPolicyname(),
                urn: resource.urn,
                ...(properties ? { properties } : {}),
                ...(r.getDiagnostic() ? { diagnostic: r.getDiagnostic() } : {}),
            });
            if (r.getDiagnostic())
                violations.push({ policy: r.getPolicyname(), enforcementLevel: "advisory", message: r.getDiagnostic(), urn: resource.urn });
            else if (properties) inputs = properties;
        }
        const request = analyzeRequest(resource, inputs);
        const analyzed = await unary<AnalyzeResponse>((cb) => this.pack.client.analyze(request, cb), `Analyze(${resource.urn})`);
        // The engine reports a resource's diagnostics against that resource, whatever URN they name.
        violations.push(...analyzed.getDiagnosticsList().map((d) => violation(d, resource.urn)));
        return { violations, remediations };
    }

    stop(): Promise<void> {
        return this.pack.stop();
    }
}

async function configureStack(pack: PackProcess, context: StackContext): Promise<void> {
    const request = new AnalyzerStackConfigureRequest()
        .setStack(context.stack)
        .setProject(context.project ?? PROJECT)
        .setOrganization(context.organization ?? "organization")
        .setDryRun(context.dryRun ?? false)
        .setConfigSecretKeysList(context.secretKeys ?? []);
    for (const [key, value] of Object.entries(context.config ?? {})) request.getConfigMap().set(key, value);
    await unary((cb) => pack.client.configureStack(request, cb), "ConfigureStack");
}

/**
 * The pack's violations on a recorded graph, through the analyzer gRPC server as the engine would
 * report them. Starts a pack for the call unless a running session is given.
 */
export async function analyzeStack(
    graph: Graph,
    packConfig: PolicyPackConfig = {},
    options: { session?: PolicyPackSession; stack?: StackContext } = {},
): Promise<Violation[]> {
    const session = options.session ?? (await PolicyPackSession.start());
    try {
        return (await session.analyzeGraph(graph, { config: packConfig, stack: options.stack })).violations;
    } finally {
        if (!options.session) await session.stop();
    }
}
