import { resourcePolicy } from "../lib";

export default resourcePolicy<{ minimumMajorVersion: number }>({
    name: "rds-engine-version",
    description: "PostgreSQL is version 15 or newer.",
    enforcementLevel: "mandatory",
    config: { minimumMajorVersion: { type: "integer", default: 15 } },
    types: ["aws:rds/instance:Instance"],
    validate: (props, { name, config, report }) => {
        const major = Number.parseInt(String(props["engineVersion"] ?? "0"), 10);
        if (props["engine"] === "postgres" && !(major >= config.minimumMajorVersion)) {
            report(`RDS instance ${name} runs PostgreSQL ${props["engineVersion"]}; ${config.minimumMajorVersion} or newer is required.`);
        }
    },
});
