import { resourcePolicy } from "../lib";

export default resourcePolicy({
    name: "elasticache-encryption",
    description: "ElastiCache encrypts data at rest and in transit.",
    enforcementLevel: "mandatory",
    types: ["aws:elasticache/replicationGroup:ReplicationGroup"],
    validate: (props, { name, report }) => {
        if (props["atRestEncryptionEnabled"] !== true) report(`ElastiCache ${name} is not encrypted at rest.`);
        if (props["transitEncryptionEnabled"] !== true) report(`ElastiCache ${name} is not encrypted in transit.`);
    },
});
