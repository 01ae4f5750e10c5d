import { resourcePolicy } from "../lib";

export default resourcePolicy({
    name: "namespace-pod-security-restricted",
    description: "Namespaces enforce, audit and warn at Pod Security level restricted.",
    enforcementLevel: "mandatory",
    types: ["kubernetes:core/v1:Namespace"],
    validate: (props, { report }) => {
        const labels: Record<string, string> = props["metadata"]?.labels ?? {};
        const weak = ["enforce", "audit", "warn"].filter((mode) => labels[`pod-security.kubernetes.io/${mode}`] !== "restricted");
        if (weak.length > 0) report(`Pod Security must be "restricted" for ${weak.join(", ")} (label pod-security.kubernetes.io/<mode>).`);
    },
});
