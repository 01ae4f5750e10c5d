import type { Violation } from "../policy";
import { runStack } from "../run-stack";
import { stackEngineConfig, STACKS } from "../stack-file";
import { loadPolicyPackConfig, PolicyConfigError, PolicyPackConfig } from "./config";
import { PolicyPackStartError } from "./process";
import { graphResources } from "./resources";
import { Analysis, PolicyPackSession, StackContext } from "./session";

/** Exit codes of `npm run policy`. */
export const EXIT = { clean: 0, mandatory: 1, error: 2 } as const;

export interface StackCheck {
    stack: string;
    pack: { name: string; version: string; policies: number };
    resources: number;
    violations: Violation[];
    remediations: Analysis["remediations"];
    timings: { programMs: number; packStartupMs?: number; analysisMs: number };
}

export class CheckError extends Error {}

/**
 * What a reviewer's `pulumi preview --policy-pack policies` would report for a stack, offline: the
 * program runs under the harness's mocks (`runStack`) and the recorded graph goes through the pack's
 * analyzer server. Starts the pack with the stack's environment, as the engine does, unless a running
 * session is given.
 */
export async function checkStack(
    stack: string,
    options: { packConfig?: PolicyPackConfig; session?: PolicyPackSession } = {},
): Promise<StackCheck> {
    if (!(STACKS as readonly string[]).includes(stack)) {
        throw new CheckError(`unknown stack "${stack}"; expected one of ${STACKS.join(", ")}`);
    }
    const context: StackContext = { stack, ...stackEngineConfig(stack) };
    const session = options.session ?? (await PolicyPackSession.start({ stack: context }));
    try {
        // The engine loads and configures policy packs before it runs the program: a bad config fails first.
        await session.configure(options.packConfig);
        const t0 = performance.now();
        const { graph, error } = await runStack(stack);
        if (error !== undefined) {
            throw new CheckError(`the program failed before registering resources:\n${(error as Error).message ?? String(error)}`);
        }
        const programMs = performance.now() - t0;
        const t1 = performance.now();
        const resources = await graphResources(graph);
        const analysis = await session.analyze(resources, { config: options.packConfig, stack: context });
        return {
            stack,
            pack: { name: session.info.name, version: session.info.version, policies: session.info.policies.length },
            resources: resources.length,
            violations: analysis.violations,
            remediations: analysis.remediations,
            timings: { programMs, packStartupMs: options.session ? undefined : session.startupMs, analysisMs: performance.now() - t1 },
        };
    } finally {
        if (!options.session) await session.stop();
    }
}

export const exitCodeOf = (check: StackCheck) =>
    check.violations.some((v) => v.enforcementLevel === "mandatory") ? EXIT.mandatory : EXIT.clean;

const RANK: Record<string, number> = { mandatory: 0, advisory: 1 };
const rank = (v: Violation) => RANK[v.enforcementLevel] ?? 2;

/** One block per violation (enforcement, policy, resource, then the message indented), mandatory first, then a summary. */
export function formatCheck(check: StackCheck): string[] {
    const sorted = [...check.violations].sort(
        (a, b) => rank(a) - rank(b) || a.policy.localeCompare(b.policy) || (a.urn ?? "").localeCompare(b.urn ?? ""),
    );
    const lines = [
        `${check.pack.name} ${check.pack.version} (${check.pack.policies} policies) on stack ${check.stack}: ${check.resources} resources`,
    ];
    for (const v of sorted) {
        lines.push(`${v.enforcementLevel.padEnd(9)} ${v.policy}  ${v.urn ?? "(stack)"}`);
        lines.push(...v.message.split("\n").map((line) => `    ${line}`));
    }
    for (const r of check.remediations) lines.push(`remediate ${r.policy}  ${r.urn}${r.diagnostic ? `\n    ${r.diagnostic}` : ""}`);
    const count = (level: string) => check.violations.filter((v) => v.enforcementLevel === level).length;
    const t = check.timings;
    lines.push(
        `${count("mandatory")} mandatory, ${count("advisory")} advisory violation(s).` +
            ` Program ${ms(t.programMs)}${t.packStartupMs === undefined ? "" : `, pack start-up ${ms(t.packStartupMs)}`}, analysis ${ms(t.analysisMs)}.`,
    );
    return lines;
}

const ms = (value: number) => `${Math.round(value)} ms`;

export const USAGE = "usage: npm run policy -- <stack> [--policy-pack-config <file.json>]";

/** `npm run policy -- <stack> [--policy-pack-config <file>]`: prints the check, returns the exit code. */
export async function runPolicyCli(argv: string[], print: (line: string) => void, session?: PolicyPackSession): Promise<number> {
    const args = [...argv];
    const at = args.indexOf("--policy-pack-config");
    const configFile = at >= 0 ? args.splice(at, 2)[1] : undefined;
    if (args.length !== 1 || (at >= 0 && configFile === undefined) || args[0]!.startsWith("-")) {
        print(USAGE);
        return EXIT.error;
    }
    try {
        const packConfig = configFile === undefined ? undefined : loadPolicyPackConfig(configFile);
        const check = await checkStack(args[0]!, { packConfig, session });
        formatCheck(check).forEach((line) => print(line));
        return exitCodeOf(check);
    } catch (error) {
        if (!(error instanceof PolicyConfigError || error instanceof CheckError || error instanceof PolicyPackStartError)) throw error;
        print(error.message);
        return EXIT.error;
    }
}
