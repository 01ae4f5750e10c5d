import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { BootstrapConfig, BOOTSTRAP_NAMESPACE, loadBootstrapConfig } from "../../bootstrap/config";
import { composeBootstrap } from "../../bootstrap/program";
import { RELEASES_OUTPUT } from "../../config/delivery";
import * as fs from "fs";
import { loadStackConfig, StackConfig } from "../../config/load";
import { Releases, withRunningReleases } from "../../config/releases";
import { composeStack } from "../../program";
import { Graph, RecordedResource, unwrap } from "./graph";
import { GITHUB_INVOKES, InvokeHandler, StrictMocks } from "./mocks";
import { PROJECT } from "./project";
import { EngineConfig, readStackSections, REPO_ROOT, Sections, toEngineConfig, writeStackFile } from "./stack-file";

export { PROJECT };
export const BOOTSTRAP_PROJECT = "platform-bootstrap";
/** The Pulumi Cloud organization the mocks run in (the stack files' delivery.pulumiOrganization). */
export const ORGANIZATION = "collab";
export const BOOTSTRAP_DIR = path.join(REPO_ROOT, "bootstrap");

/**
 * What runs in each stack before the evaluated update (the `releases` output of its last update), as
 * the stack's reference to itself returns it. Tests of a first deploy pass `running: {}`.
 */
export const RUNNING_RELEASES: Record<string, Releases> = {
    local: {},
    dev: { "supernova-server": { tag: "dev-a1b2c3d" } },
    staging: { "supernova-server": { tag: "staging-e4f5a6b", digest: `sha256:${"5a".repeat(32)}` } },
    prod: { "supernova-server": { tag: "v1.2.3", digest: `sha256:${"9f".repeat(32)}` } },
};

export interface RunOptions {
    /** Changes the stack file's sections before the run (one field per failing case). */
    edit?: (sections: Sections) => void;
    /** Explicit mocks for provider functions; any other invoke fails the run. Defaults to GITHUB_INVOKES. */
    invokes?: Record<string, InvokeHandler>;
    /** The clock the program sees (secret rotation). Defaults to now. */
    now?: Date;
    /** What runs in the stack before this update. Defaults to RUNNING_RELEASES[stack]. */
    running?: Releases;
    /** Where the stack file is (e.g. an example under examples/). Defaults to the repository root. */
    projectDir?: string;
}

export interface RunResult<C = StackConfig> {
    graph: Graph;
    /** The validated config the program composed from, when it was valid. */
    config?: C;
    /** The error the program threw before registering, if any (e.g. a ConfigError). */
    error?: unknown;
    /** The stack config as the engine handed it to the program (secure values decrypted to placeholders). */
    engineConfig: EngineConfig;
}

// waitForRPCs is exported at run time but @internal in the SDK's typings.
const runtimeInternals = pulumi.runtime as unknown as { waitForRPCs(): Promise<void> };
// The engine tells the program its project root (PULUMI_NODEJS_ROOT_DIRECTORY); the mocks keep the SDK's settings.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sdkState = require("@pulumi/pulumi/runtime/state") as { getStore(): { settings: { options: { rootDirectory?: string } } } };

interface Struct {
    toJavaScript(): Record<string, unknown>;
}
interface RegisterRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getCustom(): boolean;
    getObject(): Struct | undefined;
    getProvider(): string;
    getProtect(): boolean;
    getDependenciesList(): string[];
    getPropertydependenciesMap(): { forEach(f: (deps: { getUrnsList(): string[] }, key: string) => void): void };
    getAliasesList(): { toObject(): unknown }[];
    getIgnorechangesList(): string[];
    getRetainondelete(): boolean;
    getDeletebeforereplace(): boolean;
    getDeletebeforereplacedefined(): boolean;
    getAdditionalsecretoutputsList(): string[];
    getCustomtimeouts(): { getCreate(): string; getUpdate(): string; getDelete(): string } | undefined;
}
type Callback<T> = (error: unknown, response?: T) => void;
interface MockMonitorInternals {
    newUrn(parent: string, type: string, name: string): string;
    registerResource(req: RegisterRequest, callback: Callback<{ getObject(): Struct | undefined }>): Promise<void>;
    registerResourceOutputs(req: { getUrn(): string; getOutputs(): Struct | undefined }, callback: Callback<unknown>): void;
}

