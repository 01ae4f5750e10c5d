import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../../config/load";
import { assumeRolePolicy } from "../cluster/eks";
import { AwsPlacement, nodeOnlySecurityGroup } from "./data-service";
import { POSTGRES_PORT } from "./connection";

export type RdsConfig = Extract<StackConfig["database"], { mode: "rds" }>;

export interface AlarmSpec {
    slug: string;
    metricName: string;
    comparisonOperator: "GreaterThanThreshold" | "LessThanThreshold";
    threshold: number;
    description: string;
}

const GIB = 1024 ** 3;

/** The runbook's database alarms: CPU > 80%, free storage < 10 GB, too many connections, replica lag. */
export function rdsAlarmSpecs(config: RdsConfig): AlarmSpec[] {
    return [
        {
            slug: "cpu",
            metricName: "CPUUtilization",
            comparisonOperator: "GreaterThanThreshold",
            threshold: 80,
            description: "CPU above 80%",
        },
        {
            slug: "free-storage",
            metricName: "FreeStorageSpace",
            comparisonOperator: "LessThanThreshold",
            threshold: 10 * GIB,
            description: "free storage below 10 GB",
        },
        {
            slug: "connections",
            metricName: "DatabaseConnections",
            comparisonOperator: "GreaterThanThreshold",
            threshold: config.alarms.maxConnections,
            description: `more than ${config.alarms.maxConnections} connections`,
        },
        {
            slug: "replica-lag",
            metricName: "ReplicaLag",
            comparisonOperator: "GreaterThanThreshold",
            threshold: config.alarms.maxReplicaLagSeconds,
            description: `replica lag above ${config.alarms.maxReplicaLagSeconds} s`,
        },
    ];
}

export interface RdsArgs {
    config: RdsConfig;
    /** Physical names: `<project>-<environment>-postgres...`. */
    identifier: string;
    /** `<project>/<environment>`: the RDS Proxy's auth secret is `<secretPrefix>/postgres-proxy-auth`. */
    secretPrefix: string;
    placement: AwsPlacement;
    /** The master user's: the platform's, used only to create the app's role. */
    password: pulumi.Output<string>;
    /** The app role's (`config.appRole`): the only credentials the proxy accepts. */
    appPassword: pulumi.Output<string>;
    protect: boolean;
}

export interface RdsEndpoints {
    instance: aws.rds.Instance;
    /** The instance itself (the bootstrap Job connects here, as the master user). */
    instanceAddress: pulumi.Output<string>;
    /** Where the app connects: the proxy when pooling, else the instance. */
    host: pulumi.Output<string>;
}

/** RDS PostgreSQL: KMS-encrypted, private, TLS forced, backed up, alarmed, optionally behind RDS Proxy. */
export function createRds(name: string, args: RdsArgs, parent: pulumi.Resource): RdsEndpoints {
    const { config, placement, protect } = args;
    const opts = { parent, provider: placement.provider };
    const major = config.engineVersion.split(".")[0];

    const key = new aws.kms.Key(
        `${name}-key`,
        { description: `${args.identifier} storage and backups`, enableKeyRotation: true, deletionWindowInDays: 30 },
        opts,
    );
    const subnets = new aws.rds.SubnetGroup(`${name}-subnets`, { subnetIds: placement.privateSubnetIds }, opts);
    const securityGroup = nodeOnlySecurityGroup(`${name}-sg`, POSTGRES_PORT, placement, parent);
    const parameters = new aws.rds.ParameterGroup(
        `${name}-params`,
        {
            family: `postgres${major}`,
            parameters: [
                { name: "rds.force_ssl", value: "1", applyMethod: "pending-reboot" },
                { name: "log_min_duration_statement", value: "1000" },
            ],
        },
        opts,
    );
    const instance = new aws.rds.Instance(
        `${name}-instance`,
        {
            identifier: args.identifier,
            engine: "postgres",
            engineVersion: config.engineVersion,
            instanceClass: config.instanceClass,
            allocatedStorage: config.allocatedStorageGiB,
            maxAllocatedStorage: config.maxAllocatedStorageGiB,
            storageType: "gp3",
            storageEncrypted: true,
            kmsKeyId: key.arn,
            dbName: config.databaseName,
            username: config.username,
            password: args.password,
            dbSubnetGroupName: subnets.name,
            vpcSecurityGroupIds: [securityGroup.id],
            parameterGroupName: parameters.name,
            publiclyAccessible: config.publiclyAccessible,
            multiAz: config.multiAz,
            backupRetentionPeriod: config.backupRetentionDays,
            backupWindow: config.backupWindow,
            maintenanceWindow: "sun:04:30-sun:05:30",
            copyTagsToSnapshot: true,
            deletionProtection: protect,
            skipFinalSnapshot: !protect,
            finalSnapshotIdentifier: protect ? `${args.identifier}-final` : undefined,
            performanceInsightsEnabled: true,
            performanceInsightsKmsKeyId: key.arn,
            performanceInsightsRetentionPeriod: 7,
            enabledCloudwatchLogsExports: ["postgresql", "upgrade"],
            autoMinorVersionUpgrade: true,
        },
        { ...opts, protect, additionalSecretOutputs: ["password"] },
    );

    for (const alarm of rdsAlarmSpecs(config)) {
        new aws.cloudwatch.MetricAlarm(
            `${name}-alarm-${alarm.slug}`,
            {
                alarmDescription: `${args.identifier}: ${alarm.description}`,
                namespace: "AWS/RDS",
                metricName: alarm.metricName,
                dimensions: { DBInstanceIdentifier: instance.identifier },
                statistic: "Average",
                period: 300,
                evaluationPeriods: 2,
                threshold: alarm.threshold,
                comparisonOperator: alarm.comparisonOperator,
                alarmActions: [config.alarms.topicArn],
                okActions: [config.alarms.topicArn],
            },
            opts,
        );
    }

    const host = config.pooling ? createProxy(name, args, { key, securityGroup, instance }, parent).endpoint : instance.address;
    return { instance, instanceAddress: instance.address, host };
}

