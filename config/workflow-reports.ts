import * as fs from "fs";
import * as path from "path";
import { driftIssueMarker, reviewCommentMarker } from "./delivery";

/**
 * What preview.yml and drift-detection.yml post on GitHub, from the files their jobs leave behind
 * (`npm run delivery -- preview-comment | drift-issue`). The jobs with cloud credentials only write
 * files; a separate job with a comment- or issue-only token posts them.
 */

/** GitHub refuses a comment or issue body longer than this (characters). */
export const GITHUB_BODY_LIMIT = 65536;

/** What one side of a report left: its exit code (undefined when the job died before reporting) and output. */
export interface StepReport {
    exitCode: number | undefined;
    text: string;
}

/** Reads `<dir>/<name>.exit` and `<dir>/<name>.<ext>`; a missing file is a step that never reported. */
export function readStepReport(dir: string, name: string, ext: string): StepReport {
    const read = (file: string) => (fs.existsSync(path.join(dir, file)) ? fs.readFileSync(path.join(dir, file), "utf8") : undefined);
    const exit = read(`${name}.exit`)?.trim();
    return { exitCode: exit === undefined || exit === "" ? undefined : Number(exit), text: read(`${name}.${ext}`) ?? "" };
}

/** A fenced block that no backtick run inside the text can close early. */
export function fenced(text: string, info = "text"): string {
    const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
    const fence = "`".repeat(longest + 1);
    return `${fence}${info}\n${text.replace(/\n$/, "")}\n${fence}`;
}

/** Keeps the end of a long output (Pulumi prints its summary last) and says how much was cut. */
export function tail(text: string, max: number): string {
    if (text.length <= max) return text;
    const cut = text.length - max;
    return `[${cut} characters cut: the full output is in the run's log]\n${text.slice(cut)}`;
}

const status = (r: StepReport) => (r.exitCode === undefined ? "did not report" : r.exitCode === 0 ? "ok" : `failed (exit ${r.exitCode})`);

export interface PreviewCommentInput {
    stack: string;
    review: StepReport;
    preview: StepReport;
    /** The head commit and the run, so a reader knows which push the comment shows. */
    headSha: string;
    runUrl: string;
}

/**
 * The one comment per stack: its marker first (the post step finds the comment to edit by it), the
 * review section, then the real `pulumi preview` output folded, within GitHub's body limit.
 */
export function previewComment(input: PreviewCommentInput): { body: string; ok: boolean } {
    const { stack, review, preview } = input;
    const ok = review.exitCode === 0 && preview.exitCode === 0;
    const reviewPart =
        review.exitCode === 0
            ? review.text.trim()
            : `**The review of \`${stack}\` could not be computed (${status(review)}).** See the run's log.\n\n${review.text.trim() ? fenced(tail(review.text, 4000)) : ""}`;
    const head = [reviewCommentMarker(stack), `## Review of \`${stack}\``, "", reviewPart.trim(), ""].join("\n");
    const foot = `\n_Head ${input.headSha.slice(0, 12)}, run ${input.runUrl}_\n`;
    const summary = `<details><summary><code>pulumi preview</code> of <code>${stack}</code>: ${status(preview)}</summary>\n\n`;
    const close = "\n\n</details>\n";
    const room = GITHUB_BODY_LIMIT - head.length - foot.length - summary.length - close.length - 200;
    const previewText = preview.text.trim() ? fenced(tail(preview.text, Math.max(room, 0))) : "_no output_";
    const body = `${head}\n${summary}${previewText}${close}${foot}`;
    return { body: body.length > GITHUB_BODY_LIMIT ? body.slice(0, GITHUB_BODY_LIMIT) : body, ok };
}

export type DriftOutcome = "clean" | "drift" | "error";

/**
 * `pulumi preview --refresh --expect-no-changes` exits 255 both on drift and on any error; only its
 * message tells them apart ("no changes were expected but changes were proposed", "... occurred" in
 * older CLIs, "... for <operation> ..." in newer ones). An error never counts as "no drift".
 */
export const NO_CHANGES_EXPECTED = /no changes were expected(?: for \S+)? but changes (?:were proposed|occurred)/;

export function driftOutcome(r: StepReport): DriftOutcome {
    if (r.exitCode === 0) return "clean";
    if (r.exitCode !== undefined && NO_CHANGES_EXPECTED.test(r.text)) return "drift";
    return "error";
}

export const driftIssueTitle = (stack: string) => `Drift in the ${stack} stack`;

/** The drifted stack's one issue: marker, what to do, the refresh preview's output within GitHub's limit. */
export function driftIssueBody(stack: string, r: StepReport, runUrl: string): string {
    const head = [
        driftIssueMarker(stack),
        `The live resources of \`${stack}\` differ from its last deployment: \`pulumi preview --refresh --expect-no-changes\` proposed changes (run ${runUrl}).`,
        "",
        "Either put the code's state back (`pulumi up` of main through deploy.yml) or, if the change by hand is wanted, " +
            "make it in the code and deploy it (docs/runbooks/emergency-change.md). This issue is updated by every run that still finds drift and closed by the first that finds none.",
        "",
    ].join("\n");
    return `${head}\n${fenced(tail(r.text, GITHUB_BODY_LIMIT - head.length - 200))}\n`;
}
