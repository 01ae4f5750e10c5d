import type * as pulumi from "@pulumi/pulumi";
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { StackConfig } from "../config/load";
import { Graph, RecordedResource } from "./harness/graph";
import { Manifest, renderChart } from "./harness/helm";
import { resolve } from "./harness/outputs";
import { recordStack, runStack } from "./harness/run-stack";
import { Sections, STACKS } from "./harness/stack-file";

/**
 * Issue 23: each request from the user's browser to the database, hop by hop. One `describe` per point
 * of the issue; every test here failed on the commit the issue names (3fa3c2d).
 */

const RELEASE = "kubernetes:helm.sh/v3:Release";
const byKind = (graph: Graph, kind: string) => graph.resources.filter((r) => r.inputs.kind === kind);
const oneKind = (graph: Graph, kind: string) => {
    const found = byKind(graph, kind);
    assert.equal(found.length, 1, `one ${kind}, found ${found.length}`);
    return found[0]!;
};
const release = (graph: Graph, chart: string) => {
    const found = graph.ofType(RELEASE).filter((r) => r.inputs.chart === chart);
    assert.equal(found.length, 1, `one ${chart} release, found ${found.length}`);
    return found[0]!;
};
const appValues = (graph: Graph) =>
    graph.resources.find((r) => (r.type === RELEASE || r.type === "kubernetes:helm.sh/v4:Chart") && r.inputs.name === "supernova-server")!
        .inputs.values;
const rolePolicy = (graph: Graph, roleName: string) =>
    JSON.parse(graph.one("aws:iam/rolePolicy:RolePolicy", `${roleName}-policy`).inputs.policy);
const trustedAccount = (graph: Graph, roleName: string) =>
    Object.values(
        JSON.parse(graph.one("aws:iam/role:Role", `${roleName}-role`).inputs.assumeRolePolicy).Statement[0].Condition.StringEquals,
    )[0];
const service0 = (s: Sections) => (s["services"] as Record<string, any>[])[0]!;

/** Every resource a resource waits for, directly or through others. */
function transitiveDependencies(graph: Graph, resource: RecordedResource): Set<string> {
    const seen = new Set<string>();
    const pending = [...resource.dependsOn];
    while (pending.length > 0) {
        const urn = pending.pop()!;
        if (seen.has(urn)) continue;
        seen.add(urn);
        const found = graph.resources.find((r) => r.urn === urn);
        if (found) pending.push(...found.dependsOn, ...(found.provider ? [found.provider] : []));
    }
    return seen;
}

/** Each stack recorded once for this file (a recording costs about a second). */
const recordings = new Map<string, ReturnType<typeof recordStack>>();
const recorded = (stack: string) => {
    if (!recordings.has(stack)) recordings.set(stack, recordStack(stack));
    return recordings.get(stack)!;
};

let prod: { graph: Graph; config: StackConfig };
let dev: { graph: Graph; config: StackConfig };
let prodChart: Manifest[];
before(async () => {
    prod = await recorded("prod");
    dev = await recorded("dev");
    prodChart = renderChart(appValues(prod.graph), "supernova-server", "supernova");
});

