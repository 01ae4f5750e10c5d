import { FLOW_ROLE_TAG } from "../components/gateway/contract";
import { hostInCidr } from "../components/network/cidr";
import { FORBIDDEN_SG_FLOWS, REQUIRED_SG_FLOWS, SgFlow, SgPeer } from "./flows";
import { eksClusterGroupRules, Endpoint, evaluateFlow, GraphResource, rulesFromGraph, SECURITY_GROUP, SgRule } from "./security-groups";

/** An address on the internet (TEST-NET-3, never routed): the "internet" peer. */
export const INTERNET_ADDRESS = "203.0.113.10";

/** Under the harness's mocks a resource's id is `<name>-id`; the tests and `npm run paths` run there. */
export const mockId = (r: GraphResource) => `${r.name}-id`;

export interface SgRow {
    flow: string;
    port: number;
    expected: "allow" | "deny";
    allowed: boolean;
    ok: boolean;
    reason: string;
}

const byType = (resources: readonly GraphResource[], type: string) => resources.filter((r) => r.type === type);

function subnetCidrs(resources: readonly GraphResource[], kind: "private" | "public"): string[] {
    return byType(resources, "aws:ec2/subnet:Subnet")
        .filter((s) => s.name.includes(`-${kind}-`))
        .map((s) => s.inputs["cidrBlock"] as string);
}

/**
 * Finds each peer by the resource that puts it on the network, with the groups that resource attaches:
 * nodes by their launch template, the ALB by its LoadBalancerConfiguration, data services by themselves.
 * Peers the stack does not have are left out.
 */
export function endpointsFromGraph(resources: readonly GraphResource[], groupId = mockId): Map<SgPeer, Endpoint> {
    const found = new Map<SgPeer, Endpoint>();
    const [privateCidr] = subnetCidrs(resources, "private");
    const [publicCidr] = subnetCidrs(resources, "public");
    const add = (peer: SgPeer, groups: string[] | undefined, address: string | undefined) => {
        if (groups && groups.length > 0 && address) found.set(peer, { name: peer, groups, address });
    };
    const template = byType(resources, "aws:ec2/launchTemplate:LaunchTemplate")[0];
    const nodeGroups: string[] | undefined = template?.inputs["vpcSecurityGroupIds"];
    const programGroups = new Set(byType(resources, SECURITY_GROUP).map(groupId));
    const clusterGroups = (nodeGroups ?? []).filter((g) => !programGroups.has(g));
    if (privateCidr) {
        add("nodes", nodeGroups, hostInCidr(privateCidr, 10));
        add("eks-control-plane", clusterGroups, hostInCidr(privateCidr, 20));
        add("postgres", byType(resources, "aws:rds/instance:Instance")[0]?.inputs["vpcSecurityGroupIds"], hostInCidr(privateCidr, 30));
        add("postgres-proxy", byType(resources, "aws:rds/proxy:Proxy")[0]?.inputs["vpcSecurityGroupIds"], hostInCidr(privateCidr, 40));
        add(
            "redis",
            byType(resources, "aws:elasticache/replicationGroup:ReplicationGroup")[0]?.inputs["securityGroupIds"],
            hostInCidr(privateCidr, 50),
        );
    }
    const lbConfig = resources.find((r) => r.inputs["kind"] === "LoadBalancerConfiguration");
    if (publicCidr) add("load-balancer", lbConfig?.inputs["spec"]?.securityGroups, hostInCidr(publicCidr, 10));
    // Groups other components tag with their role (e.g. the delivery runners: ci-runner).
    for (const group of byType(resources, SECURITY_GROUP)) {
        const role = group.inputs["tags"]?.[FLOW_ROLE_TAG] as SgPeer | undefined;
        if (role && !found.has(role) && privateCidr) add(role, [groupId(group)], hostInCidr(privateCidr, 60));
    }
    found.set("internet", { name: "internet", groups: [], address: INTERNET_ADDRESS });
    return found;
}

/** All rules of the stack, with AWS's defaults for the EKS-managed cluster group. */
export function stackRules(resources: readonly GraphResource[], endpoints: Map<SgPeer, Endpoint>, groupId = mockId): SgRule[] {
    const clusterGroups = endpoints.get("eks-control-plane")?.groups ?? [];
    return [...rulesFromGraph(resources, groupId), ...clusterGroups.flatMap(eksClusterGroupRules)];
}

const applies = (flow: SgFlow, present: Set<SgPeer>) =>
    present.has(flow.from) &&
    present.has(flow.to) &&
    (flow.whenPresent ?? []).every((p) => present.has(p)) &&
    !(flow.unlessPresent ?? []).some((p) => present.has(p));

/** Both flow tables evaluated over a stack's graph: one row per flow and port that applies to the stack. */
export function securityGroupTable(resources: readonly GraphResource[], appPorts: number[]): SgRow[] {
    const endpoints = endpointsFromGraph(resources);
    const rules = stackRules(resources, endpoints);
    const present = new Set(endpoints.keys());
    const rows: SgRow[] = [];
    for (const [flows, expected] of [
        [REQUIRED_SG_FLOWS, "allow"],
        [FORBIDDEN_SG_FLOWS, "deny"],
    ] as const) {
        for (const flow of flows.filter((f) => applies(f, present))) {
            for (const port of flow.port === "app" ? appPorts : [flow.port]) {
                const verdict = evaluateFlow(rules, endpoints.get(flow.from)!, endpoints.get(flow.to)!, port);
                rows.push({
                    flow: `${flow.from} -> ${flow.to}`,
                    port,
                    expected,
                    allowed: verdict.allowed,
                    ok: verdict.allowed === (expected === "allow"),
                    reason: verdict.reason,
                });
            }
        }
    }
    return rows;
}
