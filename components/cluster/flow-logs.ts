import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { attachKeyPolicy } from "../security/kms-policy";

export interface FlowLogsArgs {
    vpcId: pulumi.Input<string>;
    flowLogRetentionDays: number;
    accountId: string;
    region: string;
    keyAdmins: string[];
}

/** What CloudWatch Logs needs of the key that encrypts a log group. */
const LOGS_KEY_ACTIONS = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey", "kms:ReEncryptFrom", "kms:ReEncryptTo"];

/** VPC flow logs (accepted and rejected traffic) to a KMS-encrypted log group with a set retention (FSBP EC2.6). */
export function createFlowLogs(name: string, args: FlowLogsArgs, opts: pulumi.CustomResourceOptions): aws.ec2.FlowLog {
    const logsService = `logs.${args.region}.amazonaws.com`;
    const key = new aws.kms.Key(`${name}-key`, { description: "VPC flow logs", enableKeyRotation: true, deletionWindowInDays: 30 }, opts);
    const logGroupArn = `arn:aws:logs:${args.region}:${args.accountId}:log-group:/vpc/${name}`;
    const keyPolicy = attachKeyPolicy(
        `${name}-key`,
        key,
        {
            accountId: args.accountId,
            admins: args.keyAdmins,
            uses: [
                {
                    sid: "EncryptTheFlowLogGroup",
                    service: logsService,
                    actions: LOGS_KEY_ACTIONS,
                    condition: { ArnEquals: { "kms:EncryptionContext:aws:logs:arn": logGroupArn } },
                },
            ],
        },
        opts,
    );
    const logGroup = new aws.cloudwatch.LogGroup(
        `${name}-group`,
        { name: `/vpc/${name}`, retentionInDays: args.flowLogRetentionDays, kmsKeyId: key.arn },
        { ...opts, dependsOn: [keyPolicy] },
    );
    const role = new aws.iam.Role(
        `${name}-role`,
        {
            assumeRolePolicy: JSON.stringify({
                Version: "2012-10-17",
                Statement: [
                    {
                        Effect: "Allow",
                        Principal: { Service: "vpc-flow-logs.amazonaws.com" },
                        Action: "sts:AssumeRole",
                        Condition: { StringEquals: { "aws:SourceAccount": args.accountId } },
                    },
                ],
            }),
        },
        opts,
    );
    new aws.iam.RolePolicy(
        `${name}-write`,
        {
            role: role.id,
            policy: logGroup.arn.apply((arn) =>
                JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Effect: "Allow",
                            Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                            Resource: [arn, `${arn}:log-stream:*`],
                        },
                    ],
                }),
            ),
        },
        opts,
    );
    return new aws.ec2.FlowLog(
        name,
        {
            vpcId: args.vpcId,
            trafficType: "ALL",
            logDestinationType: "cloud-watch-logs",
            logDestination: logGroup.arn,
            iamRoleArn: role.arn,
        },
        opts,
    );
}
