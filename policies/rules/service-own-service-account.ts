import { isServiceRelease, releaseValues, RELEASE_TYPES, resourcePolicy } from "../lib";

export default resourcePolicy({
    name: "service-own-service-account",
    description:
        "CIS EKS 4.1.5/4.1.6: each service runs as its own ServiceAccount (not the namespace's default), without a mounted API token.",
    enforcementLevel: "mandatory",
    types: RELEASE_TYPES,
    appliesTo: isServiceRelease,
    validate: (props, { name, report }) => {
        const account = releaseValues(props)["serviceAccountName"];
        if (!account || account === "default") report(`${name} runs as the namespace's default ServiceAccount.`);
    },
});
