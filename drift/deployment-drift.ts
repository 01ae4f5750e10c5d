/**
 * Drift from emergency changes (issue 25 item 9, docs/runbooks/emergency-change.md). Helm's three-way
 * merge keeps what `kubectl set env` (seed 001's auth bypass) or `kubectl set image` wrote into a live
 * Deployment when the chart did not change that field, so the change survives every later deploy.
 * This compares each live Deployment's pod template with the manifest Helm last applied
 * (`helm get manifest`) and returns what differs, and the JSON patch that puts the chart's back.
 */

export type KubeObject = {
    apiVersion?: string;
    kind: string;
    metadata: { name: string; annotations?: Record<string, string> };
    spec?: any;
};
interface EnvVar {
    name: string;
    value?: string;
    valueFrom?: unknown;
}
interface Container {
    name: string;
    image?: string;
    env?: EnvVar[];
    envFrom?: unknown[];
    command?: string[];
    args?: string[];
    resources?: unknown;
}

export interface DriftItem {
    deployment: string;
    container: string;
    /** e.g. `env.DEV_AUTH_OPEN`, `image`, `annotation.<key>`. */
    field: string;
    /** What Helm applied; undefined when the chart does not set the field at all. */
    applied: unknown;
    live: unknown;
}

/** Annotations the cluster's own tools write on a pod template without changing what runs. */
const TOOL_ANNOTATIONS = new Set(["kubectl.kubernetes.io/restartedAt"]);
const COMPARED_FIELDS = ["image", "envFrom", "command", "args", "resources"] as const;

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
const deployments = (objects: KubeObject[]) => new Map(objects.filter((o) => o.kind === "Deployment").map((o) => [o.metadata.name, o]));
const containers = (d: KubeObject): Container[] => d.spec?.template?.spec?.containers ?? [];

function envDrift(deployment: string, applied: Container, live: Container): DriftItem[] {
    const wanted = new Map((applied.env ?? []).map((e) => [e.name, e]));
    const found = new Map((live.env ?? []).map((e) => [e.name, e]));
    const names = [...new Set([...wanted.keys(), ...found.keys()])].sort();
    return names.flatMap((name) => {
        const a = wanted.get(name);
        const l = found.get(name);
        const value = (e?: EnvVar) => (e === undefined ? undefined : (e.value ?? e.valueFrom ?? ""));
        return same(value(a), value(l))
            ? []
            : [{ deployment, container: live.name, field: `env.${name}`, applied: value(a), live: value(l) }];
    });
}

/** Every field of the live Deployments' pod templates that differs from what Helm applied. */
export function deploymentDrift(applied: KubeObject[], live: KubeObject[]): DriftItem[] {
    const chart = deployments(applied);
    return [...deployments(live)].flatMap(([name, liveDeployment]) => {
        const appliedDeployment = chart.get(name);
        if (appliedDeployment === undefined) return [];
        const appliedContainers = new Map(containers(appliedDeployment).map((c) => [c.name, c]));
        const items = containers(liveDeployment).flatMap((container) => {
            const a = appliedContainers.get(container.name);
            if (a === undefined)
                return [{ deployment: name, container: container.name, field: "container", applied: undefined, live: container.image }];
            const fields = COMPARED_FIELDS.filter((f) => !same(a[f], container[f])).map((f) => ({
                deployment: name,
                container: container.name,
                field: f,
                applied: a[f],
                live: container[f],
            }));
            return [...envDrift(name, a, container), ...fields];
        });
        const wantedAnnotations: Record<string, string> = appliedDeployment.spec?.template?.metadata?.annotations ?? {};
        const liveAnnotations: Record<string, string> = liveDeployment.spec?.template?.metadata?.annotations ?? {};
        const annotations = Object.keys({ ...wantedAnnotations, ...liveAnnotations })
            .filter((key) => !TOOL_ANNOTATIONS.has(key) && wantedAnnotations[key] !== liveAnnotations[key])
            .sort()
            .map((key) => ({
                deployment: name,
                container: "",
                field: `annotation.${key}`,
                applied: wantedAnnotations[key],
                live: liveAnnotations[key],
            }));
        return [...items, ...annotations];
    });
}

export type JsonPatchOp = { op: "replace" | "add" | "remove"; path: string; value?: unknown };

/**
 * The JSON patch (`kubectl patch --type=json`) that puts the chart's pod template fields back on a
 * live Deployment: each drifted container's env and fields replaced by what Helm applied.
 */
export function resetPatch(applied: KubeObject, live: KubeObject): JsonPatchOp[] {
    const wanted = new Map(containers(applied).map((c) => [c.name, c]));
    return containers(live).flatMap((container, i) => {
        const a = wanted.get(container.name);
        if (a === undefined) return [];
        const at = `/spec/template/spec/containers/${i}`;
        return (["env", ...COMPARED_FIELDS] as const).flatMap((field): JsonPatchOp[] => {
            if (same(a[field], container[field])) return [];
            if (a[field] === undefined) return [{ op: "remove", path: `${at}/${field}` }];
            return [{ op: container[field] === undefined ? "add" : "replace", path: `${at}/${field}`, value: a[field] }];
        });
    });
}

/** One line per drifted field, for the deploy log and the job summary. */
export function driftReport(items: DriftItem[]): string {
    if (items.length === 0) return "no drift: the live Deployments match what Helm applied";
    const show = (v: unknown) => (v === undefined ? "(not set by the chart)" : JSON.stringify(v));
    return [
        `${items.length} field(s) changed outside the deploy (emergency changes? docs/runbooks/emergency-change.md):`,
        ...items.map(
            (i) =>
                `  deployment/${i.deployment} ${i.container ? `container ${i.container} ` : ""}${i.field}: live ${show(i.live)}, chart ${show(i.applied)}`,
        ),
    ].join("\n");
}
