import { SECRET_LOOKING_ENV } from "../../config/rules";
import { resourcePolicy } from "../lib";

export default resourcePolicy({
    name: "configmap-no-secret-keys",
    description: "No ConfigMap holds a secret-looking key (*_SECRET, *_PASSWORD, *_TOKEN, DATABASE_URL, ...).",
    enforcementLevel: "mandatory",
    types: ["kubernetes:core/v1:ConfigMap"],
    validate: (props, { report }) => {
        const keys = Object.keys(props["data"] ?? {}).filter((key) => SECRET_LOOKING_ENV.test(key));
        if (keys.length > 0) report(`ConfigMap ${props["metadata"]?.name} holds ${keys.join(", ")}; put secrets in a Secret.`);
    },
});
