import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { flowRoleTags } from "../gateway/contract";
import type { RunnerConfig } from "../../config/delivery";
import { assumeRolePolicy } from "../cluster/eks";

type CodeBuildRunner = Extract<RunnerConfig, { type: "codebuild" }>;

export interface ActionsRunnerArgs {
    runner: CodeBuildRunner;
    /** The CodeBuild project's name; the workflows' `runs-on` label is derived from it (config/delivery.ts). */
    projectName: string;
    /** `https://github.com/<owner>/<repository>`: the repository whose queued jobs start a runner. */
    repositoryUrl: string;
    /** Token CodeBuild registers runners with (secrets.ci.CODEBUILD_GITHUB_TOKEN). */
    githubToken: pulumi.Output<string>;
    vpcId: pulumi.Input<string>;
    privateSubnetIds: pulumi.Input<string>[];
    /** The EKS cluster security group: the runner is admitted on 443 to reach the private API endpoint. */
    clusterSecurityGroupId: pulumi.Input<string>;
    region: string;
    accountId: string;
    provider: aws.Provider;
}

/** Log group of a CodeBuild project, where the runner's job output is kept. */
export const runnerLogGroupName = (projectName: string) => `/aws/codebuild/${projectName}`;

/**
 * What the CodeBuild service role may do, and nothing more: write its logs and manage the network
 * interfaces of builds in the VPC. Any job on the runner can read these credentials, so they grant no
 * access to the environment (jobs authenticate through GitHub OIDC to the bootstrap roles).
 */
export function runnerServicePolicy(a: { region: string; accountId: string; projectName: string; subnetArns: string[] }) {
    const logGroup = `arn:aws:logs:${a.region}:${a.accountId}:log-group:${runnerLogGroupName(a.projectName)}`;
    return {
        Version: "2012-10-17",
        Statement: [
            { Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: [logGroup, `${logGroup}:*`] },
            {
                Effect: "Allow",
                Action: [
                    "ec2:CreateNetworkInterface",
                    "ec2:DescribeDhcpOptions",
                    "ec2:DescribeNetworkInterfaces",
                    "ec2:DeleteNetworkInterface",
                    "ec2:DescribeSubnets",
                    "ec2:DescribeSecurityGroups",
                    "ec2:DescribeVpcs",
                ],
                Resource: "*",
            },
            {
                Effect: "Allow",
                Action: ["ec2:CreateNetworkInterfacePermission"],
                Resource: `arn:aws:ec2:${a.region}:${a.accountId}:network-interface/*`,
                Condition: {
                    StringEquals: { "ec2:AuthorizedService": "codebuild.amazonaws.com" },
                    ArnEquals: { "ec2:Subnet": a.subnetArns },
                },
            },
        ],
    };
}

/**
 * GitHub Actions runners in the environment's private subnets, hosted by AWS CodeBuild: every queued
 * job of the repository whose label names this project starts an ephemeral runner in the VPC, which
 * reaches the private EKS endpoint. Jobs select it with `codebuild-<project>-<run id>-<run attempt>`.
 */
export class ActionsRunner extends pulumi.ComponentResource {
    public readonly projectName: pulumi.Output<string>;
    public readonly securityGroupId: pulumi.Output<string>;

    constructor(name: string, args: ActionsRunnerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:delivery:ActionsRunner", name, {}, opts);
        const o = { parent: this, provider: args.provider };

        const securityGroup = new aws.ec2.SecurityGroup(
            `${name}-sg`,
            {
                vpcId: args.vpcId,
                description: "GitHub Actions runners: HTTPS out (GitHub, registries, Pulumi Cloud, AWS APIs, the cluster API)",
                egress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"], description: "HTTPS" }],
                tags: flowRoleTags("ci-runner"),
            },
            o,
        );
        new aws.vpc.SecurityGroupIngressRule(
            `${name}-to-cluster-api`,
            {
                securityGroupId: args.clusterSecurityGroupId,
                referencedSecurityGroupId: securityGroup.id,
                ipProtocol: "tcp",
                fromPort: 443,
                toPort: 443,
                description: "Kubernetes API from the in-VPC GitHub Actions runners",
            },
            o,
        );

        const logGroup = new aws.cloudwatch.LogGroup(
            `${name}-logs`,
            { name: runnerLogGroupName(args.projectName), retentionInDays: 90 },
            o,
        );
        const role = new aws.iam.Role(`${name}-role`, { assumeRolePolicy: assumeRolePolicy("codebuild.amazonaws.com") }, o);
        const subnetArns = pulumi
            .all(args.privateSubnetIds)
            .apply((ids) => ids.map((id) => `arn:aws:ec2:${args.region}:${args.accountId}:subnet/${id}`));
        const policy = new aws.iam.RolePolicy(
            `${name}-policy`,
            {
                role: role.id,
                policy: subnetArns.apply((arns) =>
                    JSON.stringify(
                        runnerServicePolicy({
                            region: args.region,
                            accountId: args.accountId,
                            projectName: args.projectName,
                            subnetArns: arns,
                        }),
                    ),
                ),
            },
            o,
        );

        // One GitHub credential per account and region: CodeBuild uses it to register the runners.
        const credential = new aws.codebuild.SourceCredential(
            `${name}-github`,
            { serverType: "GITHUB", authType: "PERSONAL_ACCESS_TOKEN", token: args.githubToken },
            o,
        );
        const project = new aws.codebuild.Project(
            `${name}-project`,
            {
                name: args.projectName,
                description: "Ephemeral GitHub Actions runners for this environment's preview and deploy jobs, inside its VPC",
                serviceRole: role.arn,
                source: { type: "GITHUB", location: args.repositoryUrl },
                artifacts: { type: "NO_ARTIFACTS" },
                environment: {
                    type: "LINUX_CONTAINER",
                    computeType: args.runner.computeType,
                    image: args.runner.image,
                    imagePullCredentialsType: "CODEBUILD",
                    privilegedMode: false,
                },
                vpcConfig: { vpcId: args.vpcId, subnets: args.privateSubnetIds, securityGroupIds: [securityGroup.id] },
                logsConfig: { cloudwatchLogs: { groupName: logGroup.name, status: "ENABLED" } },
                buildTimeout: 90,
            },
            { ...o, dependsOn: [policy, credential] },
        );
        new aws.codebuild.Webhook(
            `${name}-webhook`,
            {
                projectName: project.name,
                buildType: "BUILD",
                filterGroups: [{ filters: [{ type: "EVENT", pattern: "WORKFLOW_JOB_QUEUED" }] }],
            },
            o,
        );

        this.projectName = project.name;
        this.securityGroupId = securityGroup.id;
        this.registerOutputs({ projectName: this.projectName, securityGroupId: this.securityGroupId });
    }
}
