import { supportStatus } from "../config/eks-versions";
import { entryForType, GraphResource } from "./type-table";
import table from "./data/aws-prices.json";

/**
 * Monthly cost of a stack's graph from the dated price table review/data/aws-prices.json (on-demand list
 * prices; what an idle environment is billed). Every resource type the program creates has an entry there;
 * a type without one is reported "not priced", never counted as 0.
 */

export interface CostLine {
    type: string;
    name: string;
    monthlyUsd: number;
    /** How the figure was computed, e.g. "3 × c6i.xlarge $0.192/h × 730 h + 3 × 50 GB gp3 × $0.088". */
    basis: string;
    /** What AWS bills on top by usage, not included in monthlyUsd (traffic, requests, log volume). */
    usage?: string;
}

export interface CostEstimate {
    region: string;
    monthlyUsd: number;
    /** Resources that cost money or have usage-based charges; free ones are left out. */
    lines: CostLine[];
    notPriced: { type: string; name: string; reason?: string }[];
}

type Pricing =
    | "free"
    | "usage-based"
    | "eks-cluster"
    | "eks-node-group"
    | "eks-addon"
    | "nat-gateway"
    | "public-ipv4"
    | "rds-instance"
    | "rds-proxy"
    | "elasticache-replication-group"
    | "secret"
    | "kms-key"
    | "alarm"
    | "gateway"
    | "kubernetes-service"
    | "persistent-volume-claim"
    | "stateful-set"
    | "helm-release";

interface TypeEntry {
    pricing: Pricing;
    basis?: string;
    usage?: string;
}

export type RegionPrices = (typeof table.regions)["eu-west-1"];

export const PRICE_TABLE_DATE: string = table.retrieved;
export const HOURS_PER_MONTH: number = table.hoursPerMonth;
const TYPES = table.types as Record<string, TypeEntry>;
const REGIONS = table.regions as Record<string, RegionPrices>;

/** The table's entry for a resource type (exact, else a wildcard such as `github:*`). */
export function typeEntry(type: string): TypeEntry | undefined {
    return entryForType(TYPES, type);
}

/** The prices of a region, if the table has them. */
export function regionPrices(region: string): RegionPrices | undefined {
    return REGIONS[region];
}

class NotPriced extends Error {}

/** Money with cents, as the basis strings show it. */
function usd(value: number): string {
    return `$${value.toFixed(2)}`;
}

function lookup<T>(prices: Record<string, T>, key: string | undefined, what: string): T {
    const value = key === undefined ? undefined : prices[key];
    if (value === undefined) throw new NotPriced(`no ${what} price for ${key ?? "(unset)"} in review/data/aws-prices.json`);
    return value;
}

/** The graph a resource belongs to, to follow references (a node group's launch template, a proxy's instance). */
class Context {
    readonly byUrn: Map<string, GraphResource>;
    readonly onEks: boolean;
    constructor(
        readonly resources: readonly GraphResource[],
        readonly prices: RegionPrices | undefined,
    ) {
        this.byUrn = new Map(resources.map((r) => [r.urn, r]));
        // Kubernetes objects only make a cloud bill when the cluster is EKS; a local cluster costs nothing.
        this.onEks = resources.some((r) => r.type === "aws:eks/cluster:Cluster");
    }
    get region(): RegionPrices {
        if (!this.prices) throw new NotPriced("no prices for this region in review/data/aws-prices.json");
        return this.prices;
    }
    dependencies(r: GraphResource, type: string): GraphResource[] {
        return r.dependsOn.map((urn) => this.byUrn.get(urn)).filter((d): d is GraphResource => d?.type === type);
    }
    ofType(type: string): GraphResource[] {
        return this.resources.filter((r) => r.type === type);
    }
}

type Priced = { monthlyUsd: number; basis: string; usage?: string } | undefined;

