/** Checks of the cluster suite that read the live cluster: hooks, rollouts, references, RBAC, volumes. */
import assert from "node:assert/strict";
import { parseAllDocuments } from "yaml";
import { FIELD_MANAGER, Kube, sleep } from "./kube";
import type { ServiceChartRelease } from "./objects";

export function weight(job: any): number {
    return Number(job.metadata.annotations?.["helm.sh/hook-weight"] ?? 0);
}

/** Hook Jobs Helm created for one revision (their names carry the revision), by creation time. */
export function hookJobs(kube: Kube, release: ServiceChartRelease, revision: number): any[] {
    return kube
        .items("jobs", release.namespace, `app.kubernetes.io/instance=${release.name}`)
        .filter((j) => j.metadata.annotations?.["helm.sh/hook"] && j.metadata.name.endsWith(`-${revision}`))
        .sort((a, b) => a.metadata.creationTimestamp.localeCompare(b.metadata.creationTimestamp) || weight(a) - weight(b));
}

/** The hooks of a revision as Helm recorded them (`helm get hooks`). */
export function renderedHooks(kube: Kube, release: ServiceChartRelease, revision: number): any[] {
    const text = kube.helm(["get", "hooks", release.name, "-n", release.namespace, `--revision=${revision}`]);
    return parseAllDocuments(text)
        .map((d) => d.toJS())
        .filter((d) => d?.kind === "Job");
}

/** Each hook started only after every lower-weight hook of the same event had finished. */
export function assertWeightOrder(jobs: any[]): void {
    for (const later of jobs) {
        for (const earlier of jobs.filter((j) => weight(j) < weight(later))) {
            assert.ok(
                later.metadata.creationTimestamp > earlier.metadata.creationTimestamp &&
                    later.metadata.creationTimestamp >= earlier.status.completionTime,
                `${later.metadata.name} (weight ${weight(later)}, created ${later.metadata.creationTimestamp}) after ` +
                    `${earlier.metadata.name} (weight ${weight(earlier)}, created ${earlier.metadata.creationTimestamp}, done ${earlier.status.completionTime})`,
            );
        }
    }
}

/** Waits until the Deployment has rolled out, and returns the pod-template-hash of its serving ReplicaSet. */
export async function waitForRollout(kube: Kube, release: ServiceChartRelease, what: string): Promise<string> {
    let hash = "";
    await waitUntil(`${release.name} ${what} rolled out`, 120_000, () => {
        const d = kube.json(["get", "deployment", release.name, "-n", release.namespace]);
        const done =
            d.status.observedGeneration >= d.metadata.generation &&
            d.status.updatedReplicas === d.spec.replicas &&
            d.status.readyReplicas === d.spec.replicas &&
            (d.status.replicas ?? 0) === d.spec.replicas;
        if (!done) return false;
        const sets = kube.items("replicasets", release.namespace, `app.kubernetes.io/instance=${release.name}`);
        const serving = sets.filter((rs) => (rs.status.readyReplicas ?? 0) > 0);
        if (serving.length !== 1) return false;
        hash = serving[0].metadata.labels["pod-template-hash"];
        return true;
    });
    return hash;
}

/** Samples the release's Ready app pods until stopped. */
export function watchServing(kube: Kube, release: ServiceChartRelease) {
    let minReady = Number.POSITIVE_INFINITY;
    let samples = 0;
    let running = true;
    const loop = (async () => {
        while (running) {
            const pods = kube.items("pods", release.namespace, `app.kubernetes.io/instance=${release.name},!app.kubernetes.io/component`);
            const ready = pods.filter(
                (p) => !p.metadata.deletionTimestamp && p.status.conditions?.some((c: any) => c.type === "Ready" && c.status === "True"),
            );
            minReady = Math.min(minReady, ready.length);
            samples++;
            await sleep(300);
        }
    })();
    return {
        stop: async () => {
            running = false;
            await loop;
            return { minReady, samples };
        },
    };
}

/** Secrets and ConfigMaps a pod spec reads (env, envFrom, volumes). */
export function podReferences(spec: any): { kind: "Secret" | "ConfigMap"; name: string }[] {
    const refs: { kind: "Secret" | "ConfigMap"; name: string }[] = [];
    for (const container of [...(spec.initContainers ?? []), ...spec.containers]) {
        for (const from of container.envFrom ?? []) {
            if (from.secretRef && !from.secretRef.optional) refs.push({ kind: "Secret", name: from.secretRef.name });
            if (from.configMapRef && !from.configMapRef.optional) refs.push({ kind: "ConfigMap", name: from.configMapRef.name });
        }
        for (const env of container.env ?? []) {
            const ref = env.valueFrom?.secretKeyRef ?? env.valueFrom?.configMapKeyRef;
            if (ref && !ref.optional) refs.push({ kind: env.valueFrom.secretKeyRef ? "Secret" : "ConfigMap", name: ref.name });
        }
    }
    for (const volume of spec.volumes ?? []) {
        if (volume.secret && !volume.secret.optional) refs.push({ kind: "Secret", name: volume.secret.secretName });
        if (volume.configMap && !volume.configMap.optional) refs.push({ kind: "ConfigMap", name: volume.configMap.name });
    }
    return refs;
}

/**
 * Binds each Pending PersistentVolumeClaim of a namespace to a new PersistentVolume of its size: what
 * the cluster's storage provisioner (EBS CSI) does, which cannot run here. kwok never mounts it.
 */
export function provisionVolumes(kube: Kube, namespace: string): void {
    const pending = kube.items("persistentvolumeclaims", namespace).filter((c) => c.status.phase === "Pending");
    if (pending.length === 0) return;
    kube.apply(
        pending.map((claim) => ({
            apiVersion: "v1",
            kind: "PersistentVolume",
            metadata: { name: `suite-${claim.metadata.uid}` },
            spec: {
                capacity: { storage: claim.spec.resources.requests.storage },
                accessModes: claim.spec.accessModes,
                storageClassName: claim.spec.storageClassName ?? "",
                persistentVolumeReclaimPolicy: "Retain",
                claimRef: { namespace, name: claim.metadata.name, uid: claim.metadata.uid },
                hostPath: { path: `/var/lib/cluster-suite/${claim.metadata.uid}` },
            },
        })),
        FIELD_MANAGER,
    );
}

/** What an identity with no RoleBinding may do: the yardstick for "only what it needs". */
let baselineCache: string[] | undefined;
export function baselinePermissions(kube: Kube): string[] {
    if (baselineCache) return baselineCache;
    const namespace = "cluster-suite-baseline";
    kube.apply(
        [
            { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } },
            { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "nobody", namespace } },
        ],
        FIELD_MANAGER,
    );
    baselineCache = permissions(kube, `system:serviceaccount:${namespace}:nobody`, namespace);
    return baselineCache;
}

export function permissions(kube: Kube, as: string, namespace: string): string[] {
    return kube
        .kubectl(["auth", "can-i", "--list", "-n", namespace, `--as=${as}`, "--no-headers"])
        .split("\n")
        .map((l) => l.trim().replace(/\s+/g, " "))
        .filter(Boolean)
        .sort();
}

export async function waitUntil(what: string, timeoutMs: number, check: () => boolean): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await sleep(500);
    }
}
