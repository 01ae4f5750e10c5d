import { EKS_ADDON_BUILDS, EKS_VERSION_SUPPORT } from "../eks-versions";
import type { Issue, Parsed, Rule } from "./types";

/** The cluster's version must be in the dated support table with pinned add-on builds (the policy pack judges support dates). */
function eksVersionIssues({ cluster }: Parsed): Issue[] {
    if (cluster.mode !== "eks") return [];
    const version = cluster.kubernetesVersion;
    if (EKS_VERSION_SUPPORT[version] !== undefined && EKS_ADDON_BUILDS[version] !== undefined) return [];
    return [
        {
            path: ["cluster", "kubernetesVersion"],
            message: `expected a version with pinned EKS add-on builds (${Object.keys(EKS_ADDON_BUILDS).join(", ")}; config/data/eks-versions.json)`,
            input: version,
        },
    ];
}

export const SECURITY_RULES: Rule[] = [{ needs: ["cluster"], check: eksVersionIssues }];
