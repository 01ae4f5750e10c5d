import { resourcePolicy } from "../lib";

const ALL = ["api", "audit", "authenticator", "controllerManager", "scheduler"];

export default resourcePolicy({
    name: "eks-control-plane-logs",
    description: "EKS ships every control-plane log type to CloudWatch.",
    enforcementLevel: "mandatory",
    types: ["aws:eks/cluster:Cluster"],
    validate: (props, { name, report }) => {
        const missing = ALL.filter((type) => !(props["enabledClusterLogTypes"] ?? []).includes(type));
        if (missing.length > 0) report(`EKS cluster ${name} does not log ${missing.join(", ")}.`);
    },
});
