import type { ConfigProblem, PathSegment } from "./format";

/** Keys that reach or replace an object's prototype when assigned; never valid config keys. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

const problemAt = (path: PathSegment[]): ConfigProblem => ({
    path,
    message: 'expected a key other than "__proto__", "constructor" or "prototype" (they would change how the loader\'s objects behave)',
});

/**
 * A deep copy of decoded config in null-prototype objects, without forbidden keys; each one dropped
 * is a problem at its path (a `platform:__proto__` section too). zod's records drop `__proto__`
 * silently, so this runs before the schema.
 */
export function withoutForbiddenKeys(value: unknown, path: PathSegment[], problems: ConfigProblem[]): unknown {
    if (Array.isArray(value)) return value.map((item, i) => withoutForbiddenKeys(item, [...path, i], problems));
    if (typeof value !== "object" || value === null) return value;
    const copy: Record<string, unknown> = Object.create(null);
    for (const [key, item] of Object.entries(value)) {
        if (FORBIDDEN_KEYS.has(key)) problems.push(problemAt([...path, key]));
        else copy[key] = withoutForbiddenKeys(item, [...path, key], problems);
    }
    return copy;
}
