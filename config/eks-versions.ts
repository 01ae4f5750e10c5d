import table from "./data/eks-versions.json";

/** The EKS add-ons the program installs, in the order they are upgraded after the control plane. */
export const EKS_ADDONS = ["vpc-cni", "kube-proxy", "coredns", "aws-ebs-csi-driver", "amazon-cloudwatch-observability"] as const;
export type EksAddon = (typeof EKS_ADDONS)[number];

export interface EksVersionSupport {
    released: string;
    standardSupportEnd: string;
    extendedSupportEnd: string;
}

/** Support dates per Kubernetes minor (dated table: config/data/eks-versions.json names its source). */
export const EKS_VERSION_SUPPORT: Record<string, EksVersionSupport> = table.versions;
/** Pinned add-on builds per Kubernetes minor. */
export const EKS_ADDON_BUILDS: Record<string, Record<EksAddon, string>> = table.addons;
export const EKS_SUPPORT_TABLE_DATE = table.retrieved;
export const DEFAULT_KUBERNETES_VERSION = "1.35";

export type SupportStatus = "standard" | "extended" | "unsupported" | "unknown";

/** Where a version stands on a day: standard support up to and including its end date, then extended. */
export function supportStatus(version: string, at: Date): SupportStatus {
    const support = EKS_VERSION_SUPPORT[version];
    if (!support) return "unknown";
    const day = at.toISOString().slice(0, 10);
    if (day <= support.standardSupportEnd) return "standard";
    if (day <= support.extendedSupportEnd) return "extended";
    return "unsupported";
}
