import { resourcePolicy } from "../lib";

export default resourcePolicy({
    name: "rds-not-public",
    description: "RDS instances are never publicly accessible.",
    enforcementLevel: "mandatory",
    types: ["aws:rds/instance:Instance"],
    validate: (props, { name, report }) => {
        if (props["publiclyAccessible"] === true) report(`RDS instance ${name} is publicly accessible.`);
    },
});
