import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import { loadStackConfig, StackConfig } from "../../config/load";
import { composeStack } from "../../program";
import { Graph, RecordedResource, unwrap } from "./graph";
import { GITHUB_INVOKES, InvokeHandler, StrictMocks } from "./mocks";
import { readStackSections, Sections, setOperatorSecrets, toEngineConfig, writeStackFile } from "./stack-file";

export const PROJECT = "platform";

export interface RunOptions {
    /** Changes the stack file's sections before the run (one field per failing case). */
    edit?: (sections: Sections) => void;
    /** Explicit mocks for provider functions; any other invoke fails the run. Defaults to GITHUB_INVOKES. */
    invokes?: Record<string, InvokeHandler>;
    /** The clock the program sees (secret rotation). Defaults to now. */
    now?: Date;
}

export interface RunResult {
    graph: Graph;
    /** The validated config the program composed from, when it was valid. */
    config?: StackConfig;
    /** The error the program threw before registering, if any (e.g. a ConfigError). */
    error?: unknown;
}

// waitForRPCs is exported at run time but @internal in the SDK's typings.
const runtimeInternals = pulumi.runtime as unknown as { waitForRPCs(): Promise<void> };
// The engine tells the program its project root (PULUMI_NODEJS_ROOT_DIRECTORY); the mocks keep the SDK's settings.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sdkState = require("@pulumi/pulumi/runtime/state") as { getStore(): { settings: { options: { rootDirectory?: string } } } };

interface RegisterRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getCustom(): boolean;
    getObject(): { toJavaScript(): Record<string, unknown> } | undefined;
    getProvider(): string;
    getProtect(): boolean;
    getDependenciesList(): string[];
    getAliasesList(): { toObject(): unknown }[];
    getIgnorechangesList(): string[];
    getRetainondelete(): boolean;
    getDeletebeforereplace(): boolean;
}
interface MockMonitorInternals {
    newUrn(parent: string, type: string, name: string): string;
    registerResource(req: RegisterRequest, callback: unknown): Promise<void>;
}

/** Runs the real program (the same two calls as index.ts) under strict mocks and returns what it registered. */
export async function runStack(stack: string, options: RunOptions = {}): Promise<RunResult> {
    const sections = readStackSections(stack);
    setOperatorSecrets(sections);
    options.edit?.(sections);
    const engineConfig = toEngineConfig(sections);
    pulumi.runtime.setAllConfig(engineConfig.config, engineConfig.secretKeys);
    const mocks = new StrictMocks(options.invokes ?? GITHUB_INVOKES);
    await pulumi.runtime.setMocks(mocks, PROJECT, stack, false);
    const resources = recordRegistrations(stack);
    const projectDir = writeStackFile(stack, sections);
    sdkState.getStore().settings.options.rootDirectory = projectDir;

    let outputs: Record<string, unknown> = {};
    let config: StackConfig | undefined;
    let error: unknown;
    try {
        config = loadStackConfig();
        outputs = composeStack(config, { now: options.now }) as unknown as Record<string, unknown>;
    } catch (e) {
        error = e;
    }
    await runtimeInternals.waitForRPCs();
    fs.rmSync(projectDir, { recursive: true, force: true });
    if (mocks.errors.length > 0) throw mocks.errors[0];
    return { graph: new Graph(resources, outputs), config, error };
}

/** Runs a stack and fails if the program threw. */
export async function recordStack(stack: string, options: RunOptions = {}): Promise<Required<Omit<RunResult, "error">>> {
    const { graph, config, error } = await runStack(stack, options);
    if (error !== undefined || config === undefined) throw error;
    return { graph, config };
}

function recordRegistrations(stack: string): RecordedResource[] {
    const monitor = pulumi.runtime.getMonitor() as unknown as MockMonitorInternals;
    const original = monitor.registerResource.bind(monitor);
    const realUrns = new Map<string, string>();
    const realUrn = (mockUrn: string) => realUrns.get(mockUrn) ?? mockUrn;
    const resources: RecordedResource[] = [];

    monitor.registerResource = (req, callback) => {
        const type = req.getType();
        const name = req.getName();
        const parent = req.getParent() ? realUrn(req.getParent()) : undefined;
        const qualifiedType = parent ? `${parent.split("::")[2]}$${type}` : type;
        const urn = `urn:pulumi:${stack}::${PROJECT}::${qualifiedType}::${name}`;
        realUrns.set(monitor.newUrn(req.getParent(), type, name), urn);
        const rawInputs = req.getObject()?.toJavaScript() ?? {};
        const providerRef = req.getProvider();
        resources.push({
            type,
            name,
            urn,
            parent,
            custom: req.getCustom(),
            inputs: unwrap(rawInputs),
            rawInputs,
            provider: providerRef ? realUrn(providerRef.slice(0, providerRef.lastIndexOf("::"))) : undefined,
            protect: req.getProtect(),
            dependsOn: req.getDependenciesList().map(realUrn),
            aliases: req.getAliasesList().map((a) => a.toObject()),
            ignoreChanges: req.getIgnorechangesList(),
            retainOnDelete: req.getRetainondelete(),
            deleteBeforeReplace: req.getDeletebeforereplace(),
        });
        return original(req, callback);
    };
    return resources;
}
