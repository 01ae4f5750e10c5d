import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../../config/load";
import { assumeRolePolicy } from "../cluster/eks";
import { defaultMaxConnections } from "../../config/rds-instance-classes";
import { flowRoleTags } from "../gateway/contract";
import { attachKeyPolicy, useThrough } from "../security/kms-policy";
import { admittingSecurityGroup, AwsPlacement } from "./data-service";
import { POSTGRES_PORT } from "./connection";
import { deferredChangeWarning, rdsMaintenanceArgs, restoredInstanceArgs } from "./rds-operations";
import { finalSnapshotName, finalSnapshotSuffix, secretRecoveryWindowDays, stateKeyOptions } from "./teardown";

export type RdsConfig = Extract<StackConfig["database"], { mode: "rds" }>;

export interface AlarmSpec {
    slug: string;
    metricName: string;
    comparisonOperator: "GreaterThanThreshold" | "LessThanThreshold";
    threshold: number;
    description: string;
}

const GIB = 1024 ** 3;

/**
 * The runbook's database alarms: CPU > 80%, free storage < 10 GB, and connections above a share of what
 * the instance class allows. Only metrics this instance publishes: no replica lag without a read replica.
 */
export function rdsAlarmSpecs(config: RdsConfig): AlarmSpec[] {
    const maxConnections = Math.floor((defaultMaxConnections(config.instanceClass) * config.alarms.connectionsPercent) / 100);
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
            threshold: maxConnections,
            description: `more than ${maxConnections} connections (${config.alarms.connectionsPercent}% of ${config.instanceClass}'s default max_connections)`,
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
    /** The stack's alerts topic (components/alerts.ts). */
    alarmTopicArn: pulumi.Input<string>;
}

export interface RdsEndpoints {
    /** The instance the app is served from: the restored one once `restore.serve` is set. */
    instance: aws.rds.Instance;
    /** Where the role bootstrap Job connects as the master user: the proxy when pooling (only it reaches the instance), else the instance. */
    bootstrapHost: pulumi.Output<string>;
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
        { ...opts, ...stateKeyOptions(protect) },
    );
    const subnets = new aws.rds.SubnetGroup(`${name}-subnets`, { subnetIds: placement.privateSubnetIds }, opts);
    // With pooling only the proxy reaches the instance; the nodes reach the proxy.
    const proxySecurityGroup = config.pooling ? proxyGroup(name, placement, parent) : undefined;
    const securityGroup = admittingSecurityGroup(
        `${name}-sg`,
        { port: POSTGRES_PORT, role: "postgres", sources: proxySecurityGroup ? [proxySecurityGroup.id] : undefined },
        placement,
        parent,
    );
    if (proxySecurityGroup) {
        new aws.vpc.SecurityGroupEgressRule(
            `${name}-proxy-to-db`,
            {
                securityGroupId: proxySecurityGroup.id,
                referencedSecurityGroupId: securityGroup.id,
                ipProtocol: "tcp",
                fromPort: POSTGRES_PORT,
                toPort: POSTGRES_PORT,
                description: "RDS Proxy opens its pooled connections to the instance",
            },
            opts,
        );
    }
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
    const snapshotSuffix = finalSnapshotSuffix(name, parent);
    const instanceArgs: aws.rds.InstanceArgs = {
        identifier: args.identifier,
        engine: "postgres",
        engineVersion: config.engineVersion,
        // The CA its clients' bundle holds (config/database-tls.ts): they verify the certificate (sslmode=verify-full).
        caCertIdentifier: config.caCertIdentifier,
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
        copyTagsToSnapshot: true,
        performanceInsightsEnabled: true,
        performanceInsightsKmsKeyId: key.arn,
        performanceInsightsRetentionPeriod: 7,
        enabledCloudwatchLogsExports: ["postgresql", "upgrade"],
        ...rdsMaintenanceArgs(config),
        ...enhancedMonitoring(name, config.monitoringIntervalSeconds, opts),
        // Every teardown keeps a final snapshot, under a name of its own (components/data/teardown.ts).
        deletionProtection: protect,
        skipFinalSnapshot: false,
        finalSnapshotIdentifier: finalSnapshotName(args.identifier, snapshotSuffix),
    };
    const instanceOpts = { ...opts, protect, additionalSecretOutputs: ["password"] };
    const primary = new aws.rds.Instance(`${name}-instance`, instanceArgs, instanceOpts);
    // A restore is a new instance beside the current one; the app moves to it only with `restore.serve`.
    const restored = config.restore
        ? new aws.rds.Instance(
              `${name}-restore-${config.restore.suffix}`,
              restoredInstanceArgs(instanceArgs, config.restore, {
                  identifier: args.identifier,
                  source: primary.identifier,
                  finalSnapshotIdentifier: finalSnapshotName(`${args.identifier}-${config.restore.suffix}`, snapshotSuffix),
              }),
              instanceOpts,
          )
        : undefined;
    const instance = restored && config.restore?.serve ? restored : primary;
    if (!config.applyImmediately) {
        void pulumi.log.warn(
            deferredChangeWarning(
                args.identifier,
                "instance class, storage or engine version",
                config.maintenanceWindow,
                "database.applyImmediately",
            ),
            primary,
        );
    }

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
                alarmActions: [args.alarmTopicArn],
                okActions: [args.alarmTopicArn],
            },
            opts,
        );
    }

    const proxy = proxySecurityGroup ? createProxy(name, args, { key, securityGroup: proxySecurityGroup, instance }, parent) : undefined;
    const keys = placement.keys;
    attachKeyPolicy(
        `${name}-key`,
        key,
        {
            accountId: keys.accountId,
            admins: keys.admins,
            uses: [
                // Storage, backups, Performance Insights, and the proxy's auth secrets, written by the deployer.
                useThrough("UseThroughRds", "rds", keys.region, keys.admins),
                useThrough("UseThroughSecretsManager", "secretsmanager", keys.region, keys.admins),
                ...(proxy
                    ? [
                          {
                              sid: "ProxyReadsItsAuthSecrets",
                              roles: [proxy.role.arn],
                              actions: ["kms:Decrypt"],
                              viaService: `secretsmanager.${keys.region}.amazonaws.com`,
                          },
                      ]
                    : []),
            ],
        },
        opts,
    );
    const host = proxy ? proxy.proxy.endpoint : instance.address;
    // With pooling the instance admits only the proxy, so the role bootstrap (master user) goes through it too.
    return { instance, bootstrapHost: host, host };
}

