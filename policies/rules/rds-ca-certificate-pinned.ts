import { RDS_CA_IDENTIFIERS } from "../../config/database-tls";
import { resourcePolicy } from "../lib";

export default resourcePolicy<{ allowedCas: string[] }>({
    name: "rds-ca-certificate-pinned",
    description:
        "Encryption in transit with the server verified (issue 24.8): RDS instances pin caCertIdentifier to a current RDS CA, the one their clients' bundle holds (sslmode=verify-full).",
    enforcementLevel: "mandatory",
    config: { allowedCas: { type: "array", items: { type: "string" }, default: [...RDS_CA_IDENTIFIERS] } },
    types: ["aws:rds/instance:Instance"],
    validate: (props, { name, config, report }) => {
        const ca = props["caCertIdentifier"];
        if (typeof ca !== "string" || !config.allowedCas.includes(ca))
            report(`RDS instance ${name} has CA ${ca ?? "unset"}, not one of ${config.allowedCas.join(", ")}.`);
    },
});
