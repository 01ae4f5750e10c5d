import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";

export interface PinnedChart {
    chart: string;
    /** Exact chart version X.Y.Z: upgrades happen by changing config, never by surprise. */
    version: string;
    repo: string;
    /**
     * Must exist: kube-system, or a namespace the program declares (addon-namespace.ts) with its Pod Security
     * level and NetworkPolicies, which the release depends on. Helm never creates it: it would carry neither.
     */
    namespace: string;
    values?: pulumi.Inputs;
    /** Helm's per-operation timeout. Defaults to ADDON_TIMEOUT_SECONDS. */
    timeoutSeconds?: number;
}

/**
 * Add-ons are installed after the nodes, CNI and CoreDNS are up (the Kubernetes provider waits for them),
 * so this covers image pulls and a second replica's scheduling, not a node join.
 */
export const ADDON_TIMEOUT_SECONDS = 600;

/** A third-party chart from its repository, pinned, in a namespace that exists, rolled back if it fails. */
export function pinnedRelease(name: string, chart: PinnedChart, opts: pulumi.CustomResourceOptions): k8s.helm.v3.Release {
    return new k8s.helm.v3.Release(
        name,
        {
            name: chart.chart,
            chart: chart.chart,
            version: chart.version,
            repositoryOpts: { repo: chart.repo },
            namespace: chart.namespace,
            createNamespace: false,
            atomic: true,
            timeout: chart.timeoutSeconds ?? ADDON_TIMEOUT_SECONDS,
            values: chart.values,
        },
        opts,
    );
}