describe("1. a maintained entry point on Gateway API", () => {
    it("installs no ingress-nginx; the AWS Load Balancer Controller, pinned, 2 replicas across zones with a disruption budget", () => {
        assert.deepEqual(
            prod.graph.ofType(RELEASE).filter((r) => r.inputs.chart === "ingress-nginx"),
            [],
        );
        const lbc = release(prod.graph, "aws-load-balancer-controller");
        assert.equal(lbc.inputs.version, "3.4.2");
        assert.equal(lbc.inputs.repositoryOpts.repo, "https://aws.github.io/eks-charts");
        const values = lbc.inputs.values;
        assert.equal(values.replicaCount, 2);
        assert.deepEqual(
            values.topologySpreadConstraints.map((c: any) => [c.topologyKey, c.whenUnsatisfiable]),
            [["topology.kubernetes.io/zone", "DoNotSchedule"]],
        );
        assert.deepEqual(values.podDisruptionBudget, { maxUnavailable: 1 });
        assert.equal(values.clusterName, "supernova-prod");
        assert.equal(trustedAccount(prod.graph, "entry-point-lbc"), "system:serviceaccount:kube-system:aws-load-balancer-controller");
        assert.equal(
            values.serviceAccount.annotations["eks.amazonaws.com/role-arn"],
            "arn:aws:mock:eu-west-1:000000000000:Role/entry-point-lbc-role",
        );
    });

    it("creates an ALB GatewayClass and a Gateway with HTTP (redirect only) and HTTPS listeners, internet-facing", () => {
        assert.equal(oneKind(prod.graph, "GatewayClass").inputs.spec.controllerName, "gateway.k8s.aws/alb");
        const gateway = oneKind(prod.graph, "Gateway").inputs;
        assert.deepEqual(gateway.metadata, { name: "public", namespace: "gateway" });
        assert.deepEqual(
            gateway.spec.listeners.map((l: any) => `${l.name} ${l.protocol}:${l.port} ${l.allowedRoutes.namespaces.from}`),
            ["http HTTP:80 Same", "https HTTPS:443 Selector"],
        );
        assert.equal(oneKind(prod.graph, "LoadBalancerConfiguration").inputs.spec.scheme, "internet-facing");
        const redirect = byKind(prod.graph, "HTTPRoute").find((r) => r.inputs.metadata.name === "https-redirect")!.inputs.spec;
        assert.deepEqual(redirect.parentRefs, [{ name: "public", sectionName: "http" }]);
        assert.deepEqual(redirect.rules[0].filters[0].requestRedirect, { scheme: "https", statusCode: 301 });
    });

    it("renders an HTTPRoute per service on the HTTPS listener, and no Ingress", () => {
        const routes = prodChart.filter((m) => m.kind === "HTTPRoute");
        assert.equal(routes.length, 1);
        assert.deepEqual(routes[0]!.spec.parentRefs, [
            { group: "gateway.networking.k8s.io", kind: "Gateway", name: "public", namespace: "gateway", sectionName: "https" },
        ]);
        assert.deepEqual(routes[0]!.spec.hostnames, ["api.supernova.com"]);
        assert.deepEqual(routes[0]!.spec.rules[0].backendRefs, [{ name: "supernova-server", port: 80 }]);
        assert.deepEqual(
            prodChart.filter((m) => m.kind === "Ingress"),
            [],
        );
        const namespace = prod.graph.one("kubernetes:core/v1:Namespace", "app-namespace").inputs.metadata.labels;
        assert.equal(
            namespace["platform.supernova.dev/gateway-routes"],
            "allowed",
            "the HTTPS listener accepts the app namespace's routes",
        );
        assert.equal(namespace["elbv2.k8s.aws/pod-readiness-gate-inject"], "enabled", "rollouts wait for healthy targets");
    });

    it("local and existing clusters attach routes to a configurable Gateway and admit its proxy pods", async () => {
        const edit = (s: Sections) => {
            s["cluster"] = { mode: "existing", name: "shared" };
            s["secrets"] = { backend: "kubernetes", kubeconfig: { secure: "v1:x" } };
            s["entryPoint"] = { gateway: { name: "eg", namespace: "edge", proxyNamespace: "envoy-gateway-system" } };
        };
        const { graph } = await recordStack("local", { edit });
        const values = appValues(graph);
        assert.deepEqual(values.route.gateway, { name: "eg", namespace: "edge", sectionName: "https" });
        assert.deepEqual(values.networkPolicy.ingressFrom, [
            { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "envoy-gateway-system" } } },
        ]);
        assert.deepEqual(
            graph.ofType(RELEASE).filter((r) => r.inputs.repositoryOpts !== undefined),
            [],
            "an existing cluster gets no add-on",
        );
    });
});

