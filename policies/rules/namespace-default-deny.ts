import type { StackValidationPolicy } from "@pulumi/policy";
import { RELEASE_TYPES } from "../lib";

const WORKLOAD_TYPES = [...RELEASE_TYPES, "kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet"];
const namespaceOf = (props: Record<string, any>) => props["metadata"]?.namespace ?? props["namespace"];
const isDefaultDeny = (spec: Record<string, any> | undefined) =>
    spec !== undefined &&
    Object.keys(spec["podSelector"] ?? { x: 1 }).length === 0 &&
    ["Ingress", "Egress"].every((t) => (spec["policyTypes"] ?? []).includes(t)) &&
    (spec["ingress"] ?? []).length === 0 &&
    (spec["egress"] ?? []).length === 0;

const policy: StackValidationPolicy = {
    name: "namespace-default-deny",
    description: "Every namespace that runs workloads has a default-deny ingress and egress NetworkPolicy.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            exemptNamespaces: {
                type: "array",
                items: { type: "string" },
                default: ["kube-system"],
                description:
                    "Namespaces the program does not own (kube-system is EKS's); every add-on namespace it declares has the baseline.",
            },
        },
    },
    validateStack: (args, report) => {
        const { exemptNamespaces } = args.getConfig<{ exemptNamespaces: string[] }>();
        const denied = new Set(
            args.resources
                .filter((r) => r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy" && isDefaultDeny(r.props["spec"]))
                .map((r) => namespaceOf(r.props)),
        );
        const workloads = args.resources.filter((r) => WORKLOAD_TYPES.includes(r.type));
        const namespaces = new Set(workloads.map((r) => namespaceOf(r.props)).filter((ns) => ns && !exemptNamespaces.includes(ns)));
        for (const namespace of namespaces) {
            if (!denied.has(namespace)) report(`Namespace "${namespace}" runs workloads but has no default-deny NetworkPolicy.`);
        }
    },
};
export default policy;
