import { tierOf } from "../environments";
import type { Issue, Parsed, Rule } from "./types";

/** Production pages on critical alerts and posts warnings; keeps logs and backups as long as seed 001 asks. */
export const PRODUCTION_OBSERVABILITY = {
    routes: { critical: "pagerduty", warning: "slack" },
    minimumLogRetentionDays: 30,
} as const;

/** A route needs its provided key; production must route (dev may route nowhere). */
function alertRouteIssues({ monitoring, environment }: Parsed): Issue[] {
    const issues: Issue[] = [];
    const keys = { slack: monitoring.slackWebhookUrl, pagerduty: monitoring.pagerdutyRoutingKey, none: "" };
    const keyName = { slack: "monitoring.slackWebhookUrl", pagerduty: "monitoring.pagerdutyRoutingKey", none: "" };
    for (const severity of ["critical", "warning"] as const) {
        const route = monitoring.routes[severity];
        if (keys[route] === undefined) {
            issues.push({
                path: ["monitoring", "routes", severity],
                message: `expected a route whose key is set: ${JSON.stringify(route)} needs ${keyName[route]} (a secret)`,
                input: route,
            });
        }
    }
    if (tierOf(environment.name) === "production") {
        if (!monitoring.enabled) issues.push({ path: ["monitoring", "enabled"], message: "expected true in production", input: false });
        for (const severity of ["critical", "warning"] as const) {
            const expected = PRODUCTION_OBSERVABILITY.routes[severity];
            if (monitoring.routes[severity] !== expected) {
                issues.push({
                    path: ["monitoring", "routes", severity],
                    message: `expected ${JSON.stringify(expected)} in production (seed 001: critical alerts page, warnings go to Slack)`,
                    input: monitoring.routes[severity],
                });
            }
        }
    }
    return issues;
}

function retentionIssues({ logs, backup, environment, database, cluster }: Parsed): Issue[] {
    const issues: Issue[] = [];
    const production = tierOf(environment.name) === "production";
    if (production && Number(logs.retentionDays) < PRODUCTION_OBSERVABILITY.minimumLogRetentionDays) {
        issues.push({
            path: ["logs", "retentionDays"],
            message: `expected at least ${PRODUCTION_OBSERVABILITY.minimumLogRetentionDays} days in production (seed 001)`,
            input: logs.retentionDays,
        });
    }
    if (backup.weeklyDays < backup.dailyDays) {
        issues.push({
            path: ["backup", "weeklyDays"],
            message: `expected at least backup.dailyDays (${backup.dailyDays})`,
            input: backup.weeklyDays,
        });
    }
    if ((backup.awsBackup || backup.snapshotBeforeDeploy) && database.mode !== "rds") {
        const key = backup.awsBackup ? "awsBackup" : "snapshotBeforeDeploy";
        issues.push({ path: ["backup", key], message: "expected false unless database.mode is `rds`", input: true });
    }
    if (production && database.mode === "rds" && cluster.mode === "eks") {
        for (const key of ["awsBackup", "snapshotBeforeDeploy"] as const) {
            if (!backup[key]) issues.push({ path: ["backup", key], message: "expected true in production (seeds 001, 002)", input: false });
        }
    }
    return issues;
}

export const OBSERVABILITY_RULES: Rule[] = [
    { needs: ["monitoring", "environment"], check: alertRouteIssues },
    { needs: ["logs", "backup", "environment", "database", "cluster"], check: retentionIssues },
];
