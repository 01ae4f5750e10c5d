import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { createMinutes, CriticalPath, formatTimeSection, timeEntry, timeToFresh } from "../../review/create-time";
import table from "../../review/data/create-times.json";
import { Graph, RecordedResource } from "../harness/graph";
import { recordStack, runStack } from "../harness/run-stack";
import { STACKS } from "../harness/stack-file";
import { existingClusterVariant } from "../harness/variants";

/**
 * Time to a fresh environment (review/create-time.ts): the longest dependency path weighted by the dated
 * table review/data/create-times.json. Expected paths are summed here by hand from that table.
 */

const T = table.types;
const graphs: Record<string, Graph> = {};
const paths: Record<string, CriticalPath> = {};
const round = (v: number) => Math.round(v * 100) / 100;

/** A bare resource for the synthetic graphs below. */
function resource(name: string, type: string, extra: Partial<RecordedResource> = {}): RecordedResource {
    return {
        type,
        name,
        urn: `urn:${name}`,
        custom: !type.startsWith("platform:"),
        inputs: {},
        rawInputs: {},
        rawOutputs: {},
        protect: false,
        dependsOn: [],
        propertyDependencies: {},
        aliases: [],
        ignoreChanges: [],
        retainOnDelete: false,
        deleteBeforeReplace: false,
        deleteBeforeReplaceDefined: false,
        additionalSecretOutputs: [],
        customTimeouts: {},
        ...extra,
    };
}