const PRICERS: Record<Pricing, (r: GraphResource, c: Context, entry: TypeEntry) => Priced> = {
    free: () => undefined,
    "usage-based": (_r, _c, entry) => ({ monthlyUsd: 0, basis: "usage-based, not included", usage: entry.usage }),
    "eks-cluster": eksCluster,
    "eks-node-group": eksNodeGroup,
    "eks-addon": (r) =>
        r.inputs["addonName"] === "amazon-cloudwatch-observability"
            ? { monthlyUsd: 0, basis: "usage-based, not included", usage: "Container Insights metrics and logs it ships" }
            : undefined,
    "nat-gateway": (_r, c) => {
        const p = c.region;
        return {
            monthlyUsd: p.natGatewayHour * HOURS_PER_MONTH,
            basis: `$${p.natGatewayHour}/h × ${HOURS_PER_MONTH} h`,
            usage: `data processed $${p.natGatewayGb}/GB`,
        };
    },
    "public-ipv4": (_r, c) => ({
        monthlyUsd: c.region.publicIpv4Hour * HOURS_PER_MONTH,
        basis: `public IPv4 $${c.region.publicIpv4Hour}/h × ${HOURS_PER_MONTH} h`,
    }),
    "rds-instance": rdsInstance,
    "rds-proxy": rdsProxy,
    "elasticache-replication-group": elasticache,
    secret: (_r, c) => ({
        monthlyUsd: c.region.secretMonth,
        basis: `$${c.region.secretMonth}/secret-month`,
        usage: "API calls $0.05/10,000",
    }),
    "kms-key": (r, c) => ({
        monthlyUsd: c.region.kmsKeyMonth,
        basis: `$${c.region.kmsKeyMonth}/key-month`,
        usage: `requests $0.03/10,000${r.inputs["enableKeyRotation"] ? "; each of the first two yearly rotations adds $1/month" : ""}`,
    }),
    alarm: alarm,
    gateway: gateway,
    "kubernetes-service": (r, c) => {
        const spec = (r.inputs["spec"] ?? {}) as Record<string, unknown>;
        if (!c.onEks || spec["type"] !== "LoadBalancer") return undefined;
        return loadBalancer("network", c, "a LoadBalancer Service: an NLB (AWS Load Balancer Controller)");
    },
    "persistent-volume-claim": (r, c) => {
        if (!c.onEks) return undefined;
        const spec = (r.inputs["spec"] ?? {}) as { resources?: { requests?: { storage?: string } } };
        return ebsVolume(spec.resources?.requests?.storage, 1, c);
    },
    "helm-release": helmRelease,
    "stateful-set": (r, c) => {
        if (!c.onEks) return undefined;
        const spec = (r.inputs["spec"] ?? {}) as {
            replicas?: number;
            volumeClaimTemplates?: { spec?: { resources?: { requests?: { storage?: string } } } }[];
        };
        const claims = spec.volumeClaimTemplates ?? [];
        if (claims.length === 0) return undefined;
        const volumes = claims.map((t) => ebsVolume(t.spec?.resources?.requests?.storage, spec.replicas ?? 1, c));
        return { monthlyUsd: volumes.reduce((s, v) => s + v.monthlyUsd, 0), basis: volumes.map((v) => v.basis).join(" + ") };
    },
};

/**
 * A service's release: its pods run on the node group (priced there), so it adds no fixed cost; the line
 * says what it requests, and that scaling out is billed through the nodes the autoscaler adds.
 */
function helmRelease(r: GraphResource, c: Context): Priced {
    const values = (r.inputs["values"] ?? {}) as {
        replicaCount?: number;
        resources?: { requests?: { cpu?: string; memory?: string } };
        autoscaling?: { enabled?: boolean; maxReplicas?: number };
    };
    const requests = values.resources?.requests;
    if (!c.onEks || values.replicaCount === undefined || !requests) return undefined;
    const scaling = values.autoscaling?.enabled ? `, scaling to ${values.autoscaling.maxReplicas} pods` : "";
    return {
        monthlyUsd: 0,
        basis: `${values.replicaCount} pods × (${requests.cpu} CPU, ${requests.memory}) requested on the node group's nodes, priced there`,
        usage: `nodes the autoscaler adds when pods do not fit${scaling}`,
    };
}

function eksCluster(r: GraphResource, c: Context): Priced {
    const version = String(r.inputs["version"] ?? "");
    const upgradePolicy = r.inputs["upgradePolicy"] as { supportType?: string } | undefined;
    // Support status on the price table's date, from the dated table config/data/eks-versions.json.
    const status = supportStatus(version, new Date(`${PRICE_TABLE_DATE}T00:00:00Z`));
    if (status === "unknown" || status === "unsupported") throw new NotPriced(`Kubernetes ${version} is ${status} on ${PRICE_TABLE_DATE}`);
    // A cluster whose upgrade policy is STANDARD is upgraded at the end of standard support instead of billed for extended.
    const tier = status === "extended" && upgradePolicy?.supportType !== "STANDARD" ? "extended" : "standard";
    const hourly = c.region.eksClusterHour[tier];
    return {
        monthlyUsd: hourly * HOURS_PER_MONTH,
        basis: `control plane, Kubernetes ${version} in ${tier} support: $${hourly}/h × ${HOURS_PER_MONTH} h`,
    };
}

