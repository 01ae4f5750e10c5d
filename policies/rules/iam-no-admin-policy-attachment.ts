import { resourcePolicy } from "../lib";

export const BROAD_MANAGED_POLICIES = [
    "arn:aws:iam::aws:policy/AdministratorAccess",
    "arn:aws:iam::aws:policy/PowerUserAccess",
    "arn:aws:iam::aws:policy/IAMFullAccess",
];

export default resourcePolicy<{ forbiddenPolicies: string[] }>({
    name: "iam-no-admin-policy-attachment",
    description: "FSBP IAM.1 / CIS AWS 1.16: no role, user or group gets AdministratorAccess (or another full-access managed policy).",
    enforcementLevel: "mandatory",
    config: { forbiddenPolicies: { type: "array", items: { type: "string" }, default: BROAD_MANAGED_POLICIES } },
    types: [
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "aws:iam/policyAttachment:PolicyAttachment",
        "aws:iam/userPolicyAttachment:UserPolicyAttachment",
        "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
        "aws:iam/role:Role",
    ],
    validate: (props, { name, config, report }) => {
        const arns = [props["policyArn"], ...(props["managedPolicyArns"] ?? [])].filter((a): a is string => typeof a === "string");
        const broad = arns.filter((a) => config.forbiddenPolicies.includes(a));
        if (broad.length > 0) report(`${name} attaches ${broad.join(", ")}.`);
    },
});
