import { isServiceRelease, PRODUCTION_STACKS_SCHEMA, ProductionConfig, RELEASE_TYPES, releaseValues, resourcePolicy } from "../lib";

const CLUSTER_ISSUER = "kubernetes:cert-manager.io/v1:ClusterIssuer";
/** Let's Encrypt's staging directory (and issuer names after it) issue certificates no browser trusts. */
const STAGING = /acme-staging|letsencrypt-staging/;

export default resourcePolicy<ProductionConfig>({
    name: "trusted-certificate-issuer-in-production",
    description: "Production certificates come from a trusted ACME directory, never Let's Encrypt staging.",
    enforcementLevel: "mandatory",
    config: { ...PRODUCTION_STACKS_SCHEMA },
    types: [CLUSTER_ISSUER, ...RELEASE_TYPES],
    validate: (props, { name, stack, config, report }) => {
        if (!config.productionStacks.includes(stack)) return;
        const server = String(props["spec"]?.acme?.server ?? "");
        if (STAGING.test(server))
            report(`ClusterIssuer ${props["metadata"]?.name ?? name} uses the staging directory ${server} in ${stack}.`);
        if (!isServiceRelease(props)) return;
        const ingress = releaseValues(props)["ingress"] ?? {};
        if (ingress.enabled && STAGING.test(String(ingress.clusterIssuer ?? ""))) {
            report(`${props["name"]} takes its certificate from ${ingress.clusterIssuer} in ${stack}.`);
        }
    },
});
