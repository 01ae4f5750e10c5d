import { isServiceRelease, RELEASE_TYPES, releaseValues, resourcePolicy } from "../lib";

export default resourcePolicy({
    name: "service-resources-and-probes",
    description: "Every service sets CPU and memory requests and limits, and liveness and readiness probes.",
    enforcementLevel: "mandatory",
    types: RELEASE_TYPES,
    appliesTo: isServiceRelease,
    validate: (props, { report }) => {
        const values = releaseValues(props);
        const missing = [
            ...["requests", "limits"].flatMap((kind) =>
                ["cpu", "memory"].filter((r) => !values["resources"]?.[kind]?.[r]).map((r) => `resources.${kind}.${r}`),
            ),
            ...["liveness", "readiness"].filter((p) => !values["probes"]?.[p]?.path).map((p) => `probes.${p}.path`),
        ];
        if (missing.length > 0) report(`${props["name"]} does not set ${missing.join(", ")}.`);
    },
});
