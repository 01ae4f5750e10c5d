import { resourcePolicy } from "../lib";

export default resourcePolicy({
    name: "eks-secrets-encryption",
    description: "EKS envelope-encrypts Kubernetes Secrets with a KMS key.",
    enforcementLevel: "mandatory",
    types: ["aws:eks/cluster:Cluster"],
    validate: (props, { name, report }) => {
        const config = props["encryptionConfig"];
        if (!config?.provider?.keyArn || !(config.resources ?? []).includes("secrets")) {
            report(`EKS cluster ${name} does not encrypt Secrets with a KMS key.`);
        }
    },
});
