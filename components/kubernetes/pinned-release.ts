import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";

export interface PinnedChart {
    chart: string;
    /** Exact chart version X.Y.Z: upgrades happen by changing config, never by surprise. */
    version: string;
    repo: string;
    /** Created by the release. */
    namespace: string;
    values?: pulumi.Inputs;
}

/** A third-party chart from its repository, pinned, in its own namespace, rolled back if it fails. */
export function pinnedRelease(name: string, chart: PinnedChart, opts: pulumi.CustomResourceOptions): k8s.helm.v3.Release {
    return new k8s.helm.v3.Release(
        name,
        {
            name: chart.chart,
            chart: chart.chart,
            version: chart.version,
            repositoryOpts: { repo: chart.repo },
            namespace: chart.namespace,
            createNamespace: true,
            atomic: true,
            values: chart.values,
        },
        opts,
    );
}
