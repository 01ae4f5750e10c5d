import { Compared, FlowChange, flowHolds, IamChange, InputChange, ResourceChange, ReviewDiff } from "./diff";

/** Per resource, at most this many changed input paths are listed; the rest are counted. */
const MAX_INPUTS = 6;
/** A resource table longer than this is folded. */
const FOLD_ROWS = 25;

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\r?\n/g, "<br>");
const code = (text: string) => `\`${text.replace(/`/g, "'")}\``;

export function markdownTable(header: string[], rows: string[][]): string[] {
    return [`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`)];
}

function inputText(i: InputChange): string {
    if (i.secret) return `${code(i.path)} (secret changed)`;
    return i.before !== undefined ? `${code(i.path)}: ${i.before} → ${i.after}` : code(i.path);
}

function inputsText(change: ResourceChange): string {
    const shown = change.inputs.slice(0, MAX_INPUTS).map(inputText);
    const more = change.inputs.length - shown.length;
    return [...(change.movedFrom ? [`moved from ${code(change.movedFrom)}`] : []), ...shown, ...(more > 0 ? [`+${more} more`] : [])].join(
        "<br>",
    );
}

function resourcesSection(diff: ReviewDiff): string[] {
    const lines = ["### Resources"];
    if (diff.head.error) return [...lines, `**The program fails at head:** ${diff.head.error}`];
    if (!diff.base) return [...lines, `${diff.head.resources} resources at head; no base to compare (\`--base <git-ref>\`).`];
    if (diff.base.error) return [...lines, `${diff.head.resources} resources at head; the program failed at the base: ${diff.base.error}`];
    const count = (kind: ResourceChange["kind"]) => diff.resources.filter((c) => c.kind === kind).length;
    if (diff.resources.length === 0) return [...lines, `No resource changes (${diff.head.resources} resources).`];
    const destroying = diff.resources.filter((c) => c.destroys);
    for (const c of destroying) {
        const why = c.kind === "removed" ? "removed" : `replaced: ${c.destroys!.keys.map(code).join(", ")} changed`;
        lines.push(`- **${c.type} ${code(c.name)} is ${why}; it loses ${c.destroys!.loses}.**`);
    }
    if (destroying.length > 0) lines.push("");
    lines.push(
        `${count("added")} added, ${count("removed")} removed, ${count("changed")} changed (${diff.head.resources} resources at head).`,
        "",
    );
    const order = { removed: 0, changed: 1, added: 2 };
    const sorted = [...diff.resources].sort(
        (a, b) =>
            Number(!a.destroys) - Number(!b.destroys) ||
            order[a.kind] - order[b.kind] ||
            a.type.localeCompare(b.type) ||
            a.name.localeCompare(b.name),
    );
    const rows = sorted.map((c) => [c.destroys ? `**${c.kind}**` : c.kind, c.type, c.name, inputsText(c)]);
    const table = markdownTable(["change", "type", "name", "changed inputs"], rows);
    // A long table folds (GitHub comments hold 65,536 characters); what destroys data stays above it.
    if (rows.length <= FOLD_ROWS) return [...lines, ...table];
    return [...lines, `<details><summary>${rows.length} resource changes</summary>`, "", ...table, "", "</details>"];
}

const allowedText = (allowed: boolean | undefined) => (allowed === undefined ? "—" : allowed ? "allowed" : "denied");

function flowVerdict(c: FlowChange): string {
    const verb = c.after === undefined ? "no longer checked" : c.before === undefined ? "new check" : c.after ? "opens" : "closes";
    return c.after !== undefined && !flowHolds(c, c.after) ? `**${verb}: breaks the expectation**` : verb;
}

function comparedLines<T>(compared: Compared<T>, what: string, render: (changes: T[]) => string[]): string[] {
    if ("unavailable" in compared) return [`${what}: not compared (${compared.unavailable}).`];
    if (compared.changes.length === 0 && compared.head === 0) return [`${what}: nothing to evaluate in this stack.`];
    if (compared.changes.length === 0) return [`${what}: no change (${compared.head} rows).`];
    return render(compared.changes);
}

