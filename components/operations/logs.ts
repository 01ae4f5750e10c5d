import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../../config/load";
import { serviceAccountTrustPolicy } from "../cluster/eks";

/** Where Container Insights (Fluent Bit of the amazon-cloudwatch-observability add-on) writes logs. */
export const CONTAINER_LOG_GROUPS = ["application", "dataplane", "host"] as const;
export const containerLogGroupName = (cluster: string, kind: (typeof CONTAINER_LOG_GROUPS)[number]) =>
    `/aws/containerinsights/${cluster}/${kind}`;
/** The add-on's agent and Fluent Bit run as this service account (IRSA). */
export const OBSERVABILITY_SERVICE_ACCOUNT = { namespace: "amazon-cloudwatch", name: "cloudwatch-agent" } as const;

export interface ContainerLogsArgs {
    clusterName: pulumi.Input<string>;
    retentionDays: number;
    oidcProviderArn: pulumi.Input<string>;
    oidcIssuerUrl: pulumi.Input<string>;
    /** The add-on's version; undefined lets EKS pick its default for the cluster version. */
    addonVersion?: string;
    provider: aws.Provider;
}

/** App and node logs to CloudWatch (amazon-cloudwatch-observability add-on), kept `retentionDays`. */
export class ContainerLogs extends pulumi.ComponentResource {
    constructor(name: string, args: ContainerLogsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:operations:ContainerLogs", name, {}, opts);
        const awsOpts = { parent: this, provider: args.provider };
        const groups = CONTAINER_LOG_GROUPS.map(
            (kind) =>
                new aws.cloudwatch.LogGroup(
                    `${name}-${kind}`,
                    {
                        name: pulumi.output(args.clusterName).apply((cluster) => containerLogGroupName(cluster, kind)),
                        retentionInDays: args.retentionDays,
                    },
                    awsOpts,
                ),
        );
        const role = new aws.iam.Role(
            `${name}-agent-role`,
            {
                assumeRolePolicy: pulumi
                    .all([args.oidcProviderArn, args.oidcIssuerUrl])
                    .apply(([arn, issuer]) =>
                        serviceAccountTrustPolicy(arn, issuer, OBSERVABILITY_SERVICE_ACCOUNT.namespace, OBSERVABILITY_SERVICE_ACCOUNT.name),
                    ),
            },
            awsOpts,
        );
        new aws.iam.RolePolicyAttachment(
            `${name}-agent-policy`,
            { role: role.name, policyArn: "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy" },
            awsOpts,
        );
        new aws.eks.Addon(
            `${name}-observability`,
            {
                clusterName: args.clusterName,
                addonName: "amazon-cloudwatch-observability",
                addonVersion: args.addonVersion,
                serviceAccountRoleArn: role.arn,
                resolveConflictsOnCreate: "OVERWRITE",
                resolveConflictsOnUpdate: "OVERWRITE",
            },
            // The groups exist first, so the agent writes into them with our retention.
            { ...awsOpts, dependsOn: groups, customTimeouts: { create: "20m", update: "20m" } },
        );
        this.registerOutputs({});
    }
}

/** Each service's LOG_LEVEL: its own when set, else the stack's `logs.level` (seed 004's per-environment levels). */
export function withLogLevel<S extends { env: Record<string, string> }>(service: S, level: StackConfig["logs"]["level"]): S {
    if (level === undefined || service.env["LOG_LEVEL"] !== undefined) return service;
    return { ...service, env: { ...service.env, LOG_LEVEL: level } };
}
