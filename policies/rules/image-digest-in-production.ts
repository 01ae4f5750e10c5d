import { IMAGE_DIGEST } from "../../config/delivery";
import { PRODUCTION_STACKS_SCHEMA, ProductionConfig, isServiceRelease, RELEASE_TYPES, releaseValues, resourcePolicy } from "../lib";

export default resourcePolicy<ProductionConfig>({
    name: "image-digest-in-production",
    description: "Production runs images by digest (repository@sha256:...), so what was scanned and approved is what runs.",
    enforcementLevel: "mandatory",
    config: { ...PRODUCTION_STACKS_SCHEMA },
    types: RELEASE_TYPES,
    appliesTo: isServiceRelease,
    validate: (props, { stack, config, report }) => {
        if (!config.productionStacks.includes(stack)) return;
        const digest = String(releaseValues(props)["image"]?.digest ?? "");
        if (!IMAGE_DIGEST.test(digest)) {
            report(`${props["name"]} runs its image by tag in ${stack}; production runs images by digest (image.digest sha256:<64 hex>).`);
        }
    },
});
