import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";

/**
 * Small zod builders whose every failure reads "expected <what>", so the loader can append
 * "got <value>" and name the stack file and key path. Keep messages in this one file.
 */

const fail = (expected: string) => ({ error: () => `expected ${expected}` });

function rangeText(noun: string, min?: number, max?: number): string {
    if (min !== undefined && max !== undefined) return `${noun} from ${min} to ${max}`;
    if (min !== undefined) return `${noun} >= ${min}`;
    if (max !== undefined) return `${noun} <= ${max}`;
    return noun;
}

export function integer(options: { min?: number; max?: number } = {}) {
    const expected = rangeText("an integer", options.min, options.max);
    let schema = z.number(fail(expected)).int(fail(expected));
    if (options.min !== undefined) schema = schema.min(options.min, fail(expected));
    if (options.max !== undefined) schema = schema.max(options.max, fail(expected));
    return schema;
}

export function text(options: { pattern?: RegExp; describe?: string } = {}) {
    const expected = options.describe ?? "a non-empty string";
    const schema = z.string(fail(expected)).min(1, fail(expected));
    return options.pattern ? schema.regex(options.pattern, fail(expected)) : schema;
}

export const boolean = () => z.boolean(fail("true or false"));

export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
    return z.enum(values, fail(`one of ${values.map((v) => JSON.stringify(v)).join(", ")}`));
}

export function list<T extends z.ZodType>(item: T, options: { min?: number; max?: number; what: string }) {
    const { min, max, what } = options;
    const count = min !== undefined && max !== undefined ? ` (${min} to ${max} items)` : min !== undefined ? ` (at least ${min})` : "";
    const expected = `a list of ${what}${count}`;
    let schema = z.array(item, fail(expected));
    if (min !== undefined) schema = schema.min(min, fail(expected));
    if (max !== undefined) schema = schema.max(max, fail(expected));
    return schema;
}

/** An object that rejects keys it does not know, listing the ones it does. */
export function section<T extends z.ZodRawShape>(shape: T) {
    const known = Object.keys(shape).join(", ");
    return z.strictObject(shape, {
        error: (issue) =>
            issue.code === "unrecognized_keys" ? `unknown key, expected one of: ${known}` : "expected an object (a YAML mapping)",
    });
}

/** A map from UPPER_SNAKE_CASE names to values. */
export function envMap<T extends z.ZodType>(value: T) {
    return z.record(
        text({ pattern: ENV_NAME, describe: "an env var name matching [A-Z][A-Z0-9_]*" }),
        value,
        fail("a mapping of env var names to values"),
    );
}

export const ENV_NAME = /^[A-Z][A-Z0-9_]*$/;
export const DNS_LABEL = /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;
export const dnsLabel = () => text({ pattern: DNS_LABEL, describe: "a DNS label (lowercase letters, digits, '-')" });

/** Marks JSON Schema nodes that must be written as `{ secure: ... }` in a stack file. */
export const SECRET_META_KEY = "x-pulumi-secret";

/** A config value that must be stored encrypted; parsed into a Pulumi secret Output. */
export function secretString(describe = "a non-empty secret string") {
    return z
        .string(fail(describe))
        .min(1, fail(describe))
        .transform((value) => pulumi.secret(value))
        .meta({ [SECRET_META_KEY]: true });
}
