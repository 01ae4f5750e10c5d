import * as pulumi from "@pulumi/pulumi";
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { StackConfig } from "../config/load";
import { INSTANCE_TYPES } from "../config/instance-types";
import { Graph, isSecretValue, plaintextPaths } from "./harness/graph";
import { resolve } from "./harness/outputs";
import { recordStack } from "./harness/run-stack";
import { SECRET_PLACEHOLDER_PREFIX, secure, StackName } from "./harness/stack-file";

interface Expected {
    namespace: string;
    replicas: number;
    devAuthOpen: string;
    logLevel: string;
    deployFrom: { branch?: string; tag?: string };
    /** The AWS account of the environment; undefined where the stack needs no cloud. */
    account?: string;
    natGateways?: number;
}

const EXPECTED: Record<StackName, Expected> = {
    local: { namespace: "supernova-local", replicas: 1, devAuthOpen: "true", logLevel: "debug", deployFrom: { branch: "develop" } },
    dev: {
        namespace: "supernova-dev",
        replicas: 1,
        devAuthOpen: "true",
        logLevel: "debug",
        deployFrom: { branch: "develop" },
        account: "111111111111",
        natGateways: 1,
    },
    staging: {
        namespace: "supernova-staging",
        replicas: 2,
        devAuthOpen: "false",
        logLevel: "info",
        deployFrom: { branch: "main" },
        account: "222222222222",
        natGateways: 1,
    },
    prod: {
        namespace: "supernova",
        replicas: 3,
        devAuthOpen: "false",
        logLevel: "info",
        deployFrom: { tag: "v*" },
        account: "333333333333",
        natGateways: 3,
    },
};

const K8S_PROVIDER = "pulumi:providers:kubernetes";
const AWS_PROVIDER = "pulumi:providers:aws";

function assertNamespaceIsLockedDown(graph: Graph, name: string): void {
    const namespace = graph.one("kubernetes:core/v1:Namespace", "app-namespace");
    assert.equal(namespace.inputs.metadata.name, name);
    for (const mode of ["enforce", "audit", "warn"]) {
        assert.equal(namespace.inputs.metadata.labels[`pod-security.kubernetes.io/${mode}`], "restricted", mode);
    }
    const policies = graph.ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy");
    const ofNamespace = policies.filter((p) => p.inputs.metadata.namespace === name);
    const deny = ofNamespace.find((p) => p.inputs.metadata.name === "default-deny-all");
    assert.ok(deny, "default-deny NetworkPolicy");
    assert.equal(deny.inputs.metadata.namespace, name);
    assert.deepEqual(deny.inputs.spec.podSelector, {});
    assert.deepEqual(deny.inputs.spec.policyTypes, ["Ingress", "Egress"]);
    assert.equal(deny.inputs.spec.ingress, undefined, "default deny admits nothing");
    assert.equal(deny.inputs.spec.egress, undefined, "default deny lets nothing out");
    const dns = ofNamespace.find((p) => p.inputs.metadata.name === "allow-dns-egress");
    assert.ok(dns, "DNS egress allow");
    assert.deepEqual(
        dns.inputs.spec.egress[0].ports.map((p: { protocol: string; port: number }) => `${p.protocol}/${p.port}`),
        ["UDP/53", "TCP/53"],
    );
    const quota = graph.one("kubernetes:core/v1:ResourceQuota");
    assert.equal(quota.inputs.metadata.namespace, name);
    assert.ok(Number(quota.inputs.spec.hard.pods) >= 1);
    assert.equal(graph.one("kubernetes:core/v1:LimitRange").inputs.metadata.namespace, name);
}

function assertExplicitProviders(graph: Graph): void {
    const k8sProvider = graph.one(K8S_PROVIDER, "cluster-k8s");
    // Add-on namespaces (retained on delete) go through the provider that adopts a namespace Helm created.
    const adopting = graph.ofType(K8S_PROVIDER).find((p) => p.name === "cluster-k8s-namespaces") ?? k8sProvider;
    for (const r of graph.resources.filter((r) => r.custom && r.type.startsWith("kubernetes:"))) {
        const addonNamespace = r.type === "kubernetes:core/v1:Namespace" && r.retainOnDelete;
        assert.equal(r.provider, (addonNamespace ? adopting : k8sProvider).urn, `${r.name} uses the cluster's provider`);
    }
    for (const pkg of ["random", "tls"]) {
        const provider = graph.one(`pulumi:providers:${pkg}`);
        for (const r of graph.resources.filter((r) => r.custom && r.type.startsWith(`${pkg}:`))) {
            assert.equal(r.provider, provider.urn, `${r.name} uses the explicit ${pkg} provider`);
        }
    }
    for (const r of graph.resources.filter((r) => r.custom && r.type.startsWith("aws:"))) {
        assert.equal(r.provider, graph.one(AWS_PROVIDER).urn, `${r.name} uses the stack's AWS provider`);
        assert.ok(r.parent, `${r.name} belongs to a component`);
    }
}

