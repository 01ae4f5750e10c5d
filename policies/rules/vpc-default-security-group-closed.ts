import type { StackValidationPolicy } from "@pulumi/policy";

const policy: StackValidationPolicy = {
    name: "vpc-default-security-group-closed",
    description: "FSBP EC2.2 / CIS AWS 5.4: each VPC's default security group is managed and has no rules.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const defaults = args.resources.filter((r) => r.type === "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup");
        const closed = new Set(
            defaults
                .filter((g) => (g.props["ingress"] ?? []).length === 0 && (g.props["egress"] ?? []).length === 0)
                .map((g) => String(g.props["vpcId"] ?? "")),
        );
        for (const vpc of args.resources.filter((r) => r.type === "aws:ec2/vpc:Vpc")) {
            if (!closed.has(String(vpc.props["id"] ?? "")))
                report(`VPC ${vpc.name}'s default security group keeps rules (or is not managed).`);
        }
    },
};
export default policy;
