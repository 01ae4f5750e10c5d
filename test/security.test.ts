import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { EKS_ADDON_BUILDS, EKS_VERSION_SUPPORT, supportStatus } from "../config/eks-versions";
import { BOOTSTRAP_ROLES, roleArn } from "../config/delivery";
import { ConfigError } from "../config/format";
import { type Graph, isSecretValue } from "./harness/graph";
import { recordStack, runStack } from "./harness/run-stack";

/** Issue #24: the security baseline as the prod graph carries it (each check fails on main 4bf2385). */

// AWS's names, written out here so this file also runs (and fails) against the code before the baseline.
const CLUSTER_VIEW_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy";
const CLUSTER_EDIT_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy";
const CLUSTER_ADMIN_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy";
const CNI_POLICY = "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy";
const ACCOUNT = "333333333333";
const DEPLOYER = `arn:aws:iam::${ACCOUNT}:role/platform-deployer`;
const ON_CALL = `arn:aws:iam::${ACCOUNT}:role/platform-on-call`;
let graph: Graph;
before(async () => {
    ({ graph } = await recordStack("prod", { edit: (s) => ((s["cluster"] as Record<string, unknown>)["onCallRoleArn"] = ON_CALL) }));
});
const doc = (value: unknown) => (typeof value === "string" ? JSON.parse(value) : value);

describe("1. EKS version and add-ons", () => {
    it("defaults to a version in standard support today, with every add-on pinned to its build for that version", () => {
        const cluster = graph.one("aws:eks/cluster:Cluster").inputs;
        assert.equal(cluster.version, "1.35");
        assert.equal(supportStatus(cluster.version, new Date("2026-11-23T00:00:00Z")), "standard");
        assert.equal(EKS_VERSION_SUPPORT["1.33"]!.standardSupportEnd, "2026-07-29", "the issue's date");
        for (const addon of graph.ofType("aws:eks/addon:Addon")) {
            assert.equal(addon.inputs.addonVersion, EKS_ADDON_BUILDS["1.35"]![addon.inputs.addonName as "vpc-cni"], addon.name);
        }
    });

    it("refuses a version without pinned add-on builds, naming the key", async () => {
        const { error } = await runStack("prod", {
            edit: (s) => ((s["cluster"] as Record<string, unknown>)["kubernetesVersion"] = "1.33"),
        });
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, /cluster\.kubernetesVersion: expected a version with pinned EKS add-on builds \(1\.34, 1\.35/);
    });
});

