import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import { ConfigError, ConfigProblem, formatPath } from "./format";
import { crossSectionIssues } from "./rules";
import { stackConfigShape } from "./schema";
import { section } from "./primitives";
import { withoutForbiddenKeys } from "./safe-keys";
import { stackNameProblems } from "./environments";
import { inSecretSlot, judgeSecureValues, Path, redact, secretSlots, securePathsOf } from "./secure-values";
import { readStackFileSections, stackFilePath } from "./stack-file-reader";

/** The Pulumi config namespace of this program (the project name in Pulumi.yaml). */
export const CONFIG_NAMESPACE = "platform";

export const stackConfigSchema = section(stackConfigShape);

type Parsed = z.output<typeof stackConfigSchema>;

/** The validated stack configuration as written: image tags may be absent (the running ones are kept). */
export type ParsedStackConfig = ReturnType<typeof withDerivedDefaults>;
type ParsedService = ParsedStackConfig["services"][number];
/** The configuration every component takes its slice from: each image tag resolved (config/releases.ts). */
export type StackConfig = Omit<ParsedStackConfig, "services"> & {
    services: (Omit<ParsedService, "image"> & { image: ParsedService["image"] & { tag: string } })[];
};
export type ClusterConfig = StackConfig["cluster"];
export type EksClusterConfig = Extract<ClusterConfig, { mode: "eks" }>;

export interface RawStackConfig {
    /** Sections by name (`cluster`, not `platform:cluster`), objects already JSON-decoded. */
    sections: Record<string, unknown>;
    /** Sections the engine marks secret (holding at least one secure value). */
    secretSections: ReadonlySet<string>;
    /** The stack's name; `environment.name` must equal it. */
    stack?: string;
    /** Every value the stack file holds as `{ secure: ... }`, section name first: secrets are judged per value. */
    securePaths: Path[];
    /** Problems with where the config came from (no stack file, a stack file the engine did not use). */
    sourceProblems?: ConfigProblem[];
}

/** Reads and validates the running stack's config. Throws a ConfigError listing every problem. */
export function loadStackConfig(): ParsedStackConfig {
    const file = stackFilePath(projectRoot(), pulumi.getStack());
    return parseStackConfig(readRawStackConfig(file), path.basename(file));
}

/** Where Pulumi.yaml is: the engine tells the program; a program run by hand falls back to the working directory. */
function projectRoot(): string {
    const root = pulumi.runtime.getRootDirectory();
    return root && fs.existsSync(path.join(root, "Pulumi.yaml")) ? root : process.cwd();
}

/**
 * The engine's config (values decrypted, objects as JSON) plus, from the stack file the engine read,
 * which values are secure: `isConfigSecret` only says that a key holds *some* secret.
 */
export function readRawStackConfig(file: string): RawStackConfig {
    const prefix = `${CONFIG_NAMESPACE}:`;
    const fileSections = readStackFileSections(file, CONFIG_NAMESPACE);
    const sections: Record<string, unknown> = Object.create(null);
    const secretSections = new Set<string>();
    const securePaths: Path[] = [];
    const sourceProblems: ConfigProblem[] = [];
    if (fileSections === undefined) {
        sourceProblems.push({ path: [], message: `expected the stack file at ${file}: it tells encrypted values from plain ones` });
    }
    for (const [key, value] of Object.entries(pulumi.runtime.allConfig())) {
        if (!key.startsWith(prefix)) continue;
        const name = key.slice(prefix.length);
        sections[name] = decodeConfigValue(value);
        const secret = isConfigSecret(key);
        if (secret) secretSections.add(name);
        if (fileSections === undefined || !(name in fileSections)) {
            // Not in the file (e.g. from an ESC environment): only the engine's key-level flag is known.
            if (secret) securePaths.push([name]);
            continue;
        }
        const inFile = securePathsOf({ [name]: fileSections[name] });
        if (inFile.length > 0 !== secret) {
            sourceProblems.push({
                path: [name],
                message: `expected ${path.basename(file)} to be the stack file the engine read (it ${secret ? "holds no" : "holds a"} secure value here, the engine says the opposite)`,
            });
        }
        securePaths.push(...inFile);
    }
    return { sections, secretSections, securePaths, sourceProblems, stack: pulumi.getStack() };
}

// The SDK exports isConfigSecret at run time but marks it @internal, so its typings omit it.
const runtimeInternals = pulumi.runtime as unknown as { isConfigSecret?: (key: string) => boolean };

function isConfigSecret(key: string): boolean {
    if (typeof runtimeInternals.isConfigSecret !== "function") {
        throw new Error("@pulumi/pulumi no longer exports runtime.isConfigSecret; update config/load.ts");
    }
    return runtimeInternals.isConfigSecret(key);
}

