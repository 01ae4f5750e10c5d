import { PRODUCTION_STACKS_SCHEMA, ProductionConfig, resourcePolicy } from "../lib";

export default resourcePolicy<ProductionConfig>({
    name: "rds-multi-az-in-production",
    description: "Production databases run Multi-AZ.",
    enforcementLevel: "mandatory",
    config: { ...PRODUCTION_STACKS_SCHEMA },
    types: ["aws:rds/instance:Instance"],
    validate: (props, { name, stack, config, report }) => {
        if (config.productionStacks.includes(stack) && props["multiAz"] !== true) report(`RDS instance ${name} is single-AZ in ${stack}.`);
    },
});
