import { resourcePolicy } from "../lib";

interface Statement {
    Effect?: string;
    Action?: string | string[];
    Resource?: string | string[];
}

export const SENSITIVE_ACTIONS = [
    "secretsmanager:GetSecretValue",
    "secretsmanager:PutSecretValue",
    "kms:Decrypt",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "ssm:GetParameter",
    "ssm:GetParameters",
    "s3:GetObject",
    "s3:PutObject",
    "iam:PassRole",
    "sts:AssumeRole",
];

/** Actions from `sensitive` that a statement allows on every resource (`*` or `arn:...:*`). */
export function wildcardResourceGrants(document: unknown, sensitive: string[]): string[] {
    const parsed = typeof document === "string" ? JSON.parse(document) : document;
    const statements: Statement[] = [parsed?.Statement ?? []].flat();
    return statements
        .filter((s) => s.Effect !== "Deny")
        .filter((s) => [s.Resource ?? []].flat().some((r) => r === "*" || /:\*$/.test(r) || /:key\/\*$/.test(r) || /:secret:\*$/.test(r)))
        .flatMap((s) => [s.Action ?? []].flat())
        .filter((action) => sensitive.some((a) => a.toLowerCase() === action.toLowerCase() || action === "*" || action.endsWith(":*")));
}

export default resourcePolicy<{ sensitiveActions: string[] }>({
    name: "iam-no-wildcard-resources",
    description:
        "FSBP IAM.21 / CIS AWS 1.16: actions that read or write secrets, keys, data or roles name their resources (ARNs), never `*` or `key/*`.",
    enforcementLevel: "mandatory",
    config: { sensitiveActions: { type: "array", items: { type: "string" }, default: SENSITIVE_ACTIONS } },
    types: ["aws:iam/rolePolicy:RolePolicy", "aws:iam/policy:Policy"],
    validate: (props, { name, config, report }) => {
        const grants = wildcardResourceGrants(props["policy"], config.sensitiveActions);
        if (grants.length > 0) report(`IAM policy ${name} allows ${[...new Set(grants)].join(", ")} on every resource.`);
    },
});
