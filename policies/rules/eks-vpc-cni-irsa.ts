import { resourcePolicy } from "../lib";

export const CNI_POLICY_ARN = "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy";

export default resourcePolicy({
    name: "eks-vpc-cni-irsa",
    description:
        "CIS EKS 5.1.x / EKS best practices: vpc-cni uses its own IRSA role, so the CNI permissions are not on the node role every pod could borrow.",
    enforcementLevel: "mandatory",
    types: ["aws:eks/addon:Addon"],
    appliesTo: (props) => props["addonName"] === "vpc-cni",
    validate: (props, { name, report }) => {
        if (!props["serviceAccountRoleArn"])
            report(`EKS add-on ${name} (vpc-cni) has no serviceAccountRoleArn: it runs with the node role.`);
    },
});
