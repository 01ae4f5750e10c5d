import { resourcePolicy } from "../lib";

export default resourcePolicy({
    name: "elasticache-auth-token",
    description: "ElastiCache requires an AUTH token.",
    enforcementLevel: "mandatory",
    types: ["aws:elasticache/replicationGroup:ReplicationGroup"],
    validate: (props, { name, report }) => {
        if (!props["authToken"]) report(`ElastiCache ${name} has no AUTH token.`);
    },
});
