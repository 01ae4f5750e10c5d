import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cidrContains, cidrContainsIp, hostInCidr } from "../components/network/cidr";
import { externalBlock } from "../components/service-release/network";
import { loadBalancerControllerPolicy } from "../components/gateway/iam";
import { cyclonusBinary, networkPolicyTable, NpModel } from "../paths/network-policies";
import { Endpoint, evaluateFlow, rulesFromGraph, SgRule } from "../paths/security-groups";
import { REPO_ROOT } from "./harness/stack-file";

const rule = (
    group: string,
    direction: SgRule["direction"],
    peer: Partial<SgRule>,
    ports: [number, number] = [0, 65535],
    protocol = "tcp",
): SgRule => ({
    direction,
    group,
    protocol,
    fromPort: ports[0],
    toPort: ports[1],
    cidrs: [],
    peers: [],
    self: false,
    source: `${group}.${direction}`,
    ...peer,
});
const endpoint = (name: string, groups: string[], address: string): Endpoint => ({ name, groups, address });
const internet = endpoint("internet", [], "203.0.113.10");

describe("security-group evaluator on hand-made groups", () => {
    const web = endpoint("web", ["sg-web"], "10.0.1.10");
    const db = endpoint("db", ["sg-db"], "10.0.2.10");
    const other = endpoint("other", ["sg-other"], "10.0.3.10");
    const rules: SgRule[] = [
        rule("sg-web", "ingress", { cidrs: ["0.0.0.0/0"] }, [443, 443]),
        rule("sg-web", "egress", { peers: ["sg-db"] }, [5432, 5432]),
        rule("sg-db", "ingress", { peers: ["sg-web"] }, [5432, 5432]),
        rule("sg-other", "egress", { cidrs: ["0.0.0.0/0"] }, [0, 0], "all"),
    ];

    it("a CIDR ingress admits addresses inside it, on its ports only", () => {
        assert.equal(evaluateFlow(rules, internet, web, 443).allowed, true);
        assert.equal(evaluateFlow(rules, internet, web, 80).allowed, false);
        assert.match(evaluateFlow(rules, internet, web, 80).reason, /no ingress rule of web admits internet on tcp\/80/);
    });

    it("a group reference admits members of that group, and the source needs an egress rule too", () => {
        assert.equal(evaluateFlow(rules, web, db, 5432).allowed, true);
        assert.equal(evaluateFlow(rules, web, db, 5433).allowed, false);
        assert.equal(evaluateFlow(rules, other, db, 5432).allowed, false, "other is not referenced");
        const noEgress = rules.filter((r) => !(r.group === "sg-web" && r.direction === "egress"));
        assert.match(evaluateFlow(noEgress, web, db, 5432).reason, /no egress rule of web lets it reach db on tcp\/5432/);
    });

    it("self rules, protocol all and UDP", () => {
        const cluster = [
            rule("sg-c", "ingress", { self: true }, [0, 0], "all"),
            rule("sg-c", "egress", { cidrs: ["0.0.0.0/0"] }, [0, 0], "-1"),
        ];
        const a = endpoint("a", ["sg-c", "sg-x"], "10.0.0.1");
        const b = endpoint("b", ["sg-c"], "10.0.0.2");
        assert.equal(evaluateFlow(cluster, a, b, 10250).allowed, true);
        assert.equal(evaluateFlow(cluster, a, b, 53, "udp").allowed, true);
        assert.equal(evaluateFlow(cluster, internet, b, 10250).allowed, false);
        const tcpOnly = [rule("sg-d", "ingress", { cidrs: ["10.0.0.0/8"] }, [53, 53], "6")];
        assert.equal(evaluateFlow(tcpOnly, internet, endpoint("d", ["sg-d"], "10.9.9.9"), 53).allowed, false, "internet is outside 10/8");
        assert.equal(evaluateFlow(tcpOnly, endpoint("e", [], "10.1.1.1"), endpoint("d", ["sg-d"], "10.9.9.9"), 53, "udp").allowed, false);
    });

    it("reads inline rules and both kinds of standalone rule resources from a graph", () => {
        const read = rulesFromGraph(
            [
                {
                    type: "aws:ec2/securityGroup:SecurityGroup",
                    name: "a",
                    inputs: { ingress: [{ protocol: "tcp", fromPort: 1, toPort: 2, securityGroups: ["b-id"] }], egress: [] },
                },
                {
                    type: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
                    name: "a-out",
                    inputs: { securityGroupId: "a-id", referencedSecurityGroupId: "b-id", ipProtocol: "tcp", fromPort: 5, toPort: 5 },
                },
                {
                    type: "aws:ec2/securityGroupRule:SecurityGroupRule",
                    name: "a-in",
                    inputs: {
                        type: "ingress",
                        securityGroupId: "a-id",
                        protocol: "-1",
                        fromPort: 0,
                        toPort: 0,
                        cidrBlocks: ["10.0.0.0/8"],
                    },
                },
            ],
            (r) => `${r.name}-id`,
        );
        assert.deepEqual(
            read.map((r) => [r.direction, r.group, r.protocol, r.fromPort, r.toPort, r.peers.join(), r.cidrs.join()]),
            [
                ["ingress", "a-id", "tcp", 1, 2, "b-id", ""],
                ["egress", "a-id", "tcp", 5, 5, "b-id", ""],
                ["ingress", "a-id", "all", 0, 0, "", "10.0.0.0/8"],
            ],
        );
    });

    it("CIDR arithmetic", () => {
        assert.equal(cidrContainsIp("10.0.224.0/22", "10.0.227.255"), true);
        assert.equal(cidrContainsIp("10.0.224.0/22", "10.0.228.0"), false);
        assert.equal(cidrContains("0.0.0.0/0", "169.254.0.0/16"), true);
        assert.equal(cidrContains("10.0.0.0/16", "10.1.0.0/24"), false);
        assert.equal(hostInCidr("10.0.32.0/19", 30), "10.0.32.30");
        assert.deepEqual(externalBlock("52.0.0.0/8"), { ipBlock: { cidr: "52.0.0.0/8" } });
        assert.deepEqual(externalBlock("128.0.0.0/1").ipBlock.except, ["172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16"]);
    });
});