function assertServiceConfig(config: StackConfig, expected: Expected): void {
    const [service] = config.services;
    assert.ok(service);
    assert.equal(service.name, "supernova-server");
    assert.equal(service.replicas, expected.replicas);
    assert.equal(service.env["DEV_AUTH_OPEN"], expected.devAuthOpen);
    assert.equal(service.env["LOG_LEVEL"], expected.logLevel);
    assert.deepEqual(config.environment.deployFrom, expected.deployFrom);
    assert.equal(config.namespace.name, expected.namespace);
}

function assertEksStack(graph: Graph, expected: Expected & { account: string }): void {
    const provider = graph.one(AWS_PROVIDER, "aws");
    assert.deepEqual(provider.inputs.allowedAccountIds, JSON.stringify([expected.account]));
    assert.equal(provider.inputs.assumeRoles, undefined, "credentials come from the environment (the deployer role), not provider inputs");
    assert.deepEqual(Object.keys(JSON.parse(provider.inputs.defaultTags).tags).sort(), ["environment", "managed-by", "project"]);

    const eks = graph.one("aws:eks/cluster:Cluster");
    assert.deepEqual(eks.inputs.enabledClusterLogTypes, ["api", "audit", "authenticator", "controllerManager", "scheduler"]);
    assert.equal(eks.inputs.vpcConfig.endpointPrivateAccess, true);
    assert.equal(eks.inputs.vpcConfig.endpointPublicAccess, false);
    const key = graph.one("aws:kms/key:Key", "cluster-secrets-key");
    assert.equal(key.inputs.enableKeyRotation, true);
    assert.deepEqual(eks.inputs.encryptionConfig.resources, ["secrets"]);
    assert.equal(eks.inputs.encryptionConfig.provider.keyArn, "arn:aws:mock:eu-west-1:000000000000:Key/cluster-secrets-key");

    const privateSubnets = graph.ofType("aws:ec2/subnet:Subnet").filter((s) => s.name.includes("-private-"));
    const publicSubnets = graph.ofType("aws:ec2/subnet:Subnet").filter((s) => s.name.includes("-public-"));
    assert.equal(privateSubnets.length, 3);
    assert.equal(publicSubnets.length, 3);
    assert.equal(new Set(privateSubnets.map((s) => s.inputs.availabilityZone)).size, 3, "private subnets span 3 AZs");
    assert.ok(privateSubnets.every((s) => s.inputs.mapPublicIpOnLaunch !== true));
    const nodes = graph.one("aws:eks/nodeGroup:NodeGroup");
    assert.deepEqual(
        nodes.inputs.subnetIds,
        privateSubnets.map((s) => `${s.name}-id`),
        "nodes live in private subnets only",
    );
    assert.deepEqual(nodes.ignoreChanges, ["scalingConfig.desiredSize"], "cluster-autoscaler owns the size");
    assert.equal(graph.ofType("aws:ec2/natGateway:NatGateway").length, expected.natGateways);

    const addons = graph.ofType("aws:eks/addon:Addon");
    assert.deepEqual(addons.map((a) => a.inputs.addonName).sort(), [
        "amazon-cloudwatch-observability",
        "aws-ebs-csi-driver",
        "coredns",
        "kube-proxy",
        "vpc-cni",
    ]);
    const cni = addons.find((a) => a.inputs.addonName === "vpc-cni");
    assert.equal(JSON.parse(cni!.inputs.configurationValues).enableNetworkPolicy, "true");
    const oidc = graph.one("aws:iam/openIdConnectProvider:OpenIdConnectProvider", "cluster-oidc");
    assert.deepEqual(oidc.inputs.clientIdLists, ["sts.amazonaws.com"]);
    const ebsTrust = JSON.parse(graph.one("aws:iam/role:Role", "cluster-ebs-csi-role").inputs.assumeRolePolicy);
    assert.deepEqual(Object.values(ebsTrust.Statement[0].Condition.StringEquals), [
        "system:serviceaccount:kube-system:ebs-csi-controller-sa",
        "sts.amazonaws.com",
    ]);

    const k8sProvider = graph.one(K8S_PROVIDER, "cluster-k8s");
    assert.ok(isSecretValue(k8sProvider.rawInputs["kubeconfig"]), "kubeconfig reaches the provider as a secret");
    const kubeconfig = JSON.parse(k8sProvider.inputs.kubeconfig);
    assert.equal(kubeconfig.users[0].user.exec.command, "aws", "short-lived tokens, no static credentials");

    for (const release of graph.ofType("kubernetes:helm.sh/v3:Release").filter((r) => r.inputs.repositoryOpts !== undefined)) {
        assert.match(release.inputs.version, /^v?\d+\.\d+\.\d+$/, `${release.name} pins its remote chart`);
    }
}

