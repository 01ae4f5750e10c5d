/**
 * The pod security settings of each add-on chart's pods at the versions the program pins, written out
 * from each chart's default values and templates (no chart repository is reachable here, so the suite
 * cannot render them): the cluster suite creates one such pod per add-on namespace with a server-side
 * dry run, so the real PodSecurity admission judges the level the program gives the namespace.
 */
const RESTRICTED_CONTAINER = {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
};

export interface AddonPodProfile {
    /** Which chart pods this stands for, and where their settings come from. */
    source: string;
    spec: Record<string, unknown>;
}

const container = (securityContext: Record<string, unknown>) => [{ name: "main", image: "registry.invalid/addon:1", securityContext }];

/** external-secrets, external-dns, kube-prometheus-stack (operator, Prometheus, Alertmanager, Grafana, kube-state-metrics), cert-manager. */
const NON_ROOT: AddonPodProfile = {
    source: "chart defaults: securityContext runAsNonRoot/runAsUser, seccompProfile RuntimeDefault; containers drop ALL, no privilege escalation",
    spec: {
        securityContext: { runAsNonRoot: true, runAsUser: 65534, seccompProfile: { type: "RuntimeDefault" } },
        containers: container(RESTRICTED_CONTAINER),
    },
};

/** prometheus-node-exporter (kube-prometheus-stack's subchart): host network, PID and filesystem. */
export const NODE_EXPORTER: AddonPodProfile = {
    source: "prometheus-node-exporter defaults: hostNetwork, hostPID, hostPath /proc, /sys and / read-only, runAsUser 65534",
    spec: {
        hostNetwork: true,
        hostPID: true,
        securityContext: { runAsNonRoot: true, runAsUser: 65534 },
        containers: [
            {
                name: "node-exporter",
                image: "registry.invalid/node-exporter:1",
                securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false },
                volumeMounts: ["proc", "sys", "root"].map((name) => ({ name, mountPath: `/host/${name}`, readOnly: true })),
            },
        ],
        volumes: [
            { name: "proc", hostPath: { path: "/proc" } },
            { name: "sys", hostPath: { path: "/sys" } },
            { name: "root", hostPath: { path: "/" } },
        ],
    },
};

/** ingress-nginx's controller (4.13): binds 80/443 as user 101 with NET_BIND_SERVICE, writable root filesystem. */
const INGRESS_NGINX: AddonPodProfile = {
    source: "ingress-nginx 4.13 controller: runAsUser 101, capabilities drop ALL add NET_BIND_SERVICE, allowPrivilegeEscalation true",
    spec: {
        containers: container({
            runAsNonRoot: true,
            runAsUser: 101,
            allowPrivilegeEscalation: true,
            capabilities: { drop: ["ALL"], add: ["NET_BIND_SERVICE"] },
            seccompProfile: { type: "RuntimeDefault" },
        }),
    },
};

/** Namespace -> the profile of the pods its add-on runs; the app namespaces run the app chart (restricted by its own suite). */
export const ADDON_POD_PROFILES: Record<string, AddonPodProfile> = {
    "external-secrets": NON_ROOT,
    "external-dns": NON_ROOT,
    monitoring: NON_ROOT,
    "cert-manager": NON_ROOT,
    "monitoring-node-exporter": NODE_EXPORTER,
    "ingress-nginx": INGRESS_NGINX,
};
