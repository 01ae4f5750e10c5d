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