describe("2. DNS for every host", () => {
    it("external-dns, pinned, writes HTTPRoute hosts into the stack's zone only, with its own owner id; upsert-only in prod", () => {
        const dns = release(prod.graph, "external-dns");
        assert.equal(dns.inputs.version, "1.22.0");
        const values = dns.inputs.values;
        assert.deepEqual(values.sources, ["gateway-httproute"]);
        assert.deepEqual(values.domainFilters, ["supernova.com"]);
        assert.ok(values.extraArgs.includes("--zone-id-filter=Z0PROD000SUPERNOVA"));
        assert.equal(values.txtOwnerId, "supernova-prod");
        assert.equal(values.policy, "upsert-only");
        assert.equal(release(dev.graph, "external-dns").inputs.values.policy, "sync");
        const policy = rolePolicy(prod.graph, "entry-point-external-dns");
        assert.deepEqual(policy.Statement[0].Resource, ["arn:aws:route53:::hostedzone/Z0PROD000SUPERNOVA"]);
        assert.ok(policy.Statement[0].Action.includes("route53:ChangeResourceRecordSets"));
        assert.deepEqual(policy.Statement[1].Action, ["route53:ListHostedZones"], "nothing else account-wide");
        assert.equal(trustedAccount(prod.graph, "entry-point-external-dns"), "system:serviceaccount:external-dns:external-dns");
    });

    it("refuses an EKS stack whose hosts have no zone, or lie outside it", async () => {
        const noZone = await runStack("prod", { edit: (s) => delete (s["entryPoint"] as Record<string, unknown>)["hostedZone"] });
        assert.match(String(noZone.error), /entryPoint\.hostedZone: expected the Route 53 zone of api\.supernova\.com/);
        const outside = await runStack("prod", { edit: (s) => (service0(s)["ingress"] = { host: "api.example.org" }) });
        assert.match(
            String(outside.error),
            /services\[0\]\.ingress\.host: expected a name in the hosted zone supernova\.com .*got "api\.example\.org"/,
        );
    });
});

describe("3. TLS that issues and renews without opening the app namespace", () => {
    it("an ACM certificate validated by DNS records in the zone terminates HTTPS on the ALB", () => {
        const certificate = prod.graph.one("aws:acm/certificate:Certificate").inputs;
        assert.equal(certificate.domainName, "api.supernova.com");
        assert.equal(certificate.validationMethod, "DNS");
        const record = prod.graph.one("aws:route53/record:Record").inputs;
        assert.equal(record.zoneId, "Z0PROD000SUPERNOVA");
        assert.equal(record.type, "CNAME");
        const validation = prod.graph.one("aws:acm/certificateValidation:CertificateValidation").inputs;
        assert.deepEqual(validation.validationRecordFqdns, [record.name]);
        const listener = oneKind(prod.graph, "LoadBalancerConfiguration").inputs.spec.listenerConfigurations;
        assert.deepEqual(listener, [
            {
                protocolPort: "HTTPS:443",
                defaultCertificate: validation.certificateArn,
                sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
            },
        ]);
    });

    for (const stack of ["dev", "staging", "prod"]) {
        it(`${stack}: no ACME HTTP-01 solver, no untrusted issuer`, async () => {
            const { graph } = await recorded(stack);
            assert.deepEqual(byKind(graph, "ClusterIssuer"), []);
            assert.deepEqual(
                graph.ofType(RELEASE).filter((r) => r.inputs.chart === "cert-manager"),
                [],
            );
            assert.equal(graph.ofType("aws:acm/certificate:Certificate").length, 1, "a publicly trusted ACM certificate");
        });
    }
});