function ebsVolume(size: string | number | undefined, count: number, c: Context): { monthlyUsd: number; basis: string } {
    const gb = typeof size === "number" ? size : parseGi(size);
    const price = c.region.ebsGbMonth.gp3;
    return { monthlyUsd: count * gb * price, basis: `${count} × ${gb} GB gp3 × $${price}/GB-month` };
}

function parseGi(quantity: string | undefined): number {
    const match = /^(\d+(?:\.\d+)?)(Gi|G|Ti|T|Mi|M)?$/.exec(quantity ?? "");
    if (!match) throw new NotPriced(`storage request ${quantity ?? "(unset)"} is not a quantity`);
    const factor: Record<string, number> = { Gi: 1, G: 1, Ti: 1024, T: 1000, Mi: 1 / 1024, M: 1 / 1000 };
    return Number(match[1]) * (factor[match[2] ?? "G"] ?? 1);
}

function eksNodeGroup(r: GraphResource, c: Context): Priced {
    const scaling = (r.inputs["scalingConfig"] ?? {}) as { desiredSize?: number; maxSize?: number };
    const nodes = scaling.desiredSize ?? 0;
    const template = c.dependencies(r, "aws:ec2/launchTemplate:LaunchTemplate")[0]?.inputs ?? {};
    const instanceType = ((r.inputs["instanceTypes"] as string[] | undefined)?.[0] ?? template["instanceType"]) as string | undefined;
    const hourly = lookup(c.region.ec2InstanceHour, instanceType, "EC2 instance");
    const compute = nodes * hourly * HOURS_PER_MONTH;
    let basis = `${nodes} × ${instanceType} $${hourly}/h × ${HOURS_PER_MONTH} h`;
    let monthly = compute;
    const rootVolumes = ((template["blockDeviceMappings"] ?? []) as { ebs?: { volumeSize?: number; volumeType?: string } }[])
        .map((m) => m.ebs)
        .filter((ebs): ebs is { volumeSize: number; volumeType?: string } => ebs?.volumeSize !== undefined);
    for (const ebs of rootVolumes) {
        const volume = ebsVolume(ebs.volumeSize, nodes, c);
        monthly += volume.monthlyUsd;
        basis += ` + ${volume.basis}`;
    }
    return {
        monthlyUsd: monthly,
        basis,
        usage: scaling.maxSize && scaling.maxSize > nodes ? `the autoscaler's nodes above ${nodes} (up to ${scaling.maxSize})` : undefined,
    };
}

function rdsInstance(r: GraphResource, c: Context): Priced {
    const instanceClass = r.inputs["instanceClass"] as string | undefined;
    const hourly = lookup(c.region.rdsInstanceHour, instanceClass, "RDS instance class");
    const copies = r.inputs["multiAz"] ? 2 : 1;
    const storageType = (r.inputs["storageType"] as string | undefined) ?? "gp2";
    const gbMonth = lookup(c.region.rdsStorageGbMonth, storageType, "RDS storage type");
    const gb = Number(r.inputs["allocatedStorage"] ?? 0);
    const deployment = copies === 2 ? "Multi-AZ (primary + standby)" : "Single-AZ";
    const usage = ["backup storage beyond the allocated size"];
    if (r.inputs["maxAllocatedStorage"]) usage.push(`storage autoscaling up to ${r.inputs["maxAllocatedStorage"]} GB`);
    if (Number(r.inputs["monitoringInterval"] ?? 0) > 0) usage.push("Enhanced Monitoring logs");
    return {
        monthlyUsd: copies * (hourly * HOURS_PER_MONTH + gb * gbMonth),
        basis: `${deployment}: ${copies} × (${instanceClass} $${hourly}/h × ${HOURS_PER_MONTH} h + ${gb} GB ${storageType} × $${gbMonth}/GB-month)`,
        usage: usage.join("; "),
    };
}

function rdsProxy(r: GraphResource, c: Context): Priced {
    const target = c.ofType("aws:rds/proxyTarget:ProxyTarget").find((t) => t.inputs["dbProxyName"] === r.inputs["name"]);
    const instance = c
        .ofType("aws:rds/instance:Instance")
        .find((i) => target !== undefined && i.inputs["identifier"] === target.inputs["dbInstanceIdentifier"]);
    if (!instance) throw new NotPriced("no RDS instance targeted by this proxy in the graph");
    const instanceClass = instance.inputs["instanceClass"] as string;
    const vcpu = Math.max(lookup(c.region.rdsInstanceVcpu, instanceClass, "RDS vCPU count"), c.region.rdsProxyMinimumVcpu);
    return {
        monthlyUsd: vcpu * c.region.rdsProxyVcpuHour * HOURS_PER_MONTH,
        basis: `${vcpu} vCPU of ${instanceClass} × $${c.region.rdsProxyVcpuHour}/vCPU-h × ${HOURS_PER_MONTH} h`,
    };
}

