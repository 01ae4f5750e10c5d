/**
 * cluster-autoscaler must match the cluster's Kubernetes minor version. Latest patch release per minor,
 * as of 2026-07-17 (kubernetes/autoscaler releases, as collected in aws-ia/terraform-aws-eks-blueprints-addons#516);
 * the chart (9.59.0, app 1.35) runs any of these images. Add a row before moving the cluster to a new minor.
 */
export const CLUSTER_AUTOSCALER_IMAGES: Readonly<Record<string, string>> = {
    "1.33": "v1.33.5",
    "1.34": "v1.34.4",
    "1.35": "v1.35.1",
};
