import { PRODUCTION_STACKS_SCHEMA, ProductionConfig, resourcePolicy } from "../lib";

export default resourcePolicy<ProductionConfig>({
    name: "rds-deletion-protection-in-production",
    description: "Production databases have deletion protection and take a final snapshot.",
    enforcementLevel: "mandatory",
    config: { ...PRODUCTION_STACKS_SCHEMA },
    types: ["aws:rds/instance:Instance"],
    validate: (props, { name, stack, config, report }) => {
        if (!config.productionStacks.includes(stack)) return;
        if (props["deletionProtection"] !== true) report(`RDS instance ${name} has no deletion protection in ${stack}.`);
        if (props["skipFinalSnapshot"] === true) report(`RDS instance ${name} skips its final snapshot in ${stack}.`);
    },
});