function elasticache(r: GraphResource, c: Context): Priced {
    const nodeType = r.inputs["nodeType"] as string | undefined;
    const hourly = lookup(c.region.elasticacheNodeHour, nodeType, "ElastiCache node type");
    const shards = Number(r.inputs["numNodeGroups"] ?? 1);
    const nodes =
        r.inputs["numCacheClusters"] !== undefined
            ? Number(r.inputs["numCacheClusters"])
            : shards * (1 + Number(r.inputs["replicasPerNodeGroup"] ?? 0));
    return {
        monthlyUsd: nodes * hourly * HOURS_PER_MONTH,
        basis: `${nodes} × ${nodeType} $${hourly}/h × ${HOURS_PER_MONTH} h`,
        usage: "backup storage beyond one free snapshot per node",
    };
}

function alarm(r: GraphResource, c: Context): Priced {
    // An alarm is billed per metric it watches; a metric-math alarm per metric in its queries.
    const queries = (r.inputs["metricQueries"] ?? []) as { metric?: unknown }[];
    const metrics = Math.max(1, queries.filter((q) => q.metric !== undefined).length);
    return { monthlyUsd: metrics * c.region.alarmMetricMonth, basis: `${metrics} × $${c.region.alarmMetricMonth}/alarm metric-month` };
}

const LOAD_BALANCER_CONTROLLERS: Record<string, "application" | "network"> = {
    "gateway.k8s.aws/alb": "application",
    "gateway.k8s.aws/nlb": "network",
};

function gateway(r: GraphResource, c: Context): Priced {
    if (!c.onEks) return undefined;
    const className = (r.inputs["spec"] as { gatewayClassName?: string } | undefined)?.gatewayClassName;
    const gatewayClass = c
        .ofType("kubernetes:gateway.networking.k8s.io/v1:GatewayClass")
        .find((g) => (g.inputs["metadata"] as { name?: string } | undefined)?.name === className);
    const controller = (gatewayClass?.inputs["spec"] as { controllerName?: string } | undefined)?.controllerName;
    const kind = controller === undefined ? undefined : LOAD_BALANCER_CONTROLLERS[controller];
    if (!kind) throw new NotPriced(`GatewayClass ${className ?? "(unset)"} with controller ${controller ?? "(none in the graph)"}`);
    return loadBalancer(kind, c, `a Gateway of class ${className}: an ${kind === "application" ? "ALB" : "NLB"} (${controller})`);
}

/** A load balancer the AWS Load Balancer Controller creates: its hours, and an internet-facing one's public IPv4 per AZ. */
function loadBalancer(kind: "application" | "network", c: Context, what: string): Priced {
    const p = c.region;
    const hourly = p.loadBalancerHour[kind];
    // Internet-facing load balancers get one public IPv4 address per subnet tagged for them (one per AZ).
    const zones = c
        .ofType("aws:ec2/subnet:Subnet")
        .filter((s) => (s.inputs["tags"] as Record<string, string> | undefined)?.["kubernetes.io/role/elb"]);
    const ipv4 = zones.length * p.publicIpv4Hour * HOURS_PER_MONTH;
    return {
        monthlyUsd: hourly * HOURS_PER_MONTH + ipv4,
        basis: `${what}: $${hourly}/h × ${HOURS_PER_MONTH} h + ${zones.length} public IPv4 × $${p.publicIpv4Hour}/h × ${HOURS_PER_MONTH} h`,
        usage: `capacity units $${p.loadBalancerCapacityUnitHour[kind]}/LCU-h; data transfer out`,
    };
}

