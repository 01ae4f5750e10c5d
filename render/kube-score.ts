import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "../test/harness/stack-file";
import { KUBE_SCORE_IGNORES, KubeScoreIgnore } from "./kube-score-ignores";

/** The Kubernetes minor kube-score tailors its advice to: the EKS default (config/schema.ts). */
export const KUBE_SCORE_KUBERNETES_VERSION = "v1.33";

/** The kube-score the repo builds (scripts/install-tools.sh). */
export function kubeScoreBinary(): string {
    const binary = path.join(REPO_ROOT, ".tools", "bin", "kube-score");
    if (!fs.existsSync(binary))
        throw new Error(`${binary} is missing: run \`bash scripts/install-tools.sh\` (part of the README's set-up)`);
    return binary;
}

export type Grade = "CRITICAL" | "WARNING";

/** One failed check of one object. */
export interface Finding {
    /** `<Kind>/<name>` */
    object: string;
    namespace?: string;
    check: string;
    grade: Grade;
    summary: string;
    /** The ignore that covers it, if any. */
    ignoredBy?: KubeScoreIgnore;
}

interface ScoredObject {
    object_name: string;
    type_meta: { kind: string };
    object_meta: { name: string; namespace?: string };
    checks: { check: { id: string }; grade: number; skipped: boolean; comments: { path: string; summary: string }[] | null }[];
}

/** kube-score's grades: 1 critical, 5 warning (7 almost OK and 10 OK are passes). */
const GRADES: Record<number, Grade> = { 1: "CRITICAL", 5: "WARNING" };

export function ignoreFor(
    check: string,
    object: string,
    namespace?: string,
    ignores: KubeScoreIgnore[] = KUBE_SCORE_IGNORES,
): KubeScoreIgnore | undefined {
    return ignores.find(
        (i) =>
            i.check === check &&
            (i.objects === undefined || i.objects.includes(object)) &&
            (i.namespaces === undefined || (namespace !== undefined && i.namespaces.includes(namespace))),
    );
}

/** Scores the files with every check enabled by default; returns the warnings and critical findings. */
export function scoreFiles(files: string[], ignores: KubeScoreIgnore[] = KUBE_SCORE_IGNORES): Finding[] {
    const run = spawnSync(
        kubeScoreBinary(),
        ["score", "--output-format", "json", "--kubernetes-version", KUBE_SCORE_KUBERNETES_VERSION, ...files],
        { encoding: "utf8", maxBuffer: 64 * 2 ** 20 },
    );
    // Exit 1 means "critical findings"; anything that is not JSON is a failure of the tool itself.
    let scored: ScoredObject[];
    try {
        scored = JSON.parse(run.stdout) as ScoredObject[];
    } catch {
        throw new Error(`kube-score failed (exit ${run.status}): ${run.stderr || run.stdout}`);
    }
    return scored.flatMap((o) =>
        o.checks
            .filter((c) => !c.skipped && GRADES[c.grade] !== undefined)
            .map((c) => {
                const object = `${o.type_meta.kind}/${o.object_meta.name}`;
                return {
                    object,
                    namespace: o.object_meta.namespace,
                    check: c.check.id,
                    grade: GRADES[c.grade]!,
                    summary: (c.comments ?? []).map((x) => x.summary).join("; "),
                    ignoredBy: ignoreFor(c.check.id, object, o.object_meta.namespace, ignores),
                };
            }),
    );
}

export interface ScoreSummary {
    objects: number;
    critical: number;
    warning: number;
    ignoredCritical: number;
    ignoredWarning: number;
}

export function summarize(objects: number, findings: Finding[]): ScoreSummary {
    const count = (grade: Grade, ignored: boolean) => findings.filter((f) => f.grade === grade && !!f.ignoredBy === ignored).length;
    return {
        objects,
        critical: count("CRITICAL", false),
        warning: count("WARNING", false),
        ignoredCritical: count("CRITICAL", true),
        ignoredWarning: count("WARNING", true),
    };
}
