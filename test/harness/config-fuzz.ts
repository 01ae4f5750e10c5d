import * as fs from "fs";
import * as nodePath from "path";
import * as fc from "fast-check";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { ConfigError, formatPath, PathSegment } from "../../config/format";
import { parseStackConfig, readRawStackConfig } from "../../config/load";
import { stackConfigShape } from "../../config/schema";
import { POLICIES } from "../../policies/all";
import { GITHUB_INVOKES, InvokeHandler, StrictMocks } from "./mocks";
import { policyResources, runPack } from "./policy";
import { PROJECT, runStack } from "./run-stack";
import { readStackSections, Sections, STACKS, toEngineConfig, writeStackFile } from "./stack-file";

/**
 * Property-based checks of the config: a mutation of a committed stack file either fails with a
 * ConfigError that names the mutated key (and registers nothing), or yields a graph the target
 * APIs accept (no duplicate URN) that passes the policy pack (no mandatory violation).
 */

type Path = (string | number)[];
export type Mutation =
    | { stack: string; kind: "set"; path: Path; value: unknown; why: string }
    | { stack: string; kind: "delete"; path: Path }
    | { stack: string; kind: "add-key"; path: Path; key: string; value: unknown }
    | { stack: string; kind: "duplicate"; path: Path; index: number };

/** The committed stack files, operator secrets included (committed encrypted). */
const COMMITTED = Object.fromEntries(STACKS.map((stack) => [stack, readStackSections(stack)]));

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isSecure = (v: unknown) => isRecord(v) && Object.keys(v).length === 1 && typeof v["secure"] === "string";

/** Every key path of a section tree, inner nodes included; secure values are leaves. */
function paths(value: unknown, prefix: Path = []): Path[] {
    const here = prefix.length > 0 ? [prefix] : [];
    if (Array.isArray(value)) return [...here, ...value.flatMap((item, i) => paths(item, [...prefix, i]))];
    if (isRecord(value) && !isSecure(value)) return [...here, ...Object.entries(value).flatMap(([k, v]) => paths(v, [...prefix, k]))];
    return here;
}

const get = (root: unknown, path: Path): unknown =>
    path.reduce<unknown>((node, key) => (node as Record<PathSegment, unknown>)?.[key], root);

/** The zod schemas that may describe a key path (several where a union has several options). */
function schemasAt(path: Path): z.ZodType[] {
    let nodes: z.ZodType[] = [z.object(stackConfigShape)];
    for (const key of path) {
        nodes = nodes.flatMap(unwrap).flatMap((node) => {
            const def = (node as unknown as { _zod: { def: Record<string, any> } })._zod.def;
            if (def["type"] === "object") return def["shape"][key] ? [def["shape"][key]] : [];
            if (def["type"] === "array" && typeof key === "number") return [def["element"]];
            if (def["type"] === "record") return [def["valueType"]];
            return [];
        });
    }
    return nodes.flatMap(unwrap);
}
function unwrap(node: z.ZodType): z.ZodType[] {
    const def = (node as unknown as { _zod: { def: Record<string, any> } })._zod.def;
    if (["optional", "default", "prefault", "nullable", "readonly"].includes(def["type"])) return unwrap(def["innerType"]);
    if (def["type"] === "pipe") return unwrap(def["in"]);
    if (def["type"] === "union") return (def["options"] as z.ZodType[]).flatMap(unwrap);
    return [node];
}

const LONG = (n: number) => "a".repeat(n);
/** Strings that cross limits of the target APIs or of the message format. */
const HOSTILE_STRINGS = [
    "",
    " ",
    "UPPER",
    "-leading",
    "trailing-",
    "a..b",
    "a--b",
    "with space",
    "new\nline",
    "\u001b[31mred",
    "nul\u0000",
    "\u009bcsi",
    "\u202eevil",
    "latest",
    "0.0.0.0/0",
    "10.0.0.1/16",
    "us-east-1a",
    "true",
    "__proto__",
    "constructor",
    LONG(53),
    LONG(54),
    LONG(63),
    LONG(64),
    LONG(101),
    LONG(254),
    LONG(10_000),
    `${LONG(64)}.example.com`,
];
const HOSTILE_VALUES: unknown[] = [null, 0, -1, 1.5, 2_147_483_647, 2_147_483_648, 1e21, true, [], {}, "3"];

/** Values derived from the zod schema at a path: enum members, bounds and one past them, over-long strings. */
function schemaCandidates(path: Path): unknown[] {
    return schemasAt(path).flatMap((node) => {
        const def = (node as unknown as { _zod: { def: Record<string, any> } })._zod.def;
        const checks: Record<string, any>[] = (def["checks"] ?? []).map((c: { _zod: { def: Record<string, any> } }) => c._zod.def);
        switch (def["type"]) {
            case "enum":
                return Object.values(def["entries"]);
            case "literal":
                return def["values"];
            case "boolean":
                return [true, false];
            case "number":
                return checks.flatMap((c) =>
                    c["check"] === "greater_than" || c["check"] === "less_than" ? [c["value"] - 1, c["value"], c["value"] + 1] : [],
                );
            case "string":
                return checks.flatMap((c) => (c["check"] === "max_length" ? [LONG(c["maximum"]), LONG(c["maximum"] + 1)] : []));
            default:
                return [];
        }
    });
}

