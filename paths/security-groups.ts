import { cidrContainsIp } from "../components/network/cidr";

/** One rule of one security group, whatever resource declared it (inline, or a separate rule resource). */
export interface SgRule {
    direction: "ingress" | "egress";
    /** The group the rule belongs to. */
    group: string;
    /** `tcp`, `udp`, `icmp` or `all`. */
    protocol: string;
    fromPort: number;
    toPort: number;
    cidrs: string[];
    /** Groups referenced as the peer. */
    peers: string[];
    /** The group itself is the peer. */
    self: boolean;
    /** Where it came from, for reports. */
    source: string;
}

/** Something with network interfaces: the groups on them and one address they use. */
export interface Endpoint {
    name: string;
    groups: string[];
    address: string;
}

export interface FlowVerdict {
    allowed: boolean;
    /** The rules that open it, or why it is closed. */
    reason: string;
}

const normalizeProtocol = (protocol: string) => {
    const p = protocol.toLowerCase();
    if (p === "-1" || p === "all") return "all";
    if (p === "6") return "tcp";
    if (p === "17") return "udp";
    return p;
};

function coversPort(rule: SgRule, protocol: string, port: number): boolean {
    const ruleProtocol = normalizeProtocol(rule.protocol);
    if (ruleProtocol === "all") return true;
    return ruleProtocol === protocol && rule.fromPort <= port && port <= rule.toPort;
}

function admitsPeer(rule: SgRule, peer: Endpoint): boolean {
    if (rule.peers.some((g) => peer.groups.includes(g))) return true;
    if (rule.self && peer.groups.includes(rule.group)) return true;
    return rule.cidrs.some((cidr) => cidrContainsIp(cidr, peer.address));
}

/**
 * Whether `from` can open a connection to `to` on a port, as AWS decides it: some group of the target
 * admits the source (by group or address) on an ingress rule, and, when the source has groups, some
 * group of the source lets it out on an egress rule. Groups are stateful: replies need no rule.
 */
export function evaluateFlow(rules: readonly SgRule[], from: Endpoint, to: Endpoint, port: number, protocol = "tcp"): FlowVerdict {
    const proto = normalizeProtocol(protocol);
    const ingress = rules.find(
        (r) => r.direction === "ingress" && to.groups.includes(r.group) && coversPort(r, proto, port) && admitsPeer(r, from),
    );
    if (ingress === undefined) return { allowed: false, reason: `no ingress rule of ${to.name} admits ${from.name} on ${proto}/${port}` };
    if (from.groups.length === 0) return { allowed: true, reason: `in: ${ingress.source}` };
    const egress = rules.find(
        (r) => r.direction === "egress" && from.groups.includes(r.group) && coversPort(r, proto, port) && admitsPeer(r, to),
    );
    if (egress === undefined)
        return { allowed: false, reason: `no egress rule of ${from.name} lets it reach ${to.name} on ${proto}/${port}` };
    return { allowed: true, reason: `out: ${egress.source}; in: ${ingress.source}` };
}

interface InlineRule {
    protocol?: string;
    fromPort?: number;
    toPort?: number;
    cidrBlocks?: string[];
    securityGroups?: string[];
    self?: boolean;
}

/** A graph resource as the evaluator needs it (the harness's RecordedResource fits). */
export interface GraphResource {
    type: string;
    name: string;
    inputs: Record<string, any>;
}

export const SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup";

/** Every rule the graph declares: groups' inline rules, and the standalone rule resources of both AWS APIs. */
export function rulesFromGraph(resources: readonly GraphResource[], groupId: (r: GraphResource) => string): SgRule[] {
    const rules: SgRule[] = [];
    const inline = (group: string, direction: SgRule["direction"], r: InlineRule, source: string) =>
        rules.push({
            direction,
            group,
            protocol: normalizeProtocol(String(r.protocol ?? "all")),
            fromPort: r.fromPort ?? 0,
            toPort: r.toPort ?? 65535,
            cidrs: r.cidrBlocks ?? [],
            peers: r.securityGroups ?? [],
            self: r.self === true,
            source,
        });
    for (const r of resources) {
        if (r.type === SECURITY_GROUP) {
            (r.inputs["ingress"] ?? []).forEach((rule: InlineRule, i: number) =>
                inline(groupId(r), "ingress", rule, `${r.name}.ingress[${i}]`),
            );
            (r.inputs["egress"] ?? []).forEach((rule: InlineRule, i: number) =>
                inline(groupId(r), "egress", rule, `${r.name}.egress[${i}]`),
            );
        }
        const vpcRule = {
            "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "ingress",
            "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "egress",
        }[r.type] as SgRule["direction"] | undefined;
        if (vpcRule) {
            const i = r.inputs;
            rules.push({
                direction: vpcRule,
                group: i["securityGroupId"],
                protocol: normalizeProtocol(String(i["ipProtocol"])),
                fromPort: i["fromPort"] ?? 0,
                toPort: i["toPort"] ?? 65535,
                cidrs: i["cidrIpv4"] ? [i["cidrIpv4"]] : [],
                peers: i["referencedSecurityGroupId"] ? [i["referencedSecurityGroupId"]] : [],
                self: false,
                source: r.name,
            });
        }
        if (r.type === "aws:ec2/securityGroupRule:SecurityGroupRule") {
            const i = r.inputs;
            rules.push({
                direction: i["type"],
                group: i["securityGroupId"],
                protocol: normalizeProtocol(String(i["protocol"])),
                fromPort: i["fromPort"],
                toPort: i["toPort"],
                cidrs: i["cidrBlocks"] ?? [],
                peers: i["sourceSecurityGroupId"] ? [i["sourceSecurityGroupId"]] : [],
                self: i["self"] === true,
                source: r.name,
            });
        }
    }
    return rules;
}

/**
 * The group EKS creates for the cluster (the control plane's ENIs and, here, every node) with the
 * rules AWS gives it: all traffic from itself, all traffic out (EKS User Guide, "Amazon EKS security
 * group requirements"). It is not in the program's graph, so the evaluator adds these.
 */
export function eksClusterGroupRules(group: string): SgRule[] {
    const all = { protocol: "all", fromPort: 0, toPort: 65535, group, source: `${group} (EKS default)` };
    return [
        { ...all, direction: "ingress", cidrs: [], peers: [], self: true },
        { ...all, direction: "egress", cidrs: ["0.0.0.0/0"], peers: [], self: false },
    ];
}
