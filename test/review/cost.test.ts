import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { changedRows, CostEstimate, estimateCost, formatCostSection, HOURS_PER_MONTH, regionPrices, typeEntry } from "../../review/cost";
import table from "../../review/data/aws-prices.json";
import { Graph, RecordedResource } from "../harness/graph";
import { recordStack, runStack } from "../harness/run-stack";
import { Sections, STACKS } from "../harness/stack-file";
import { existingClusterVariant } from "../harness/variants";

/**
 * The cost estimate (review/cost.ts) over each stack's graph. Expected figures are computed here by hand
 * from the dated table review/data/aws-prices.json, so a price change shows up as a change of the table only.
 */

const REGION = "eu-west-1";
const P = table.regions[REGION];
const H = HOURS_PER_MONTH;
const round = (v: number) => Math.round(v * 100) / 100;

const graphs: Record<string, Graph> = {};
const estimates: Record<string, CostEstimate> = {};

/** The line of a resource by name (and type, where names repeat: a NAT gateway and its Elastic IP). */
function lineOf(estimate: CostEstimate, name: string, type?: string) {
    const line = estimate.lines.find((l) => l.name === name && (type === undefined || l.type === type));
    assert.ok(line, `no cost line named ${name}: ${estimate.lines.map((l) => l.name).join(", ")}`);
    return line;
}

async function variant(stack: string, edit: (s: Sections) => void): Promise<CostEstimate> {
    const result = await runStack(stack, { edit });
    assert.equal(result.error, undefined, String(result.error));
    return estimateCost(result.graph.resources, REGION);
}

