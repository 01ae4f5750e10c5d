import type * as k8s from "@pulumi/kubernetes";

/** Pod-level settings that pass Pod Security `restricted`. */
export function restrictedPodSecurity(uid: number): k8s.types.input.core.v1.PodSecurityContext {
    return { runAsNonRoot: true, runAsUser: uid, runAsGroup: uid, fsGroup: uid, seccompProfile: { type: "RuntimeDefault" } };
}

/** Container-level settings that pass Pod Security `restricted`, with a read-only root filesystem. */
export function restrictedContainerSecurity(): k8s.types.input.core.v1.SecurityContext {
    return {
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        capabilities: { drop: ["ALL"] },
        seccompProfile: { type: "RuntimeDefault" },
    };
}

/** Pods carrying this label may reach the data services; the app chart puts it on the app's pods. */
export const DATA_CLIENT_LABEL = { "platform.supernova.dev/data-client": "true" };

/** Local storage of the data layer's containers (logs, writable layers, scratch), so none can fill a node's disk. */
export const DATA_EPHEMERAL_STORAGE = { request: "64Mi", limit: "1Gi" } as const;
/** sizeLimit of every scratch emptyDir of the data layer (sockets, pid files, psql's temp files). */
export const SCRATCH_SIZE_LIMIT = "256Mi";

/** CPU/memory plus ephemeral-storage requests and limits. */
export function withEphemeralStorage(
    resources: { requests: Record<string, string>; limits: Record<string, string> },
    storage: { request: string; limit: string } = DATA_EPHEMERAL_STORAGE,
) {
    return {
        requests: { ...resources.requests, "ephemeral-storage": storage.request },
        limits: { ...resources.limits, "ephemeral-storage": storage.limit },
    };
}

/** A scratch emptyDir bounded by SCRATCH_SIZE_LIMIT. */
export const scratchVolume = (name: string) => ({ name, emptyDir: { sizeLimit: SCRATCH_SIZE_LIMIT } });
