import { resourcePolicy } from "../lib";

export default resourcePolicy({
    name: "rds-storage-encrypted",
    description: "RDS storage, backups and snapshots are encrypted with a KMS key.",
    enforcementLevel: "mandatory",
    types: ["aws:rds/instance:Instance"],
    validate: (props, { name, report }) => {
        if (props["storageEncrypted"] !== true) report(`RDS instance ${name} is not encrypted at rest (storageEncrypted).`);
        else if (!props["kmsKeyId"])
            report(`RDS instance ${name} is encrypted with the AWS-managed key, not a KMS key of the environment.`);
    },
});
