import { resourcePolicy } from "../lib";

export default resourcePolicy({
    name: "eks-endpoint-restricted",
    description: "The EKS API endpoint is private, or public only to listed CIDRs (never 0.0.0.0/0).",
    enforcementLevel: "mandatory",
    types: ["aws:eks/cluster:Cluster"],
    validate: (props, { name, report }) => {
        const vpc = props["vpcConfig"] ?? {};
        if (vpc.endpointPublicAccess === false) return;
        const cidrs: string[] = vpc.publicAccessCidrs ?? [];
        if (cidrs.length === 0 || cidrs.includes("0.0.0.0/0"))
            report(`EKS cluster ${name} exposes its API endpoint to the whole internet.`);
    },
});
