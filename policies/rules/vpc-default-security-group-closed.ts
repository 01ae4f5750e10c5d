import type { StackValidationPolicy } from "@pulumi/policy";

const policy: StackValidationPolicy = {
    name: "vpc-default-security-group-closed",
    description: "FSBP EC2.2 / CIS AWS 5.4: each VPC's default security group is managed and has no rules.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const defaults = args.resources.filter((r) => r.type === "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup");
        for (const group of defaults) {
            const rules = [...(group.props["ingress"] ?? []), ...(group.props["egress"] ?? [])];
            if (rules.length > 0) report(`Default security group ${group.name} keeps ${rules.length} rule(s).`);
        }
        // Stack policies see no resource ids: one managed (emptied) default group per VPC.
        const vpcs = args.resources.filter((r) => r.type === "aws:ec2/vpc:Vpc");
        for (const vpc of vpcs.slice(defaults.length)) {
            report(`VPC ${vpc.name}'s default security group is not managed (AWS's default rules stay).`);
        }
    },
};
export default policy;
