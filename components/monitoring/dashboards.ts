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

/** The label the Grafana sidecar of kube-prometheus-stack watches for dashboards. */
export const GRAFANA_DASHBOARD_LABEL = { grafana_dashboard: "1" } as const;

export interface Panel {
    title: string;
    /** traffic, errors, latency, saturation or hooks. */
    row: "traffic" | "errors" | "latency" | "saturation" | "hooks";
    unit: string;
    targets: { expr: string; legendFormat: string }[];
}

/** The panels of one service's dashboard: traffic, errors, latency, saturation, hooks. */
export function servicePanels(namespace: string, service: string, autoscales: boolean): Panel[] {
    const pods = `namespace="${namespace}",pod=~"${appPodPattern(service)}",container="${APP_CONTAINER}"`;
    const jobs = `namespace="${namespace}",job_name=~"${migrationJobPattern(service)}"`;
    const panels: Panel[] = [
        {
            title: "Requests per second by status",
            row: "traffic",
            unit: "reqps",
            targets: [
                {
                    expr: `sum by (status) (rate(${APP_METRICS.httpRequests}${appSelector(namespace, service)}[5m]))`,
                    legendFormat: "{{status}}",
                },
            ],
        },
        {
            title: "Error ratio (5xx)",
            row: "errors",
            unit: "percentunit",
            targets: [{ expr: QUERIES.statusRatio(namespace, service, "5.."), legendFormat: "5xx" }],
        },
        {
            title: "Rate-limited ratio (429)",
            row: "errors",
            unit: "percentunit",
            targets: [{ expr: QUERIES.statusRatio(namespace, service, "429"), legendFormat: "429" }],
        },
        {
            title: "Database connection failures",
            row: "errors",
            unit: "short",
            targets: [
                {
                    expr: `sum(increase(${APP_METRICS.dbConnectionErrors}${appSelector(namespace, service)}[5m]))`,
                    legendFormat: "failures / 5m",
                },
            ],
        },
        {
            title: "Latency p50 / p95 / p99",
            row: "latency",
            unit: "s",
            targets: [0.5, 0.95, 0.99].map((q) => ({ expr: QUERIES.latencyQuantile(namespace, service, q), legendFormat: `p${q * 100}` })),
        },
        {
            title: "CPU by pod",
            row: "saturation",
            unit: "cores",
            targets: [{ expr: `sum by (pod) (rate(${CADVISOR_METRICS.cpuUsage}{${pods}}[5m]))`, legendFormat: "{{pod}}" }],
        },
        {
            title: "Memory working set / limit",
            row: "saturation",
            unit: "percentunit",
            targets: [
                {
                    expr:
                        `max by (pod) (${CADVISOR_METRICS.memoryWorkingSet}{${pods}})` +
                        ` / max by (pod) (${KUBE_STATE_METRICS.containerLimits}{${pods},resource="memory"})`,
                    legendFormat: "{{pod}}",
                },
            ],
        },
        {
            title: "Container restarts (5m)",
            row: "saturation",
            unit: "short",
            targets: [{ expr: `sum by (pod) (increase(${KUBE_STATE_METRICS.containerRestarts}{${pods}}[5m]))`, legendFormat: "{{pod}}" }],
        },
        {
            title: "Migration Jobs: active and failed",
            row: "hooks",
            unit: "short",
            targets: [
                { expr: `sum by (job_name) (${KUBE_STATE_METRICS.jobActive}{${jobs}})`, legendFormat: "active {{job_name}}" },
                { expr: `sum by (job_name) (${KUBE_STATE_METRICS.jobFailed}{${jobs}})`, legendFormat: "failed {{job_name}}" },
            ],
        },
    ];
    if (autoscales) {
        const hpa = `namespace="${namespace}",horizontalpodautoscaler="${service}"`;
        panels.splice(1, 0, {
            title: "Replicas: current and autoscaler maximum",
            row: "traffic",
            unit: "short",
            targets: [
                { expr: `max(${KUBE_STATE_METRICS.hpaCurrentReplicas}{${hpa}})`, legendFormat: "current" },
                { expr: `max(${KUBE_STATE_METRICS.hpaMaxReplicas}{${hpa}})`, legendFormat: "max" },
            ],
        });
    }
    return panels;
}

/** A Grafana dashboard (JSON model, schemaVersion 39) of one service, with a stable uid. */
export function serviceDashboard(environment: string, namespace: string, service: string, autoscales: boolean) {
    const panels = servicePanels(namespace, service, autoscales);
    return {
        uid: `${environment}-${service}`.slice(0, 40),
        title: `${service} (${environment})`,
        tags: ["platform", environment, service],
        timezone: "utc",
        schemaVersion: 39,
        refresh: "30s",
        time: { from: "now-6h", to: "now" },
        panels: panels.map((panel, i) => ({
            id: i + 1,
            type: "timeseries",
            title: panel.title,
            description: `${panel.row}`,
            datasource: { type: "prometheus", uid: "prometheus" },
            gridPos: { h: 8, w: 12, x: (i % 2) * 12, y: Math.floor(i / 2) * 8 },
            fieldConfig: { defaults: { unit: panel.unit }, overrides: [] },
            targets: panel.targets.map((target, j) => ({ refId: String.fromCharCode(65 + j), ...target })),
        })),
    };
}