/** The proxy's group: the nodes in on 5432; its one way out (to the instance) is a separate rule. */
function proxyGroup(name: string, placement: AwsPlacement, parent: pulumi.Resource): aws.ec2.SecurityGroup {
    return new aws.ec2.SecurityGroup(
        `${name}-proxy-sg`,
        {
            vpcId: placement.vpcId,
            description: "RDS Proxy: port 5432 from the cluster's nodes, out to the database only",
            ingress: [{ protocol: "tcp", fromPort: POSTGRES_PORT, toPort: POSTGRES_PORT, securityGroups: [placement.nodeSecurityGroupId] }],
            tags: flowRoleTags("postgres-proxy"),
        },
        { parent, provider: placement.provider },
    );
}

/** What RDS Proxy reads to authenticate a role: its user name and password. */
export function proxyAuthSecretName(secretPrefix: string): string {
    return `${secretPrefix}/postgres-proxy-auth`;
}

/** The master user's proxy credentials: only the role bootstrap Job logs in with them. */
export function proxyMasterAuthSecretName(secretPrefix: string): string {
    return `${secretPrefix}/postgres-master-auth`;
}

/** RDS Proxy: connection pooling in front of the instance, TLS required; the app's role (and the role bootstrap's master user) connect through it. */
function createProxy(
    name: string,
    args: RdsArgs,
    deps: { key: aws.kms.Key; securityGroup: aws.ec2.SecurityGroup; instance: aws.rds.Instance },
    parent: pulumi.Resource,
) {
    const opts = { parent, provider: args.placement.provider };
    const auth = new aws.secretsmanager.Secret(
        `${name}-proxy-auth`,
        {
            name: proxyAuthSecretName(args.secretPrefix),
            kmsKeyId: deps.key.arn,
            recoveryWindowInDays: secretRecoveryWindowDays(args.protect),
        },
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
    // The master user, for the role bootstrap Job only (its Secret is the one place the password is in the cluster).
    const masterAuth = new aws.secretsmanager.Secret(
        `${name}-proxy-master-auth`,
        {
            name: proxyMasterAuthSecretName(args.secretPrefix),
            kmsKeyId: deps.key.arn,
            recoveryWindowInDays: secretRecoveryWindowDays(args.protect),
        },
        opts,
    );
    new aws.secretsmanager.SecretVersion(
        `${name}-proxy-master-auth`,
        {
            secretId: masterAuth.id,
            secretString: pulumi.secret(pulumi.jsonStringify({ username: args.config.username, password: args.password })),
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
                    { Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: [auth.arn, masterAuth.arn] },
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
            auths: [
                { authScheme: "SECRETS", iamAuth: "DISABLED", secretArn: auth.arn, description: `role ${args.config.appRole}` },
                { authScheme: "SECRETS", iamAuth: "DISABLED", secretArn: masterAuth.arn, description: "master user (role bootstrap only)" },
            ],
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
        // A target group holds one instance: switching to a restored one deregisters the old target first.
        { ...opts, deleteBeforeReplace: true },
    );
    return { proxy, role };
}

export const ENHANCED_MONITORING_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole";

/** Enhanced monitoring (OS metrics to CloudWatch Logs) through its own role: the instance's monitoring settings. */
function enhancedMonitoring(name: string, intervalSeconds: number, opts: pulumi.CustomResourceOptions) {
    const role = new aws.iam.Role(`${name}-monitoring-role`, { assumeRolePolicy: assumeRolePolicy("monitoring.rds.amazonaws.com") }, opts);
    const attachment = new aws.iam.RolePolicyAttachment(
        `${name}-monitoring-policy`,
        { role: role.name, policyArn: ENHANCED_MONITORING_POLICY },
        opts,
    );
    // The instance waits for the attachment: RDS checks the role's rights when monitoring is turned on.
    return { monitoringInterval: intervalSeconds, monitoringRoleArn: pulumi.all([role.arn, attachment.id]).apply(([arn]) => arn) };
}
