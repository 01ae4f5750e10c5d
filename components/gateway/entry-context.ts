import type { StackConfig } from "../../config/load";
import type { EntryContext } from "../service-release/values";
import { LISTENERS } from "./contract";

const namespacePeer = (name: string) => ({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": name } } });

/**
 * How requests reach a service in this stack. On EKS the ALB sends them straight to the pods (target
 * type ip) from its addresses in the public subnets; elsewhere an in-cluster Gateway's proxy pods do.
 */
export function entryContext(config: Pick<StackConfig, "cluster" | "entryPoint">, publicSubnetCidrs: string[] = []): EntryContext {
    const { gateway } = config.entryPoint;
    const eks = config.cluster.mode === "eks";
    const legacy = config.cluster.ingressNginx.enabled;
    const sources: Record<string, unknown>[] = eks
        ? publicSubnetCidrs.map((cidr) => ({ ipBlock: { cidr } }))
        : [namespacePeer(gateway.proxyNamespace ?? gateway.namespace)];
    if (legacy) sources.push(namespacePeer("ingress-nginx"));
    return {
        gateway: { name: gateway.name, namespace: gateway.namespace, sectionName: LISTENERS.https },
        sources,
        targetGroupConfiguration: eks,
        legacyIngressNginx: legacy,
    };
}
