import type * as k8s from "@pulumi/kubernetes";
import type { EgressRule } from "../data/egress";
import { cidrContains, NON_PUBLIC_CIDRS } from "../network/cidr";
import { dnsEgressSpec } from "../namespace";
import type { ServiceConfig } from "./values";

/** The chart's selector labels (api-service.selectorLabels): the app's pods and its hook Jobs' pods carry them. */
export function chartSelectorLabels(release: string): Record<string, string> {
    return { "app.kubernetes.io/name": release, "app.kubernetes.io/instance": release };
}

/** An external block, minus every non-public range inside it (the VPC, pods, instance metadata). */
export function externalBlock(cidr: string): { ipBlock: { cidr: string; except?: string[] } } {
    const except = NON_PUBLIC_CIDRS.filter((range) => range !== cidr && cidrContains(cidr, range));
    return { ipBlock: except.length > 0 ? { cidr, except } : { cidr } };
}

/**
 * Everything a service's pods (app and hooks) may open: DNS, its data services, and the external
 * destinations its config lists. The namespace denies the rest, the instance metadata endpoint included.
 * Created by the program before the release, so a pre-install hook can already reach the database.
 */
export function appEgressSpec(service: ServiceConfig, data: EgressRule[]): k8s.types.input.networking.v1.NetworkPolicySpec {
    const dns = dnsEgressSpec().egress as k8s.types.input.networking.v1.NetworkPolicyEgressRule[];
    return {
        podSelector: { matchLabels: chartSelectorLabels(service.name) },
        policyTypes: ["Egress"],
        egress: [
            ...dns,
            ...data,
            ...service.egress.map((destination) => ({
                to: destination.cidrs.map(externalBlock),
                ports: destination.ports.map((port) => ({ protocol: "TCP", port })),
            })),
        ],
    };
}
