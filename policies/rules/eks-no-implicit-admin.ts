import { resourcePolicy } from "../lib";

export default resourcePolicy({
    name: "eks-no-implicit-admin",
    description:
        "CIS EKS 5.5.1: access is by EKS access entries only (authenticationMode API) and the creator gets no implicit cluster-admin.",
    enforcementLevel: "mandatory",
    types: ["aws:eks/cluster:Cluster"],
    validate: (props, { name, report }) => {
        const access = props["accessConfig"] ?? {};
        if (access.authenticationMode !== "API")
            report(`EKS cluster ${name} authenticates with ${access.authenticationMode ?? "CONFIG_MAP"}, not access entries only.`);
        if (access.bootstrapClusterCreatorAdminPermissions !== false)
            report(`EKS cluster ${name} gives its creator implicit cluster-admin.`);
    },
});
