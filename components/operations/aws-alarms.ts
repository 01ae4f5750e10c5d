import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { INSTANCE_TYPES } from "../../config/instance-types";
import type { StackConfig } from "../../config/load";

const GIB = 1024 ** 3;

export interface AwsAlarmSpec {
    slug: string;
    namespace: string;
    metricName: string;
    dimensions: Record<string, string>;
    comparisonOperator: "GreaterThanThreshold" | "LessThanThreshold";
    threshold: number;
    description: string;
}

/**
 * EKS nodes (Container Insights, seed 003 "EKS Alarms"): CPU > 80%, a node not ready, and memory
 * pressure sized from the node group's instance type (working set above 85% of its memory).
 */
export function nodeAlarmSpecs(clusterName: string, instanceType: string): AwsAlarmSpec[] {
    const memoryGiB = INSTANCE_TYPES[instanceType]?.memoryGiB;
    if (memoryGiB === undefined) throw new Error(`nodeAlarmSpecs: no memory size for ${instanceType} in config/instance-types.ts`);
    const dimensions = { ClusterName: clusterName };
    return [
        {
            slug: "node-cpu",
            namespace: "ContainerInsights",
            metricName: "node_cpu_utilization",
            dimensions,
            comparisonOperator: "GreaterThanThreshold",
            threshold: 80,
            description: "node CPU above 80%",
        },
        {
            slug: "node-not-ready",
            namespace: "ContainerInsights",
            metricName: "cluster_failed_node_count",
            dimensions,
            comparisonOperator: "GreaterThanThreshold",
            threshold: 0,
            description: "a node is not ready",
        },
        {
            slug: "node-memory",
            namespace: "ContainerInsights",
            metricName: "node_memory_working_set",
            dimensions,
            comparisonOperator: "GreaterThanThreshold",
            threshold: Math.round(memoryGiB * GIB * 0.85),
            description: `node memory working set above 85% of ${instanceType}'s ${memoryGiB} GiB`,
        },
    ];
}

/** ElastiCache members as AWS names them: `<group>-00N`, or `<group>-000S-00N` with cluster mode (shards). */
export function cacheMemberIds(groupId: string, config: Extract<StackConfig["redis"], { mode: "elasticache" }>): string[] {
    const perShard = Array.from({ length: config.replicasPerShard + 1 }, (_, i) => String(i + 1).padStart(3, "0"));
    if (config.topology !== "cluster") return perShard.map((n) => `${groupId}-${n}`);
    return Array.from({ length: config.shards }, (_, s) => String(s + 1).padStart(4, "0")).flatMap((shard) =>
        perShard.map((n) => `${groupId}-${shard}-${n}`),
    );
}

/** Per ElastiCache node: engine CPU > 80%, memory in use > 80% of the node type's, any eviction. */
export function cacheAlarmSpecs(groupId: string, config: Extract<StackConfig["redis"], { mode: "elasticache" }>): AwsAlarmSpec[] {
    return cacheMemberIds(groupId, config).flatMap((member) => {
        const dimensions = { CacheClusterId: member };
        const spec = (slug: string, metricName: string, threshold: number, description: string): AwsAlarmSpec => ({
            slug: `${member}-${slug}`,
            namespace: "AWS/ElastiCache",
            metricName,
            dimensions,
            comparisonOperator: "GreaterThanThreshold",
            threshold,
            description: `${member}: ${description}`,
        });
        return [
            spec("cpu", "EngineCPUUtilization", 80, "engine CPU above 80%"),
            spec("memory", "DatabaseMemoryUsagePercentage", 80, `memory above 80% of ${config.nodeType}'s`),
            spec("evictions", "Evictions", 0, "keys evicted (memory full)"),
        ];
    });
}

/** One CloudWatch alarm per spec, notifying the stack's alerts topic on alarm and recovery. */
export function createAlarms(name: string, specs: AwsAlarmSpec[], topicArn: pulumi.Input<string>, opts: pulumi.CustomResourceOptions) {
    return specs.map(
        (spec) =>
            new aws.cloudwatch.MetricAlarm(
                `${name}-${spec.slug}`,
                {
                    alarmDescription: spec.description,
                    namespace: spec.namespace,
                    metricName: spec.metricName,
                    dimensions: spec.dimensions,
                    statistic: spec.metricName === "Evictions" ? "Sum" : "Average",
                    period: 300,
                    evaluationPeriods: 2,
                    threshold: spec.threshold,
                    comparisonOperator: spec.comparisonOperator,
                    treatMissingData: "notBreaching",
                    alarmActions: [topicArn],
                    okActions: [topicArn],
                },
                opts,
            ),
    );
}

/** The stack's AWS-side alarms beyond RDS's own (EKS nodes, ElastiCache), under one component. */
export class AwsAlarms extends pulumi.ComponentResource {
    constructor(
        name: string,
        args: { specs: AwsAlarmSpec[]; topicArn: pulumi.Input<string>; provider: aws.Provider },
        opts?: pulumi.ComponentResourceOptions,
    ) {
        super("platform:operations:AwsAlarms", name, {}, opts);
        createAlarms(name, args.specs, args.topicArn, { parent: this, provider: args.provider });
        this.registerOutputs({});
    }
}
