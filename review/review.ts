import { randomBytes } from "crypto";
import type { RunOptions } from "../test/harness/run-stack";
import { snapshotAtRef } from "./base-tree";
import { estimateCost, formatCostSection } from "./cost";
import { formatTimeSection, timeToFresh } from "./create-time";
import { diffSnapshots, ReviewDiff } from "./diff";
import { formatReview } from "./format";
import { HEAD } from "./head-entry-points";
import { Snapshot, takeSnapshot } from "./snapshot";

/** The policy that reads the clock (policies/rules/prod-deployment-window.ts), given one instant for both sides. */
const DEPLOYMENT_WINDOW = "prod-deployment-window";

export interface ReviewOptions {
    /** A git ref to compare with, evaluated in a temporary worktree. */
    base?: string;
    /** A base snapshot already taken (tests: a variation of the same tree). Wins over `base`. */
    baseSnapshot?: Snapshot;
    /** Changes head's stack file before the run (tests: one variation of a stack). */
    edit?: RunOptions["edit"];
    /** Policy config as `--policy-pack-config` gives it, for both sides. */
    policyConfig?: Record<string, Record<string, unknown>>;
    /** Key of the secrets' digests, for both sides. Defaults to a random one per review. */
    secretKey?: string;
    /** The checkout `base` is resolved in. Defaults to this one. */
    repoRoot?: string;
}

export interface Review {
    markdown: string;
    diff: ReviewDiff;
    base?: Snapshot;
    head: Snapshot;
}

/** The base side: given, or the ref's snapshot; a ref that cannot be evaluated is reported, not fatal. */
async function baseSide(stack: string, options: ReviewOptions, secretKey: string): Promise<Snapshot | undefined> {
    if (options.baseSnapshot) return options.baseSnapshot;
    if (options.base === undefined) return undefined;
    try {
        return await snapshotAtRef({
            repoRoot: options.repoRoot ?? HEAD.root,
            ref: options.base,
            stack,
            secretKey,
            policyConfig: options.policyConfig,
        });
    } catch (error) {
        const why = `could not be evaluated: ${String((error as Error).message).split("\n")[0]}`;
        return {
            stack,
            tree: options.base,
            error: why,
            resources: [],
            flows: { unavailable: why },
            iam: { unavailable: why },
            policies: { unavailable: why },
        };
    }
}

/**
 * `npm run review -- <stack> [--base <ref>]`: the stack at the working tree and at the base, compared
 * and printed as one Markdown section for the pull request. The base runs in a child process while
 * head is evaluated here.
 */
export async function reviewStack(stack: string, options: ReviewOptions = {}): Promise<Review> {
    const secretKey = options.secretKey ?? randomBytes(32).toString("hex");
    // Both sides see one clock: the deployment window's finding is the same finding on both.
    const policyConfig = { [DEPLOYMENT_WINDOW]: { at: new Date().toISOString() }, ...options.policyConfig };
    const [base, head] = await Promise.all([
        baseSide(stack, { ...options, policyConfig }, secretKey),
        takeSnapshot(stack, HEAD, { edit: options.edit, secretKey, policyConfig }),
    ]);
    const diff = diffSnapshots(base, head);
    const evaluated = base && base.error === undefined ? base : undefined;
    const region = head.region ?? "";
    const extra = [
        formatCostSection(evaluated && estimateCost(evaluated.resources, evaluated.region ?? region), estimateCost(head.resources, region)),
        formatTimeSection(evaluated && timeToFresh(evaluated.resources), timeToFresh(head.resources)),
    ];
    return { markdown: formatReview(diff, extra), diff, base, head };
}
