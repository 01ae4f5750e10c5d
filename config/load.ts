import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { ConfigError, ConfigProblem, formatPath } from "./format";
import { crossSectionIssues } from "./rules";
import { stackConfigShape } from "./schema";
import { section } from "./primitives";
import { withoutForbiddenKeys } from "./safe-keys";
import { stackNameProblems } from "./environments";

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
    /** Sections that the stack file holds as secure (encrypted) values. */
    secretSections: ReadonlySet<string>;
    /** The stack's name; `environment.name` must equal it. */
    stack?: string;
}

/** Reads and validates the running stack's config. Throws a ConfigError listing every problem. */
export function loadStackConfig(): ParsedStackConfig {
    return parseStackConfig(readRawStackConfig(), `Pulumi.${pulumi.getStack()}.yaml`);
}

export function readRawStackConfig(): RawStackConfig {
    const prefix = `${CONFIG_NAMESPACE}:`;
    const sections: Record<string, unknown> = Object.create(null);
    const secretSections = new Set<string>();
    for (const [key, value] of Object.entries(pulumi.runtime.allConfig())) {
        if (!key.startsWith(prefix)) continue;
        const name = key.slice(prefix.length);
        sections[name] = decodeConfigValue(value);
        if (isConfigSecret(key)) secretSections.add(name);
    }
    return { sections, secretSections, stack: pulumi.getStack() };
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

export function parseStackConfig(unsafeRaw: RawStackConfig, stackFile: string): ParsedStackConfig {
    const keyProblems: ConfigProblem[] = [];
    const raw = { ...unsafeRaw, sections: withoutForbiddenKeys(unsafeRaw.sections, [], keyProblems) as Record<string, unknown> };
    const problems: ConfigProblem[] = [...keyProblems, ...plainTextSecretProblems(raw)];
    const result = stackConfigSchema.safeParse(raw.sections, { reportInput: true });
    const { valid, available } = result.success
        ? { valid: result.data, available: new Set(Object.keys(stackConfigShape)) }
        : validSections(raw.sections);
    if (!result.success) problems.push(...result.error.issues.flatMap(fromZodIssue).map((p) => withModeContext(p, raw.sections)));
    problems.push(...stackNameProblems(raw.stack, valid.environment));
    problems.push(...crossSectionIssues(valid, available).map((issue) => ({ ...issue, hidden: isSecretPath(issue.path) })));
    if (problems.length > 0 || !result.success) throw new ConfigError(stackFile, problems);
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

/** Keys of the `secrets` section that hold one secret, and those that map names to secrets. */
const SECRET_LEAVES = ["kubeconfig", "databaseUrl", "redisUrl"];
const SECRET_MAPS = ["provided", "ci"];

function plainTextSecretProblems({ sections, secretSections }: RawStackConfig): ConfigProblem[] {
    const secrets = sections["secrets"];
    if (secretSections.has("secrets") || typeof secrets !== "object" || secrets === null) return [];
    const record = secrets as Record<string, unknown>;
    const names = (map: string) => (typeof record[map] === "object" && record[map] !== null ? Object.keys(record[map]) : []);
    const paths = [
        ...SECRET_LEAVES.filter((leaf) => leaf in record).map((leaf) => ["secrets", leaf]),
        ...SECRET_MAPS.flatMap((map) => names(map).map((name) => ["secrets", map, name])),
    ];
    return paths.map((path) => ({
        path,
        message: `expected an encrypted value (pulumi config set --secret --path '${CONFIG_NAMESPACE}:${formatPath(path)}'), got plain text`,
    }));
}

const SECRET_VALUE_KEYS = new Set([...SECRET_LEAVES, ...SECRET_MAPS]);

/** Values under these paths are secrets: problems name the path but never print the value. */
function isSecretPath(path: readonly PropertyKey[]): boolean {
    return path[0] === "secrets" && SECRET_VALUE_KEYS.has(String(path[1]));
}

function fromZodIssue(issue: z.core.$ZodIssue): ConfigProblem[] {
    const hidden = isSecretPath(issue.path);
    if (issue.code === "unrecognized_keys") {
        return issue.keys.map((key) => ({ path: [...issue.path, key], message: issue.message }));
    }
    if (issue.code === "invalid_union" && issue.discriminator !== undefined && isObject(issue.input)) {
        const key = issue.discriminator;
        const path = issue.path[issue.path.length - 1] === key ? issue.path : [...issue.path, key];
        return [{ path, message: issue.message, input: issue.input[key], hidden }];
    }
    if (issue.code === "invalid_key") {
        // The key itself is wrong; it is a name, not a secret, so it is shown.
        const key = issue.path[issue.path.length - 1];
        return [{ path: issue.path, message: issue.issues[0]?.message ?? issue.message, input: key }];
    }
    return [{ path: issue.path, message: issue.message, input: issue.input, hidden }];
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
