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

export function text(options: { pattern?: RegExp; describe?: string; maxLength?: number; valid?: (value: string) => boolean } = {}) {
    const expected = options.describe ?? "a non-empty string";
    // The first failing check stops the others: one problem per value.
    const once = { ...fail(expected), abort: true };
    let schema = z.string(fail(expected)).min(1, once);
    if (options.maxLength !== undefined) schema = schema.max(options.maxLength, once);
    if (options.pattern) schema = schema.regex(options.pattern, once);
    const valid = options.valid;
    return valid ? schema.refine((value) => valid(value), once) : schema;
}

export const boolean = () => z.boolean(fail("true or false"));

export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
    return z.enum(values, fail(`one of ${values.map((v) => JSON.stringify(v)).join(", ")}`));
}

export function list<T extends z.ZodType>(item: T, options: { min?: number; max?: number; what: string; unique?: boolean }) {
    const { min, max, what } = options;
    const count = min !== undefined && max !== undefined ? ` (${min} to ${max} items)` : min !== undefined ? ` (at least ${min})` : "";
    const expected = `a list of ${what}${count}`;
    let schema = z.array(item, fail(expected));
    if (min !== undefined) schema = schema.min(min, fail(expected));
    if (max !== undefined) schema = schema.max(max, fail(expected));
    return options.unique ? schema.superRefine(noDuplicates) : schema;
}

/** Each repeated item is a problem of its own, at its index (a duplicate becomes a duplicate resource). */
function noDuplicates(items: unknown[], ctx: z.RefinementCtx): void {
    const first = new Map<string, number>();
    items.forEach((item, i) => {
        const key = JSON.stringify(item);
        const earlier = first.get(key);
        if (earlier === undefined) first.set(key, i);
        else ctx.addIssue({ code: "custom", path: [i], input: item, message: `expected no duplicate (the same as [${earlier}])` });
    });
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

// Limits of the APIs the values end up in. Kubernetes' rules are the ones published in "Object Names
// and IDs" and "Labels and Selectors" (kubernetes.io/docs/concepts/overview/working-with-objects/),
// implemented in k8s.io/apimachinery/pkg/util/validation: a DNS-1123 label is [a-z0-9]([-a-z0-9]*[a-z0-9])?
// of at most 63 characters, a DNS-1123 subdomain is such labels joined by '.' (at most 253), a label
// value is at most 63 characters of [-A-Za-z0-9_.] starting and ending with [A-Za-z0-9].

export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
export const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;
/** Kubernetes int32 fields (replicas, ports, seconds, ...) reject anything above this. */
export const INT32_MAX = 2_147_483_647;

/** An integer a Kubernetes (or AWS) int32 field accepts. */
export const int32 = (options: { min?: number; max?: number } = {}) =>
    options.max !== undefined
        ? integer(options)
        : integer(options).max(INT32_MAX, fail(`an integer of at most ${INT32_MAX} (Kubernetes' int32)`));

/** A Kubernetes label value (the chart puts e.g. the image tag into `app.kubernetes.io/version`). */
export const isLabelValue = (value: string) => value.length <= 63 && LABEL_VALUE.test(value);

/** A public DNS host name: labels of at most 63 characters, at most 253 in all, at least two labels (an FQDN). */
export function isDnsName(value: string): boolean {
    const labels = value.split(".");
    return value.length <= 253 && labels.length >= 2 && labels.every((label) => DNS1123_LABEL.test(label)) && !/^\d+$/.test(labels.at(-1)!);
}
export const dnsName = () =>
    text({ valid: isDnsName, describe: "a DNS host name such as api.example.com (labels of 1-63 characters, at most 253 in all)" });

/** Helm refuses release names over 53 characters (helm/pkg/chartutil: maxReleaseNameLen), leaving room for suffixes. */
export const HELM_RELEASE_NAME_MAX = 53;
export const helmReleaseName = () =>
    text({
        pattern: DNS_LABEL,
        maxLength: HELM_RELEASE_NAME_MAX,
        describe: `a DNS label of at most ${HELM_RELEASE_NAME_MAX} characters (Helm's release-name limit)`,
    });

/** PostgreSQL truncates identifiers to NAMEDATALEN-1 = 63 bytes; RDS rejects longer database names. */
export const POSTGRES_IDENTIFIER_MAX = 63;
export const postgresIdentifier = () =>
    text({
        pattern: /^[a-z_][a-z0-9_]*$/,
        maxLength: POSTGRES_IDENTIFIER_MAX,
        describe: `a database name (lowercase letters, digits, '_'; at most ${POSTGRES_IDENTIFIER_MAX} characters)`,
    });

/** GitHub: repository names are at most 100 characters of [A-Za-z0-9._-], and not "." or "..". */
export const githubRepositoryName = () =>
    text({
        pattern: /^[A-Za-z0-9._-]{1,100}$/,
        valid: (name) => name !== "." && name !== "..",
        maxLength: 100,
        describe: "a repository name (at most 100 letters, digits, '.', '-', '_')",
    });
/** GitHub: user and organization logins are at most 39 alphanumerics with single inner hyphens. */
export const githubLogin = (describe: string) =>
    text({ pattern: /^[A-Za-z0-9](-?[A-Za-z0-9])*$/, maxLength: 39, describe: `${describe} (at most 39 letters, digits, single '-')` });

/**
 * A git ref name as `git check-ref-format` accepts it (and `git branch` for a branch): no control
 * character, space, ~ ^ : ? [ \ or "..", "@{", "//"; no component starting with '.' or ending in
 * ".lock"; not starting with '-' or '/', not ending with '/' or '.', not "@" or "HEAD". `glob` lets
 * '*' through for patterns (a tag pattern such as v*).
 */
export function isGitRefName(name: string, glob = false): boolean {
    if (name === "@" || name === "HEAD" || name.startsWith("-") || name.startsWith("/") || name.endsWith("/") || name.endsWith(".")) {
        return false;
    }
    // eslint-disable-next-line no-control-regex
    const forbidden = glob ? /[\x00-\x20\x7f~^:?[\\]/ : /[\x00-\x20\x7f~^:?*[\\]/;
    if (forbidden.test(name) || name.includes("..") || name.includes("@{") || name.includes("//")) return false;
    return name.split("/").every((part) => !part.startsWith(".") && !part.endsWith(".lock"));
}
export const gitRefName = (what: string, glob = false) =>
    text({ valid: (name) => isGitRefName(name, glob), maxLength: 255, describe: `${what} (a valid git ref name: git check-ref-format)` });

/** An IPv4 CIDR block in canonical form (no host bits set), as EC2 and EKS accept it. */
export function isCanonicalCidr(value: string): boolean {
    const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(value);
    if (!match) return false;
    const octets = match.slice(1, 5).map(Number);
    const prefix = Number(match[5]);
    if (octets.some((o) => o > 255) || prefix > 32) return false;
    const address = octets.reduce((n, o) => n * 256 + o, 0);
    return address % 2 ** (32 - prefix) === 0;
}

/** An integer from a fixed set (CloudWatch retention days, RDS monitoring intervals). */
export function integerChoice<const T extends readonly number[]>(values: T) {
    const expected = `one of ${values.join(", ")}`;
    return z
        .number(fail(expected))
        .refine((v) => values.includes(v), { ...fail(expected), abort: true })
        .transform((v) => v as T[number]);
}
