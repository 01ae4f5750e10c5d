import type { StackValidationPolicy } from "@pulumi/policy";
import { EKS_ADDON_BUILDS } from "../../config/eks-versions";

const policy: StackValidationPolicy = {
    name: "eks-addon-version-pinned",
    description:
        "CIS EKS 5.x / EKS best practices: every EKS add-on pins addonVersion to the build tested with the cluster's version (config/data/eks-versions.json), so it never drifts.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const clusters = args.resources.filter((r) => r.type === "aws:eks/cluster:Cluster");
        const version = clusters.length === 1 ? String(clusters[0]!.props["version"] ?? "") : undefined;
        for (const addon of args.resources.filter((r) => r.type === "aws:eks/addon:Addon")) {
            const addonName = String(addon.props["addonName"] ?? "");
            const pinned = addon.props["addonVersion"];
            const expected = version ? (EKS_ADDON_BUILDS[version] as Record<string, string> | undefined)?.[addonName] : undefined;
            if (!pinned) report(`EKS add-on ${addonName} has no addonVersion: it follows whatever EKS defaults to.`);
            else if (expected && pinned !== expected)
                report(`EKS add-on ${addonName} is pinned to ${pinned}; Kubernetes ${version} is tested with ${expected}.`);
        }
    },
};
export default policy;
