import { PRODUCTION_STACKS_SCHEMA, ProductionConfig, resourcePolicy } from "../lib";

export default resourcePolicy<ProductionConfig>({
    name: "elasticache-failover-in-production",
    description: "Production Redis fails over automatically across availability zones.",
    enforcementLevel: "mandatory",
    config: { ...PRODUCTION_STACKS_SCHEMA },
    types: ["aws:elasticache/replicationGroup:ReplicationGroup"],
    validate: (props, { name, stack, config, report }) => {
        if (config.productionStacks.includes(stack) && props["automaticFailoverEnabled"] !== true) {
            report(`ElastiCache ${name} has no automatic failover in ${stack}.`);
        }
    },
});
