import { resourcePolicy } from "../lib";

interface Statement {
    Effect?: string;
    Action?: string | string[];
}

export function wildcardActions(document: unknown): string[] {
    const parsed = typeof document === "string" ? JSON.parse(document) : document;
    const statements: Statement[] = [parsed?.Statement ?? []].flat();
    return statements
        .filter((s) => s.Effect !== "Deny")
        .flatMap((s) => [s.Action ?? []].flat())
        .filter((action) => action.includes("*"));
}

export default resourcePolicy({
    name: "iam-no-wildcard-actions",
    description: "IAM policies the platform writes (deploy roles, IRSA) grant named actions, never wildcards.",
    enforcementLevel: "mandatory",
    types: ["aws:iam/rolePolicy:RolePolicy", "aws:iam/policy:Policy"],
    validate: (props, { name, report }) => {
        const wildcards = wildcardActions(props["policy"]);
        if (wildcards.length > 0) report(`IAM policy ${name} allows wildcard actions: ${wildcards.join(", ")}.`);
    },
});
