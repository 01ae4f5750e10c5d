import { z } from "zod";
import { ConfigProblem, formatPath, PathSegment } from "./format";
import { SECRET_META_KEY } from "./primitives";

/**
 * Which config values are secrets, judged per value. The engine hands a program each top-level key as
 * one string with secure leaves already decrypted, and only says whether the key holds *some* secret;
 * the stack file says which leaves are `{ secure: ... }`. These functions work on those leaf paths.
 */

export type Path = readonly PathSegment[];
/** A path pattern: `*` matches any one key of a map. */
export type SlotPattern = readonly string[];

/** Paths (section name first) of every `{ secure: ... }` value in a stack file's sections. */
export function securePathsOf(sections: Record<string, unknown>): Path[] {
    const found: Path[] = [];
    const walk = (value: unknown, at: PathSegment[]) => {
        if (Array.isArray(value)) return value.forEach((item, i) => walk(item, [...at, i]));
        if (typeof value !== "object" || value === null) return;
        const record = value as Record<string, unknown>;
        if (Object.keys(record).length === 1 && typeof record["secure"] === "string") return void found.push(at);
        for (const [key, child] of Object.entries(record)) walk(child, [...at, key]);
    };
    for (const [name, value] of Object.entries(sections)) walk(value, [name]);
    return found;
}

/** The places the schema declares as secrets (`secretString`), e.g. `secrets.provided.*`. */
export function secretSlots(shape: Record<string, z.ZodType>): SlotPattern[] {
    const slots: SlotPattern[] = [];
    const walk = (schema: z.ZodType, at: string[]) => {
        if (z.globalRegistry.get(schema)?.[SECRET_META_KEY] === true) return void slots.push(at);
        const def = (schema as unknown as { _zod: { def: Record<string, any> } })._zod.def;
        switch (def["type"]) {
            case "object":
                for (const [key, child] of Object.entries(def["shape"] as Record<string, z.ZodType>)) walk(child, [...at, key]);
                return;
            case "record":
                return walk(def["valueType"], [...at, "*"]);
            case "array":
                return walk(def["element"], [...at, "*"]);
            case "optional":
            case "default":
            case "prefault":
            case "nullable":
                return walk(def["innerType"], at);
            case "pipe":
                return walk(def["in"], at);
            case "union":
                return (def["options"] as z.ZodType[]).forEach((option) => walk(option, at));
        }
    };
    for (const [name, schema] of Object.entries(shape)) walk(schema, [name]);
    const unique = new Map(slots.map((slot) => [slot.join("\0"), slot]));
    return [...unique.values()];
}

/** True when `path` is a secret slot or lies under one (a leaf of a mapping set in a slot). */
export const inSecretSlot = (path: Path, slots: readonly SlotPattern[]) =>
    slots.some((slot) => slot.length <= path.length && slot.every((part, i) => part === "*" || part === String(path[i])));

/** True when `ancestor` is `path` or one of its parents. */
export const isWithin = (path: Path, ancestor: Path) => ancestor.length <= path.length && ancestor.every((part, i) => part === path[i]);

/** The value at a path of decoded sections, or undefined. */
function valueAt(sections: Record<string, unknown>, path: Path): unknown {
    let value: unknown = sections;
    for (const part of path) {
        if (typeof value !== "object" || value === null) return undefined;
        value = (value as Record<PropertyKey, unknown>)[part as PropertyKey];
    }
    return value;
}

/** Every leaf path of a decoded value (a scalar is its own leaf). */
function leafPaths(value: unknown, at: Path): Path[] {
    if (Array.isArray(value)) return value.flatMap((item, i) => leafPaths(item, [...at, i]));
    if (typeof value === "object" && value !== null) return Object.entries(value).flatMap(([k, v]) => leafPaths(v, [...at, k]));
    return [at];
}

const secretCommand = (path: Path) => `pulumi config set --secret --path 'platform:${formatPath(path)}'`;

/** Where a secret found at `path` belongs instead, in words an operator can act on. */
function whereSecretsBelong(path: Path): string {
    const [section, index, map, name] = path;
    if (section === "services" && map === "env" && typeof name === "string") {
        return `an app secret goes under secrets.provided (${secretCommand(["secrets", "provided", name])}) and in services[${String(index)}].secrets`;
    }
    const each = `set each secret on its own (${secretCommand(["secrets", "provided", "<NAME>"])} for the app, secrets.ci.<NAME> for workflows)`;
    return section === "secrets"
        ? `${each}; the settings of platform:secrets stay plain`
        : `secrets belong under platform:secrets: ${each}`;
}

export interface SecureValueFindings {
    problems: ConfigProblem[];
    /** Decrypted values, so that no problem prints one. */
    secretValues: string[];
    /** Leaf paths that are secrets (secure in the stack file). */
    securePaths: Path[];
}

/**
 * Judges every value: each leaf in a secret slot must be secure, and a secure value anywhere else is an
 * error. `securePaths` may point at an object (a whole section set with --secret): its leaves count.
 */
export function judgeSecureValues(sections: Record<string, unknown>, securePaths: Path[], slots: SlotPattern[]): SecureValueFindings {
    const problems: ConfigProblem[] = [];
    const secureLeaves = securePaths.flatMap((path) => leafPaths(valueAt(sections, path), path));
    const isSecure = (path: Path) => securePaths.some((secure) => isWithin(path, secure));
    const inSlot = (path: Path) => inSecretSlot(path, slots);

    for (const [name, value] of Object.entries(sections)) {
        for (const path of leafPaths(value, [name])) {
            if (inSlot(path) && !isSecure(path)) {
                problems.push({ path, message: `expected an encrypted value (${secretCommand(path)}), got plain text` });
            }
        }
    }
    for (const path of secureLeaves.filter((leaf) => !inSlot(leaf))) {
        problems.push({
            path,
            message: `expected a plain value: ${whereSecretsBelong(path)}`,
            input: valueAt(sections, path),
            hidden: true,
        });
    }
    const secretValues = secureLeaves
        .map((path) => valueAt(sections, path))
        .filter((value) => value !== undefined && value !== null && String(value) !== "")
        .map(String);
    return { problems, secretValues, securePaths };
}

/** Marks a problem hidden when its path is a secret or its input would print a secret's value. */
export function redact(problem: ConfigProblem, findings: Pick<SecureValueFindings, "secretValues" | "securePaths">): ConfigProblem {
    if (problem.hidden || !("input" in problem)) return problem;
    const underSecret = findings.securePaths.some((secure) => isWithin(problem.path, secure));
    const printed = typeof problem.input === "string" ? problem.input : (JSON.stringify(problem.input) ?? "");
    const showsSecret = findings.secretValues.some(
        (value) => printed.includes(value) || printed.includes(JSON.stringify(value).slice(1, -1)),
    );
    return underSecret || showsSecret ? { ...problem, hidden: true } : problem;
}
