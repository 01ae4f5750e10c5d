/**
 * Metric names the canary analysis queries, in one place. The operations lane (#17) owns this module
 * and adds the alerts' and dashboards' names; these exports keep their names and signatures there.
 */

/** What the app exposes on `GET /metrics` of its `http` port (seed 001 "Grafana Dashboard" queries). */
export const APP_METRICS = {
    /** Counter; label `status` is the HTTP status code ("200", "429", "503", ...). */
    httpRequests: "http_requests_total",
    /** Histogram in seconds; `_bucket` carries `le`. */
    httpDurationBucket: "http_request_duration_seconds_bucket",
} as const;

/** Labels Prometheus puts on every app series: the ServiceMonitor sets `service` to the Service's name. */
export const SERIES_LABELS = { namespace: "namespace", service: "service", status: "status" } as const;

/** Selects one service's app series. */
export function appSelector(namespace: string, service: string, extra = ""): string {
    return `{${SERIES_LABELS.namespace}="${namespace}",${SERIES_LABELS.service}="${service}"${extra ? `,${extra}` : ""}}`;
}

/** Shared PromQL of the alerts, the dashboards and the canary analysis (a ratio over 5 minutes). */
export const QUERIES = {
    requestRate: (ns: string, svc: string) => `sum(rate(${APP_METRICS.httpRequests}${appSelector(ns, svc)}[5m]))`,
    statusRatio: (ns: string, svc: string, statusRegex: string) =>
        `sum(rate(${APP_METRICS.httpRequests}${appSelector(ns, svc, `status=~"${statusRegex}"`)}[5m])) / sum(rate(${APP_METRICS.httpRequests}${appSelector(ns, svc)}[5m]))`,
    latencyQuantile: (ns: string, svc: string, q: number) =>
        `histogram_quantile(${q}, sum by (le) (rate(${APP_METRICS.httpDurationBucket}${appSelector(ns, svc)}[5m])))`,
};