/** Runs the real program (the same calls as index.ts) under strict mocks and returns what it registered. */
export async function runStack(stack: string, options: RunOptions = {}): Promise<RunResult> {
    const sections = readStackSections(stack, options.projectDir);
    options.edit?.(sections);
    const running = options.running ?? RUNNING_RELEASES[stack] ?? {};
    return evaluate(
        PROJECT,
        stack,
        writeStackFile(stack, sections),
        toEngineConfig(sections),
        new StrictMocks(options.invokes ?? GITHUB_INVOKES, { [RELEASES_OUTPUT]: running }),
        async () => {
            const config = await withRunningReleases(loadStackConfig());
            return { config, outputs: composeStack(config, { now: options.now }) as unknown as Record<string, unknown> };
        },
    );
}

/** Runs the bootstrap project (bootstrap/index.ts) of one account under the same strict mocks. */
export async function runBootstrap(stack: string, edit?: (sections: Sections) => void): Promise<RunResult<BootstrapConfig>> {
    const sections = readStackSections(stack, BOOTSTRAP_DIR, BOOTSTRAP_NAMESPACE);
    edit?.(sections);
    return evaluate(
        BOOTSTRAP_PROJECT,
        stack,
        writeStackFile(stack, sections, BOOTSTRAP_DIR, BOOTSTRAP_NAMESPACE),
        toEngineConfig(sections, BOOTSTRAP_NAMESPACE),
        new StrictMocks(),
        async () => {
            const config = loadBootstrapConfig();
            return { config, outputs: composeBootstrap(config) as unknown as Record<string, unknown> };
        },
    );
}

/** The SDK's runtime (config, mocks, stack) is process-global: evaluations run one at a time. */
let evaluating: Promise<unknown> = Promise.resolve();

function evaluate<C>(...args: Parameters<typeof evaluateNow<C>>): Promise<RunResult<C>> {
    const run = evaluating.then(() => withoutStackTraces(() => evaluateNow<C>(...args)));
    evaluating = run.catch(() => undefined);
    return run;
}

/**
 * The SDK captures a stack trace for every promise it makes (debuggable.js), and mapping each through
 * tsx's source maps is most of an evaluation's CPU time. The tests read errors' messages, not their
 * stacks; HARNESS_STACK_TRACES=1 keeps them while debugging a failing evaluation.
 */
async function withoutStackTraces<T>(f: () => Promise<T>): Promise<T> {
    if (process.env["HARNESS_STACK_TRACES"] === "1") return f();
    const { sourceMapsEnabled } = process;
    const limit = Error.stackTraceLimit;
    process.setSourceMapsEnabled(false);
    Error.stackTraceLimit = 0;
    try {
        return await f();
    } finally {
        Error.stackTraceLimit = limit;
        process.setSourceMapsEnabled(sourceMapsEnabled);
    }
}

async function evaluateNow<C>(
    project: string,
    stack: string,
    /** A temporary project directory holding the stack file; removed after the run. */
    projectDir: string,
    engineConfig: EngineConfig,
    mocks: StrictMocks,
    program: () => Promise<{ config: C; outputs: Record<string, unknown> }>,
): Promise<RunResult<C>> {
    pulumi.runtime.setAllConfig(engineConfig.config, engineConfig.secretKeys);
    await pulumi.runtime.setMocks(mocks, project, stack, false, ORGANIZATION);
    const resources = recordRegistrations(project, stack);
    // The loader reads which values are secure from the stack file in the project root, as under the engine.
    sdkState.getStore().settings.options.rootDirectory = projectDir;

    let outputs: Record<string, unknown> = {};
    let config: C | undefined;
    let error: unknown;
    try {
        ({ config, outputs } = await program());
    } catch (e) {
        error = e;
    }
    await runtimeInternals.waitForRPCs();
    fs.rmSync(projectDir, { recursive: true, force: true });
    if (mocks.errors.length > 0) throw mocks.errors[0];
    return { graph: new Graph(resources, outputs), config, error, engineConfig };
}

type Recorded = Required<Omit<RunResult, "error">>;
const committedStacks = new Map<string, Promise<Recorded>>();

/**
 * Runs a stack and fails if the program threw. A stack as committed (no options) is evaluated once per
 * process and shared by every test in it; its resources are frozen, so a test that changes what it
 * was given fails loudly instead of changing what the next test sees.
 */
