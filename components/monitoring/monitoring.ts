import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";
import type { StackConfig } from "../../config/load";
import { MONITORING_NAMESPACE } from "../../config/observability";
import { ARGO_ROLLOUTS_NAMESPACE } from "../delivery/argo-rollouts";
import {
    AddonNamespaceContext,
    AddonNamespaceSpec,
    addonNamespace,
    apiServerEgress,
    httpsEgress,
    sameNamespace,
    webhookIngress,
} from "../kubernetes/addon-namespace";
import { pinnedRelease } from "../kubernetes/pinned-release";
import { chartSelectorLabels } from "../service-release/network";
import { alertmanagerConfig } from "./alertmanager";
import { prometheusRuleSpec } from "./alert-rules";
import { GRAFANA_DASHBOARD_LABEL, serviceDashboard } from "./dashboards";
import { SERIES_LABELS } from "./metrics";

/** Labels of the Prometheus pods kube-prometheus-stack runs (set by the operator): who may scrape. */
export const PROMETHEUS_POD_LABELS = { "app.kubernetes.io/name": "prometheus" } as const;
/** Labels of the Alertmanager pods (set by the operator): they post to Slack and PagerDuty. */
export const ALERTMANAGER_POD_LABELS = { "app.kubernetes.io/name": "alertmanager" } as const;
/** Where node-exporter runs: it needs the host's network, PID namespace and filesystem, so it gets a namespace of its own. */
export const NODE_EXPORTER_NAMESPACE = "monitoring-node-exporter";
/** Ports of the operator's admission webhook (prometheusOperator.tls.internalPort), Prometheus's API, node-exporter and the kubelet. */
export const MONITORING_PORTS = { operatorWebhook: 10250, prometheus: 9090, nodeExporter: 9100, kubelet: 10250 } as const;

/**
 * The monitoring namespace: `restricted` (the chart runs Prometheus, Alertmanager, the operator, Grafana and
 * kube-state-metrics non-root with RuntimeDefault seccomp, no escalation, no capabilities; Grafana's root
 * chown init container only exists with persistence, which the program leaves off). Its pods talk to each
 * other and to the API server; Prometheus scrapes every namespace's pods and the nodes (kubelet, node-exporter);
 * Alertmanager posts to Slack/PagerDuty; the API server calls the operator's webhook; Argo Rollouts'
 * analyses query Prometheus.
 */
export function monitoringNamespace(controlPlaneCidrs: string[]): AddonNamespaceSpec {
    const nodes = controlPlaneCidrs.map((cidr) => ({ ipBlock: { cidr } }));
    return {
        name: MONITORING_NAMESPACE,
        level: "restricted",
        policies: {
            "same-namespace": sameNamespace(),
            "api-server-egress": apiServerEgress(controlPlaneCidrs),
            "prometheus-scrape-egress": {
                podSelector: { matchLabels: PROMETHEUS_POD_LABELS },
                policyTypes: ["Egress"],
                egress: [
                    { to: [{ namespaceSelector: {} }] },
                    {
                        to: nodes,
                        ports: [
                            { protocol: "TCP", port: MONITORING_PORTS.kubelet },
                            { protocol: "TCP", port: MONITORING_PORTS.nodeExporter },
                        ],
                    },
                ],
            },
            "alertmanager-egress": httpsEgress(ALERTMANAGER_POD_LABELS),
            "webhook-ingress": webhookIngress({}, MONITORING_PORTS.operatorWebhook, controlPlaneCidrs),
            "prometheus-query-ingress": {
                podSelector: { matchLabels: PROMETHEUS_POD_LABELS },
                policyTypes: ["Ingress"],
                ingress: [
                    {
                        from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ARGO_ROLLOUTS_NAMESPACE } } }],
                        ports: [{ protocol: "TCP", port: MONITORING_PORTS.prometheus }],
                    },
                ],
            },
        },
    };
}

/**
 * node-exporter's namespace: `privileged`, the only level its DaemonSet passes (hostNetwork, hostPID and
 * read-only hostPath mounts of /proc, /sys and /). Nothing else runs there. Host-network pods are outside
 * NetworkPolicy, so the baseline there is a guard for anything else scheduled into it.
 */
export function nodeExporterNamespace(): AddonNamespaceSpec {
    return { name: NODE_EXPORTER_NAMESPACE, level: "privileged", policies: {} };
}

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
    /** How the add-on's namespaces are declared (Cluster.addonNamespaces). */
    addonNamespaces: AddonNamespaceContext;
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
        "prometheus-node-exporter": { namespaceOverride: NODE_EXPORTER_NAMESPACE },
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
            const namespaces = [
                ...addonNamespace(name, monitoringNamespace(args.addonNamespaces.controlPlaneCidrs), args.addonNamespaces, this),
                ...addonNamespace(`${name}-node-exporter`, nodeExporterNamespace(), args.addonNamespaces, this),
            ];
            const release = pinnedRelease(
                `${name}-kube-prometheus-stack`,
                {
                    chart: "kube-prometheus-stack",
                    version: config.chartVersion,
                    repo: "https://prometheus-community.github.io/helm-charts",
                    namespace: MONITORING_NAMESPACE,
                    values: kubePrometheusStackValues(config),
                },
                { ...childOpts, dependsOn: namespaces },
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
