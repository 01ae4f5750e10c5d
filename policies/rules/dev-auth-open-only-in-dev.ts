import { isServiceRelease, RELEASE_TYPES, releaseValues, resourcePolicy } from "../lib";

export default resourcePolicy<{ allowedStacks: string[] }>({
    name: "dev-auth-open-only-in-dev",
    description: "DEV_AUTH_OPEN (no JWT checks) is never true outside development stacks.",
    enforcementLevel: "mandatory",
    config: { allowedStacks: { type: "array", items: { type: "string" }, default: ["dev", "local"] } },
    types: RELEASE_TYPES,
    appliesTo: isServiceRelease,
    validate: (props, { stack, config, report }) => {
        const value = String(releaseValues(props)["env"]?.DEV_AUTH_OPEN ?? "false").toLowerCase();
        if (value === "true" && !config.allowedStacks.includes(stack)) {
            report(
                `${props["name"]} sets DEV_AUTH_OPEN=true in ${stack}: authentication would be open. Only ${config.allowedStacks.join(", ")} may.`,
            );
        }
    },
});