/** Prices every custom resource of a graph; components are groupings (their children are priced). */
export function estimateCost(resources: readonly GraphResource[], region: string): CostEstimate {
    const context = new Context(resources, regionPrices(region));
    const lines: CostLine[] = [];
    const notPriced: CostEstimate["notPriced"] = [];
    for (const r of resources) {
        if (!r.custom) continue;
        const entry = typeEntry(r.type);
        if (!entry) {
            notPriced.push({ type: r.type, name: r.name, reason: "type not in review/data/aws-prices.json" });
            continue;
        }
        try {
            const priced = PRICERS[entry.pricing](r, context, entry);
            if (priced) lines.push({ type: r.type, name: r.name, ...priced, monthlyUsd: round(priced.monthlyUsd) });
        } catch (error) {
            if (!(error instanceof NotPriced)) throw error;
            notPriced.push({ type: r.type, name: r.name, reason: error.message });
        }
    }
    return { region, monthlyUsd: round(lines.reduce((sum, l) => sum + l.monthlyUsd, 0)), lines, notPriced };
}

function round(value: number): number {
    return Math.round(value * 100) / 100;
}

function signed(value: number): string {
    return `${value < 0 ? "-" : "+"}${usd(Math.abs(value))}`;
}

const lineKey = (l: { type: string; name: string }) => `${l.type}::${l.name}`;

/** The review comment's Cost section: total and delta, the lines that changed (or totals by type), usage-based and not priced items. */
export function formatCostSection(base: CostEstimate | undefined, head: CostEstimate): string[] {
    const out = ["### Cost", ""];
    const total = `Estimated monthly cost (${head.region}, on-demand list prices of ${PRICE_TABLE_DATE}, ${HOURS_PER_MONTH} h a month): **${usd(head.monthlyUsd)}**`;
    out.push(
        base
            ? `${total}, ${signed(round(head.monthlyUsd - base.monthlyUsd))} against base (${usd(base.monthlyUsd)}).`
            : `${total} (base: not evaluated).`,
    );
    out.push("");
    if (base) {
        const rows = changedRows(base, head);
        if (rows.length === 0) out.push("No priced resource changes.", "");
        else {
            out.push("| Resource | Type | Monthly | Delta | Basis |", "| --- | --- | ---: | ---: | --- |");
            for (const { line, delta } of rows)
                out.push(`| ${line.name} | \`${line.type}\` | ${usd(line.monthlyUsd)} | ${signed(delta)} | ${line.basis} |`);
            out.push("");
        }
    } else {
        out.push("| Type | Count | Monthly | Basis (first) |", "| --- | ---: | ---: | --- |");
        for (const group of byType(head.lines.filter((l) => l.monthlyUsd > 0))) {
            out.push(`| \`${group.type}\` | ${group.lines.length} | ${usd(group.monthlyUsd)} | ${group.lines[0]!.basis} |`);
        }
        out.push("");
    }
    const usage = byType(head.lines.filter((l) => l.usage));
    if (usage.length > 0) {
        out.push("Usage-based, not included:");
        for (const group of usage) {
            const notes = [...new Set(group.lines.map((l) => l.usage))].join("; ");
            out.push(`- \`${group.type}\` × ${group.lines.length}: ${notes}`);
        }
        out.push("");
    }
    if (head.notPriced.length > 0) {
        out.push("**Not priced** (not counted in the total):");
        for (const n of head.notPriced) out.push(`- ${n.name} (\`${n.type}\`)${n.reason ? `: ${n.reason}` : ""}`);
        out.push("");
    }
    return out;
}

function byType(lines: readonly CostLine[]): { type: string; lines: CostLine[]; monthlyUsd: number }[] {
    const groups = new Map<string, CostLine[]>();
    for (const line of lines) groups.set(line.type, [...(groups.get(line.type) ?? []), line]);
    return [...groups]
        .map(([type, members]) => ({ type, lines: members, monthlyUsd: round(members.reduce((s, l) => s + l.monthlyUsd, 0)) }))
        .sort((a, b) => b.monthlyUsd - a.monthlyUsd || a.type.localeCompare(b.type));
}

/** Lines added or removed (even at $0: their usage-based charges are news) or changed in price, with signed deltas. */
export function changedRows(base: CostEstimate, head: CostEstimate): { line: CostLine; delta: number }[] {
    const before = new Map(base.lines.map((l) => [lineKey(l), l]));
    const after = new Map(head.lines.map((l) => [lineKey(l), l]));
    const rows: { line: CostLine; delta: number }[] = [];
    for (const [key, line] of after) {
        const old = before.get(key);
        const delta = round(line.monthlyUsd - (old?.monthlyUsd ?? 0));
        if (delta !== 0 || !old) rows.push({ line, delta });
    }
    for (const [key, line] of before) {
        if (!after.has(key)) rows.push({ line: { ...line, monthlyUsd: 0, basis: `removed (was ${line.basis})` }, delta: -line.monthlyUsd });
    }
    return rows;
}