export function recordStack(stack: string, options: RunOptions = {}): Promise<Recorded> {
    if (Object.keys(options).length > 0) return evaluateOrThrow(stack, options);
    let shared = committedStacks.get(stack);
    if (shared === undefined) {
        shared = evaluateOrThrow(stack, options).then((recorded) => {
            deepFreeze(recorded.graph.resources);
            return recorded;
        });
        committedStacks.set(stack, shared);
    }
    return shared;
}

async function evaluateOrThrow(stack: string, options: RunOptions): Promise<Recorded> {
    const { graph, config, error, engineConfig } = await runStack(stack, options);
    if (error !== undefined || config === undefined) throw error;
    return { graph, config, engineConfig };
}

function deepFreeze(value: unknown): void {
    if (value === null || typeof value !== "object" || Object.isFrozen(value)) return;
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
}

interface RecordedAlias {
    urn?: string;
    spec?: { parenturn?: string };
}
/** The SDK's alias specs name parents by the mocks' URNs; the recorded graph uses the engine's. */
function withRealUrns(alias: RecordedAlias, realUrn: (mockUrn: string) => string): RecordedAlias {
    const parent = alias.spec?.parenturn;
    return {
        ...alias,
        ...(alias.urn ? { urn: realUrn(alias.urn) } : {}),
        ...(parent ? { spec: { ...alias.spec, parenturn: realUrn(parent) } } : {}),
    };
}

function recordRegistrations(project: string, stack: string): RecordedResource[] {
    const monitor = pulumi.runtime.getMonitor() as unknown as MockMonitorInternals;
    const original = monitor.registerResource.bind(monitor);
    const realUrns = new Map<string, string>();
    const realUrn = (mockUrn: string) => realUrns.get(mockUrn) ?? mockUrn;
    const resources: RecordedResource[] = [];
    const byMockUrn = new Map<string, RecordedResource>();

    monitor.registerResource = (req, callback) => {
        const type = req.getType();
        const name = req.getName();
        const parent = req.getParent() ? realUrn(req.getParent()) : undefined;
        const qualifiedType = parent ? `${parent.split("::")[2]}$${type}` : type;
        const urn = `urn:pulumi:${stack}::${project}::${qualifiedType}::${name}`;
        realUrns.set(monitor.newUrn(req.getParent(), type, name), urn);
        const rawInputs = req.getObject()?.toJavaScript() ?? {};
        const providerRef = req.getProvider();
        const propertyDependencies: Record<string, string[]> = {};
        req.getPropertydependenciesMap().forEach((deps, key) => (propertyDependencies[key] = deps.getUrnsList().map(realUrn)));
        const timeouts = req.getCustomtimeouts();
        const resource: RecordedResource = {
            type,
            name,
            urn,
            parent,
            custom: req.getCustom(),
            inputs: unwrap(rawInputs),
            rawInputs,
            rawOutputs: {},
            provider: providerRef ? realUrn(providerRef.slice(0, providerRef.lastIndexOf("::"))) : undefined,
            protect: req.getProtect(),
            dependsOn: req.getDependenciesList().map(realUrn),
            propertyDependencies,
            aliases: req.getAliasesList().map((a) => withRealUrns(a.toObject() as RecordedAlias, realUrn)),
            ignoreChanges: req.getIgnorechangesList(),
            retainOnDelete: req.getRetainondelete(),
            deleteBeforeReplace: req.getDeletebeforereplace(),
            deleteBeforeReplaceDefined: req.getDeletebeforereplacedefined(),
            additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
            customTimeouts: timeouts
                ? Object.fromEntries(
                      Object.entries({ create: timeouts.getCreate(), update: timeouts.getUpdate(), delete: timeouts.getDelete() }).filter(
                          ([, value]) => value !== "",
                      ),
                  )
                : {},
        };
        resources.push(resource);
        byMockUrn.set(monitor.newUrn(req.getParent(), type, name), resource);
        return original(req, (error, response) => {
            if (resource.custom) resource.rawOutputs = response?.getObject()?.toJavaScript() ?? {};
            callback(error, response);
        });
    };
    const originalOutputs = monitor.registerResourceOutputs.bind(monitor);
    monitor.registerResourceOutputs = (req, callback) => {
        const resource = byMockUrn.get(req.getUrn());
        if (resource) resource.rawOutputs = req.getOutputs()?.toJavaScript() ?? {};
        return originalOutputs(req, callback);
    };
    return resources;
}