describe("4. the database proxy reaches the database", () => {
    it("the proxy has its own group; the database admits only it, and it may go out only to the database", () => {
        const proxy = prod.graph.one("aws:rds/proxy:Proxy").inputs;
        const db = prod.graph.one("aws:rds/instance:Instance").inputs;
        assert.deepEqual(proxy.vpcSecurityGroupIds, ["postgres-proxy-sg-id"]);
        assert.deepEqual(db.vpcSecurityGroupIds, ["postgres-sg-id"]);
        const dbGroup = prod.graph.one("aws:ec2/securityGroup:SecurityGroup", "postgres-sg").inputs;
        assert.deepEqual(dbGroup.ingress, [{ protocol: "tcp", fromPort: 5432, toPort: 5432, securityGroups: ["postgres-proxy-sg-id"] }]);
        const out = prod.graph.one("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "postgres-proxy-to-db").inputs;
        assert.deepEqual(
            [out.securityGroupId, out.referencedSecurityGroupId, out.ipProtocol, out.fromPort, out.toPort],
            ["postgres-proxy-sg-id", "postgres-sg-id", "tcp", 5432, 5432],
        );
    });

    it("data tiers admit the nodes' group made with the VPC, so the database no longer waits for the EKS cluster", () => {
        const nodes = "cluster-network-nodes-sg-id";
        assert.deepEqual(prod.graph.one("aws:ec2/securityGroup:SecurityGroup", "postgres-proxy-sg").inputs.ingress[0].securityGroups, [
            nodes,
        ]);
        assert.deepEqual(prod.graph.one("aws:ec2/securityGroup:SecurityGroup", "redis-sg").inputs.ingress[0].securityGroups, [nodes]);
        assert.ok(prod.graph.one("aws:ec2/launchTemplate:LaunchTemplate").inputs.vpcSecurityGroupIds.includes(nodes), "the nodes carry it");
        const eks = prod.graph.one("aws:eks/cluster:Cluster").urn;
        for (const type of ["aws:rds/instance:Instance", "aws:elasticache/replicationGroup:ReplicationGroup"]) {
            assert.equal(transitiveDependencies(prod.graph, prod.graph.one(type)).has(eks), false, `${type} does not wait for EKS`);
        }
    });
});

describe("5. app egress restricted", () => {
    it("every egress rule of the app names its destination: data subnets, DNS, listed external blocks without VPC or metadata", () => {
        const chartPolicy = prodChart.find((m) => m.kind === "NetworkPolicy")!.spec;
        assert.deepEqual(chartPolicy.policyTypes, ["Ingress"], "the chart opens no egress");
        const egress = prod.graph
            .ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy")
            .find((p) => p.inputs.metadata.name === "supernova-server-egress")!.inputs.spec.egress;
        for (const rule of egress) assert.ok(rule.to?.length > 0, `a port-only rule: ${JSON.stringify(rule)}`);
        const privateSubnets = ["10.0.0.0/19", "10.0.32.0/19", "10.0.64.0/19"].map((cidr) => ({ ipBlock: { cidr } }));
        assert.deepEqual(egress[1], { to: privateSubnets, ports: [{ protocol: "TCP", port: 5432 }] });
        assert.deepEqual(egress[2], { to: privateSubnets, ports: [{ protocol: "TCP", port: 6379 }] });
        assert.deepEqual(egress[3].to, [
            {
                ipBlock: {
                    cidr: "0.0.0.0/0",
                    except: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16"],
                },
            },
        ]);
        assert.deepEqual(egress[3].ports, [{ protocol: "TCP", port: 443 }]);
        assert.equal(egress.length, 4);
    });
});

describe("6. capacity", () => {
    for (const stack of ["dev", "staging", "prod"]) {
        it(`${stack}: metrics-server (2 replicas) and cluster-autoscaler (IRSA, auto-discovery) are pinned add-ons`, async () => {
            const { graph } = await recorded(stack);
            const metrics = release(graph, "metrics-server");
            assert.equal(metrics.inputs.version, "3.14.0");
            assert.equal(metrics.inputs.values.replicas, 2);
            const autoscaler = release(graph, "cluster-autoscaler");
            assert.equal(autoscaler.inputs.version, "9.59.0");
            assert.equal(autoscaler.inputs.values.autoDiscovery.clusterName, `supernova-${stack}`);
            assert.equal(autoscaler.inputs.values.image.tag, "v1.35.1", "matches Kubernetes 1.35, the default");
            assert.equal(trustedAccount(graph, "capacity-cluster-autoscaler"), "system:serviceaccount:kube-system:cluster-autoscaler");
            const scale = rolePolicy(graph, "capacity-cluster-autoscaler").Statement[0];
            assert.deepEqual(scale.Condition.StringEquals, { [`aws:ResourceTag/k8s.io/cluster-autoscaler/supernova-${stack}`]: "owned" });
        });
    }

    it("the node group starts at minSize and desiredSize is no longer a config key", async () => {
        assert.deepEqual(prod.graph.one("aws:eks/nodeGroup:NodeGroup").inputs.scalingConfig, { desiredSize: 3, minSize: 3, maxSize: 6 });
        const result = await runStack("prod", { edit: (s) => ((s["cluster"] as any).nodeGroup.desiredSize = 4) });
        assert.match(String(result.error), /cluster\.nodeGroup\.desiredSize: unknown key/);
    });
});

describe("7. alarms that can fire", () => {
    it("an SNS topic with the configured subscriptions; every alarm notifies it", async () => {
        const topic = prod.graph.one("aws:sns/topic:Topic");
        assert.equal(topic.inputs.name, "supernova-prod-alerts");
        const subscription = prod.graph.one("aws:sns/topicSubscription:TopicSubscription").inputs;
        assert.deepEqual([subscription.protocol, subscription.endpoint], ["email", "platform@supernova.com"]);
        const arn = (await resolve(prod.graph.outputs["alertsTopicArn"] as pulumi.Output<string>)).value;
        for (const alarm of prod.graph.ofType("aws:cloudwatch/metricAlarm:MetricAlarm")) {
            assert.deepEqual(alarm.inputs.alarmActions, [arn], alarm.name);
        }
    });

    it("thresholds follow the instance class, and no alarm watches a metric this instance cannot publish", () => {
        const thresholds = (graph: Graph) =>
            Object.fromEntries(
                graph
                    .ofType("aws:cloudwatch/metricAlarm:MetricAlarm")
                    .filter((a) => a.inputs.namespace === "AWS/RDS")
                    .map((a) => [a.inputs.metricName, a.inputs.threshold]),
            );
        // LEAST(memory / 9531392, 5000) x 75 %: db.t4g.micro (1 GiB) 112 -> 84; db.r6g.large (16 GiB) 1802 -> 1351
        assert.equal(thresholds(dev.graph)["DatabaseConnections"], 84);
        assert.equal(thresholds(prod.graph)["DatabaseConnections"], 1351);
        assert.deepEqual(Object.keys(thresholds(prod.graph)).sort(), ["CPUUtilization", "DatabaseConnections", "FreeStorageSpace"]);
    });
});

describe("8. rollback within 5 minutes in prod", () => {
    it("Helm's per-operation timeout covers each hook's deadline, and a failed rollout is rolled back by 285 s", () => {
        const app = prod.graph.one(RELEASE, "supernova-server-release").inputs;
        const values = app.values;
        // Helm (v3, embedded by @pulumi/kubernetes 4.34.2) waits up to --timeout for the resources, then for each hook.
        assert.equal(app.timeout, 255);
        for (const hook of [values.migrations, values.seeds]) {
            assert.ok(hook.activeDeadlineSeconds + 15 <= app.timeout, "Helm never cuts a hook before its own deadline");
        }
        // A crash-looping rollout: the wait runs the whole timeout, then the rollback applies the previous revision (30 s budget).
        assert.ok(app.timeout + 30 <= 300, `rolled back after ${app.timeout + 30} s`);
    });

    it("refuses a prod config whose hooks would hold a failed rollout longer than 5 minutes", async () => {
        const result = await runStack("prod", { edit: (s) => (service0(s)["migrations"] = { activeDeadlineSeconds: 300 }) });
        assert.match(
            String(result.error),
            /services\[0\]\.migrations\.activeDeadlineSeconds: expected a failed rollout to be rolled back within 300 s .* timeout would be 315 s, so rollback ends after 345 s, got 300/,
        );
    });
});

describe("9. pre-install migrations reach the database on first install", () => {
    it("the app's egress policy is created outside the release, before it, and selects the hook pods", async () => {
        const edit = (s: Sections) =>
            (service0(s)["migrations"] = { when: ["pre-install", "pre-upgrade"], weight: -10, activeDeadlineSeconds: 240 });
        const { graph } = await recordStack("prod", { edit });
        const policy = graph
            .ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy")
            .find((p) => p.inputs.metadata.name === "supernova-server-egress")!;
        const app = graph.one(RELEASE, "supernova-server-release");
        assert.ok(app.dependsOn.includes(policy.urn), "the release waits for the policy");
        const hook = renderChart(app.inputs.values, "supernova-server", "supernova").find(
            (m) => m.kind === "Job" && m.metadata.name === "supernova-server-migrate-1",
        )!;
        assert.equal(hook.metadata.annotations["helm.sh/hook"], "pre-install,pre-upgrade");
        const labels = hook.spec.template.metadata.labels;
        for (const [key, value] of Object.entries(policy.inputs.spec.podSelector.matchLabels)) assert.equal(labels[key], value, key);
        assert.ok(policy.inputs.spec.egress.some((rule: any) => rule.ports.some((p: any) => p.port === 5432)));
    });
});

describe("10. add-ons and the app wait for the nodes, CNI and CoreDNS, with explicit timeouts", () => {
    it("the Kubernetes provider waits for the node group and the vpc-cni, kube-proxy and coredns add-ons", () => {
        const provider = prod.graph.one("pulumi:providers:kubernetes", "cluster-k8s");
        const names = provider.dependsOn.map((urn) => urn.split("::").pop());
        for (const name of ["cluster-nodes", "cluster-addon-vpc-cni", "cluster-addon-kube-proxy", "cluster-addon-coredns"]) {
            assert.ok(names.includes(name), name);
        }
    });

    it("every Helm release has an explicit timeout, and the node group and add-ons explicit create timeouts", () => {
        for (const r of prod.graph.ofType(RELEASE)) assert.ok(Number(r.inputs.timeout) > 0, `${r.name} timeout`);
        assert.equal(prod.graph.one("aws:eks/nodeGroup:NodeGroup").customTimeouts?.create, "30m");
        for (const addon of prod.graph.ofType("aws:eks/addon:Addon")) assert.equal(addon.customTimeouts?.create, "20m", addon.name);
    });

    it("the app's release waits for the Gateway's CRDs and controller and for metrics-server", () => {
        const app = prod.graph.one(RELEASE, "supernova-server-release");
        const names = app.dependsOn.map((urn) => urn.split("::").pop());
        for (const name of ["entry-point-gateway-api-crds", "entry-point-aws-load-balancer-controller", "capacity-metrics-server"]) {
            assert.ok(names.includes(name), name);
        }
    });
});

describe("11. the client's address reaches the app", () => {
    it("the ALB sends to the pods directly and appends the client's address to X-Forwarded-For", () => {
        const spec = oneKind(prod.graph, "LoadBalancerConfiguration").inputs.spec;
        assert.deepEqual(spec.loadBalancerAttributes, [
            { key: "routing.http.xff_header_processing.mode", value: "append" },
            { key: "routing.http.drop_invalid_header_fields.enabled", value: "true" },
        ]);
        assert.equal(oneKind(prod.graph, "TargetGroupConfiguration").inputs.spec.defaultConfiguration.targetType, "ip");
        const target = prodChart.find((m) => m.kind === "TargetGroupConfiguration")!.spec;
        assert.deepEqual(target.targetReference, { name: "supernova-server" });
        assert.equal(target.defaultConfiguration.healthCheckConfig.healthCheckPath, "/healthz");
    });
});

describe("every stack", () => {
    for (const stack of STACKS) {
        it(`${stack}: routes its host through a Gateway`, async () => {
            const { graph } = await recorded(stack);
            const values = appValues(graph);
            assert.equal(values.route.enabled, true);
            assert.deepEqual(values.route.gateway, { name: "public", namespace: "gateway", sectionName: "https" });
            assert.equal(values.ingress.enabled, false);
        });
    }
});

describe("settings derived from dated tables", () => {
    it("refuse an instance class or Kubernetes version the tables do not know", async () => {
        const result = await runStack("prod", {
            edit: (s) => {
                (s["database"] as Record<string, unknown>)["instanceClass"] = "db.x9.huge";
                (s["cluster"] as Record<string, unknown>)["kubernetesVersion"] = "1.29";
            },
        });
        assert.match(
            String(result.error),
            /database\.instanceClass: expected an instance class with a known memory size.*got "db\.x9\.huge"/,
        );
        assert.match(
            String(result.error),
            /cluster\.kubernetesVersion: expected a version with a cluster-autoscaler release \(1\.33, 1\.34, 1\.35;.*got "1\.29"/,
        );
    });
});
