import { environmentsOf } from "../../config/environments";
import { isServiceRelease, RELEASE_TYPES, releaseValues, resourcePolicy } from "../lib";

const RELEASE = /^v\d+\.\d+\.\d+$/;

/** Second line for `imageTagFormat: any` outside local: a tag must name the commit or the release it was built from. */
export default resourcePolicy<{ allowedStacks: string[] }>({
    name: "image-tag-traceable",
    description: "Outside local stacks, images carry a traceable tag: <stack>-<git sha> or a release vX.Y.Z.",
    enforcementLevel: "mandatory",
    config: { allowedStacks: { type: "array", items: { type: "string" }, default: environmentsOf("local") } },
    types: RELEASE_TYPES,
    appliesTo: isServiceRelease,
    validate: (props, { stack, config, report }) => {
        if (config.allowedStacks.includes(stack)) return;
        const tag = String(releaseValues(props)["image"]?.tag ?? "");
        const commit = new RegExp(`^${stack.replace(/[^a-z0-9-]/g, "")}-[0-9a-f]{7,40}$`);
        if (!commit.test(tag) && !RELEASE.test(tag)) {
            report(`${props["name"]} uses "${tag}" in ${stack}; expected ${stack}-<git sha> or vX.Y.Z.`);
        }
    },
});