for (const stack of Object.keys(EXPECTED) as StackName[]) {
    describe(`stack ${stack}`, () => {
        const expected = EXPECTED[stack];
        let graph: Graph;
        let config: StackConfig;
        before(async () => ({ graph, config } = await recordStack(stack)));

        it("carries the seeds' per-environment values", () => assertServiceConfig(config, expected));
        it("creates a restricted, default-deny namespace", () => assertNamespaceIsLockedDown(graph, expected.namespace));
        it("gives every resource an explicit provider", () => assertExplicitProviders(graph));
        it("exports the namespace and cluster name", async () => {
            const { value: namespace } = await resolve(graph.outputs["namespace"] as pulumi.Output<string>);
            assert.equal(namespace, expected.namespace);
        });

        if (expected.account !== undefined) {
            const account = expected.account;
            it("runs EKS in the environment's own account with private nodes, KMS and all logs", () =>
                assertEksStack(graph, { ...expected, account }));
            it("keeps the kubeconfig output secret", async () => {
                assert.equal(await pulumi.isSecret(graph.outputs["kubeconfig"] as pulumi.Output<string>), true);
            });
        } else {
            it("needs no cloud: render mode, no AWS resource, no cluster add-on", () => {
                assert.equal(graph.one(K8S_PROVIDER, "cluster-k8s").inputs.renderYamlToDirectory, "rendered");
                assert.deepEqual(
                    graph.resources.filter((r) => r.type.includes("aws")),
                    [],
                );
                assert.deepEqual(graph.ofType("kubernetes:helm.sh/v3:Release"), []);
                assert.equal(graph.outputs["renderDirectory"], "rendered");
            });
        }
    });
}

describe("stack prod", () => {
    it("has 3 private nodes of at least 4 vCPU and 8 GiB", async () => {
        const { graph } = await recordStack("prod");
        const nodes = graph.one("aws:eks/nodeGroup:NodeGroup").inputs;
        // The instance type is the launch template's (a change is a rolling update, components/cluster/node-versions.ts).
        const instanceType = graph.one("aws:ec2/launchTemplate:LaunchTemplate").inputs.instanceType;
        assert.equal(nodes.instanceTypes, undefined);
        const size = INSTANCE_TYPES[instanceType];
        assert.ok(size && size.vcpu >= 4 && size.memoryGiB >= 8, `${instanceType} is big enough`);
        assert.ok(nodes.scalingConfig.minSize >= 3 && nodes.scalingConfig.desiredSize === nodes.scalingConfig.minSize);
        assert.ok(nodes.scalingConfig.maxSize >= nodes.scalingConfig.minSize);
    });
});

describe("EKS access entries", () => {
    it("grant each configured admin role cluster-admin through an access entry", async () => {
        const admin = "arn:aws:iam::333333333333:role/platform-admins";
        const { graph } = await recordStack("prod", {
            edit: (s) => ((s["cluster"] as Record<string, unknown>)["adminRoleArns"] = [admin]),
        });
        const entry = graph.one("aws:eks/accessEntry:AccessEntry", "cluster-access-platform-admins");
        assert.equal(entry.inputs.principalArn, admin);
        assert.equal(entry.inputs.type, "STANDARD");
        const association = graph.one("aws:eks/accessPolicyAssociation:AccessPolicyAssociation", "cluster-access-platform-admins-admin");
        assert.equal(association.inputs.principalArn, admin);
        assert.equal(association.inputs.policyArn, "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy");
        assert.deepEqual(association.inputs.accessScope, { type: "cluster" });
        assert.ok(association.dependsOn.includes(entry.urn), "the association waits for its entry");
    });
});

describe("existing cluster mode", () => {
    const existing = (sections: Record<string, unknown>) => {
        sections["cluster"] = { mode: "existing", name: "shared", ingressNginx: { enabled: false }, certManager: { enabled: false } };
        sections["secrets"] = { backend: "kubernetes", kubeconfig: secure() };
    };

    it("uses the kubeconfig secret, creates no AWS resource and stores no secret in plain text", async () => {
        const { graph } = await recordStack("local", { edit: existing });
        const provider = graph.one(K8S_PROVIDER, "cluster-k8s");
        assert.ok(isSecretValue(provider.rawInputs["kubeconfig"]));
        assert.equal(provider.inputs.kubeconfig, `${SECRET_PLACEHOLDER_PREFIX}secrets.kubeconfig`);
        assert.equal(provider.inputs.renderYamlToDirectory, undefined);
        assert.deepEqual(
            graph.resources.filter((r) => r.type.includes("aws")),
            [],
        );
        const leaks = graph.resources.flatMap((r) => plaintextPaths(r.rawInputs, SECRET_PLACEHOLDER_PREFIX).map((p) => `${r.urn} ${p}`));
        assert.deepEqual(leaks, []);
    });
});
