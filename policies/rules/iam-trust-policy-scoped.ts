import { resourcePolicy } from "../lib";

const GITHUB_OIDC = "token.actions.githubusercontent.com";

interface Statement {
    Effect?: string;
    Principal?: string | Record<string, string | string[]>;
    Action?: string | string[];
    Condition?: Record<string, Record<string, string | string[]>>;
}

const values = (v: string | string[] | undefined) => (v === undefined ? [] : [v].flat());

/** Problems of one trust policy: anyone may assume it, or a web identity (GitHub, IRSA) without a precise subject. */
export function trustProblems(document: unknown): string[] {
    const parsed = typeof document === "string" ? JSON.parse(document) : document;
    const statements: Statement[] = [parsed?.Statement ?? []].flat();
    const problems: string[] = [];
    for (const s of statements.filter((st) => st.Effect !== "Deny")) {
        const principal = s.Principal;
        if (principal === "*" || (typeof principal === "object" && values(principal["AWS"]).includes("*"))) {
            problems.push("any principal may assume it");
            continue;
        }
        const federated = typeof principal === "object" ? values(principal["Federated"]) : [];
        if (federated.length === 0) continue;
        const conditions = Object.values(s.Condition ?? {});
        const keyed = (suffix: string) =>
            conditions.flatMap((c) =>
                Object.entries(c)
                    .filter(([k]) => k.endsWith(suffix))
                    .flatMap(([, v]) => values(v)),
            );
        const subjects = keyed(":sub");
        if (subjects.length === 0) problems.push(`web identity ${federated.join(", ")} without a subject condition`);
        if (keyed(":aud").length === 0) problems.push(`web identity ${federated.join(", ")} without an audience condition`);
        const github = federated.some((f) => f.includes(GITHUB_OIDC));
        for (const subject of subjects) {
            // A GitHub subject names one repository and then an environment or a ref; `repo:org/*` is every repository.
            const repo = /^repo:([^/]+)\/([^:]+)(?::(.*))?$/.exec(subject);
            if (github && (!repo || repo[2]!.includes("*") || !repo[3] || repo[3] === "*"))
                problems.push(`GitHub subject ${subject} is not one repository's environment or ref`);
            if (!github && subject.includes("*")) problems.push(`subject ${subject} has a wildcard`);
        }
    }
    return problems;
}

export default resourcePolicy({
    name: "iam-trust-policy-scoped",
    description:
        "FSBP IAM.* / CIS AWS 1.x: role trust policies name who may assume them: no `*` principal; GitHub OIDC and IRSA trusts pin audience and an exact subject (one repository's environment or ref, one ServiceAccount).",
    enforcementLevel: "mandatory",
    types: ["aws:iam/role:Role"],
    validate: (props, { name, report }) => {
        const problems = trustProblems(props["assumeRolePolicy"] ?? "{}");
        if (problems.length > 0) report(`Role ${name} trust policy: ${problems.join("; ")}.`);
    },
});
