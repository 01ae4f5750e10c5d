import type { StackConfig } from "../../config/load";
import {
    APP_CONTAINER,
    APP_METRICS,
    appPodPattern,
    appSelector,
    CADVISOR_METRICS,
    KUBE_STATE_METRICS,
    migrationJobPattern,
    QUERIES,
} from "./metrics";

export type Thresholds = StackConfig["monitoring"]["thresholds"];
export type Severity = "critical" | "warning";

export interface AlertRule {
    alert: string;
    expr: string;
    /** Prometheus duration the condition must hold; "0s" fires on the first evaluation. */
    for: string;
    labels: { severity: Severity; service: string };
    annotations: { summary: string; threshold: string };
}

export interface AlertTarget {
    service: string;
    namespace: string;
    /** The HPA's alert exists only when the service autoscales. */
    autoscales: boolean;
}

/**
 * The runbook's alerts for one service (seed 001 "Alerts"): critical ones page, warnings post to Slack.
 * Thresholds come from `monitoring.thresholds`; the promtool suite feeds each a firing and a silent case.
 */
export function alertRules(target: AlertTarget, t: Thresholds): AlertRule[] {
    const { service: svc, namespace: ns } = target;
    const rule = (alert: string, severity: Severity, expr: string, forDuration: string, summary: string, threshold: string): AlertRule => ({
        alert,
        expr,
        for: forDuration,
        labels: { severity, service: svc },
        annotations: { summary: `${svc}: ${summary}`, threshold },
    });
    const pods = `namespace="${ns}",pod=~"${appPodPattern(svc)}",container="${APP_CONTAINER}"`;
    const jobs = `namespace="${ns}",job_name=~"${migrationJobPattern(svc)}"`;
    const rules: AlertRule[] = [
        rule(
            "PodCrashLooping",
            "critical",
            `max by (namespace, pod) (increase(${KUBE_STATE_METRICS.containerRestarts}{${pods}}[${t.restartWindowMinutes}m])) >= ${t.restarts}`,
            "0s",
            `a pod restarted ${t.restarts} or more times in ${t.restartWindowMinutes} minutes`,
            `>= ${t.restarts} restarts in ${t.restartWindowMinutes}m`,
        ),
        rule(
            "MigrationJobSlow",
            "warning",
            `(time() - max by (namespace, job_name) (${KUBE_STATE_METRICS.jobStartTime}{${jobs}})) > ${t.migrationSeconds}` +
                ` and on (namespace, job_name) max by (namespace, job_name) (${KUBE_STATE_METRICS.jobActive}{${jobs}}) > 0`,
            "0s",
            `the migration Job has run for more than ${t.migrationSeconds} s`,
            `running > ${t.migrationSeconds}s`,
        ),
        rule(
            "MigrationJobFailed",
            "critical",
            `max by (namespace, job_name) (${KUBE_STATE_METRICS.jobFailed}{${jobs}}) > 0`,
            "0s",
            "the migration Job failed",
            "failed pods > 0",
        ),
        rule(
            "HighErrorRate",
            "warning",
            `${QUERIES.statusRatio(ns, svc, "5..")} > ${t.errorRateWarningPercent / 100}`,
            "5m",
            `more than ${t.errorRateWarningPercent}% of requests fail (5xx)`,
            `5xx > ${t.errorRateWarningPercent}% for 5m`,
        ),
        rule(
            "CriticalErrorRate",
            "critical",
            `${QUERIES.statusRatio(ns, svc, "5..")} > ${t.errorRateCriticalPercent / 100}`,
            "5m",
            `more than ${t.errorRateCriticalPercent}% of requests fail (5xx)`,
            `5xx > ${t.errorRateCriticalPercent}% for 5m`,
        ),
        rule(
            "HighLatencyP95",
            "critical",
            `${QUERIES.latencyQuantile(ns, svc, 0.95)} > ${t.latencyP95Seconds}`,
            "5m",
            `p95 latency above ${t.latencyP95Seconds} s`,
            `p95 > ${t.latencyP95Seconds}s for 5m`,
        ),
        rule(
            "RateLimitedRequests",
            "warning",
            `${QUERIES.statusRatio(ns, svc, "429")} > ${t.rateLimitedPercent / 100}`,
            "5m",
            `more than ${t.rateLimitedPercent}% of requests are rate limited (429)`,
            `429 > ${t.rateLimitedPercent}% for 5m`,
        ),
        rule(
            "MemoryNearLimit",
            "warning",
            `max by (namespace, pod) (${CADVISOR_METRICS.memoryWorkingSet}{${pods}})` +
                ` / max by (namespace, pod) (${KUBE_STATE_METRICS.containerLimits}{${pods},resource="memory"}) > ${t.memoryPercentOfLimit / 100}`,
            "5m",
            `a pod uses more than ${t.memoryPercentOfLimit}% of its memory limit`,
            `working set > ${t.memoryPercentOfLimit}% of limit for 5m`,
        ),
        rule(
            "DatabaseConnectionFailures",
            "critical",
            `sum(increase(${APP_METRICS.dbConnectionErrors}${appSelector(ns, svc)}[5m])) > 0`,
            "2m",
            "the app fails to connect to its database",
            "any failed connection, for 2m",
        ),
    ];
    if (target.autoscales) {
        const hpa = `namespace="${ns}",horizontalpodautoscaler="${svc}"`;
        rules.push(
            rule(
                "HpaAtMaxReplicas",
                "warning",
                `max(${KUBE_STATE_METRICS.hpaCurrentReplicas}{${hpa}}) >= max(${KUBE_STATE_METRICS.hpaMaxReplicas}{${hpa}})`,
                "15m",
                "the autoscaler is at its maximum replicas",
                "current >= max replicas for 15m",
            ),
        );
    }
    return rules;
}

/** The PrometheusRule spec of one service: one group, evaluated every 30 s. */
export function prometheusRuleSpec(target: AlertTarget, t: Thresholds) {
    return { groups: [{ name: `${target.service}.alerts`, interval: "30s", rules: alertRules(target, t) }] };
}

/** Where each severity goes in a stack (the Alertmanager routes). */
export function routeOf(severity: Severity, routes: StackConfig["monitoring"]["routes"]): string {
    return routes[severity];
}
