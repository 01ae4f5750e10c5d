import { PRODUCTION_STACKS_SCHEMA, ProductionConfig, isServiceRelease, RELEASE_TYPES, releaseValues, resourcePolicy } from "../lib";

export default resourcePolicy<ProductionConfig & { minimumReplicas: number }>({
    name: "service-minimum-replicas",
    description: "Services in production run at least 3 replicas (and the autoscaler never goes below that).",
    enforcementLevel: "mandatory",
    config: { ...PRODUCTION_STACKS_SCHEMA, minimumReplicas: { type: "integer", default: 3, minimum: 1 } },
    types: RELEASE_TYPES,
    appliesTo: isServiceRelease,
    validate: (props, { stack, config, report }) => {
        if (!config.productionStacks.includes(stack)) return;
        const values = releaseValues(props);
        const autoscaling = values["autoscaling"] ?? {};
        const floor = autoscaling.enabled ? autoscaling.minReplicas : values["replicaCount"];
        if (!(floor >= config.minimumReplicas)) {
            report(`${props["name"]} runs ${floor} replica(s) in ${stack}; production needs at least ${config.minimumReplicas}.`);
        }
    },
});
