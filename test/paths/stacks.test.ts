import assert from "node:assert/strict";
import { performance } from "node:perf_hooks";
import { before, describe, it } from "node:test";
import { ADDON_NP_PEERS, FORBIDDEN_NP_FLOWS, FORBIDDEN_SG_FLOWS, REQUIRED_NP_FLOWS, REQUIRED_SG_FLOWS } from "../../paths/flows";
import { formatPaths } from "../../paths/format";
import { cyclonusBinary, networkPolicyTable } from "../../paths/network-policies";
import { securityGroupTable } from "../../paths/sg-table";
import { networkPolicyModel, StackPaths, stackPaths } from "../../paths/stack-paths";
import { runStack } from "../harness/run-stack";
import { REPO_ROOT, STACKS } from "../harness/stack-file";

/**
 * The path checks of every stack (`npm run test:paths`, run by .ci/run): each stack's program under the
 * harness, its chart rendered by helm, its NetworkPolicies evaluated by cyclonus. Prints the tables and timings.
 */

const results: Partial<Record<string, StackPaths>> = {};

describe("traffic paths of every stack", () => {
    before(async () => {
        for (const stack of STACKS) {
            const start = performance.now();
            results[stack] = await stackPaths(stack);
            console.log(`${stack}: paths evaluated in ${((performance.now() - start) / 1000).toFixed(1)} s`);
        }
    });

    for (const stack of STACKS) {
        it(`${stack}: every hop is open, every required flow allowed and every forbidden one denied`, (t) => {
            const paths = results[stack]!;
            t.diagnostic(formatPaths(paths));
            assert.deepEqual(
                paths.hops.filter((h) => !h.ok),
                [],
            );
            assert.deepEqual(
                paths.securityGroups.filter((r) => !r.ok),
                [],
            );
            assert.deepEqual(
                paths.networkPolicies.filter((r) => !r.ok),
                [],
            );
            const npFlows = new Set(paths.networkPolicies.map((r) => r.flow.replace(/ \(.*?\)/g, "")));
            for (const flow of [...REQUIRED_NP_FLOWS, ...FORBIDDEN_NP_FLOWS]) {
                if (flow.to === "external-https" && stack === "local") continue; // local lists no external API
                // local renders manifests for a cluster that brings its own add-ons
                if (stack === "local" && [flow.from, flow.to, flow.onlyWith].some((peer) => peer && ADDON_NP_PEERS.includes(peer)))
                    continue;
                assert.ok(npFlows.has(`${flow.from} -> ${flow.to}`), `${stack}: ${flow.from} -> ${flow.to} evaluated`);
            }
        });
    }

    it("prod: the hop list user -> DNS -> load balancer -> gateway -> app -> proxy -> database", () => {
        assert.deepEqual(
            results["prod"]!.hops.map((h) => `${h.from} -> ${h.to}`),
            ["user -> DNS", "DNS -> load balancer", "load balancer -> gateway", "gateway -> app", "app -> proxy", "proxy -> database"],
        );
        assert.match(results["prod"]!.hops[4]!.via, /RDS Proxy postgres-proxy\.proxy\.rds\.mock:5432/);
        assert.deepEqual(
            results["dev"]!.hops.map((h) => h.to),
            ["DNS", "load balancer", "gateway", "app", "database"],
        );
        assert.deepEqual(
            results["local"]!.hops.map((h) => `${h.from} -> ${h.to}`),
            ["user -> gateway", "gateway -> app", "app -> database"],
        );
    });

    it("prod: the security-group table covers every required and forbidden flow", () => {
        const rows = results["prod"]!.securityGroups.map((r) => `${r.expected} ${r.flow} ${r.port}`);
        assert.deepEqual(rows, [
            "allow internet -> load-balancer 443",
            "allow internet -> load-balancer 80",
            "allow load-balancer -> nodes 3001",
            "allow nodes -> postgres-proxy 5432",
            "allow postgres-proxy -> postgres 5432",
            "allow nodes -> redis 6379",
            "allow eks-control-plane -> nodes 10250",
            "allow eks-control-plane -> nodes 443",
            "allow nodes -> eks-control-plane 443",
            "allow ci-runner -> eks-control-plane 443",
            "deny internet -> postgres 5432",
            "deny internet -> postgres-proxy 5432",
            "deny internet -> redis 6379",
            "deny internet -> nodes 3001",
            "deny load-balancer -> postgres 5432",
            "deny nodes -> postgres 5432",
        ]);
        assert.equal(
            REQUIRED_SG_FLOWS.length + FORBIDDEN_SG_FLOWS.length,
            17,
            "dev and staging check the direct path instead of the proxy",
        );
    });

    it("the evaluators catch a broken path: no proxy egress, an open database, a port-only egress rule", () => {
        const { graph, config, manifests } = results["prod"]!.source;
        const withoutProxyEgress = graph.resources.filter((r) => r.name !== "postgres-proxy-to-db");
        const broken = securityGroupTable(withoutProxyEgress, [3001]).find((r) => r.flow === "postgres-proxy -> postgres")!;
        assert.deepEqual([broken.allowed, broken.ok], [false, false]);
        const openDb = graph.resources.map((r) =>
            r.name === "postgres-sg"
                ? { ...r, inputs: { ...r.inputs, ingress: [{ protocol: "tcp", fromPort: 5432, toPort: 5432, cidrBlocks: ["0.0.0.0/0"] }] } }
                : r,
        );
        assert.equal(securityGroupTable(openDb, [3001]).find((r) => r.flow === "internet -> postgres")!.ok, false);
        const model = networkPolicyModel(graph, config, manifests);
        model.policies.push({
            apiVersion: "networking.k8s.io/v1",
            kind: "NetworkPolicy",
            metadata: { name: "careless", namespace: "supernova" },
            spec: { podSelector: {}, policyTypes: ["Egress"], egress: [{ ports: [{ protocol: "TCP", port: 80 }] }] },
        });
        const rows = networkPolicyTable(model, cyclonusBinary(REPO_ROOT));
        assert.equal(rows.find((r) => r.flow === "app -> instance-metadata")!.ok, false);
        // An add-on namespace's default-deny without its allows breaks the webhook and the scrapes.
        const addonModel = networkPolicyModel(graph, config, manifests);
        const dropped = new Set(["external-secrets/webhook-ingress", "monitoring/prometheus-scrape-egress"]);
        addonModel.policies = addonModel.policies.filter((p) => !dropped.has(`${p.metadata.namespace}/${p.metadata.name}`));
        const addonRows = networkPolicyTable(addonModel, cyclonusBinary(REPO_ROOT));
        assert.deepEqual(
            addonRows.filter((r) => !r.ok).map((r) => `${r.flow} ${r.port}`),
            [
                "prometheus -> app 3001",
                "eks-control-plane -> external-secrets-webhook 10250",
                "prometheus -> node 10250",
                "prometheus -> node 9100",
            ],
        );
    });

    it("the legacy add-ons get their namespaces too: ingress-nginx at baseline, cert-manager restricted, each webhook admitted", async () => {
        const { graph: legacy, error } = await runStack("dev", {
            edit: (s) => {
                const cluster = s["cluster"] as Record<string, any>;
                cluster["ingressNginx"] = { enabled: true };
                cluster["certManager"] = { enabled: true, email: "ops@example.com" };
            },
        });
        assert.equal(error, undefined);
        const enforced = (name: string) =>
            legacy.ofType("kubernetes:core/v1:Namespace").find((n) => n.inputs.metadata.name === name)?.inputs.metadata.labels[
                "pod-security.kubernetes.io/enforce"
            ];
        assert.equal(enforced("ingress-nginx"), "baseline");
        assert.equal(enforced("cert-manager"), "restricted");
        for (const [namespace, port] of [
            ["ingress-nginx", 8443],
            ["cert-manager", 10250],
        ] as const) {
            const webhook = legacy
                .ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy")
                .find((p) => p.inputs.metadata.namespace === namespace && p.inputs.metadata.name === "webhook-ingress");
            assert.equal(webhook?.inputs.spec.ingress[0].ports[0].port, port, namespace);
            const release = legacy.ofType("kubernetes:helm.sh/v3:Release").find((r) => r.inputs.namespace === namespace)!;
            assert.equal(release.inputs.createNamespace, false);
        }
    });
});
