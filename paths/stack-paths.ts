import type * as pulumi from "@pulumi/pulumi";
import { hostInCidr } from "../components/network/cidr";
import { ALERTMANAGER_POD_LABELS, PROMETHEUS_POD_LABELS } from "../components/monitoring/monitoring";
import { ESO_CONTROLLER_POD_LABELS, ESO_NAMESPACE, ESO_WEBHOOK_POD_LABELS } from "../components/secrets/external-secrets";
import { EXTERNAL_DNS_NAMESPACE, EXTERNAL_DNS_POD_LABELS } from "../components/gateway/entry-point";
import { MONITORING_NAMESPACE } from "../config/observability";
import type { StackConfig } from "../config/load";
import type { Graph, RecordedResource } from "../test/harness/graph";
import { Manifest, renderChart } from "../test/harness/helm";
import { resolve } from "../test/harness/outputs";
import { recordStack, RunOptions } from "../test/harness/run-stack";
import { REPO_ROOT } from "../test/harness/stack-file";
import { hopList, Hop } from "./hops";
import { ADDRESSES, cyclonusBinary, namespaceLabels, NpEndpoint, NpModel, networkPolicyTable, NpRow, podAddress } from "./network-policies";
import { securityGroupTable, SgRow } from "./sg-table";

export interface StackPaths {
    stack: string;
    service: string;
    hops: Hop[];
    securityGroups: SgRow[];
    networkPolicies: NpRow[];
    /** What the tables were computed from, for checks that change one thing and evaluate again. */
    source: { graph: Graph; config: StackConfig; manifests: Manifest[] };
}

const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";

/** The first service with a public host (else the first service): the one the hop list follows. */
function entryService(config: StackConfig) {
    return config.services.find((s) => s.expose && s.ingress) ?? config.services[0]!;
}

/** The chart values the program computed for a service (Helm release, or rendered chart in render mode). */
export function releaseValues(graph: Graph, service: string): Record<string, any> {
    const release = graph.resources.find(
        (r) => (r.type === "kubernetes:helm.sh/v3:Release" || r.type === "kubernetes:helm.sh/v4:Chart") && r.inputs.name === service,
    );
    if (release === undefined) throw new Error(`no release of ${service} in the graph`);
    return release.inputs.values;
}

function subnets(graph: Graph, kind: "private" | "public"): string[] {
    return graph
        .ofType("aws:ec2/subnet:Subnet")
        .filter((s) => s.name.includes(`-${kind}-`))
        .map((s) => s.inputs.cidrBlock);
}

function podLabelsOf(manifests: Manifest[], kind: string, component?: string): Record<string, string> | undefined {
    const found = manifests.find(
        (m) =>
            m.kind === kind &&
            (component === undefined || m.spec?.template?.metadata?.labels?.["app.kubernetes.io/component"] === component),
    );
    return found?.spec.template.metadata.labels;
}

function statefulSetPod(graph: Graph, app: string, namespace: string, ip: string): NpEndpoint | undefined {
    const set = graph.ofType("kubernetes:apps/v1:StatefulSet").find((s: RecordedResource) => s.inputs.metadata.name === app);
    if (set === undefined) return undefined;
    return { namespace, namespaceLabels: namespaceLabels(namespace), podLabels: set.inputs.spec.template.metadata.labels, ip };
}

