import * as crypto from "crypto";
import { CHART_PATH } from "../../components/service-release/service-release";
import type { Graph, RecordedResource } from "../harness/graph";
import type { Manifest } from "../harness/helm";

/** A Helm release of this repository's chart, with the values the program computed. */
export interface ServiceChartRelease {
    urn: string;
    name: string;
    namespace: string;
    values: Record<string, any>;
    /** Helm's timeout; render mode has none, so the suite uses the release default. */
    timeoutSeconds?: number;
}

/** A release of a chart from a third-party repository: the suite cannot download it. */
export interface ThirdPartyRelease {
    urn: string;
    chart: string;
    version?: string;
    repo?: string;
    namespace: string;
}

export interface StackObjects {
    /** Kubernetes objects the program registers directly (namespaces, policies, RBAC, secrets, CRs, ...). */
    manifests: Manifest[];
    charts: ServiceChartRelease[];
    thirdParty: ThirdPartyRelease[];
}

const REMOTE_YAML = "kubernetes:yaml/v2:ConfigFile";
const HELM_TYPES = new Set(["kubernetes:helm.sh/v3:Release", "kubernetes:helm.sh/v4:Chart"]);
/**
 * `kubernetes:<group>/<version>:<Kind>`: built-in kinds (kubernetes:core/v1:Namespace) and custom
 * resources alike (kubernetes:cert-manager.io/v1:ClusterIssuer).
 */
const TYPED_OBJECT = /^kubernetes:([a-z0-9.-]+)\/([a-z0-9]+):([A-Za-z]+)$/;
/** Modules of the Kubernetes provider that are not API groups (charts, manifests, kustomizations). */
const PULUMI_MODULES = new Set(["helm.sh", "yaml", "kustomize"]);
/** Pulumi fields of an object's inputs that are not part of the Kubernetes object. */
const PULUMI_ONLY_FIELDS = new Set(["__meta"]);

/** The name the Pulumi provider generates when metadata.name is unset: the resource name plus a suffix. */
export function autoName(resource: RecordedResource): string {
    return `${resource.name}-${crypto.createHash("sha256").update(resource.urn).digest("hex").slice(0, 8)}`;
}

function toManifest(resource: RecordedResource): Manifest {
    const inputs = resource.inputs;
    const manifest = Object.fromEntries(Object.entries(inputs).filter(([key]) => !PULUMI_ONLY_FIELDS.has(key))) as Manifest;
    if (typeof manifest.apiVersion !== "string" || typeof manifest.kind !== "string") {
        throw new Error(`${resource.urn}: inputs have no apiVersion/kind`);
    }
    manifest.metadata = { ...(manifest.metadata ?? {}) };
    manifest.metadata["name"] ??= autoName(resource);
    return manifest;
}

function isOurChart(resource: RecordedResource): boolean {
    return resource.inputs.chart === CHART_PATH && resource.inputs.repositoryOpts === undefined;
}

/**
 * Every Kubernetes object the recorded graph registers, split into objects to apply, releases of this
 * repository's chart to install, and third-party releases. Any other kubernetes:* type fails loudly,
 * so a new kind of resource cannot slip past the suite.
 */
export function stackObjects(graph: Graph): StackObjects {
    const result: StackObjects = { manifests: [], charts: [], thirdParty: [] };
    for (const resource of graph.resources) {
        if (!resource.type.startsWith("kubernetes:")) continue;
        const inputs = resource.inputs;
        // helm.sh/v4:Chart is a component (the provider registers what it renders), v3:Release a custom resource.
        if (HELM_TYPES.has(resource.type)) {
            const namespace = String(inputs.namespace ?? "default");
            if (isOurChart(resource)) {
                result.charts.push({
                    urn: resource.urn,
                    name: String(inputs.name ?? autoName(resource)),
                    namespace,
                    values: inputs.values ?? {},
                    timeoutSeconds: typeof inputs.timeout === "number" ? inputs.timeout : undefined,
                });
            } else {
                result.thirdParty.push({
                    urn: resource.urn,
                    chart: String(inputs.chart),
                    version: inputs.version,
                    repo: inputs.repositoryOpts?.repo,
                    namespace,
                });
            }
        } else if (resource.type === REMOTE_YAML) {
            // Remote YAML (CRDs from a release URL) is fetched at deploy time, like a third-party chart.
            result.thirdParty.push({ urn: resource.urn, chart: String(inputs.file), namespace: "" });
        } else if (resource.custom && TYPED_OBJECT.test(resource.type) && !PULUMI_MODULES.has(resource.type.split(/[:/]/)[1]!)) {
            result.manifests.push(toManifest(resource));
        } else {
            throw new Error(`${resource.urn}: the cluster suite does not know how to apply ${resource.type}`);
        }
    }
    return result;
}

/** API group of an apiVersion: "" for the core group. */
export function apiGroup(apiVersion: string): string {
    return apiVersion.includes("/") ? apiVersion.split("/")[0]! : "";
}

/** Namespaces first (everything else may live in them), then the rest in registration order. */
export function applyOrder(manifests: Manifest[]): Manifest[] {
    const rank = (m: Manifest) => (m.kind === "Namespace" ? 0 : m.kind === "CustomResourceDefinition" ? 1 : 2);
    return [...manifests].sort((a, b) => rank(a) - rank(b));
}

/** Namespaces that objects and releases live in but that no Namespace object of the graph creates. */
export function missingNamespaces(objects: StackObjects): string[] {
    const created = new Set(objects.manifests.filter((m) => m.kind === "Namespace").map((m) => m.metadata.name as string));
    const used = [
        ...objects.manifests.map((m) => m.metadata.namespace as string | undefined),
        ...objects.charts.map((c) => c.namespace),
        ...objects.thirdParty.map((r) => r.namespace),
    ];
    return [...new Set(used.filter((ns): ns is string => !!ns && !created.has(ns)))].sort();
}
