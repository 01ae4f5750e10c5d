import { resourcePolicy } from "../lib";

export default resourcePolicy({
    name: "secretsmanager-kms-key",
    description: "Secrets Manager entries are encrypted with a KMS key of the environment.",
    enforcementLevel: "mandatory",
    types: ["aws:secretsmanager/secret:Secret"],
    validate: (props, { name, report }) => {
        if (!props["kmsKeyId"]) report(`Secret ${props["name"] ?? name} uses the default key, not a KMS key of the environment.`);
    },
});
