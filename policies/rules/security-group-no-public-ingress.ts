import { resourcePolicy } from "../lib";

const ANYWHERE = ["0.0.0.0/0", "::/0"];

interface Rule {
    fromPort?: number;
    toPort?: number;
    protocol?: string;
    cidrBlocks?: string[];
    ipv6CidrBlocks?: string[];
}

/** Open-to-the-internet ingress (IPv4 or IPv6) on ports outside `publicPorts`: inline rules and rule resources alike. */
export function publicIngress(rules: Rule[], publicPorts: number[]): string[] {
    return rules.flatMap((rule) => {
        const sources = [...(rule.cidrBlocks ?? []), ...(rule.ipv6CidrBlocks ?? [])].filter((c) => ANYWHERE.includes(c));
        if (sources.length === 0) return [];
        const from = rule.fromPort ?? 0;
        const to = rule.toPort ?? 65535;
        const allPorts = rule.protocol === "-1" || rule.protocol === "all";
        const allowed = !allPorts && from === to && publicPorts.includes(from);
        return allowed ? [] : [`${sources.join(", ")} on ${allPorts ? "all ports" : from === to ? from : `${from}-${to}`}`];
    });
}

export default resourcePolicy<{ publicPorts: number[] }>({
    name: "security-group-no-public-ingress",
    description:
        "FSBP EC2.18/EC2.19/EC2.53/EC2.54 / CIS AWS 5.2-5.3: no security group admits 0.0.0.0/0 or ::/0 except on the public load balancer's HTTP(S) ports.",
    enforcementLevel: "mandatory",
    config: { publicPorts: { type: "array", items: { type: "integer" }, default: [80, 443] } },
    types: [
        "aws:ec2/securityGroup:SecurityGroup",
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        "aws:ec2/securityGroupRule:SecurityGroupRule",
    ],
    validate: (props, { name, config, report }) => {
        let rules: Rule[];
        if (props["ingress"] !== undefined || props["egress"] !== undefined) rules = props["ingress"] ?? [];
        else if (props["type"] !== undefined) rules = props["type"] === "ingress" ? [props as Rule] : [];
        else
            rules = [
                {
                    fromPort: props["fromPort"],
                    toPort: props["toPort"],
                    protocol: props["ipProtocol"],
                    cidrBlocks: props["cidrIpv4"] ? [props["cidrIpv4"]] : [],
                    ipv6CidrBlocks: props["cidrIpv6"] ? [props["cidrIpv6"]] : [],
                },
            ];
        const open = publicIngress(rules, config.publicPorts);
        if (open.length > 0) report(`Security group ${name} admits the internet: ${open.join("; ")}.`);
    },
});
