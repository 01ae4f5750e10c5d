import { SECRET_LOOKING_ENV } from "../../config/rules";
import { isServiceRelease, RELEASE_TYPES, releaseValues, resourcePolicy } from "../lib";

export default resourcePolicy({
    name: "release-values-no-secret-keys",
    description: "A release's plain env values hold no secret-looking key; secrets come from the app's Secret.",
    enforcementLevel: "mandatory",
    types: RELEASE_TYPES,
    appliesTo: isServiceRelease,
    validate: (props, { report }) => {
        const keys = Object.keys(releaseValues(props)["env"] ?? {}).filter((key) => SECRET_LOOKING_ENV.test(key));
        if (keys.length > 0) report(`${props["name"]} passes ${keys.join(", ")} as plain values (they end up in a ConfigMap).`);
    },
});