/** The value at the same path in the other stack files: a setting of one environment copied into another. */
const spliced = (path: Path, stack: string) =>
    STACKS.filter((other) => other !== stack)
        .map((other) => get(COMMITTED[other], path))
        .filter((v) => v !== undefined);

const NEW_KEYS = ["unknownKey", "__proto__", "constructor", "prototype", "bad\nkey", "\u001b]0;title\u0007", "SOME_ENV_VAR"];

/** A mutation of one committed stack file. */
export function mutationArbitrary(): fc.Arbitrary<Mutation> {
    return fc.constantFrom(...STACKS).chain((stack) => {
        const all = paths(COMMITTED[stack]);
        const objects = [[], ...all.filter((p) => isRecord(get(COMMITTED[stack], p)) && !isSecure(get(COMMITTED[stack], p)))];
        const lists = all.filter((p) => Array.isArray(get(COMMITTED[stack], p)) && (get(COMMITTED[stack], p) as unknown[]).length > 0);
        const set = fc.constantFrom(...all).chain((path) => {
            const derived = [...schemaCandidates(path), ...spliced(path, stack)];
            const value = fc.oneof(
                { weight: 3, arbitrary: derived.length > 0 ? fc.constantFrom(...derived) : fc.constantFrom(...HOSTILE_STRINGS) },
                { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
                { weight: 1, arbitrary: fc.constantFrom(...HOSTILE_VALUES) },
            );
            return value.map((v) => ({ stack, kind: "set" as const, path, value: v, why: derived.includes(v) ? "derived" : "hostile" }));
        });
        const remove = fc.constantFrom(...all).map((path) => ({ stack, kind: "delete" as const, path }));
        const addKey = fc
            .tuple(fc.constantFrom(...objects), fc.constantFrom(...NEW_KEYS), fc.constantFrom<unknown>("x", 1, true, {}))
            .map(([path, key, value]) => ({ stack, kind: "add-key" as const, path, key, value }));
        const duplicate =
            lists.length > 0 ? fc.constantFrom(...lists).map((path) => ({ stack, kind: "duplicate" as const, path, index: 0 })) : remove;
        return fc.oneof(
            { weight: 6, arbitrary: set },
            { weight: 2, arbitrary: remove },
            { weight: 1, arbitrary: addKey },
            { weight: 1, arbitrary: duplicate },
        );
    });
}

export function applyMutation(sections: Sections, m: Mutation): void {
    const parentPath = m.kind === "add-key" ? m.path : m.path.slice(0, -1);
    const parent = (parentPath.length === 0 ? sections : get(sections, parentPath)) as Record<PathSegment, unknown> | unknown[];
    const key = m.path[m.path.length - 1]!;
    const own = (target: object, k: PathSegment, value: unknown) =>
        Object.defineProperty(target, k, { value: structuredClone(value), enumerable: true, configurable: true, writable: true });
    switch (m.kind) {
        case "set":
            own(parent, key, m.value);
            break;
        case "delete":
            if (Array.isArray(parent)) parent.splice(Number(key), 1);
            else delete parent[key];
            break;
        case "add-key":
            own(parent, m.key, m.value);
            break;
        case "duplicate": {
            const list = get(sections, m.path) as unknown[];
            list.push(structuredClone(list[m.index]));
            break;
        }
    }
}

/** Where a mutation acts, as the config would name it. */
export function mutatedPath(m: Mutation): Path {
    if (m.kind === "add-key") return [...m.path, m.key];
    if (m.kind === "duplicate") return m.path;
    return m.path;
}

/**
 * A problem names the mutation when one path contains the other, or when its message names the
 * mutated key relative to the deepest key both paths share (e.g. "autoscaling.maxReplicas").
 */
export function namesMutation(problem: { path: readonly PathSegment[]; message: string }, path: Path): boolean {
    const common = path.findIndex((key, i) => problem.path[i] !== key);
    if (common === -1 || common >= problem.path.length) return true;
    const relative = formatPath(path.slice(common).filter((key) => typeof key === "string"));
    return problem.message.includes(formatPath(path)) || (relative.length > 0 && problem.message.includes(relative));
}

/** Any GitHub user, team or repository exists: existence cannot be checked offline, and is not the config's business. */
const PERMISSIVE_GITHUB: Record<string, InvokeHandler> = {
    ...GITHUB_INVOKES,
    "github:index/getUser:getUser": ({ username }) => ({ id: "1", login: username }),
    "github:index/getTeam:getTeam": ({ slug }) => ({ id: "2", slug }),
    "github:index/getRepository:getRepository": ({ fullName }) => ({ fullName, nodeId: `R_${String(fullName)}` }),
};
/** The deployment window is evaluated at a fixed time inside it. */
const PACK_CONFIG = { "prod-deployment-window": { at: "2026-11-25T11:00:00Z" } };

let mockedStack: string | undefined;

export type Outcome = "config-error" | "valid-config" | "valid-graph";

/** Checks one mutation; throws (a counterexample) when neither outcome holds. With `graph`, a valid config is deployed and checked. */
export async function checkMutation(
    m: Mutation,
    graph: boolean,
    packConfig: Record<string, Record<string, unknown>> = PACK_CONFIG,
): Promise<Outcome> {
    const sections = structuredClone(COMMITTED[m.stack]!);
    applyMutation(sections, m);
    const path = mutatedPath(m);
    const nameOk = (error: ConfigError) => {
        if (!error.problems.some((p) => namesMutation(p, path))) {
            throw new Error(`config error does not name ${formatPath(path)}:\n${error.message}`);
        }
        if (error.message.split("\n").length !== error.problems.length + 1)
            throw new Error(`a problem spans several lines:\n${error.message}`);
    };
    if (!graph) {
        const engine = toEngineConfig(sections);
        pulumi.runtime.setAllConfig(engine.config, engine.secretKeys);
        // The loader reads the stack name from the runtime; mocks are only set up again when it changes.
        if (mockedStack !== m.stack) await pulumi.runtime.setMocks(new StrictMocks(), PROJECT, m.stack, false);
        mockedStack = m.stack;
        // The loader reads which values are secure from the stack file, as under the engine.
        const projectDir = writeStackFile(m.stack, sections);
        try {
            parseStackConfig(readRawStackConfig(nodePath.join(projectDir, `Pulumi.${m.stack}.yaml`)), `Pulumi.${m.stack}.yaml`);
            return "valid-config";
        } catch (error) {
            if (!(error instanceof ConfigError)) throw error;
            nameOk(error);
            return "config-error";
        } finally {
            fs.rmSync(projectDir, { recursive: true, force: true });
        }
    }
    const replace = (s: Sections) => {
        for (const key of Object.keys(s)) delete s[key];
        for (const [key, value] of Object.entries(sections))
            Object.defineProperty(s, key, { value, enumerable: true, configurable: true, writable: true });
    };
    mockedStack = undefined;
    const { graph: recorded, error } = await runStack(m.stack, { edit: replace, invokes: PERMISSIVE_GITHUB });
    if (error !== undefined) {
        if (!(error instanceof ConfigError)) throw new Error(`the program failed after its config passed: ${String(error)}`);
        if (recorded.resources.length > 0) throw new Error("resources were registered despite a config error");
        nameOk(error);
        return "config-error";
    }
    const urns = recorded.resources.map((r) => r.urn);
    const duplicates = urns.filter((urn, i) => urns.indexOf(urn) !== i);
    if (duplicates.length > 0) throw new Error(`duplicate URNs (the engine refuses them): ${[...new Set(duplicates)].join(", ")}`);
    const violations = runPack(POLICIES, policyResources(recorded), packConfig).filter((v) => v.enforcementLevel === "mandatory");
    if (violations.length > 0) throw new Error(`mandatory violations:\n${violations.map((v) => `${v.policy}: ${v.message}`).join("\n")}`);
    return "valid-graph";
}

export interface FuzzOptions {
    runs: number;
    seed: number;
    /** How many valid configs are deployed and checked against the pack (the rest stop at the config). */
    graphRuns: number;
}
export interface FuzzReport {
    seed: number;
    runs: number;
    outcomes: Record<Outcome, number>;
    seconds: number;
    failure?: string;
}

/** Runs the property; a failure is reported with its shrunk counterexample. */
export async function fuzzConfig(options: FuzzOptions): Promise<FuzzReport> {
    const outcomes: Record<Outcome, number> = { "config-error": 0, "valid-config": 0, "valid-graph": 0 };
    let graphBudget = options.graphRuns;
    const started = process.hrtime.bigint();
    const result = await fc.check(
        fc.asyncProperty(mutationArbitrary(), async (m) => {
            const outcome = await checkMutation(m, false);
            if (outcome === "valid-config" && graphBudget > 0) {
                graphBudget--;
                outcomes[await checkMutation(m, true)]++;
            } else outcomes[outcome]++;
        }),
        { seed: options.seed, numRuns: options.runs, endOnFailure: false },
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const failure = result.failed
        ? `${fc.defaultReportMessage(result)}\n${String((result.errorInstance as Error)?.message ?? result.errorInstance)}`
        : undefined;
    return { seed: options.seed, runs: result.numRuns, outcomes, seconds, failure };
}