describe("cyclonus on hand-made NetworkPolicies", () => {
    const deny = {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: { name: "deny", namespace: "app" },
        spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
    };
    const app = { namespace: "app", namespaceLabels: { "kubernetes.io/metadata.name": "app" }, podLabels: { app: "a" }, ip: "10.0.0.5" };
    const model = (policies: Record<string, any>[]): NpModel => ({
        policies,
        appPort: 3001,
        peers: { app: [app], "instance-metadata": [{ ip: "169.254.169.254" }], "external-https": [{ ip: "198.51.100.20" }] },
    });
    const verdict = (rows: ReturnType<typeof networkPolicyTable>, flow: string) => rows.find((r) => r.flow === flow)!.allowed;

    it("default deny closes everything; an ipBlock with except opens the internet but not the metadata endpoint", () => {
        const binary = cyclonusBinary(REPO_ROOT);
        const closed = networkPolicyTable(model([deny]), binary);
        assert.equal(verdict(closed, "app -> external-https"), false);
        const https = {
            apiVersion: "networking.k8s.io/v1",
            kind: "NetworkPolicy",
            metadata: { name: "https", namespace: "app" },
            spec: {
                podSelector: { matchLabels: { app: "a" } },
                policyTypes: ["Egress"],
                egress: [{ to: [externalBlock("0.0.0.0/0")], ports: [{ protocol: "TCP", port: 443 }] }],
            },
        };
        const open = networkPolicyTable(model([deny, https]), binary);
        assert.equal(verdict(open, "app -> external-https"), true);
        assert.equal(verdict(open, "app -> instance-metadata"), false);
        const careless = { ...https, spec: { ...https.spec, egress: [{ ports: [{ protocol: "TCP", port: 80 }] }] } };
        assert.equal(
            verdict(networkPolicyTable(model([deny, careless]), binary), "app -> instance-metadata"),
            true,
            "a port-only rule opens it",
        );
    });
});

describe("controller IAM documents", () => {
    it("the load balancer controller may only change load balancers tagged with its cluster, and read only its certificate", () => {
        const policy = loadBalancerControllerPolicy("supernova-prod", ["arn:aws:acm:eu-west-1:333333333333:certificate/x"]);
        const statements = policy["Statement"] as {
            Action: string[];
            Resource: unknown;
            Condition?: Record<string, Record<string, string>>;
        }[];
        const writes = statements.filter((s) =>
            s.Action.some((a) => /^elasticloadbalancing:(Create|Delete|Modify|Set|Register|Deregister)/.test(a)),
        );
        assert.ok(writes.length > 0);
        for (const s of writes) assert.equal(Object.values(s.Condition!["StringEquals"]!)[0], "supernova-prod");
        assert.ok(
            statements.every((s) => !s.Action.some((a) => a.startsWith("ec2:") && !/^ec2:(Describe|Get)/.test(a))),
            "no security group changes",
        );
        assert.deepEqual(statements.find((s) => s.Action.includes("acm:DescribeCertificate"))!.Resource, [
            "arn:aws:acm:eu-west-1:333333333333:certificate/x",
        ]);
        const noHosts = loadBalancerControllerPolicy("c", [])["Statement"] as { Action: string[] }[];
        assert.ok(!noHosts.some((s) => s.Action.includes("acm:DescribeCertificate")), "no statement with an empty resource list");
    });
});
