import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ARGO_ROLLOUTS_CHART_VERSION } from "../../config/delivery-strategy";
import { pinnedRelease } from "../kubernetes/pinned-release";

export const ARGO_ROLLOUTS_NAMESPACE = "argo-rollouts";
export const ARGO_ROLLOUTS_REPO = "https://argoproj.github.io/argo-helm";

export interface ArgoRolloutsArgs {
    /** Exact chart version. Defaults to ARGO_ROLLOUTS_CHART_VERSION. */
    chartVersion?: string;
    provider: k8s.Provider;
}

/** The chart's values: its CRDs kept on uninstall (Rollouts survive a reinstall), no dashboard exposed. */
export function argoRolloutsValues() {
    return {
        installCRDs: true,
        keepCRDs: true,
        controller: { replicas: 2 },
        dashboard: { enabled: false },
    };
}

/** The Argo Rollouts controller (blueGreen / canary strategies), pinned, in its own namespace. */
export class ArgoRollouts extends pulumi.ComponentResource {
    constructor(name: string, args: ArgoRolloutsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:delivery:ArgoRollouts", name, {}, opts);
        pinnedRelease(
            `${name}-release`,
            {
                chart: "argo-rollouts",
                version: args.chartVersion ?? ARGO_ROLLOUTS_CHART_VERSION,
                repo: ARGO_ROLLOUTS_REPO,
                namespace: ARGO_ROLLOUTS_NAMESPACE,
                values: argoRolloutsValues(),
            },
            { parent: this, provider: args.provider },
        );
        this.registerOutputs({});
    }
}
