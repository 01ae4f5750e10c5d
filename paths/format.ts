import type { StackPaths } from "./stack-paths";

const table = (header: string[], rows: string[][]) => {
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
    return [line(header), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line)].join("\n");
};

/** The report `npm run paths` prints (Markdown tables, so it can be pasted into a review). */
export function formatPaths(paths: StackPaths): string {
    const hops = paths.hops.map((h, i) => `${i + 1}. ${h.from} -> ${h.to}: ${h.via}\n${h.checks.map((c) => `   - ${c}`).join("\n")}`);
    const sg = paths.securityGroups.map((r) => [
        r.flow,
        String(r.port),
        r.expected,
        r.allowed ? "allowed" : "denied",
        r.ok ? "ok" : "FAIL",
        r.reason,
    ]);
    const np = paths.networkPolicies.map((r) => [
        r.flow,
        `${r.protocol}/${r.port}`,
        r.expected,
        r.allowed ? "allowed" : "denied",
        r.ok ? "ok" : "FAIL",
    ]);
    return [
        `# ${paths.stack}: traffic paths of ${paths.service}`,
        "",
        "## Hops",
        ...hops,
        "",
        "## Security groups",
        sg.length > 0 ? table(["flow", "port", "expected", "result", "check", "why"], sg) : "(no AWS network in this stack)",
        "",
        "## NetworkPolicies (cyclonus)",
        table(["flow", "port", "expected", "result", "check"], np),
    ].join("\n");
}
