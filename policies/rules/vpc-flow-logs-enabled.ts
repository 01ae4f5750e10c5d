import type { StackValidationPolicy } from "@pulumi/policy";

const policy: StackValidationPolicy = {
    name: "vpc-flow-logs-enabled",
    description:
        "FSBP EC2.6 / CIS AWS 3.7: every VPC logs all its traffic (accepted and rejected) to a KMS-encrypted log group with a retention.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const vpcs = args.resources.filter((r) => r.type === "aws:ec2/vpc:Vpc");
        const flowLogs = args.resources.filter((r) => r.type === "aws:ec2/flowLog:FlowLog");
        // Stack policies see no resource ids: count flow logs of all traffic against VPCs.
        const logged = flowLogs.filter((f) => f.props["trafficType"] === "ALL" && f.props["vpcId"]).length;
        for (const vpc of vpcs.slice(logged)) report(`VPC ${vpc.name} has no flow log of all traffic.`);
        const groups = new Map(
            args.resources.filter((r) => r.type === "aws:cloudwatch/logGroup:LogGroup").map((g) => [String(g.props["arn"] ?? ""), g]),
        );
        for (const flow of flowLogs) {
            const group = groups.get(String(flow.props["logDestination"] ?? ""));
            if (group && (!group.props["kmsKeyId"] || !group.props["retentionInDays"]))
                report(`Flow log ${flow.name} writes to ${group.name}, which is not KMS-encrypted with a retention.`);
        }
    },
};
export default policy;
