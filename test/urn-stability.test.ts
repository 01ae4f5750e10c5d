import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { recordStack } from "./harness/run-stack";

/**
 * URNs of resources whose replacement would destroy something (a database, its key, its password): a changed URN makes Pulumi delete
 * and recreate. If a refactor changes one on purpose, add an alias and keep the old URN here.
 */
const PROD_URNS = [
    "urn:pulumi:prod::platform::pulumi:providers:aws::aws",
    "urn:pulumi:prod::platform::platform:kubernetes:Cluster::cluster",
    "urn:pulumi:prod::platform::platform:kubernetes:Cluster$aws:eks/cluster:Cluster::cluster-eks",
    "urn:pulumi:prod::platform::platform:kubernetes:Cluster$aws:eks/nodeGroup:NodeGroup::cluster-nodes",
    "urn:pulumi:prod::platform::platform:kubernetes:Cluster$aws:kms/key:Key::cluster-secrets-key",
    "urn:pulumi:prod::platform::platform:kubernetes:Cluster$aws:iam/openIdConnectProvider:OpenIdConnectProvider::cluster-oidc",
    "urn:pulumi:prod::platform::platform:kubernetes:Cluster$platform:aws:Vpc::cluster-network",
    "urn:pulumi:prod::platform::platform:kubernetes:Cluster$platform:aws:Vpc$aws:ec2/vpc:Vpc::cluster-network-vpc",
    "urn:pulumi:prod::platform::platform:kubernetes:Cluster$platform:aws:Vpc$aws:ec2/subnet:Subnet::cluster-network-private-eu-west-1a",
    "urn:pulumi:prod::platform::platform:kubernetes:Cluster$platform:aws:Vpc$aws:ec2/subnet:Subnet::cluster-network-private-eu-west-1b",
    "urn:pulumi:prod::platform::platform:kubernetes:Cluster$platform:aws:Vpc$aws:ec2/subnet:Subnet::cluster-network-private-eu-west-1c",
    "urn:pulumi:prod::platform::platform:kubernetes:Cluster$platform:aws:Vpc$aws:ec2/natGateway:NatGateway::cluster-network-nat-eu-west-1a",
    "urn:pulumi:prod::platform::platform:kubernetes:Cluster$pulumi:providers:kubernetes::cluster-k8s",
    "urn:pulumi:prod::platform::platform:data:Postgres$aws:rds/instance:Instance::postgres-instance",
    "urn:pulumi:prod::platform::platform:data:Postgres$aws:kms/key:Key::postgres-key",
    "urn:pulumi:prod::platform::platform:data:Postgres$random:index/randomPassword:RandomPassword::postgres-password",
    "urn:pulumi:prod::platform::platform:data:Redis$aws:elasticache/replicationGroup:ReplicationGroup::redis-group",
    // The data tiers' groups and subnets did not move when they began admitting the VPC's node group (issue 23).
    "urn:pulumi:prod::platform::platform:data:Postgres$aws:ec2/securityGroup:SecurityGroup::postgres-sg",
    "urn:pulumi:prod::platform::platform:data:Postgres$aws:rds/subnetGroup:SubnetGroup::postgres-subnets",
    "urn:pulumi:prod::platform::platform:data:Postgres$aws:rds/proxy:Proxy::postgres-proxy",
    "urn:pulumi:prod::platform::platform:data:Redis$aws:ec2/securityGroup:SecurityGroup::redis-sg",
    "urn:pulumi:prod::platform::platform:data:Redis$aws:elasticache/subnetGroup:SubnetGroup::redis-subnets",
    "urn:pulumi:prod::platform::platform:secrets:AppSecrets$aws:kms/key:Key::app-secrets-key",
    "urn:pulumi:prod::platform::platform:secrets:AppSecrets$aws:secretsmanager/secret:Secret::app-secrets-database-url",
    "urn:pulumi:prod::platform::platform:secrets:AppSecrets$random:index/randomPassword:RandomPassword::app-secrets-session-secret",
    "urn:pulumi:prod::platform::platform:kubernetes:Namespace::app",
    "urn:pulumi:prod::platform::platform:kubernetes:Namespace$kubernetes:core/v1:Namespace::app-namespace",
    "urn:pulumi:prod::platform::platform:kubernetes:Namespace$kubernetes:networking.k8s.io/v1:NetworkPolicy::app-default-deny",
];

const LOCAL_URNS = [
    "urn:pulumi:local::platform::platform:kubernetes:Cluster$pulumi:providers:kubernetes::cluster-k8s",
    "urn:pulumi:local::platform::platform:kubernetes:Namespace$kubernetes:core/v1:Namespace::app-namespace",
    "urn:pulumi:local::platform::platform:data:Postgres$kubernetes:apps/v1:StatefulSet::postgres-statefulset",
    "urn:pulumi:local::platform::platform:data:Redis$kubernetes:apps/v1:StatefulSet::redis-statefulset",
];

describe("resource URNs stay stable", () => {
    for (const [stack, urns] of [
        ["prod", PROD_URNS],
        ["local", LOCAL_URNS],
    ] as const) {
        it(`${stack}: cluster, VPC and namespace keep their URNs`, async () => {
            const { graph } = await recordStack(stack);
            const recorded = new Set(graph.resources.map((r) => r.urn));
            assert.deepEqual(
                urns.filter((urn) => !recorded.has(urn)),
                [],
                "these URNs disappeared; a rename replaces the resource (add an alias)",
            );
        });
    }

    it("every URN of a stack is unique", async () => {
        const { graph } = await recordStack("prod");
        const urns = graph.resources.map((r) => r.urn);
        assert.equal(new Set(urns).size, urns.length);
    });
});
