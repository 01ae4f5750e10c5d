import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";
import type { StackConfig } from "../../config/load";
import { MONITORING_NAMESPACE } from "../../config/observability";
import { pinnedRelease } from "../kubernetes/pinned-release";
import { chartSelectorLabels } from "../service-release/network";
import { alertmanagerConfig } from "./alertmanager";
import { prometheusRuleSpec } from "./alert-rules";
import { GRAFANA_DASHBOARD_LABEL, serviceDashboard } from "./dashboards";
import { SERIES_LABELS } from "./metrics";

/** Labels of the Prometheus pods kube-prometheus-stack runs (set by the operator): who may scrape. */
export const PROMETHEUS_POD_LABELS = { "app.kubernetes.io/name": "prometheus" } as const;
/** The Secret holding alertmanager.yaml (routes and provided keys); the chart's Alertmanager reads it. */
export const ALERTMANAGER_CONFIG_SECRET = "alertmanager-routes";
export const METRICS_PATH = "/metrics";

export interface MonitoringArgs {
    config: StackConfig["monitoring"];
    environment: string;
    services: StackConfig["services"];
    /** The app namespace: rules, monitors and dashboards live beside the services. */
    namespace: pulumi.Input<string>;
    /** `render` writes only the per-service objects (the add-on is the target cluster's). */
    mode: "release" | "render";
    provider: k8s.Provider;
}

/** kube-prometheus-stack values: pick up every namespace's rules, monitors and dashboards; routes from our Secret. */
export function kubePrometheusStackValues(config: StackConfig["monitoring"]) {
    const selectAll = {
        ruleSelectorNilUsesHelmValues: false,
        serviceMonitorSelectorNilUsesHelmValues: false,
        podMonitorSelectorNilUsesHelmValues: false,
    };
    return {
        prometheus: { prometheusSpec: { ...selectAll, retention: config.retention } },
        alertmanager: { alertmanagerSpec: { configSecret: ALERTMANAGER_CONFIG_SECRET } },
        grafana: {
            sidecar: {
                dashboards: {
                    enabled: true,
                    label: Object.keys(GRAFANA_DASHBOARD_LABEL)[0],
                    labelValue: Object.values(GRAFANA_DASHBOARD_LABEL)[0],
                    searchNamespace: "ALL",
                },
            },
        },
    };
}

/**
 * The monitoring add-on (kube-prometheus-stack, pinned), its alert routes, and per service a
 * ServiceMonitor, the runbook's PrometheusRule, a dashboard ConfigMap and the NetworkPolicy that lets
 * Prometheus scrape the app's port.
 */
export class Monitoring extends pulumi.ComponentResource {
    constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:monitoring:Monitoring", name, {}, opts);
        const { config } = args;
        const childOpts = { parent: this, provider: args.provider };
        const dependsOn: pulumi.Resource[] = [];
        if (args.mode === "release") {
            // The release creates the namespace (its Pod Security level and default-deny are the add-on baseline's).
            const release = pinnedRelease(
                `${name}-kube-prometheus-stack`,
                {
                    chart: "kube-prometheus-stack",
                    version: config.chartVersion,
                    repo: "https://prometheus-community.github.io/helm-charts",
                    namespace: MONITORING_NAMESPACE,
                    values: kubePrometheusStackValues(config),
                },
                childOpts,
            );
            // Alertmanager's pods wait for this Secret (configSecret), so it may follow the release.
            new k8s.core.v1.Secret(
                `${name}-alertmanager-routes`,
                {
                    metadata: { name: ALERTMANAGER_CONFIG_SECRET, namespace: MONITORING_NAMESPACE },
                    stringData: {
                        "alertmanager.yaml": pulumi
                            .all([config.slackWebhookUrl, config.pagerdutyRoutingKey])
                            .apply(([slackWebhookUrl, pagerdutyRoutingKey]) =>
                                pulumi.secret(stringify(alertmanagerConfig(config, { slackWebhookUrl, pagerdutyRoutingKey }))),
                            ),
                    },
                },
                { ...childOpts, dependsOn: [release] },
            );
            dependsOn.push(release);
        }
        const crOpts = { ...childOpts, dependsOn };
        for (const service of args.services) {
            const target = { service: service.name, namespace: "", autoscales: service.autoscaling !== undefined };
            const labels = chartSelectorLabels(service.name);
            if (service.expose) {
                new k8s.apiextensions.CustomResource(
                    `${name}-${service.name}-monitor`,
                    {
                        apiVersion: "monitoring.coreos.com/v1",
                        kind: "ServiceMonitor",
                        metadata: { name: service.name, namespace: args.namespace, labels },
                        spec: scrapeSpec(service.name, labels, "endpoints"),
                    },
                    crOpts,
                );
            } else {
                new k8s.apiextensions.CustomResource(
                    `${name}-${service.name}-pod-monitor`,
                    {
                        apiVersion: "monitoring.coreos.com/v1",
                        kind: "PodMonitor",
                        metadata: { name: service.name, namespace: args.namespace, labels },
                        spec: scrapeSpec(service.name, labels, "podMetricsEndpoints"),
                    },
                    crOpts,
                );
            }
            new k8s.apiextensions.CustomResource(
                `${name}-${service.name}-rules`,
                {
                    apiVersion: "monitoring.coreos.com/v1",
                    kind: "PrometheusRule",
                    metadata: { name: `${service.name}-alerts`, namespace: args.namespace, labels },
                    spec: pulumi
                        .output(args.namespace)
                        .apply((namespace) => prometheusRuleSpec({ ...target, namespace }, config.thresholds)),
                },
                crOpts,
            );
            new k8s.core.v1.ConfigMap(
                `${name}-${service.name}-dashboard`,
                {
                    metadata: {
                        name: `${service.name}-dashboard`,
                        namespace: args.namespace,
                        labels: { ...labels, ...GRAFANA_DASHBOARD_LABEL },
                    },
                    data: {
                        [`${service.name}.json`]: pulumi
                            .output(args.namespace)
                            .apply((namespace) =>
                                JSON.stringify(serviceDashboard(args.environment, namespace, service.name, target.autoscales)),
                            ),
                    },
                },
                childOpts,
            );
            new k8s.networking.v1.NetworkPolicy(
                `${name}-${service.name}-scrape`,
                {
                    metadata: { name: `${service.name}-metrics-scrape`, namespace: args.namespace },
                    spec: scrapeIngressSpec(service.name, service.port),
                },
                childOpts,
            );
        }
        this.registerOutputs({});
    }
}

/** Scrape the `http` port's /metrics and label every series with the service (the alerts select on it). */
function scrapeSpec(service: string, labels: Record<string, string>, endpointsKey: "endpoints" | "podMetricsEndpoints") {
    return {
        selector: { matchLabels: labels },
        [endpointsKey]: [
            {
                port: "http",
                path: METRICS_PATH,
                interval: "30s",
                relabelings: [{ action: "replace", targetLabel: SERIES_LABELS.service, replacement: service }],
            },
        ],
    };
}

/** Prometheus (in the monitoring namespace) may open the app's port; nothing else gains access. */
export function scrapeIngressSpec(service: string, port: number): k8s.types.input.networking.v1.NetworkPolicySpec {
    return {
        podSelector: { matchLabels: chartSelectorLabels(service) },
        policyTypes: ["Ingress"],
        ingress: [
            {
                from: [
                    {
                        namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": MONITORING_NAMESPACE } },
                        podSelector: { matchLabels: PROMETHEUS_POD_LABELS },
                    },
                ],
                ports: [{ protocol: "TCP", port }],
            },
        ],
    };
}
