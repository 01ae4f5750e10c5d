/**
 * Every metric name the platform's alerts, dashboards and canary analysis use, in one place. Who
 * exposes it matters: a query over a metric nobody exposes is silent forever, so the dashboard test
 * checks each panel against this module.
 */

/** What the app exposes on `GET /metrics` of its `http` port (seed 001 "Grafana Dashboard" queries). */
export const APP_METRICS = {
    /** Counter; label `status` is the HTTP status code ("200", "429", "503", ...). */
    httpRequests: "http_requests_total",
    /** Histogram in seconds; `_bucket` carries `le`. */
    httpDurationBucket: "http_request_duration_seconds_bucket",
    /** Counter: failed attempts to open a database connection (the runbook's "database connection failure"). */
    dbConnectionErrors: "db_connection_errors_total",
} as const;

/** kube-state-metrics, installed by kube-prometheus-stack. */
export const KUBE_STATE_METRICS = {
    containerRestarts: "kube_pod_container_status_restarts_total",
    containerLimits: "kube_pod_container_resource_limits",
    jobActive: "kube_job_status_active",
    jobFailed: "kube_job_status_failed",
    jobStartTime: "kube_job_status_start_time",
    hpaCurrentReplicas: "kube_horizontalpodautoscaler_status_current_replicas",
    hpaMaxReplicas: "kube_horizontalpodautoscaler_spec_max_replicas",
} as const;

/** The kubelet's cAdvisor, scraped by kube-prometheus-stack. */
export const CADVISOR_METRICS = {
    memoryWorkingSet: "container_memory_working_set_bytes",
    cpuUsage: "container_cpu_usage_seconds_total",
} as const;

/** Labels Prometheus puts on every app series: the ServiceMonitor sets `service` to the release name. */
export const SERIES_LABELS = { namespace: "namespace", service: "service", status: "status" } as const;

/** The name of the app's container in the chart's Deployment (charts/api-service/templates/deployment.yaml). */
export const APP_CONTAINER = "app";

export const ALL_METRICS: ReadonlySet<string> = new Set([
    ...Object.values(APP_METRICS),
    ...Object.values(KUBE_STATE_METRICS),
    ...Object.values(CADVISOR_METRICS),
]);

/** Selects one service's app series. */
export function appSelector(namespace: string, service: string, extra = ""): string {
    return `{${SERIES_LABELS.namespace}="${namespace}",${SERIES_LABELS.service}="${service}"${extra ? `,${extra}` : ""}}`;
}

/** The app's pods (`<release>-<replicaset hash>-<suffix>`), not its hook Jobs' pods (`<release>-migrate-<rev>-<suffix>`). */
export function appPodPattern(service: string): string {
    return `${service}-[a-z0-9]+-[a-z0-9]+`;
}

/** The migration hook Jobs of a release: `<release>-migrate-<revision>`. */
export function migrationJobPattern(service: string): string {
    return `${service}-migrate-[0-9]+`;
}

/** Shared PromQL of the alerts, the dashboards and the canary analysis (a ratio over 5 minutes). */
export const QUERIES = {
    requestRate: (ns: string, svc: string) => `sum(rate(${APP_METRICS.httpRequests}${appSelector(ns, svc)}[5m]))`,
    statusRatio: (ns: string, svc: string, statusRegex: string) =>
        `sum(rate(${APP_METRICS.httpRequests}${appSelector(ns, svc, `status=~"${statusRegex}"`)}[5m])) / sum(rate(${APP_METRICS.httpRequests}${appSelector(ns, svc)}[5m]))`,
    latencyQuantile: (ns: string, svc: string, q: number) =>
        `histogram_quantile(${q}, sum by (le) (rate(${APP_METRICS.httpDurationBucket}${appSelector(ns, svc)}[5m])))`,
};