describe("time to a fresh environment", () => {
    before(async () => {
        for (const stack of STACKS) {
            graphs[stack] = (await recordStack(stack)).graph;
            paths[stack] = timeToFresh(graphs[stack].resources);
        }
        graphs["existing-cluster"] = (await recordStack("staging", { edit: existingClusterVariant })).graph;
    });

    it("every custom resource type of every stack (and the existing-cluster variant) has a create time", () => {
        for (const [stack, graph] of Object.entries(graphs)) {
            const types = [...new Set(graph.resources.filter((r) => r.custom).map((r) => r.type))];
            assert.deepEqual(
                types.filter((t) => timeEntry(t) === undefined),
                [],
                `${stack}: types without a create time (add them to review/data/create-times.json with their source)`,
            );
        }
        for (const stack of STACKS) assert.equal(paths[stack]!.unknownTypes, undefined, stack);
        for (const [type, entry] of Object.entries(T)) assert.ok(entry.source.length > 0, `${type} names its source`);
    });

    it("prod: the Multi-AZ database, the pre-deploy snapshot and the service's release are the critical path", (t) => {
        const prod = paths["prod"]!;
        t.diagnostic(formatTimeSection(undefined, prod).join("\n"));
        const multiAz = T["aws:rds/instance:Instance"].when[0]!.minutes;
        const expected = [
            ["cluster-network-vpc", T["aws:ec2/vpc:Vpc"].minutes],
            ["cluster-network-private-eu-west-1a", T["aws:ec2/subnet:Subnet"].minutes],
            ["postgres-subnets", T["aws:rds/subnetGroup:SubnetGroup"].minutes],
            ["postgres-instance", multiAz],
            ["database-backups-pre-deploy", T["aws:rds/snapshot:Snapshot"].minutes],
            ["supernova-server-release", T["kubernetes:helm.sh/v3:Release"].when[1]!.minutes],
        ] as const;
        assert.deepEqual(
            prod.path.map((s) => [s.name, s.minutes]),
            expected.map(([name, minutes]) => [name, minutes]),
        );
        assert.equal(prod.minutes, round(expected.reduce((sum, [, minutes]) => sum + minutes, 0)));
        assert.equal(prod.minutes, 30.5);
        console.log(`time to a fresh prod: ${prod.minutes} min via ${prod.path.map((s) => s.name).join(" -> ")}`);
    });

    it("dev and staging: the cluster, its nodes (through the Kubernetes provider) and the load balancer controller", () => {
        const cluster = [
            T["aws:ec2/vpc:Vpc"].minutes,
            T["aws:ec2/subnet:Subnet"].minutes,
            T["aws:eks/cluster:Cluster"].minutes,
            T["aws:ec2/launchTemplate:LaunchTemplate"].minutes,
            T["aws:eks/nodeGroup:NodeGroup"].minutes,
            T["aws:eks/addon:Addon"].minutes, // coredns, which the Kubernetes provider waits for
            T["kubernetes:helm.sh/v3:Release"].minutes, // the AWS Load Balancer Controller
            4 * 0.05, // target group and load balancer configurations, Gateway, HTTPRoute
            T["kubernetes:helm.sh/v3:Release"].when[1]!.minutes, // the service
        ];
        for (const stack of ["dev", "staging"]) {
            const path = paths[stack]!;
            assert.equal(path.minutes, round(cluster.reduce((a, b) => a + b, 0)), stack);
            assert.deepEqual(path.path.map((s) => s.name).slice(2, 8), [
                "cluster-eks",
                "cluster-node-template",
                "cluster-nodes",
                "cluster-addon-coredns",
                "entry-point-aws-load-balancer-controller",
                "entry-point-target-defaults",
            ]);
        }
        assert.equal(paths["local"]!.minutes, 2.15);
    });

    it("a single-AZ database in staging is off the critical path; a Multi-AZ one is not yet on it", async () => {
        const result = await runStack("staging", {
            edit: (s) => {
                (s["database"] as Record<string, unknown>)["multiAz"] = true;
            },
        });
        assert.equal(result.error, undefined, String(result.error));
        const head = timeToFresh(result.graph.resources);
        const rds = result.graph.resources.find((r) => r.type === "aws:rds/instance:Instance")!;
        assert.equal(createMinutes(rds), 20);
        // vpc + subnet + subnet group + 20 min + the release's 5 = 25.5, still below the cluster path's 27.7.
        assert.equal(head.minutes, paths["staging"]!.minutes);
        assert.ok(!head.path.some((s) => s.name === "postgres-instance"));
    });

    it("depending on a component waits for all its children; a cycle is an error", () => {
        const component = resource("group", "platform:test:Group");
        const slow = resource("slow", "aws:rds/instance:Instance", { parent: component.urn, inputs: { multiAz: true } });
        const fast = resource("fast", "aws:iam/role:Role", { parent: component.urn });
        const after = resource("after", "aws:ec2/natGateway:NatGateway", { dependsOn: [component.urn] });
        const path = timeToFresh([component, slow, fast, after]);
        assert.deepEqual(path, {
            minutes: 22,
            path: [
                { type: "aws:rds/instance:Instance", name: "slow", minutes: 20 },
                { type: "aws:ec2/natGateway:NatGateway", name: "after", minutes: 2 },
            ],
        });
        const a = resource("a", "aws:iam/role:Role", { dependsOn: ["urn:b"] });
        const b = resource("b", "aws:iam/role:Role", { dependsOn: ["urn:a"] });
        assert.throws(() => timeToFresh([a, b]), /dependency cycle/);
        const unknown = timeToFresh([resource("x", "aws:foo/bar:Baz")]);
        assert.deepEqual(unknown.unknownTypes, ["aws:foo/bar:Baz"]);
        assert.match(formatTimeSection(undefined, unknown).join("\n"), /\*\*No create time\*\* \(counted as 0\): `aws:foo\/bar:Baz`/);
    });

    it("the section shows the total, the signed delta against base and the path with cumulative minutes", () => {
        const head = paths["prod"]!;
        const faster = formatTimeSection(head, paths["staging"]!).join("\n");
        assert.match(faster, /\*\*27\.7 min\*\*, -2\.8 min against base \(30\.5 min\)/);
        const slower = formatTimeSection(paths["staging"], head).join("\n");
        assert.match(slower, /\*\*30\.5 min\*\*, \+2\.8 min against base \(27\.7 min\)/);
        assert.match(formatTimeSection(head, head).join("\n"), /\*\*30\.5 min\*\*, \+0 min against base \(30\.5 min\)/);
        assert.match(slower, /\| 4 \| postgres-instance \| `aws:rds\/instance:Instance` \| 20 \| 20\.5 \|/);
        assert.match(slower, /\| 6 \| supernova-server-release \| `kubernetes:helm\.sh\/v3:Release` \| 5 \| 30\.5 \|/);
    });
});
