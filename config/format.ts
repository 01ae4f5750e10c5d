import * as pulumi from "@pulumi/pulumi";

export type PathSegment = string | number | symbol;
export interface ConfigProblem {
    path: readonly PathSegment[];
    message: string;
    input?: unknown;
    /** True when `input` is a secret and must not be printed. */
    hidden?: boolean;
}

/** Thrown before any resource is registered; Pulumi prints a RunError without a stack trace. */
export class ConfigError extends pulumi.RunError {
    constructor(
        readonly stackFile: string,
        readonly problems: readonly ConfigProblem[],
    ) {
        super(
            [`invalid stack configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):`]
                .concat(problems.map((p) => formatProblem(stackFile, p)))
                .join("\n"),
        );
        this.name = "ConfigError";
    }
}

export function formatPath(path: readonly PathSegment[]): string {
    return path
        .map((segment, i) => {
            if (typeof segment === "number") return `[${segment}]`;
            const key = escapeControl(String(segment));
            return i === 0 ? key : `.${key}`;
        })
        .join("");
}

export function formatProblem(stackFile: string, problem: ConfigProblem): string {
    const where = problem.path.length > 0 ? formatPath(problem.path) : "(top level)";
    const got = "input" in problem ? `, got ${describeValue(problem.input, problem.hidden)}` : "";
    return escapeControl(`${stackFile}: ${where}: ${problem.message}${got}`);
}

/** What a message prints instead of a secret's value. */
export const SECRET_MARK = "[secret]";

export function describeValue(value: unknown, hidden = false): string {
    if (value === undefined) return "nothing (the key is missing)";
    if (hidden) return SECRET_MARK;
    if (value === null) return "null";
    if (Array.isArray(value)) return value.length === 0 ? "an empty list" : `a list ${truncate(JSON.stringify(value))}`;
    if (typeof value === "object") return `a mapping ${truncate(JSON.stringify(value))}`;
    return truncate(JSON.stringify(value));
}

function truncate(s: string): string {
    return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/**
 * Characters that break the one-problem-per-line format or drive a terminal: C0 controls (newline,
 * ESC, NUL, ...), DEL, C1 controls (CSI), line and paragraph separators, and bidirectional overrides.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Shows each control character as a visible escape (\n, \u001b, ...), so a message stays one plain line. */
export function escapeControl(text: string): string {
    return text.replace(CONTROL, (c) => {
        const named: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };
        return named[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
    });
}
