/**
 * Memory of the RDS instance classes the stacks may use, as of 2026-11-23, from the AWS documentation
 * "DB instance classes - Hardware specifications" (docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.DBInstanceClass.Summary.html).
 * RDS for PostgreSQL's default max_connections is LEAST(DBInstanceClassMemory / 9531392, 5000)
 * (AWS Prescriptive Guidance, "Tuning PostgreSQL parameters: max_connections"). DBInstanceClassMemory is
 * the class's memory less what the OS and RDS reserve, so the real limit is somewhat below this figure:
 * thresholds take a share of it (database.alarms.connectionsPercent, 75 by default).
 */
export const RDS_INSTANCE_MEMORY_GIB: Readonly<Record<string, number>> = {
    "db.t4g.micro": 1,
    "db.t4g.small": 2,
    "db.t4g.medium": 4,
    "db.t4g.large": 8,
    "db.t4g.xlarge": 16,
    "db.m6g.large": 8,
    "db.m6g.xlarge": 16,
    "db.m7g.large": 8,
    "db.m7g.xlarge": 16,
    "db.r6g.large": 16,
    "db.r6g.xlarge": 32,
    "db.r6g.2xlarge": 64,
    "db.r7g.large": 16,
    "db.r7g.xlarge": 32,
};

const BYTES_PER_CONNECTION = 9531392;
const MAX_CONNECTIONS_CAP = 5000;

export function defaultMaxConnections(instanceClass: string): number {
    const gib = RDS_INSTANCE_MEMORY_GIB[instanceClass];
    if (gib === undefined) throw new Error(`unknown RDS instance class ${instanceClass} (config/rds-instance-classes.ts)`);
    return Math.min(Math.floor((gib * 1024 ** 3) / BYTES_PER_CONNECTION), MAX_CONNECTIONS_CAP);
}
