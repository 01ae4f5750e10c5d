import { isServiceRelease, PRODUCTION_STACKS_SCHEMA, ProductionConfig, RELEASE_TYPES, releaseValues, resourcePolicy } from "../lib";

export default resourcePolicy<ProductionConfig>({
    name: "iap-sandbox-not-in-production",
    description: "Production never verifies in-app purchases against the store sandboxes (IAP_USE_SANDBOX=true).",
    enforcementLevel: "mandatory",
    config: { ...PRODUCTION_STACKS_SCHEMA },
    types: RELEASE_TYPES,
    appliesTo: isServiceRelease,
    validate: (props, { stack, config, report }) => {
        const value = String(releaseValues(props)["env"]?.IAP_USE_SANDBOX ?? "false").toLowerCase();
        if (value === "true" && config.productionStacks.includes(stack)) {
            report(`${props["name"]} sets IAP_USE_SANDBOX=true in ${stack}: sandbox receipts would unlock paid features.`);
        }
    },
});