describe("cost estimate", () => {
    before(async () => {
        for (const stack of STACKS) {
            graphs[stack] = (await recordStack(stack)).graph;
            estimates[stack] = estimateCost(graphs[stack].resources, REGION);
        }
        graphs["existing-cluster"] = (await recordStack("staging", { edit: existingClusterVariant })).graph;
    });

    it("every custom resource type of every stack (and the existing-cluster variant) has an entry in the price table", () => {
        for (const [stack, graph] of Object.entries(graphs)) {
            const types = [...new Set(graph.resources.filter((r) => r.custom).map((r) => r.type))];
            assert.ok(types.length > 20 || stack === "local", `${stack}: ${types.length} types`);
            assert.deepEqual(
                types.filter((t) => typeEntry(t) === undefined),
                [],
                `${stack}: types without a price entry (add them to review/data/aws-prices.json with their source)`,
            );
        }
        for (const stack of STACKS) assert.deepEqual(estimates[stack]!.notPriced, [], stack);
    });

    it("a type missing from the table is reported not priced, never counted as 0", () => {
        const prod = graphs["prod"]!.resources;
        const unknown: RecordedResource = {
            ...prod.find((r) => r.type === "aws:ec2/natGateway:NatGateway")!,
            type: "aws:ec2/transitGateway:TransitGateway",
            name: "tgw",
        };
        const estimate = estimateCost([...prod, unknown], REGION);
        assert.deepEqual(estimate.notPriced, [
            { type: "aws:ec2/transitGateway:TransitGateway", name: "tgw", reason: "type not in review/data/aws-prices.json" },
        ]);
        assert.equal(estimate.monthlyUsd, estimates["prod"]!.monthlyUsd);
        assert.match(
            formatCostSection(undefined, estimate).join("\n"),
            /\*\*Not priced\*\*[^]*tgw \(`aws:ec2\/transitGateway:TransitGateway`\)/,
        );
    });

    it("takes a review snapshot's resources (no raw fields, inputs as unknown) as it takes a recorded graph's", () => {
        const slim = graphs["prod"]!.resources.map(({ type, name, urn, parent, custom, dependsOn, inputs }) => ({
            type,
            name,
            urn,
            parent,
            custom,
            dependsOn,
            inputs: inputs as Record<string, unknown>,
        }));
        assert.deepEqual(estimateCost(slim, REGION), estimates["prod"]);
    });

    it("a region without prices leaves every billable resource not priced, with the reason", () => {
        const estimate = estimateCost(graphs["dev"]!.resources, "ap-south-2");
        assert.equal(estimate.monthlyUsd, 0);
        assert.equal(regionPrices("ap-south-2"), undefined);
        const nat = estimate.notPriced.find((n) => n.type === "aws:ec2/natGateway:NatGateway");
        assert.deepEqual(nat?.reason, "no prices for this region in review/data/aws-prices.json");
        assert.ok(estimate.notPriced.some((n) => n.type === "aws:eks/cluster:Cluster"));
    });

    it("local costs 0: its Kubernetes objects run on a local cluster", () => {
        for (const region of [REGION, "local"]) {
            const estimate = estimateCost(graphs["local"]!.resources, region);
            assert.equal(estimate.monthlyUsd, 0);
            assert.deepEqual(estimate.lines, []);
            assert.deepEqual(estimate.notPriced, []);
        }
        // The same StatefulSet's volume would be EBS on an EKS cluster: "local" is a property of the graph, not a shortcut.
        assert.ok(graphs["local"]!.resources.some((r) => r.type === "kubernetes:apps/v1:StatefulSet"));
    });

    it("prod: each billable resource priced from the table", () => {
        const prod = estimates["prod"]!;
        const rds = 2 * (P.rdsInstanceHour["db.r6g.large"] * H + 100 * P.rdsStorageGbMonth.gp3);
        const expected: Record<string, number> = {
            "cluster-eks": P.eksClusterHour.standard * H,
            "cluster-nodes": 3 * P.ec2InstanceHour["c6i.xlarge"] * H + 3 * 50 * P.ebsGbMonth.gp3,
            "cluster-network-nat-eu-west-1a": P.natGatewayHour * H,
            "cluster-network-nat-eu-west-1b": P.natGatewayHour * H,
            "cluster-network-nat-eu-west-1c": P.natGatewayHour * H,
            "postgres-instance": rds,
            "postgres-proxy": 2 * P.rdsProxyVcpuHour * H,
            "redis-group": 3 * P.elasticacheNodeHour["cache.r6g.large"] * H,
            "entry-point-gateway": P.loadBalancerHour.application * H + 3 * P.publicIpv4Hour * H,
            "postgres-proxy-auth": P.secretMonth,
            "cluster-secrets-key": P.kmsKeyMonth,
            "alarms-node-cpu": P.alarmMetricMonth,
        };
        for (const [name, monthly] of Object.entries(expected)) {
            const type = name.startsWith("cluster-network-nat-") ? "aws:ec2/natGateway:NatGateway" : undefined;
            assert.equal(lineOf(prod, name, type).monthlyUsd, round(monthly), name);
        }
        assert.equal(lineOf(prod, "cluster-network-nat-eu-west-1a", "aws:ec2/eip:Eip").monthlyUsd, round(P.publicIpv4Hour * H));
        assert.match(lineOf(prod, "cluster-eks").basis, /Kubernetes 1\.35 in standard support/);
        assert.match(lineOf(prod, "cluster-network-nat-eu-west-1a", "aws:ec2/natGateway:NatGateway").usage!, /data processed \$0\.048\/GB/);
    });

    it("per-stack monthly estimates, summed by hand from the table", () => {
        const nat = P.natGatewayHour * H;
        const ipv4 = P.publicIpv4Hour * H;
        const alb = P.loadBalancerHour.application * H + 3 * ipv4;
        const eks = P.eksClusterHour.standard * H;
        const expected: Record<string, number> = {
            local: 0,
            dev:
                eks +
                (P.ec2InstanceHour["t3.large"] * H + 50 * P.ebsGbMonth.gp3) +
                nat +
                ipv4 +
                alb +
                (P.rdsInstanceHour["db.t4g.micro"] * H + 20 * P.rdsStorageGbMonth.gp3) +
                P.elasticacheNodeHour["cache.t4g.micro"] * H +
                13 * P.secretMonth +
                5 * P.kmsKeyMonth +
                9 * P.alarmMetricMonth,
            staging:
                eks +
                2 * (P.ec2InstanceHour["m6i.large"] * H + 50 * P.ebsGbMonth.gp3) +
                nat +
                ipv4 +
                alb +
                (P.rdsInstanceHour["db.t4g.medium"] * H + 20 * P.rdsStorageGbMonth.gp3) +
                2 * P.elasticacheNodeHour["cache.t4g.small"] * H +
                13 * P.secretMonth +
                5 * P.kmsKeyMonth +
                12 * P.alarmMetricMonth,
            prod:
                eks +
                3 * (P.ec2InstanceHour["c6i.xlarge"] * H + 50 * P.ebsGbMonth.gp3) +
                3 * (nat + ipv4) +
                alb +
                2 * (P.rdsInstanceHour["db.r6g.large"] * H + 100 * P.rdsStorageGbMonth.gp3) +
                2 * P.rdsProxyVcpuHour * H +
                3 * P.elasticacheNodeHour["cache.r6g.large"] * H +
                15 * P.secretMonth +
                6 * P.kmsKeyMonth +
                15 * P.alarmMetricMonth,
        };
        const report: string[] = [];
        for (const stack of STACKS) {
            assert.ok(
                Math.abs(estimates[stack]!.monthlyUsd - expected[stack]!) < 0.05,
                `${stack}: ${estimates[stack]!.monthlyUsd} vs ${expected[stack]}`,
            );
            report.push(`${stack}: $${estimates[stack]!.monthlyUsd.toFixed(2)}/month`);
        }
        console.log(`monthly estimates (${REGION}, prices of ${table.retrieved}): ${report.join(", ")}`);
    });

    it("usage-based charges are listed, not invented", () => {
        const section = formatCostSection(undefined, estimates["prod"]!).join("\n");
        assert.match(section, /Usage-based, not included:/);
        assert.match(section, /`aws:ec2\/natGateway:NatGateway` × 3: data processed \$0\.048\/GB/);
        assert.match(section, /`aws:cloudwatch\/logGroup:LogGroup` × 6: log ingestion/);
        for (const line of estimates["prod"]!.lines.filter((l) => l.type === "aws:cloudwatch/logGroup:LogGroup"))
            assert.equal(line.monthlyUsd, 0);
    });

    it("an EKS version past standard support is billed at the extended rate unless its upgrade policy is STANDARD", () => {
        const prod = graphs["prod"]!.resources;
        const cluster = prod.find((r) => r.type === "aws:eks/cluster:Cluster")!;
        // 1.32 left standard support on 2026-03-23 (config/data/eks-versions.json); the table is dated 2026-11-23.
        const old = { ...cluster, inputs: { ...cluster.inputs, version: "1.32" } };
        assert.equal(estimateCost([old], REGION).monthlyUsd, round(P.eksClusterHour.extended * H));
        const capped = { ...cluster, inputs: { ...cluster.inputs, version: "1.32", upgradePolicy: { supportType: "STANDARD" } } };
        assert.equal(estimateCost([capped], REGION).monthlyUsd, round(P.eksClusterHour.standard * H));
        const gone = { ...cluster, inputs: { ...cluster.inputs, version: "1.29" } };
        assert.match(estimateCost([gone], REGION).notPriced[0]!.reason!, /Kubernetes 1\.29 is unsupported/);
    });

    describe("deltas of variations of prod, computed by hand", () => {
        it("a bigger database class: the instance (Multi-AZ, twice) and the proxy's vCPUs", async () => {
            const head = await variant("prod", (s) => {
                (s["database"] as Record<string, unknown>)["instanceClass"] = "db.r6g.xlarge";
            });
            const instance = 2 * (P.rdsInstanceHour["db.r6g.xlarge"] - P.rdsInstanceHour["db.r6g.large"]) * H;
            const proxy = (4 - 2) * P.rdsProxyVcpuHour * H;
            const rows = changedRows(estimates["prod"]!, head).map((r) => [r.line.name, r.delta]);
            assert.deepEqual(rows.sort(), [
                ["postgres-instance", round(instance)],
                ["postgres-proxy", round(proxy)],
            ]);
            assert.ok(Math.abs(head.monthlyUsd - estimates["prod"]!.monthlyUsd - (instance + proxy)) < 0.02);
            const section = formatCostSection(estimates["prod"], head).join("\n");
            assert.match(section, new RegExp(`\\+\\$${(instance + proxy).toFixed(2)} against base`));
            assert.match(section, /\| postgres-instance \| `aws:rds\/instance:Instance` \| \$\d+\.\d\d \| \+\$376\.68 \|/);
        });

        it("more nodes: one more c6i.xlarge and its root volume", async () => {
            const head = await variant("prod", (s) => {
                ((s["cluster"] as Record<string, any>)["nodeGroup"] as Record<string, unknown>)["minSize"] = 4;
            });
            const node = P.ec2InstanceHour["c6i.xlarge"] * H + 50 * P.ebsGbMonth.gp3;
            assert.deepEqual(
                changedRows(estimates["prod"]!, head).map((r) => [r.line.name, r.delta]),
                [["cluster-nodes", round(node)]],
            );
            assert.match(formatCostSection(estimates["prod"], head).join("\n"), new RegExp(`\\+\\$${node.toFixed(2)} against base`));
        });

        it("an extra service: no fixed cost (its pods run on the nodes already paid), listed with its scaling as usage", async () => {
            const head = await variant("prod", (s) => {
                const services = s["services"] as Record<string, any>[];
                const copy = structuredClone(services[0]!);
                copy["name"] = "billing-server";
                copy["image"] = { repository: "ghcr.io/collab/billing-server", tag: "v1.0.0", digest: `sha256:${"ab".repeat(32)}` };
                copy["ingress"] = { host: "billing.supernova.com" };
                services.push(copy);
            });
            const rows = changedRows(estimates["prod"]!, head);
            assert.deepEqual(
                rows.map((r) => [r.line.name, r.delta, r.line.basis]),
                [["billing-server-release", 0, "3 pods × (500m CPU, 512Mi) requested on the node group's nodes, priced there"]],
            );
            assert.equal(head.monthlyUsd, estimates["prod"]!.monthlyUsd);
            const section = formatCostSection(estimates["prod"], head).join("\n");
            assert.match(section, /\+\$0\.00 against base/);
            assert.match(section, /nodes the autoscaler adds when pods do not fit, scaling to 10 pods/);
        });

        it("no change: a zero delta and no rows", () => {
            const section = formatCostSection(estimates["prod"], estimates["prod"]!).join("\n");
            assert.match(section, /\*\*\$1591\.09\*\*, \+\$0\.00 against base \(\$1591\.09\)\./);
            assert.match(section, /No priced resource changes\./);
            assert.deepEqual(changedRows(estimates["prod"]!, estimates["prod"]!), []);
        });

        it("a removed resource shows a negative delta", () => {
            const base = estimates["prod"]!;
            const head = estimateCost(
                graphs["prod"]!.resources.filter(
                    (r) => !(r.type === "aws:ec2/natGateway:NatGateway" && r.name === "cluster-network-nat-eu-west-1c"),
                ),
                REGION,
            );
            const rows = changedRows(base, head);
            assert.deepEqual(
                rows.map((r) => [r.line.name, r.delta]),
                [["cluster-network-nat-eu-west-1c", -round(P.natGatewayHour * H)]],
            );
            assert.match(formatCostSection(base, head).join("\n"), /-\$35\.04 against base/);
        });
    });
});
