import type { StackValidationPolicy } from "@pulumi/policy";
import { CNI_POLICY_ARN } from "./eks-vpc-cni-irsa";

/** The role a node group's instances get: only these managed policies (the CNI's goes to vpc-cni's own role). */
const policy: StackValidationPolicy = {
    name: "eks-node-role-minimal",
    description: "CIS EKS 5.1.x: the node role carries no CNI permissions (vpc-cni has IRSA); pods that reach it get the least.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const nodeRoles = new Set(
            args.resources.filter((r) => r.type === "aws:eks/nodeGroup:NodeGroup").map((r) => String(r.props["nodeRoleArn"] ?? "")),
        );
        const roleNames = new Set(
            args.resources
                .filter((r) => r.type === "aws:iam/role:Role" && nodeRoles.has(String(r.props["arn"] ?? "")))
                .map((r) => String(r.props["name"] ?? "")),
        );
        for (const attachment of args.resources.filter((r) => r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment")) {
            if (attachment.props["policyArn"] === CNI_POLICY_ARN && roleNames.has(String(attachment.props["role"] ?? "")))
                report(`The node role has ${CNI_POLICY_ARN} attached (${attachment.name}); give it to vpc-cni's IRSA role.`);
        }
    },
};
export default policy;