/** What RDS Proxy reads to authenticate a role: its user name and password. */
export function proxyAuthSecretName(secretPrefix: string): string {
    return `${secretPrefix}/postgres-proxy-auth`;
}

/** RDS Proxy: connection pooling in front of the instance, TLS required; only the app's role may connect through it. */
function createProxy(
    name: string,
    args: RdsArgs,
    deps: { key: aws.kms.Key; securityGroup: aws.ec2.SecurityGroup; instance: aws.rds.Instance },
    parent: pulumi.Resource,
) {
    const opts = { parent, provider: args.placement.provider };
    const auth = new aws.secretsmanager.Secret(
        `${name}-proxy-auth`,
        { name: proxyAuthSecretName(args.secretPrefix), kmsKeyId: deps.key.arn, recoveryWindowInDays: 7 },
        opts,
    );
    new aws.secretsmanager.SecretVersion(
        `${name}-proxy-auth`,
        {
            secretId: auth.id,
            secretString: pulumi.secret(pulumi.jsonStringify({ username: args.config.appRole, password: args.appPassword })),
        },
        opts,
    );
    const role = new aws.iam.Role(`${name}-proxy-role`, { assumeRolePolicy: assumeRolePolicy("rds.amazonaws.com") }, opts);
    new aws.iam.RolePolicy(
        `${name}-proxy-read-auth`,
        {
            role: role.id,
            policy: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [
                    { Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: [auth.arn] },
                    { Effect: "Allow", Action: ["kms:Decrypt"], Resource: [deps.key.arn] },
                ],
            }),
        },
        opts,
    );
    const proxy = new aws.rds.Proxy(
        `${name}-proxy`,
        {
            name: args.identifier,
            engineFamily: "POSTGRESQL",
            requireTls: true,
            roleArn: role.arn,
            vpcSubnetIds: args.placement.privateSubnetIds,
            vpcSecurityGroupIds: [deps.securityGroup.id],
            auths: [{ authScheme: "SECRETS", iamAuth: "DISABLED", secretArn: auth.arn, description: `role ${args.config.appRole}` }],
            idleClientTimeout: 1800,
        },
        opts,
    );
    new aws.rds.ProxyDefaultTargetGroup(
        `${name}-proxy-pool`,
        { dbProxyName: proxy.name, connectionPoolConfig: { maxConnectionsPercent: 90, maxIdleConnectionsPercent: 50 } },
        opts,
    );
    new aws.rds.ProxyTarget(
        `${name}-proxy-target`,
        { dbProxyName: proxy.name, targetGroupName: "default", dbInstanceIdentifier: deps.instance.identifier },
        opts,
    );
    return proxy;
}
