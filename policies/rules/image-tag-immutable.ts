import { MUTABLE_TAG } from "../../config/rules/environment-guards";
import { PRODUCTION_STACKS_SCHEMA, ProductionConfig, isServiceRelease, RELEASE_TYPES, releaseValues, resourcePolicy } from "../lib";

const RELEASE = /^v\d+\.\d+\.\d+$/;

export default resourcePolicy<ProductionConfig>({
    name: "image-tag-immutable",
    description: "Images are pinned to immutable tags: never latest or a branch name; vX.Y.Z in production.",
    enforcementLevel: "mandatory",
    config: { ...PRODUCTION_STACKS_SCHEMA },
    types: RELEASE_TYPES,
    appliesTo: isServiceRelease,
    validate: (props, { stack, config, report }) => {
        const tag = String(releaseValues(props)["image"]?.tag ?? "");
        if (tag === "" || MUTABLE_TAG.test(tag)) report(`${props["name"]} uses the mutable image tag "${tag}".`);
        else if (config.productionStacks.includes(stack) && !RELEASE.test(tag)) {
            report(`${props["name"]} uses "${tag}" in ${stack}; production deploys release tags vX.Y.Z only.`);
        }
    },
});
