import type { StackConfig } from "../config/load";
import type { Graph } from "../test/harness/graph";
import type { Manifest } from "../test/harness/helm";
import type { NpRow } from "./network-policies";
import type { SgRow } from "./sg-table";

/** One hop of a request, with the checks that prove it open. */
export interface Hop {
    from: string;
    to: string;
    via: string;
    checks: string[];
    ok: boolean;
}

interface HopInputs {
    graph: Graph;
    config: StackConfig;
    service: StackConfig["services"][number];
    manifests: Manifest[];
    databaseUrl?: string;
    securityGroups: SgRow[];
    networkPolicies: NpRow[];
}

const check = (label: string, ok: boolean) => ({ label: `${ok ? "ok" : "FAIL"}: ${label}`, ok });

function sg(rows: SgRow[], flow: string, port: number) {
    const row = rows.find((r) => r.flow === flow && r.port === port);
    return check(
        `security groups ${flow} ${port} ${row ? (row.allowed ? "allowed" : "denied") : "not evaluated"}`,
        row?.allowed === true && row.ok,
    );
}

function np(rows: NpRow[], flow: string, port: number) {
    const row = rows.find((r) => r.flow === flow && r.port === port);
    return check(
        `NetworkPolicies ${flow} ${port} ${row ? (row.allowed ? "allowed" : "denied") : "not evaluated"}`,
        row?.allowed === true && row.ok,
    );
}

function hop(from: string, to: string, via: string, checks: { label: string; ok: boolean }[]): Hop {
    return { from, to, via, checks: checks.map((c) => c.label), ok: checks.every((c) => c.ok) };
}

/** user -> DNS -> load balancer -> gateway -> app -> proxy -> database, as this stack builds it. */
export function hopList(inputs: HopInputs): Hop[] {
    const { graph, config, service, manifests, securityGroups: sgRows, networkPolicies: npRows } = inputs;
    const host = service.ingress?.host;
    const gw = config.entryPoint.gateway;
    const route = manifests.find((m) => m.kind === "HTTPRoute");
    const parent = route?.spec.parentRefs[0];
    const routed = check(
        `HTTPRoute ${config.namespace.name}/${route?.metadata.name ?? "(none)"} on ${gw.namespace}/${gw.name} listener https for ${host ?? "(no host)"}`,
        route !== undefined && parent?.name === gw.name && parent?.namespace === gw.namespace && route.spec.hostnames.includes(host),
    );
    const dbUrl = inputs.databaseUrl ? new URL(inputs.databaseUrl) : undefined;
    const dbHost = dbUrl ? `${dbUrl.hostname}:${dbUrl.port}` : "(external database)";
    const port = service.port;
    const hops: Hop[] = [];

    if (config.cluster.mode === "eks") {
        const zone = config.entryPoint.hostedZone;
        const dns = graph.ofType("kubernetes:helm.sh/v3:Release").find((r) => r.inputs.chart === "external-dns");
        const lbConfig = graph.resources.find((r) => r.inputs.kind === "LoadBalancerConfiguration");
        const certificate = graph.ofType("aws:acm/certificate:Certificate")[0];
        const redirect = graph.resources.find((r) => r.inputs.kind === "HTTPRoute" && r.inputs.metadata?.name === "https-redirect");
        hops.push(
            hop("user", "DNS", `${host} in Route 53 zone ${zone?.name} (${zone?.id}), written by external-dns`, [
                check(
                    `external-dns watches HTTPRoutes in ${zone?.name}, policy ${dns?.inputs.values.policy}, owner ${dns?.inputs.values.txtOwnerId}`,
                    dns !== undefined &&
                        dns.inputs.values.sources.includes("gateway-httproute") &&
                        dns.inputs.values.domainFilters.includes(zone?.name),
                ),
                check(
                    `${host} is in the zone`,
                    host !== undefined && zone !== undefined && (host === zone.name || host.endsWith(`.${zone.name}`)),
                ),
            ]),
            hop(
                "DNS",
                "load balancer",
                `internet-facing ALB of Gateway ${gw.namespace}/${gw.name}: HTTPS 443 (ACM), HTTP 80 -> 301 https`,
                [
                    sg(sgRows, "internet -> load-balancer", 443),
                    sg(sgRows, "internet -> load-balancer", 80),
                    check(
                        `ACM certificate for ${host}, validated by DNS`,
                        certificate !== undefined &&
                            [certificate.inputs.domainName, ...(certificate.inputs.subjectAlternativeNames ?? [])].includes(host),
                    ),
                    check(
                        `scheme ${lbConfig?.inputs.spec.scheme}, listener ${lbConfig?.inputs.spec.listenerConfigurations[0]?.protocolPort}`,
                        lbConfig?.inputs.spec.scheme === "internet-facing" && lbConfig.inputs.spec.listenerConfigurations.length === 1,
                    ),
                    check("HTTP redirects to HTTPS", redirect?.inputs.spec.rules[0].filters[0].requestRedirect.scheme === "https"),
                ],
            ),
            hop(
                "load balancer",
                "gateway",
                `listener https rule for ${host} -> target group of Service ${service.name}:80 (pods, target type ip)`,
                [routed],
            ),
            hop("gateway", "app", `ALB in the public subnets -> pods :${port} (X-Forwarded-For carries the client's address)`, [
                sg(sgRows, "load-balancer -> nodes", port),
                np(npRows, "gateway -> app", port),
                check(
                    "the ALB appends X-Forwarded-For",
                    (lbConfig?.inputs.spec.loadBalancerAttributes ?? []).some(
                        (a: { key: string; value: string }) => a.key === "routing.http.xff_header_processing.mode" && a.value === "append",
                    ),
                ),
            ]),
        );
        const proxy = graph.ofType("aws:rds/proxy:Proxy")[0];
        if (proxy) {
            hops.push(
                hop("app", "proxy", `RDS Proxy ${dbHost} (TLS required)`, [
                    sg(sgRows, "nodes -> postgres-proxy", 5432),
                    np(npRows, "app -> postgres", 5432),
                ]),
                hop("proxy", "database", "RDS instance postgres-instance:5432", [sg(sgRows, "postgres-proxy -> postgres", 5432)]),
            );
        } else if (config.database.mode === "rds") {
            hops.push(
                hop("app", "database", `RDS ${dbHost}`, [sg(sgRows, "nodes -> postgres", 5432), np(npRows, "app -> postgres", 5432)]),
            );
        }
        return hops;
    }

    hops.push(
        hop("user", "gateway", `the existing Gateway ${gw.namespace}/${gw.name} (DNS and TLS are the cluster's)`, [routed]),
        hop("gateway", "app", `Gateway proxy pods in ${gw.proxyNamespace ?? gw.namespace} -> pods :${port}`, [
            np(npRows, "gateway -> app", port),
        ]),
    );
    if (config.database.mode === "in-cluster") {
        hops.push(hop("app", "database", `in-cluster Postgres ${dbHost}`, [np(npRows, "app -> postgres", 5432)]));
    }
    return hops;
}