/** The engine hands structured values over as JSON text and scalars as plain text. */
function decodeConfigValue(value: string): unknown {
    if (!/^\s*[[{]/.test(value)) return value;
    try {
        return JSON.parse(value);
    } catch {
        return value;
    }
}

/** A problem whose input is a key name (shown), not a value. */
type Problem = ConfigProblem & { inputIsKey?: boolean };

const SECRET_SLOTS = secretSlots(stackConfigShape);

export function parseStackConfig(unsafeRaw: RawStackConfig, stackFile: string): ParsedStackConfig {
    const keyProblems: ConfigProblem[] = [];
    const raw = { ...unsafeRaw, sections: withoutForbiddenKeys(unsafeRaw.sections, [], keyProblems) as Record<string, unknown> };
    const secure = judgeSecureValues(raw.sections, raw.securePaths, SECRET_SLOTS);
    const problems: Problem[] = [...keyProblems, ...(raw.sourceProblems ?? []), ...secure.problems];
    const result = stackConfigSchema.safeParse(raw.sections, { reportInput: true });
    const { valid, available } = result.success
        ? { valid: result.data, available: new Set(Object.keys(stackConfigShape)) }
        : validSections(raw.sections);
    if (!result.success) problems.push(...result.error.issues.flatMap(fromZodIssue).map((p) => withModeContext(p, raw.sections)));
    problems.push(...stackNameProblems(raw.stack, valid.environment));
    problems.push(...crossSectionIssues(valid, available));
    if (problems.length > 0 || !result.success) {
        // No message may print a secret: a value at or under a secret, or any text containing one, is hidden.
        const safe = problems.map(({ inputIsKey, ...problem }) =>
            inputIsKey && !secure.secretValues.includes(String(problem.input))
                ? problem
                : redact({ ...problem, hidden: problem.hidden || inSecretSlot(problem.path, SECRET_SLOTS) }, secure),
        );
        throw new ConfigError(stackFile, safe);
    }
    return withDerivedDefaults(result.data);
}

/** The sections that are valid on their own, so cross-section rules can still run on them. */
function validSections(sections: Record<string, unknown>): { valid: Partial<Parsed>; available: Set<string> } {
    const valid: Record<string, unknown> = {};
    for (const [name, schema] of Object.entries(stackConfigShape)) {
        const parsed = (schema as z.ZodType).safeParse(sections[name]);
        if (parsed.success) valid[name] = parsed.data;
    }
    return { valid: valid as Partial<Parsed>, available: new Set(Object.keys(valid)) };
}

function fromZodIssue(issue: z.core.$ZodIssue): Problem[] {
    if (issue.code === "unrecognized_keys") {
        return issue.keys.map((key) => ({ path: [...issue.path, key], message: issue.message }));
    }
    if (issue.code === "invalid_union" && issue.discriminator !== undefined && isObject(issue.input)) {
        const key = issue.discriminator;
        const path = issue.path[issue.path.length - 1] === key ? issue.path : [...issue.path, key];
        return [{ path, message: issue.message, input: issue.input[key] }];
    }
    if (issue.code === "invalid_key") {
        // The key itself is wrong; it is a name, not a secret, so it is shown.
        const key = issue.path[issue.path.length - 1];
        return [{ path: issue.path, message: issue.issues[0]?.message ?? issue.message, input: key, inputIsKey: true }];
    }
    return [{ path: issue.path, message: issue.message, input: issue.input }];
}

/** The keys that pick a variant of a section (`cluster.mode`, `delivery.runner.type`). */
const DISCRIMINATORS = ["mode", "type"];

/** A key missing from a section with a `mode` (or `type`) is missing because of that choice: say so. */
function withModeContext(problem: ConfigProblem, sections: Record<string, unknown>): ConfigProblem {
    if (!("input" in problem) || problem.input !== undefined || problem.path.length < 2) return problem;
    const parentPath = problem.path.slice(0, -1);
    const parent = parentPath.reduce<unknown>((node, key) => (isObject(node) ? node[String(key)] : undefined), sections);
    const key = DISCRIMINATORS.find((name) => isObject(parent) && typeof parent[name] === "string");
    if (key === undefined || problem.path.at(-1) === key) return problem;
    const choice = (parent as Record<string, unknown>)[key];
    return { ...problem, message: `${problem.message} when ${formatPath(parentPath)}.${key} is ${JSON.stringify(choice)}` };
}

function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Defaults that depend on other sections; the only ones not declared in the schema. */
function withDerivedDefaults(config: Parsed) {
    const { cluster, environment } = config;
    return {
        ...config,
        cluster: cluster.mode === "eks" ? { ...cluster, name: cluster.name ?? `${environment.project}-${environment.name}` } : cluster,
    };
}
