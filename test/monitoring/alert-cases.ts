import type { AlertRule, Thresholds } from "../../components/monitoring/alert-rules";
import { APP_CONTAINER, APP_METRICS, CADVISOR_METRICS, KUBE_STATE_METRICS } from "../../components/monitoring/metrics";

/**
 * promtool unit tests (https://prometheus.io/docs/prometheus/latest/configuration/unit_testing_rules/)
 * for one service's rules: per alert, a case just past its threshold that must fire with exactly these
 * labels and annotations, and a case on the safe side that must stay silent. Series are derived from
 * the stack's thresholds, so a changed threshold moves the cases with it.
 */
export interface AlertCase {
    alert: string;
    kind: "fires" | "silent";
    why: string;
    test: {
        interval: string;
        input_series: { series: string; values: string }[];
        alert_rule_test: {
            eval_time: string;
            alertname: string;
            exp_alerts: { exp_labels: Record<string, string>; exp_annotations: Record<string, string> }[];
        }[];
    };
}

const GIB = 1024 ** 3;

export function alertCases(rules: AlertRule[], namespace: string, service: string, t: Thresholds): AlertCase[] {
    const app = (extra: Record<string, string> = {}) => labels({ namespace, service, ...extra });
    const pod = `${service}-7d9f8c6b5-x2k4q`;
    const podLabels = { namespace, pod, container: APP_CONTAINER };
    const job = `${service}-migrate-7`;
    const hpa = { namespace, horizontalpodautoscaler: service };
    const perMinute = (rate: number, minutes = 30) => `0+${rate}x${minutes}`;
    /** Requests per minute with `bad` of them answering `status`, at a share `ratio` of all. */
    const traffic = (status: string, ratio: number) => [
        { series: `${APP_METRICS.httpRequests}${app({ status: "200" })}`, values: perMinute(1000 * (1 - ratio)) },
        { series: `${APP_METRICS.httpRequests}${app({ status })}`, values: perMinute(1000 * ratio) },
    ];
    const above = (x: number) => Math.min(x * 2, (x + 1) / 2);
    const cases: Record<
        string,
        (fires: boolean) => { series: { series: string; values: string }[]; at: string; why: string; labels?: Record<string, string> }
    > = {
        PodCrashLooping: (fires) => {
            const restarts = fires ? t.restarts + 1 : Math.max(t.restarts - 1, 0);
            return {
                series: [
                    {
                        series: `${KUBE_STATE_METRICS.containerRestarts}${labels(podLabels)}`,
                        values: perMinute(restarts / t.restartWindowMinutes),
                    },
                ],
                at: "20m",
                why: `${restarts} restarts per ${t.restartWindowMinutes}m`,
                labels: { namespace, pod },
            };
        },
        MigrationJobSlow: (fires) => ({
            series: [
                { series: `${KUBE_STATE_METRICS.jobStartTime}${labels({ namespace, job_name: job })}`, values: "0x20" },
                { series: `${KUBE_STATE_METRICS.jobActive}${labels({ namespace, job_name: job })}`, values: "1x20" },
            ],
            at: `${fires ? t.migrationSeconds + 60 : t.migrationSeconds - 30}s`,
            why: `active, started ${fires ? t.migrationSeconds + 60 : t.migrationSeconds - 30} s ago`,
            labels: { namespace, job_name: job },
        }),
        MigrationJobFailed: (fires) => ({
            series: [{ series: `${KUBE_STATE_METRICS.jobFailed}${labels({ namespace, job_name: job })}`, values: `${fires ? 1 : 0}x10` }],
            at: "5m",
            why: fires ? "one failed pod" : "no failed pod",
            labels: { namespace, job_name: job },
        }),
        HighErrorRate: (fires) => {
            const ratio = fires ? above(t.errorRateWarningPercent / 100) : t.errorRateWarningPercent / 200;
            return { series: traffic("500", ratio), at: "20m", why: `${(ratio * 100).toFixed(2)}% 5xx for 20m` };
        },
        CriticalErrorRate: (fires) => {
            const ratio = fires ? above(t.errorRateCriticalPercent / 100) : t.errorRateCriticalPercent / 200;
            return { series: traffic("503", ratio), at: "20m", why: `${(ratio * 100).toFixed(2)}% 5xx for 20m` };
        },
        RateLimitedRequests: (fires) => {
            const ratio = fires ? above(t.rateLimitedPercent / 100) : t.rateLimitedPercent / 200;
            return { series: traffic("429", ratio), at: "20m", why: `${(ratio * 100).toFixed(2)}% 429 for 20m` };
        },
        HighLatencyP95: (fires) => {
            // Everything in the bucket above the threshold (p95 ~1.9x it), or everything well below it.
            const low = t.latencyP95Seconds / 4;
            const high = t.latencyP95Seconds * 2;
            const bucket = (le: string, rate: number) => ({
                series: `${APP_METRICS.httpDurationBucket}${app({ le })}`,
                values: perMinute(rate),
            });
            return {
                series: [bucket(String(low), fires ? 0 : 100), bucket(String(high), 100), bucket("+Inf", 100)],
                at: "20m",
                why: fires ? `requests between ${low} s and ${high} s` : `requests under ${low} s`,
            };
        },
        MemoryNearLimit: (fires) => {
            const share = fires ? (1 + t.memoryPercentOfLimit / 100) / 2 : t.memoryPercentOfLimit / 200;
            return {
                series: [
                    { series: `${CADVISOR_METRICS.memoryWorkingSet}${labels(podLabels)}`, values: `${Math.round(GIB * share)}x20` },
                    {
                        series: `${KUBE_STATE_METRICS.containerLimits}${labels({ ...podLabels, resource: "memory", unit: "byte" })}`,
                        values: `${GIB}x20`,
                    },
                ],
                at: "15m",
                why: `${(share * 100).toFixed(1)}% of a 1 GiB limit for 15m`,
                labels: { namespace, pod },
            };
        },
        DatabaseConnectionFailures: (fires) => ({
            series: [{ series: `${APP_METRICS.dbConnectionErrors}${app()}`, values: perMinute(fires ? 1 : 0) }],
            at: "10m",
            why: fires ? "one failure a minute" : "no failures",
        }),
        HpaAtMaxReplicas: (fires) => ({
            series: [
                { series: `${KUBE_STATE_METRICS.hpaCurrentReplicas}${labels(hpa)}`, values: `${fires ? 10 : 6}x40` },
                { series: `${KUBE_STATE_METRICS.hpaMaxReplicas}${labels(hpa)}`, values: "10x40" },
            ],
            at: "30m",
            why: fires ? "10 of 10 replicas for 30m" : "6 of 10 replicas",
        }),
    };
    return rules.flatMap((rule) => {
        const make = cases[rule.alert];
        if (make === undefined) throw new Error(`no promtool cases for alert ${rule.alert}: add them to test/monitoring/alert-cases.ts`);
        return ([true, false] as const).map((fires) => {
            const c = make(fires);
            const expected = { exp_labels: { ...(c.labels ?? {}), ...rule.labels }, exp_annotations: rule.annotations };
            return {
                alert: rule.alert,
                kind: fires ? "fires" : "silent",
                why: c.why,
                test: {
                    interval: "1m",
                    input_series: c.series,
                    alert_rule_test: [{ eval_time: c.at, alertname: rule.alert, exp_alerts: fires ? [expected] : [] }],
                },
            } satisfies AlertCase;
        });
    });
}

function labels(set: Record<string, string>): string {
    return `{${Object.entries(set)
        .map(([k, v]) => `${k}="${v}"`)
        .join(",")}}`;
}
