import { EKS_SUPPORT_TABLE_DATE, EKS_VERSION_SUPPORT, supportStatus } from "../../config/eks-versions";
import { resourcePolicy } from "../lib";

export default resourcePolicy<{ at: string; minimumDaysLeft: number }>({
    name: "eks-version-supported",
    description: `FSBP EKS.2 / CIS EKS 5.x: the cluster's Kubernetes version is in EKS standard support (dated table of ${EKS_SUPPORT_TABLE_DATE}, config/data/eks-versions.json), not on paid extended support.`,
    enforcementLevel: "mandatory",
    config: {
        at: { type: "string", default: "", description: "The day to judge (YYYY-MM-DD). Defaults to today." },
        minimumDaysLeft: {
            type: "integer",
            default: 0,
            minimum: 0,
            description: "Standard support must last at least this many more days.",
        },
    },
    types: ["aws:eks/cluster:Cluster"],
    validate: (props, { name, config, report }) => {
        const version = String(props["version"] ?? "");
        const day = config.at ? new Date(`${config.at}T00:00:00Z`) : new Date();
        const judged = new Date(day.getTime() + config.minimumDaysLeft * 86_400_000);
        const status = supportStatus(version, judged);
        if (status === "standard") return;
        const end = EKS_VERSION_SUPPORT[version]?.standardSupportEnd;
        report(
            status === "unknown"
                ? `EKS cluster ${name} runs Kubernetes ${version || "(unset)"}, which the support table does not list.`
                : `EKS cluster ${name} runs Kubernetes ${version}, out of standard support since ${end} (${status}).`,
        );
    },
});
