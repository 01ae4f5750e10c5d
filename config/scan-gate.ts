import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { CONFIG_NAMESPACE } from "./load";
import { requiresImageDigest } from "./workloads";

/**
 * The image scan gate of the deploy job (.github/workflows/deploy.yml): before `pulumi up` in staging
 * and prod, the promoted image (repository@digest) is scanned and CRITICAL/HIGH findings fail the job.
 * The workflow and its test read these names from here.
 */
export const SCAN_GATE = {
    /** aquasecurity/trivy-action v0.35.0, pinned by commit: the release made after the March 2026 tag hijack (GHSA-69fq-xp46-6x23). */
    action: "aquasecurity/trivy-action@57a97c7e7821a5776cebc9bb87c984fa69cba8f1",
    /** The Trivy binary the action installs (v0.69.4 was the malicious release). */
    trivyVersion: "v0.69.3",
    severity: "CRITICAL,HIGH",
    /** Accepted findings, each with a statement and an expiry (`expired_at`); docs/image-scan.md. */
    ignoreFile: ".trivyignore.yaml",
    /** An exception may not be accepted for longer than this. */
    maximumIgnoreDays: 90,
} as const;

export interface ScanTarget {
    /** Whether this deploy scans (staging and prod, on the release path). */
    scan: boolean;
    /** `repository@sha256:...`, or empty when nothing is scanned. */
    image: string;
}

/** The image a promotion deploys to a stack, when that stack's gate scans it. */
export function scanTarget(repoRoot: string, stack: string, input: { service: string; digest?: string }): ScanTarget {
    const file = parse(fs.readFileSync(path.join(repoRoot, `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, any> };
    const environment = file.config[`${CONFIG_NAMESPACE}:environment`]?.name as string;
    if (!input.service || !requiresImageDigest(environment)) return { scan: false, image: "" };
    const service = (file.config[`${CONFIG_NAMESPACE}:services`] as { name: string; image: { repository: string } }[]).find(
        (s) => s.name === input.service,
    );
    if (service === undefined) throw new Error(`${stack} has no service ${input.service}`);
    if (!input.digest) throw new Error(`${environment} deploys by digest: the promotion of ${input.service} carries none`);
    return { scan: true, image: `${service.image.repository}@${input.digest}` };
}

export interface IgnoreEntry {
    id: string;
    statement?: string;
    expired_at?: string;
}

/** Problems of the ignore file: every entry needs a reason and an expiry within maximumIgnoreDays of `now`. */
export function ignoreFileProblems(text: string, now: Date): string[] {
    const doc = (parse(text) ?? {}) as Record<string, IgnoreEntry[] | undefined>;
    const entries = Object.values(doc).flatMap((list) => list ?? []);
    const limit = now.getTime() + SCAN_GATE.maximumIgnoreDays * 86_400_000;
    return entries.flatMap((e) => {
        const problems: string[] = [];
        if (!e.statement) problems.push(`${e.id}: expected a statement (why the finding is accepted)`);
        const expiry = e.expired_at ? Date.parse(e.expired_at) : NaN;
        if (Number.isNaN(expiry)) problems.push(`${e.id}: expected expired_at (YYYY-MM-DD)`);
        else if (expiry > limit) problems.push(`${e.id}: expired_at ${e.expired_at} is more than ${SCAN_GATE.maximumIgnoreDays} days away`);
        return problems;
    });
}