describe("2. pods cannot reach the node's credentials", () => {
    it("the node launch template requires IMDSv2 with hop limit 1 and an encrypted root volume", () => {
        const template = graph.one("aws:ec2/launchTemplate:LaunchTemplate", "cluster-node-template").inputs;
        assert.deepEqual(template.metadataOptions, {
            httpEndpoint: "enabled",
            httpTokens: "required",
            httpPutResponseHopLimit: 1,
            instanceMetadataTags: "disabled",
        });
        assert.equal(template.blockDeviceMappings[0].ebs.encrypted, "true");
    });

    it("vpc-cni runs with its own IRSA role (kube-system/aws-node); the node role has no CNI policy", () => {
        const cni = graph.one("aws:eks/addon:Addon", "cluster-addon-vpc-cni").inputs;
        const role = graph.one("aws:iam/role:Role", "cluster-vpc-cni-role");
        assert.ok(cni.serviceAccountRoleArn, "vpc-cni has a service account role");
        const trust = doc(role.inputs.assumeRolePolicy).Statement[0];
        assert.deepEqual(Object.values(trust.Condition.StringEquals)[0], "system:serviceaccount:kube-system:aws-node");
        assert.equal(graph.one("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "cluster-vpc-cni-policy").inputs.policyArn, CNI_POLICY);
        assert.deepEqual(
            graph
                .ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
                .filter((a) => a.name.startsWith("cluster-node-") && a.inputs.policyArn === CNI_POLICY),
            [],
        );
    });
});

describe("3. access entries instead of the creator's implicit admin", () => {
    const associations = () => graph.ofType("aws:eks/accessPolicyAssociation:AccessPolicyAssociation").map((a) => a.inputs);

    it("turns the creator's admin off for new clusters, without replacing clusters created before", () => {
        const cluster = graph.one("aws:eks/cluster:Cluster");
        assert.deepEqual(cluster.inputs.accessConfig, { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false });
        assert.ok(cluster.ignoreChanges.includes("accessConfig.bootstrapClusterCreatorAdminPermissions"));
    });

    it("the deployer is cluster admin by its own entry, and the Kubernetes provider waits for it", () => {
        const entry = graph.one("aws:eks/accessEntry:AccessEntry", "cluster-access-deployer");
        assert.equal(entry.inputs.principalArn, DEPLOYER);
        const admin = graph.one("aws:eks/accessPolicyAssociation:AccessPolicyAssociation", "cluster-access-deployer-admin");
        assert.deepEqual([admin.inputs.policyArn, admin.inputs.accessScope], [CLUSTER_ADMIN_POLICY, { type: "cluster" }]);
        assert.ok(graph.one("pulumi:providers:kubernetes", "cluster-k8s").dependsOn.includes(admin.urn));
    });

    it("on-call views the cluster (no Secrets) and edits only the app namespace; previews only view", () => {
        const of = (principal: string) => associations().filter((a) => a.principalArn === principal);
        assert.deepEqual(
            of(ON_CALL).map((a) => [a.policyArn, a.accessScope]),
            [
                [CLUSTER_VIEW_POLICY, { type: "cluster" }],
                [CLUSTER_EDIT_POLICY, { type: "namespace", namespaces: ["supernova"] }],
            ],
        );
        assert.deepEqual(
            of(roleArn(ACCOUNT, BOOTSTRAP_ROLES.preview)).map((a) => a.policyArn),
            [CLUSTER_VIEW_POLICY],
        );
        assert.deepEqual(
            associations()
                .filter((a) => a.policyArn === CLUSTER_ADMIN_POLICY)
                .map((a) => a.principalArn),
            [DEPLOYER],
        );
    });

    it("adopts the creator's entry of a cluster created before (import), instead of failing on a duplicate", async () => {
        const { graph: adopted } = await recordStack("prod", {
            edit: (s) => ((s["cluster"] as Record<string, unknown>)["adoptCreatorAccessEntry"] = true),
        });
        const entry = adopted.resources.find((r) => r.name === "cluster-access-deployer")!;
        assert.ok(entry, "the deployer's entry is there");
    });
});

describe("6. KMS key policies", () => {
    const keys = () => graph.ofType("aws:kms/key:Key");
    const policyOf = (key: string) => doc(graph.one("aws:kms/keyPolicy:KeyPolicy", `${key}-policy`).inputs.policy);

    it("every key has an explicit policy: the deployer administers, nobody gets kms:*, the account root is not trusted", () => {
        assert.ok(
            keys().length >= 4,
            keys()
                .map((k) => k.name)
                .join(", "),
        );
        for (const key of keys()) {
            const statements = policyOf(key.name).Statement;
            assert.deepEqual(statements[0].Principal, { AWS: [DEPLOYER] }, key.name);
            const text = JSON.stringify(statements);
            assert.ok(!text.includes(":root") && !text.includes('"kms:*"'), key.name);
        }
    });

    /** The simulator evaluates the key policy as the resource policy and the role's own policy as identity policy. */
    const MOCK_KEY_ARN = () => String(keys().find((k) => k.name === "app-secrets-key")!.rawOutputs["arn"]);
    async function decrypt(principal: string, identityPolicies: unknown[], viaService?: string) {
        // The mocks' ARNs are not KMS ARNs; the simulator needs one, so the key gets a real-looking ARN in both policies.
        const keyArn = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/0000-app-secrets`;
        const result = await runSimulation(
            {
                request: {
                    principal,
                    action: "kms:Decrypt",
                    resource: { resource: keyArn, accountId: ACCOUNT },
                    contextVariables: viaService ? { "kms:ViaService": viaService, "kms:CallerAccount": ACCOUNT } : {},
                },
                identityPolicies: identityPolicies.map((policy) => ({
                    name: "identity",
                    policy: doc(JSON.stringify(policy).replaceAll(MOCK_KEY_ARN(), keyArn)),
                })),
                serviceControlPolicies: [],
                resourceControlPolicies: [],
                resourcePolicy: policyOf("app-secrets-key"),
            } as never,
            {},
        );
        return result.resultType === "error" ? `error ${JSON.stringify(result.errors)}` : result.overallResult;
    }

    it("the app-secrets key decrypts for a service's reader through Secrets Manager only; an admin-like role of the account gets nothing", async () => {
        const reader = graph.ofType("aws:iam/rolePolicy:RolePolicy").find((p) => /^app-secrets-.*-read$/.test(p.name))!;
        const readerArn = policyOf("app-secrets-key").Statement.find((s: { Sid: string }) => s.Sid === "ServiceReadersDecrypt").Principal
            .AWS[0];
        const identity = doc(reader.inputs.policy);
        const secretsManager = "secretsmanager.eu-west-1.amazonaws.com";
        assert.equal(await decrypt(readerArn, [identity], secretsManager), "Allowed");
        assert.notEqual(await decrypt(readerArn, [identity]), "Allowed", "not directly, only through Secrets Manager");
        const everything = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "kms:*", Resource: "*" }] };
        assert.notEqual(await decrypt(`arn:aws:iam::${ACCOUNT}:role/someone-else`, [everything], secretsManager), "Allowed");
    });
});

describe("7. VPC flow logs and the default security group", () => {
    it("logs all traffic to a KMS-encrypted log group kept 365 days by default", () => {
        const flow = graph.one("aws:ec2/flowLog:FlowLog").inputs;
        assert.equal(flow.trafficType, "ALL");
        const group = graph.one("aws:cloudwatch/logGroup:LogGroup", "cluster-network-flow-logs-group").inputs;
        assert.equal(group.retentionInDays, 365);
        assert.ok(group.kmsKeyId);
        const groupArn = String(graph.one("aws:cloudwatch/logGroup:LogGroup", "cluster-network-flow-logs-group").rawOutputs["arn"]);
        const write = doc(graph.one("aws:iam/rolePolicy:RolePolicy", "cluster-network-flow-logs-write").inputs.policy).Statement[0];
        assert.deepEqual(write.Resource, [groupArn, `${groupArn}:log-stream:*`], "only its own group");
    });

    it("empties the default security group", () => {
        const group = graph.one("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup").inputs;
        assert.deepEqual([group.ingress, group.egress], [[], []]);
    });
});

describe("8. RDS enhanced monitoring", () => {
    it("publishes OS metrics every 60 s through a role RDS monitoring assumes", () => {
        const db = graph.one("aws:rds/instance:Instance").inputs;
        assert.equal(db.monitoringInterval, 60);
        const role = graph.one("aws:iam/role:Role", "postgres-monitoring-role");
        assert.equal(doc(role.inputs.assumeRolePolicy).Statement[0].Principal.Service, "monitoring.rds.amazonaws.com");
        assert.ok(db.monitoringRoleArn);
    });
});

describe("9. one ServiceAccount per service", () => {
    it("each service's pods and hook Jobs run as its own ServiceAccount, with no API token mounted", () => {
        const account = graph.one("kubernetes:core/v1:ServiceAccount", "supernova-server-account").inputs;
        assert.deepEqual([account.metadata.name, account.automountServiceAccountToken], ["supernova-server", false]);
        const release = graph.one("kubernetes:helm.sh/v3:Release", "supernova-server-release");
        assert.equal(release.inputs.values.serviceAccountName, "supernova-server");
        assert.ok(release.dependsOn.includes(graph.one("kubernetes:core/v1:ServiceAccount", "supernova-server-account").urn));
    });
});

describe("5. add-on namespaces declared by the program", () => {
    const RELEASE = "kubernetes:helm.sh/v3:Release";
    const NAMESPACE = "kubernetes:core/v1:Namespace";
    const POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
    const enforced = (g: Graph) =>
        Object.fromEntries(
            g.ofType(NAMESPACE).map((n) => [n.inputs.metadata.name, n.inputs.metadata.labels?.["pod-security.kubernetes.io/enforce"]]),
        );

    it("every add-on release installs into kube-system or a namespace it depends on, with Pod Security labels and default-deny", () => {
        const addons = graph.ofType(RELEASE).filter((r) => r.inputs.repositoryOpts);
        assert.deepEqual(addons.map((r) => r.inputs.namespace).sort(), [
            "external-dns",
            "external-secrets",
            "kube-system",
            "kube-system",
            "kube-system",
            "monitoring",
        ]);
        for (const release of addons) {
            assert.equal(release.inputs.createNamespace, false, `${release.name} does not create its namespace`);
            if (release.inputs.namespace === "kube-system") continue;
            const namespace = graph.ofType(NAMESPACE).find((n) => n.inputs.metadata.name === release.inputs.namespace);
            assert.ok(namespace && release.dependsOn.includes(namespace.urn), `${release.name} depends on its namespace`);
            const deny = graph
                .ofType(POLICY)
                .find((p) => p.inputs.metadata.namespace === release.inputs.namespace && p.inputs.metadata.name === "default-deny-all");
            assert.ok(deny && release.dependsOn.includes(deny.urn), `${release.name} starts behind default-deny`);
            assert.deepEqual(deny.inputs.spec, { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
        }
    });

    it("levels: restricted everywhere but node-exporter's own namespace (privileged: host network, PID and paths)", () => {
        assert.deepEqual(enforced(graph), {
            supernova: "restricted",
            gateway: "restricted",
            "external-dns": "restricted",
            "external-secrets": "restricted",
            monitoring: "restricted",
            "monitoring-node-exporter": "privileged",
        });
        const stack = graph.ofType(RELEASE).find((r) => r.inputs.chart === "kube-prometheus-stack")!;
        assert.equal(stack.inputs.values["prometheus-node-exporter"].namespaceOverride, "monitoring-node-exporter");
    });

    it("adopts a namespace Helm created before (an upserting provider for namespaces only) and never deletes it", () => {
        const adopting = graph.one("pulumi:providers:kubernetes", "cluster-k8s-namespaces");
        // Provider inputs reach the engine as strings.
        assert.equal(String(adopting.inputs.upsertExistingObjects), "true");
        assert.ok(isSecretValue(adopting.rawInputs["kubeconfig"]), "its kubeconfig stays secret");
        assert.equal(graph.one("pulumi:providers:kubernetes", "cluster-k8s").inputs.upsertExistingObjects, undefined);
        for (const name of ["external-dns", "external-secrets", "monitoring", "monitoring-node-exporter"]) {
            const namespace = graph.ofType(NAMESPACE).find((n) => n.inputs.metadata.name === name)!;
            assert.ok(namespace.provider?.startsWith(adopting.urn), `${name} through the adopting provider`);
            assert.equal(namespace.retainOnDelete, true, `${name} retained on delete`);
        }
    });

    it("webhooks admit the API server from the cluster's private subnets only; ESO and external-dns reach HTTPS but not link-local", () => {
        const privateSubnets = graph
            .ofType("aws:ec2/subnet:Subnet")
            .filter((s) => s.name.includes("-private-"))
            .map((s) => ({ ipBlock: { cidr: s.inputs.cidrBlock } }));
        const policy = (namespace: string, name: string) =>
            graph.ofType(POLICY).find((p) => p.inputs.metadata.namespace === namespace && p.inputs.metadata.name === name)!.inputs.spec;
        assert.deepEqual(policy("external-secrets", "webhook-ingress").ingress, [
            { from: privateSubnets, ports: [{ protocol: "TCP", port: 10250 }] },
        ]);
        assert.deepEqual(policy("monitoring", "webhook-ingress").ingress, [
            { from: privateSubnets, ports: [{ protocol: "TCP", port: 10250 }] },
        ]);
        for (const namespace of ["external-secrets", "external-dns"]) {
            assert.deepEqual(policy(namespace, "https-egress").egress, [
                { to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["169.254.0.0/16"] } }], ports: [{ protocol: "TCP", port: 443 }] },
            ]);
        }
    });
});
