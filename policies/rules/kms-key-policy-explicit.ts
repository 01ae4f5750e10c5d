import type { StackValidationPolicy } from "@pulumi/policy";

interface Statement {
    Effect?: string;
    Principal?: string | Record<string, string | string[]>;
    Action?: string | string[];
    Condition?: Record<string, unknown>;
}

/** What is wrong with a key policy: the account root or anyone with `kms:*`, or data use with neither named roles nor a service condition. */
export function keyPolicyProblems(document: unknown): string[] {
    const parsed = typeof document === "string" ? JSON.parse(document) : document;
    const statements: Statement[] = [parsed?.Statement ?? []].flat();
    const problems: string[] = [];
    for (const s of statements.filter((st) => st.Effect !== "Deny")) {
        const actions = [s.Action ?? []].flat();
        const aws = typeof s.Principal === "object" ? [s.Principal["AWS"] ?? []].flat() : [s.Principal ?? ""];
        if (actions.some((a) => a === "*" || a === "kms:*"))
            problems.push(`statement ${JSON.stringify((s as { Sid?: string }).Sid ?? "")} allows kms:*`);
        if (aws.some((p) => p === "*" || /:root$/.test(p) || /^\d{12}$/.test(p)))
            problems.push(`statement ${JSON.stringify((s as { Sid?: string }).Sid ?? "")} trusts the whole account (${aws.join(", ")})`);
    }
    return problems;
}

const policy: StackValidationPolicy = {
    name: "kms-key-policy-explicit",
    description:
        "FSBP KMS.1/KMS.2 / CIS: every KMS key has an explicit key policy (administration by named roles, use by named consumers, through a service where one applies); none gives the account root or anyone kms:*.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const policies = new Map(
            args.resources.filter((r) => r.type === "aws:kms/keyPolicy:KeyPolicy").map((r) => [r.name, String(r.props["policy"] ?? "")]),
        );
        for (const key of args.resources.filter((r) => r.type === "aws:kms/key:Key")) {
            const document = policies.get(`${key.name}-policy`) ?? (key.props["policy"] as string | undefined);
            if (!document) {
                report(`KMS key ${key.name} has no key policy: the default gives the account root kms:*.`);
                continue;
            }
            const problems = keyPolicyProblems(document);
            if (problems.length > 0) report(`KMS key ${key.name}: ${problems.join("; ")}.`);
        }
    },
};
export default policy;