function flowsSection(diff: ReviewDiff): string[] {
    const lines = ["### Flows"];
    if (diff.head.error) return [...lines, "Not evaluated: the program fails at head."];
    if (diff.base) {
        lines.push(
            ...comparedLines(diff.flows, "Security-group and NetworkPolicy flows", (changes) =>
                markdownTable(
                    ["level", "flow", "port", "expected", "base", "head", "change"],
                    changes.map((c) => [c.table, c.flow, c.port, c.expected, allowedText(c.before), allowedText(c.after), flowVerdict(c)]),
                ),
            ),
            "",
            ...comparedLines(diff.iam, "IAM simulation", (changes: IamChange[]) =>
                markdownTable(
                    ["role", "action", "resource", "base", "head", "change"],
                    changes.map((c) => [
                        c.role,
                        c.action,
                        `${c.from ? `from ${c.from}: ` : ""}${c.resource}`,
                        c.before ?? "—",
                        c.after ?? "—",
                        c.after === undefined
                            ? "no longer checked"
                            : c.before === undefined
                              ? "new check"
                              : c.after === "allowed"
                                ? "granted"
                                : "revoked",
                    ]),
                ),
            ),
        );
    } else {
        const rows = (s: Compared<unknown>) => ("unavailable" in s ? s.unavailable : `${s.head} rows`);
        lines.push(`Flows: ${rows(diff.flows)}; IAM simulation: ${rows(diff.iam)}; no base to compare.`);
    }
    if (diff.failingFlows.length > 0) {
        lines.push(
            "",
            `**${diff.failingFlows.length} flow(s) do not hold at head:**`,
            ...diff.failingFlows.map((r) => `- ${r.table} ${r.flow} ${r.port}: expected ${r.expected}, ${allowedText(r.allowed)}`),
        );
    }
    return lines;
}

const RANK: Record<string, number> = { mandatory: 0, advisory: 1 };

function policiesSection(diff: ReviewDiff): string[] {
    const lines = ["### Policies"];
    if ("unavailable" in diff.policies) return [...lines, `Not evaluated (${diff.policies.unavailable}).`];
    const { findings, resolved } = diff.policies;
    const count = (level: string) => findings.filter((f) => f.enforcementLevel === level).length;
    const fresh = findings.filter((f) => f.isNew).length;
    lines.push(
        findings.length === 0
            ? "No policy findings at head."
            : `${count("mandatory")} mandatory, ${count("advisory")} advisory finding(s) at head${diff.base ? `, ${fresh} new` : ""}.`,
    );
    if (findings.length > 0) {
        const sorted = [...findings].sort(
            (a, b) =>
                (RANK[a.enforcementLevel] ?? 2) - (RANK[b.enforcementLevel] ?? 2) ||
                Number(b.isNew) - Number(a.isNew) ||
                a.policy.localeCompare(b.policy),
        );
        lines.push(
            "",
            ...markdownTable(
                ["level", "policy", "resource", "new", "message"],
                sorted.map((f) => [
                    f.enforcementLevel === "mandatory" ? "**mandatory**" : f.enforcementLevel,
                    f.policy,
                    f.urn ? f.urn.split("::").pop()! : "(stack)",
                    f.isNew ? "**new**" : "",
                    f.message,
                ]),
            ),
        );
    }
    if (resolved.length > 0)
        lines.push(
            "",
            `Resolved since the base: ${resolved.map((f) => `${f.policy} (${f.urn?.split("::").pop() ?? "stack"})`).join(", ")}.`,
        );
    return lines;
}

/** The heading and the lines saying what was compared with what. */
function heading(diff: ReviewDiff): string[] {
    const base = diff.base ? diff.base.tree : "no base";
    return [
        `## Review of stack \`${diff.stack}\``,
        "",
        `Base: ${base}. Head: ${diff.head.tree}. Evaluated offline under the test harness's mocks (no cloud access).`,
    ];
}

/**
 * The Markdown section of one stack: Resources, Flows, Policies. `extra` are further sections
 * (Markdown lines) appended in order: the Cost and Time sections of review/cost.ts and
 * review/create-time.ts are composed by review.ts.
 */
export function formatReview(diff: ReviewDiff, extra: string[][] = []): string {
    return [heading(diff), resourcesSection(diff), flowsSection(diff), policiesSection(diff), ...extra]
        .map((s) => s.join("\n"))
        .join("\n\n");
}
