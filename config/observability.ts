import { boolean, integer, oneOf, secretString, section, text } from "./primitives";

/**
 * Operations: the monitoring add-on and its alert routes, logs, and backups (docs/operations.md).
 * Defaults are the runbook's (seed 001); every difference between environments is set in the stack file.
 */

/** kube-prometheus-stack (Prometheus Operator, Prometheus, Alertmanager, Grafana, kube-state-metrics): support in docs/operations.md. */
export const KUBE_PROMETHEUS_STACK_VERSION = "91.5.0";
/** Where the add-on runs; its NetworkPolicies and the flows in paths/flows.ts name it. */
export const MONITORING_NAMESPACE = "monitoring";

export const ALERT_ROUTES = ["pagerduty", "slack", "none"] as const;
export type AlertRoute = (typeof ALERT_ROUTES)[number];

/** The runbook's alert thresholds (seed 001 "SLOs & Monitoring"). */
export const ALERT_THRESHOLD_DEFAULTS = {
    restarts: 3,
    restartWindowMinutes: 5,
    migrationSeconds: 120,
    errorRateWarningPercent: 1,
    errorRateCriticalPercent: 5,
    latencyP95Seconds: 2,
    rateLimitedPercent: 10,
    memoryPercentOfLimit: 85,
} as const;

const percent = () => integer({ min: 1, max: 100 });

export const monitoringSchema = section({
    enabled: boolean().default(true).describe("Install the monitoring add-on and each service's alerts and dashboard. Defaults to true."),
    chartVersion: text({ pattern: /^\d+\.\d+\.\d+$/, describe: "a pinned chart version X.Y.Z" })
        .default(KUBE_PROMETHEUS_STACK_VERSION)
        .describe(`kube-prometheus-stack. Defaults to ${KUBE_PROMETHEUS_STACK_VERSION}.`),
    retention: text({ pattern: /^\d+[dh]$/, describe: "a duration such as 15d" })
        .default("15d")
        .describe("How long Prometheus keeps samples. Defaults to 15d."),
    thresholds: section({
        restarts: integer({ min: 1 }).default(ALERT_THRESHOLD_DEFAULTS.restarts),
        restartWindowMinutes: integer({ min: 1, max: 60 }).default(ALERT_THRESHOLD_DEFAULTS.restartWindowMinutes),
        migrationSeconds: integer({ min: 10 }).default(ALERT_THRESHOLD_DEFAULTS.migrationSeconds),
        errorRateWarningPercent: percent().default(ALERT_THRESHOLD_DEFAULTS.errorRateWarningPercent),
        errorRateCriticalPercent: percent().default(ALERT_THRESHOLD_DEFAULTS.errorRateCriticalPercent),
        latencyP95Seconds: integer({ min: 1, max: 60 }).default(ALERT_THRESHOLD_DEFAULTS.latencyP95Seconds),
        rateLimitedPercent: percent().default(ALERT_THRESHOLD_DEFAULTS.rateLimitedPercent),
        memoryPercentOfLimit: percent().default(ALERT_THRESHOLD_DEFAULTS.memoryPercentOfLimit),
    })
        .prefault({})
        .describe("Alert thresholds. Defaults to the runbook's (seed 001)."),
    routes: section({
        critical: oneOf(ALERT_ROUTES).default("none").describe("Where critical alerts go. Defaults to none (dev)."),
        warning: oneOf(ALERT_ROUTES).default("none").describe("Where warnings go. Defaults to none (dev)."),
    })
        .prefault({})
        .describe("Alert routes; prod must page critical alerts (PagerDuty) and post warnings (Slack)."),
    slackChannel: text({ pattern: /^#[a-z0-9_-]+$/, describe: "a Slack channel such as #supernova-ops" }).default("#supernova-ops"),
    slackWebhookUrl: secretString("a Slack incoming webhook URL").optional().describe("Required when a route is `slack`."),
    pagerdutyRoutingKey: secretString("a PagerDuty Events API v2 integration key")
        .optional()
        .describe("Required when a route is `pagerduty`."),
}).prefault({});

export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;

export const logsSchema = section({
    retentionDays: oneOf(["1", "3", "5", "7", "14", "30", "60", "90", "120", "150", "180", "365", "400", "545", "731", "1827", "3653"])
        .default("7")
        .describe("CloudWatch retention of control-plane and app logs (a value CloudWatch accepts); prod at least 30. Defaults to 7."),
    level: oneOf(LOG_LEVELS)
        .optional()
        .describe("LOG_LEVEL of every service that does not set its own (seed 004: debug, info, warn). Defaults to the app's."),
}).prefault({});

export const backupSchema = section({
    awsBackup: boolean()
        .default(false)
        .describe("An AWS Backup plan (daily kept dailyDays, weekly kept weeklyDays) in an encrypted vault for RDS. Defaults to false."),
    dailyDays: integer({ min: 1, max: 3650 }).default(30).describe("Defaults to 30 (seed 001)."),
    weeklyDays: integer({ min: 7, max: 36500 }).default(90).describe("Defaults to 90 (seed 001)."),
    snapshotBeforeDeploy: boolean()
        .default(false)
        .describe("A manual RDS snapshot named after the release before every update that changes it (seed 002). Defaults to false."),
    dump: section({
        schedule: text({ pattern: /^(\S+\s+){4}\S+$/, describe: "a cron schedule of five fields" }).default("15 2 * * *"),
        keep: integer({ min: 1, max: 365 }).default(7).describe("Dumps kept on the volume. Defaults to 7."),
        storageGiB: integer({ min: 1 }).default(5),
    })
        .prefault({})
        .describe("In-cluster Postgres: a pg_dump CronJob to its own volume. Defaults to 02:15 daily, 7 kept."),
}).prefault({});