/** The peers and policies of a stack, from its recorded graph and its chart as Helm renders it. */
export function networkPolicyModel(graph: Graph, config: StackConfig, manifests: Manifest[]): NpModel {
    const ns = config.namespace.name;
    const nsResource = graph.ofType("kubernetes:core/v1:Namespace").find((n) => n.inputs.metadata.name === ns);
    const appNs = namespaceLabels(ns, nsResource?.inputs.metadata.labels);
    const eks = config.cluster.mode === "eks";
    const [privateCidr, secondPrivate] = subnets(graph, "private");
    const [publicCidr] = subnets(graph, "public");
    const inApp = (labels: Record<string, string> | undefined, offset: number): NpEndpoint[] =>
        labels ? [{ namespace: ns, namespaceLabels: appNs, podLabels: labels, ip: podAddress(privateCidr, offset) }] : [];
    const pod = (namespace: string, labels: Record<string, string>, offset: number): NpEndpoint => ({
        namespace,
        namespaceLabels: namespaceLabels(namespace),
        podLabels: labels,
        ip: podAddress(privateCidr, offset),
    });
    const service = entryService(config);
    const gatewayNs = config.entryPoint.gateway.proxyNamespace ?? config.entryPoint.gateway.namespace;
    const addonNamespaces = [
        ...new Set([
            "kube-system",
            ...graph
                .ofType("kubernetes:helm.sh/v3:Release")
                .filter((r) => r.inputs.repositoryOpts)
                .map((r) => r.inputs.namespace as string),
            ...(eks ? [config.entryPoint.gateway.namespace] : []),
        ]),
    ].filter((n) => !(config.cluster.ingressNginx.enabled && n === "ingress-nginx") && (eks || n !== gatewayNs));
    const dataAddress = (offset: number) => (privateCidr ? hostInCidr(secondPrivate ?? privateCidr, offset) : undefined);
    const external = (address: string | undefined): NpEndpoint[] => (address ? [{ ip: address }] : []);

    const declared = new Set(graph.ofType("kubernetes:core/v1:Namespace").map((n) => n.inputs.metadata.name as string));
    const addonPod = (namespace: string, labels: Record<string, string>, offset: number): NpEndpoint[] =>
        declared.has(namespace) ? [pod(namespace, labels, offset)] : [];
    const monitoring = declared.has(MONITORING_NAMESPACE);
    const policies = [
        ...graph.ofType(NETWORK_POLICY).map((r) => r.inputs),
        ...manifests.filter((m) => m.kind === "NetworkPolicy").map((m) => ({ ...m, metadata: { ...m.metadata, namespace: ns } })),
    ];
    return {
        policies,
        appPort: service.port,
        peers: {
            gateway: eks
                ? external(publicCidr && hostInCidr(publicCidr, 10))
                : [pod(gatewayNs, { "app.kubernetes.io/name": "gateway-proxy" }, 90)],
            internet: external(ADDRESSES.internet),
            app: inApp(podLabelsOf(manifests, "Deployment"), 100),
            "migrate-hook": inApp(podLabelsOf(manifests, "Job", "migrate"), 101),
            "seed-hook": inApp(podLabelsOf(manifests, "Job", "seed"), 102),
            "smoke-test": inApp(
                manifests.find((m) => m.kind === "Pod" && m.metadata.labels?.["app.kubernetes.io/component"] === "smoke")?.metadata.labels,
                103,
            ),
            dns: [pod("kube-system", { "k8s-app": "kube-dns" }, 110)],
            postgres:
                config.database.mode === "rds"
                    ? external(dataAddress(30))
                    : [statefulSetPod(graph, "postgres", ns, podAddress(privateCidr, 120))].filter((p): p is NpEndpoint => p !== undefined),
            redis:
                config.redis.mode === "elasticache"
                    ? external(dataAddress(50))
                    : [statefulSetPod(graph, "redis", ns, podAddress(privateCidr, 121))].filter((p): p is NpEndpoint => p !== undefined),
            "external-https": service.egress.some((e) => e.ports.includes(443)) ? external(ADDRESSES.publicHost) : [],
            "instance-metadata": external(ADDRESSES.instanceMetadata),
            "other-namespace": [pod("other", { app: "other" }, 130)],
            "add-on-namespaces": addonNamespaces.map((n, i) => ({ ...pod(n, { app: `${n}-workload` }, 140 + i), detail: n })),
            prometheus: config.monitoring.enabled ? [pod(MONITORING_NAMESPACE, PROMETHEUS_POD_LABELS, 160)] : [],
            "external-secrets": addonPod(ESO_NAMESPACE, ESO_CONTROLLER_POD_LABELS, 170),
            "external-secrets-webhook": addonPod(ESO_NAMESPACE, ESO_WEBHOOK_POD_LABELS, 171),
            "external-dns": addonPod(EXTERNAL_DNS_NAMESPACE, EXTERNAL_DNS_POD_LABELS, 172),
            // The operator, Alertmanager and Grafana run in the namespace the program declares (release mode only).
            "prometheus-operator": monitoring
                ? [pod(MONITORING_NAMESPACE, { "app.kubernetes.io/name": "kube-prometheus-stack-prometheus-operator" }, 173)]
                : [],
            alertmanager: monitoring ? [pod(MONITORING_NAMESPACE, ALERTMANAGER_POD_LABELS, 174)] : [],
            grafana: monitoring ? [pod(MONITORING_NAMESPACE, { "app.kubernetes.io/name": "grafana" }, 175)] : [],
            "eks-control-plane": eks ? external(privateCidr && hostInCidr(privateCidr, 6)) : [],
            node: eks ? external(privateCidr && hostInCidr(privateCidr, 20)) : [],
            "aws-api": eks ? external(ADDRESSES.awsApi) : [],
            "vpc-host": external(privateCidr ? hostInCidr(privateCidr, 99) : "10.0.0.99"),
            "public-host": external(ADDRESSES.publicHost),
        },
    };
}

/** Runs the stack under the harness and follows its traffic: hop list and both flow tables. */
export async function stackPaths(stack: string, options: RunOptions = {}): Promise<StackPaths> {
    const { graph, config } = await recordStack(stack, options);
    const service = entryService(config);
    const values = releaseValues(graph, service.name);
    const manifests = renderChart(values, service.name, config.namespace.name);
    const appPorts = [...new Set(config.services.filter((s) => s.expose && s.ingress).map((s) => s.port))];
    const securityGroups = config.cluster.mode === "eks" ? securityGroupTable(graph.resources, appPorts) : [];
    const networkPolicies = networkPolicyTable(networkPolicyModel(graph, config, manifests), cyclonusBinary(REPO_ROOT));
    const dataEnv = graph.outputs["dataEnv"] as Record<string, pulumi.Output<string>>;
    const databaseUrl = dataEnv["DATABASE_URL"] ? (await resolve(dataEnv["DATABASE_URL"])).value : undefined;
    const hops = hopList({ graph, config, service, manifests, databaseUrl, securityGroups, networkPolicies });
    return { stack, service: service.name, hops, securityGroups, networkPolicies, source: { graph, config, manifests } };
}
