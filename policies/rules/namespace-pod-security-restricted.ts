import { resourcePolicy, RELEASE_TYPES } from "../lib";

const STRICTNESS = ["privileged", "baseline", "restricted"];

interface Config {
    exceptions: Record<string, string>;
}

/** CIS EKS 4.2 (Pod Security): every namespace the program creates labels its level; Helm creates none (it would label nothing). */
export default resourcePolicy<Config>({
    name: "namespace-pod-security-restricted",
    description:
        "CIS EKS 4.2.x: namespaces enforce, audit and warn at Pod Security level restricted (or the level an add-on's config exception names); Helm releases do not create namespaces.",
    enforcementLevel: "mandatory",
    config: {
        exceptions: {
            type: "object",
            additionalProperties: { type: "string", enum: ["baseline", "privileged"] },
            default: { "monitoring-node-exporter": "privileged", "ingress-nginx": "baseline" },
            description:
                "Namespace -> the weaker level its add-on needs (node-exporter: host network, PID and paths; the retired ingress-nginx).",
        },
    },
    types: ["kubernetes:core/v1:Namespace", ...RELEASE_TYPES],
    validate: (props, { config, report }) => {
        if (props["metadata"] === undefined) {
            if (props["createNamespace"] === true)
                report(
                    `Helm release ${props["name"]} creates namespace ${props["namespace"]}: it would have no Pod Security labels nor NetworkPolicies.`,
                );
            return;
        }
        const level = config.exceptions[props["metadata"].name] ?? "restricted";
        const labels: Record<string, string> = props["metadata"]?.labels ?? {};
        const weak = ["enforce", "audit", "warn"].filter(
            (mode) => STRICTNESS.indexOf(labels[`pod-security.kubernetes.io/${mode}`] ?? "") < STRICTNESS.indexOf(level),
        );
        const atLeast = level === "restricted" ? "" : " or stricter";
        if (weak.length > 0)
            report(`Pod Security must be "${level}"${atLeast} for ${weak.join(", ")} (label pod-security.kubernetes.io/<mode>).`);
    },
});
