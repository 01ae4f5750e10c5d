import { resourcePolicy } from "../lib";

export default resourcePolicy({
    name: "rds-auto-minor-version-upgrade",
    description: "FSBP RDS.13: RDS applies minor engine upgrades (security fixes) automatically in its maintenance window.",
    enforcementLevel: "mandatory",
    types: ["aws:rds/instance:Instance"],
    validate: (props, { name, report }) => {
        if (props["autoMinorVersionUpgrade"] === false) report(`RDS instance ${name} has automatic minor version upgrades off.`);
    },
});
