import Ajv, { ErrorObject, ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import * as fs from "fs";

export const ENFORCEMENT_LEVELS = ["advisory", "mandatory", "remediate", "disabled"] as const;
export type EnforcementLevel = (typeof ENFORCEMENT_LEVELS)[number];

/** A policy pack config file, as passed with `--policy-pack-config`: per policy (or "all") a level, or properties with an optional level. */
export type PolicyPackConfig = Record<string, EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>)>;

/** One policy's config after reconciling defaults with the file, as sent with `Configure`. */
export interface PolicyConfig {
    enforcementLevel: EnforcementLevel;
    properties: Record<string, unknown>;
}

export interface PolicyInfo {
    name: string;
    description: string;
    enforcementLevel: EnforcementLevel;
    configSchema?: { properties: Record<string, Record<string, unknown>>; required: string[] };
}

export interface AnalyzerInfo {
    name: string;
    version: string;
    supportsConfig: boolean;
    /** Sorted by name, as the engine sorts them. */
    policies: PolicyInfo[];
    initialConfig: Record<string, Partial<PolicyConfig>>;
}

export class PolicyConfigError extends Error {
    constructor(readonly problems: string[]) {
        super(problems.join("\n"));
    }
}

const isLevel = (value: unknown): value is EnforcementLevel => ENFORCEMENT_LEVELS.includes(value as EnforcementLevel);

/** Reads a config file and checks its shape like the engine's `LoadPolicyPackConfigFromFile`; errors name the file. */
export function loadPolicyPackConfig(file: string): PolicyPackConfig {
    let parsed: unknown;
    try {
        const text = fs.readFileSync(file, "utf8");
        parsed = text.trim() === "" ? {} : JSON.parse(text);
    } catch (error) {
        throw new PolicyConfigError([`${file}: ${(error as Error).message}`]);
    }
    try {
        return parsePolicyPackConfig(parsed);
    } catch (error) {
        if (error instanceof PolicyConfigError) throw new PolicyConfigError(error.problems.map((p) => `${file}: ${p}`));
        throw error;
    }
}

export function parsePolicyPackConfig(parsed: unknown): PolicyPackConfig {
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new PolicyConfigError(["must be a JSON object"]);
    for (const [name, value] of Object.entries(parsed)) {
        if (typeof value === "string") {
            if (!isLevel(value))
                throw new PolicyConfigError([`parsing enforcement level for "${name}": "${value}" is not a valid enforcement level`]);
        } else if (typeof value === "object" && value !== null && !Array.isArray(value)) {
            const level = (value as Record<string, unknown>)["enforcementLevel"];
            if (level !== undefined && !isLevel(level)) {
                throw new PolicyConfigError([
                    `parsing enforcement level for "${name}": ${JSON.stringify(level)} is not a valid enforcement level`,
                ]);
            }
        } else {
            throw new PolicyConfigError([`parsing "${name}": ${JSON.stringify(value)} is not a valid value; must be a string or object`]);
        }
    }
    return parsed as PolicyPackConfig;
}

function split(entry: PolicyPackConfig[string]): Partial<PolicyConfig> {
    if (typeof entry === "string") return { enforcementLevel: entry };
    const { enforcementLevel, ...properties } = entry;
    return { enforcementLevel, properties };
}

/**
 * The engine's `ReconcilePolicyPackConfig`: each policy's level and schema defaults, then the pack's
 * initial config, then the file ("all" sets every level); then every policy's properties validated
 * against its `configSchema` (JSON Schema, `enforcementLevel` added). Errors read like the engine's
 * (`validating policy config: <pack> <version>  <policy>: <problem>`), all of them, sorted.
 * Stricter than the engine in one way: a config naming a policy the pack does not have, or a property
 * a policy's schema does not list, is an error (the engine passes it on and nothing reads it, so a
 * misspelt name silently changes nothing).
 */
export function reconcilePolicyPackConfig(info: AnalyzerInfo, given: PolicyPackConfig = {}): Record<string, PolicyConfig> {
    const result: Record<string, PolicyConfig> = {};
    for (const policy of info.policies) {
        const defaults = Object.entries(policy.configSchema?.properties ?? {}).filter(([, schema]) => "default" in schema);
        result[policy.name] = {
            enforcementLevel: policy.enforcementLevel,
            properties: Object.fromEntries(defaults.map(([key, schema]) => [key, schema["default"]])),
        };
    }
    const problems: string[] = [];
    for (const layer of [info.initialConfig, Object.fromEntries(Object.entries(given).map(([k, v]) => [k, split(v)]))]) {
        const all = layer["all"]?.enforcementLevel;
        if (all) Object.values(result).forEach((c) => (c.enforcementLevel = all));
        for (const [name, config] of Object.entries(layer)) {
            if (name === "all") continue;
            const target = result[name];
            if (target === undefined) {
                problems.push(`${name}: no such policy in the pack`);
                continue;
            }
            if (config.enforcementLevel) target.enforcementLevel = config.enforcementLevel;
            Object.assign(target.properties, config.properties);
        }
    }
    for (const policy of info.policies) {
        if (policy.configSchema) problems.push(...schemaProblems(policy, result[policy.name]!.properties));
    }
    if (problems.length > 0) {
        throw new PolicyConfigError(problems.map((p) => `validating policy config: ${info.name} ${info.version}  ${p}`).sort());
    }
    return result;
}

const ajv = addFormats(new Ajv({ allErrors: true, strict: false }));
const validators = new Map<string, ValidateFunction>();

function schemaProblems(policy: PolicyInfo, properties: Record<string, unknown>): string[] {
    const schema = {
        type: "object",
        properties: { ...policy.configSchema!.properties, enforcementLevel: { type: "string", enum: [...ENFORCEMENT_LEVELS] } },
        ...(policy.configSchema!.required.length > 0 ? { required: policy.configSchema!.required } : {}),
    };
    const key = JSON.stringify(schema);
    const validate = validators.get(key) ?? ajv.compile(schema);
    validators.set(key, validate);
    const unknown = Object.keys(properties).filter((name) => !(name in schema.properties));
    const problems = [
        ...(validate(properties) ? [] : (validate.errors ?? []).map(describe)),
        ...unknown.map((name) => `${name}: no such property in the policy's config schema`),
    ];
    return problems.map((problem) => `${policy.name}: ${problem}`);
}

/** `field: problem` like gojsonschema's errors, the root's "(root): " prefix trimmed as the engine does. */
function describe(error: ErrorObject): string {
    const field = error.instancePath.slice(1).replace(/\//g, ".");
    const detail = error.keyword === "enum" ? ` (${(error.params as { allowedValues: unknown[] }).allowedValues.join(", ")})` : "";
    return field ? `${field}: ${error.message}${detail}` : `${error.message}${detail}`;
}
