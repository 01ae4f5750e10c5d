import { resourcePolicy } from "../lib";

export default resourcePolicy<{ minimumDays: number }>({
    name: "elasticache-backup-enabled",
    description: "FSBP ElastiCache.1: Redis replication groups keep automatic snapshots.",
    enforcementLevel: "mandatory",
    config: { minimumDays: { type: "integer", default: 1, minimum: 1, maximum: 35 } },
    types: ["aws:elasticache/replicationGroup:ReplicationGroup"],
    validate: (props, { name, config, report }) => {
        const days = props["snapshotRetentionLimit"] ?? 0;
        if (days < config.minimumDays) report(`ElastiCache group ${name} keeps snapshots ${days} day(s); at least ${config.minimumDays}.`);
    },
});
