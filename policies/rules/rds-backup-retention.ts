import { PRODUCTION_STACKS_SCHEMA, ProductionConfig, resourcePolicy } from "../lib";

export default resourcePolicy<ProductionConfig & { minimumDays: number; productionMinimumDays: number }>({
    name: "rds-backup-retention",
    description: "RDS keeps automated backups (point-in-time recovery) for 30 days in production, 7 elsewhere.",
    enforcementLevel: "mandatory",
    config: {
        ...PRODUCTION_STACKS_SCHEMA,
        minimumDays: { type: "integer", default: 7, minimum: 1 },
        productionMinimumDays: { type: "integer", default: 30, minimum: 1 },
    },
    types: ["aws:rds/instance:Instance"],
    validate: (props, { name, stack, config, report }) => {
        const minimum = config.productionStacks.includes(stack) ? config.productionMinimumDays : config.minimumDays;
        const days = props["backupRetentionPeriod"] ?? 0;
        if (days < minimum) report(`RDS instance ${name} keeps backups ${days} day(s); ${stack} needs at least ${minimum}.`);
    },
});
