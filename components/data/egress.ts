import type { StackConfig } from "../../config/load";
import { POSTGRES_PORT, REDIS_PORT, SENTINEL_PORT } from "./connection";

export interface EgressRule {
    to: Record<string, unknown>[];
    ports: { protocol: "TCP"; port: number }[];
}

const tcp = (...ports: number[]) => ports.map((port) => ({ protocol: "TCP" as const, port }));
const pods = (app: string) => ({ podSelector: { matchLabels: { "app.kubernetes.io/name": app } } });
const blocks = (cidrs: string[]) => cidrs.map((cidr) => ({ ipBlock: { cidr } }));

/**
 * Where the app's pods may open connections to reach their data services: the private subnets (RDS, its
 * proxy, ElastiCache) on the service's port, or the in-cluster StatefulSets' pods by label. External
 * services are listed per service in `services[].egress`.
 */
export function dataEgressRules(
    database: StackConfig["database"],
    redis: StackConfig["redis"],
    privateSubnetCidrs: string[] = [],
): EgressRule[] {
    const rules: EgressRule[] = [];
    if (database.mode === "rds") rules.push({ to: blocks(privateSubnetCidrs), ports: tcp(POSTGRES_PORT) });
    if (database.mode === "in-cluster") rules.push({ to: [pods("postgres")], ports: tcp(POSTGRES_PORT) });
    if (redis.mode === "elasticache") rules.push({ to: blocks(privateSubnetCidrs), ports: tcp(REDIS_PORT) });
    if (redis.mode === "in-cluster") {
        rules.push({ to: [pods("redis")], ports: tcp(REDIS_PORT) });
        if (redis.topology === "sentinel") rules.push({ to: [pods("redis-sentinel")], ports: tcp(SENTINEL_PORT) });
    }
    return rules;
}
