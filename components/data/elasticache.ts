import * as aws from "@pulumi/aws";
import { attachKeyPolicy, useThrough } from "../security/kms-policy";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../../config/load";
import { admittingSecurityGroup, AwsPlacement } from "./data-service";
import { REDIS_PORT, redisUrl } from "./connection";
import { deferredChangeWarning } from "./rds-operations";
import { finalSnapshotName, finalSnapshotSuffix, stateKeyOptions } from "./teardown";

export type ElasticacheConfig = Extract<StackConfig["redis"], { mode: "elasticache" }>;

/** Replication-group settings per topology: one node, primary + replicas with failover, or shards. */
export function topologySettings(config: ElasticacheConfig): Partial<aws.elasticache.ReplicationGroupArgs> {
    switch (config.topology) {
        case "single":
            return { numCacheClusters: 1, automaticFailoverEnabled: false, multiAzEnabled: false };
        case "replication":
            return { numCacheClusters: 1 + config.replicasPerShard, automaticFailoverEnabled: true, multiAzEnabled: true };
        case "cluster":
            return {
                clusterMode: "enabled",
                numNodeGroups: config.shards,
                replicasPerNodeGroup: config.replicasPerShard,
                automaticFailoverEnabled: true,
                multiAzEnabled: config.replicasPerShard > 0,
                parameterGroupName: `default.redis${config.engineVersion.split(".")[0]}.cluster.on`,
            };
    }
}

/** When cache changes happen (docs/runbooks/upgrade.md): now or in the maintenance window, outside seed 001's deployment windows. */
export function cacheMaintenanceArgs(config: ElasticacheConfig): Partial<aws.elasticache.ReplicationGroupArgs> {
    return {
        applyImmediately: config.applyImmediately,
        maintenanceWindow: config.maintenanceWindow,
        snapshotWindow: config.snapshotWindow,
        autoMinorVersionUpgrade: config.autoMinorVersionUpgrade,
    };
}

export interface ElasticacheArgs {
    config: ElasticacheConfig;
    identifier: string;
    placement: AwsPlacement;
    authToken: pulumi.Output<string>;
    protect: boolean;
}

/** ElastiCache for Redis, encrypted at rest (KMS) and in transit, with an AUTH token. Returns the app's env. */
export function createElasticache(name: string, args: ElasticacheArgs, parent: pulumi.Resource): Record<string, pulumi.Output<string>> {
    const { config, placement } = args;
    const opts = { parent, provider: placement.provider };
    const key = new aws.kms.Key(
        `${name}-key`,
        { description: `${args.identifier} at rest`, enableKeyRotation: true, deletionWindowInDays: 30 },
        { ...opts, ...stateKeyOptions(args.protect) },
    );
    const keys = placement.keys;
    attachKeyPolicy(
        `${name}-key`,
        key,
        {
            accountId: keys.accountId,
            admins: keys.admins,
            uses: [useThrough("UseThroughElastiCache", "elasticache", keys.region, keys.admins)],
        },
        opts,
    );
    const subnets = new aws.elasticache.SubnetGroup(`${name}-subnets`, { subnetIds: placement.privateSubnetIds }, opts);
    const securityGroup = admittingSecurityGroup(`${name}-sg`, { port: REDIS_PORT, role: "redis" }, placement, parent);
    const group = new aws.elasticache.ReplicationGroup(
        `${name}-group`,
        {
            replicationGroupId: args.identifier,
            description: `${args.identifier} (${config.topology})`,
            engine: "redis",
            engineVersion: config.engineVersion,
            nodeType: config.nodeType,
            port: REDIS_PORT,
            subnetGroupName: subnets.name,
            securityGroupIds: [securityGroup.id],
            atRestEncryptionEnabled: true,
            kmsKeyId: key.arn,
            transitEncryptionEnabled: true,
            authToken: args.authToken,
            snapshotRetentionLimit: config.snapshotRetentionDays,
            ...cacheMaintenanceArgs(config),
            // A teardown keeps a final snapshot, under a name of its own (components/data/teardown.ts).
            finalSnapshotIdentifier: finalSnapshotName(args.identifier, finalSnapshotSuffix(name, parent)),
            ...topologySettings(config),
        },
        { ...opts, protect: args.protect, additionalSecretOutputs: ["authToken"] },
    );
    if (!config.applyImmediately) {
        void pulumi.log.warn(
            deferredChangeWarning(args.identifier, "node type or engine version", config.maintenanceWindow, "redis.applyImmediately"),
            group,
        );
    }
    if (config.topology === "cluster") {
        return {
            REDIS_CLUSTER_NODES: pulumi.interpolate`${group.configurationEndpointAddress}:${REDIS_PORT}`,
            REDIS_PASSWORD: args.authToken,
        };
    }
    return {
        REDIS_URL: pulumi.secret(
            pulumi.all([group.primaryEndpointAddress, args.authToken]).apply(([host, password]) => redisUrl({ host, password, tls: true })),
        ),
    };
}
