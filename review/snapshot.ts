import { createHmac, randomBytes } from "crypto";
import { specialResourceSig as RESOURCE_SIG, specialSecretSig as SECRET_SIG, specialSigKey as SIG_KEY } from "@pulumi/pulumi/runtime/rpc";
import type { RecordedResource } from "../test/harness/graph";
import { aliasUrn } from "../test/harness/policy-pack/wire";
import type { RunOptions } from "../test/harness/run-stack";
import type { EntryPoints } from "./entry-points";
import { iamRows } from "./iam-rows";
import type { Missing } from "./load-entry-points";

/** A section either computed or not, with the reason (the tree lacks the evaluator, the program failed, ...). */
export type Section<T> = { rows: T[] } | { unavailable: string };

/** Where a secret was: its value replaced by a keyed digest, so a change shows without the value. */
export const SECRET_MARK = "[secret]";

/**
 * One resource as the review compares it: what the engine would be given, secrets masked. The fields
 * are RecordedResource's (test/harness/graph.ts) minus the raw ones, so graph tools (cost, create
 * time) take a snapshot's resources as they take a recorded graph's.
 */
export type SnapshotResource = Pick<
    RecordedResource,
    "type" | "name" | "urn" | "parent" | "custom" | "protect" | "dependsOn" | "retainOnDelete" | "customTimeouts" | "provider"
> & {
    inputs: Record<string, unknown>;
    /** URNs this resource was known by before (its `aliases`): a move, not a delete and a create. */
    aliasUrns: string[];
};

/** A row of a flow table: a security-group or NetworkPolicy flow as the path checks evaluate it. */
export interface FlowRow {
    table: "security group" | "NetworkPolicy";
    flow: string;
    /** `443` (security groups) or `TCP/443` (NetworkPolicies). */
    port: string;
    expected: "allow" | "deny";
    allowed: boolean;
}

/** A request the IAM simulator decided (test/harness/iam.ts Check). */
export interface IamRow {
    role: string;
    action: string;
    resource: string;
    from?: string;
    decision: "allowed" | "denied";
}

export interface Finding {
    policy: string;
    enforcementLevel: string;
    /** The resource it names; none for a stack-wide finding. */
    urn?: string;
    message: string;
}

export interface Snapshot {
    stack: string;
    /** What was evaluated, e.g. `working tree` or `origin/main (1a2b3c4)`. */
    tree: string;
    /** The program's error, when it failed before registering its resources. */
    error?: string;
    /** The AWS region of the stack's config, when it has one. */
    region?: string;
    resources: SnapshotResource[];
    flows: Section<FlowRow>;
    iam: Section<IamRow>;
    policies: Section<Finding>;
}

export interface SnapshotOptions {
    /** What `tree` says. Defaults to `working tree`. */
    tree?: string;
    /** Changes the stack file's sections before the run (tests: one variation of a stack). */
    edit?: RunOptions["edit"];
    /** Key of the secrets' digests; both sides of a review must use the same. Defaults to a random key of this process. */
    secretKey?: string;
    /** Policy config as `--policy-pack-config` gives it (e.g. the deployment window's clock). */
    policyConfig?: Record<string, Record<string, unknown>>;
    /** Parts of the tree's harness that could not be loaded. */
    missing?: Missing;
}

const PROCESS_KEY = randomBytes(32).toString("hex");

/** Inputs as the engine gets them, each secret replaced by an HMAC of its value and resource references by URNs. */
export function maskSecrets(value: unknown, key: string): unknown {
    if (Array.isArray(value)) return value.map((v) => maskSecrets(v, key));
    if (typeof value !== "object" || value === null) return value;
    const record = value as Record<string, unknown>;
    if (record[SIG_KEY] === SECRET_SIG) {
        const digest = createHmac("sha256", key)
            .update(JSON.stringify(record["value"] ?? null))
            .digest("hex")
            .slice(0, 16);
        return { [SECRET_MARK]: digest };
    }
    if (record[SIG_KEY] === RESOURCE_SIG) return record["urn"];
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, maskSecrets(v, key)]));
}

/** The URNs a resource's aliases stand for (an alias names what changed: name, type or parent). */
export function aliasUrns(resource: Pick<RecordedResource, "urn" | "parent" | "aliases">): string[] {
    return (resource.aliases as Parameters<typeof aliasUrn>[0][]).map((alias) => aliasUrn(alias, resource));
}

function snapshotResource(r: RecordedResource, key: string): SnapshotResource {
    return {
        type: r.type,
        name: r.name,
        urn: r.urn,
        parent: r.parent,
        custom: r.custom,
        protect: r.protect,
        retainOnDelete: r.retainOnDelete,
        dependsOn: r.dependsOn,
        // The create-time model waits for a resource's provider (the Kubernetes provider waits for the nodes).
        ...(r.provider ? { provider: r.provider } : {}),
        customTimeouts: r.customTimeouts,
        inputs: maskSecrets(r.rawInputs, key) as Record<string, unknown>,
        aliasUrns: aliasUrns(r),
    };
}

const firstLine = (error: unknown) =>
    String((error as Error)?.message ?? error)
        .split("\n")
        .slice(0, 12)
        .join("\n");

async function section<T>(unavailable: string | undefined, compute: () => Promise<T[]>): Promise<Section<T>> {
    if (unavailable !== undefined) return { unavailable };
    try {
        return { rows: await compute() };
    } catch (error) {
        return { unavailable: `failed: ${firstLine(error)}` };
    }
}

/** Every policy over the graph, each finding attributed to the resource it was raised on (resource policies run one resource at a time). */
export function policyFindings(
    entries: NonNullable<EntryPoints["policies"]>,
    graph: Parameters<NonNullable<EntryPoints["policies"]>["policyResources"]>[0],
    config: Record<string, Record<string, unknown>> = {},
): Finding[] {
    const resources = entries.policyResources(graph);
    return entries.policies.flatMap((policy) => {
        const level = String(config[policy.name]?.["enforcementLevel"] ?? policy.enforcementLevel ?? "advisory");
        if (level === "disabled") return [];
        const run = (subject: typeof resources) => entries.runPolicy(policy as never, subject, config[policy.name]).messages;
        if (policy.validateResource === undefined) {
            return run(resources).map((message) => ({ policy: policy.name, enforcementLevel: level, message }));
        }
        return resources.flatMap((r) => run([r]).map((message) => ({ policy: policy.name, enforcementLevel: level, urn: r.urn, message })));
    });
}

/**
 * A stack evaluated at one tree, through that tree's entry points: its resources (secrets masked),
 * both flow tables, the IAM simulation and the policy findings. Pure data (JSON), so a base ref can be
 * snapshotted in a child process and compared here.
 */
export async function takeSnapshot(stack: string, entries: EntryPoints, options: SnapshotOptions = {}): Promise<Snapshot> {
    const key = options.secretKey ?? PROCESS_KEY;
    const missing = options.missing ?? {};
    const runOptions: RunOptions = options.edit ? { edit: options.edit } : {};
    const tree = options.tree ?? "working tree";
    let recorded: Awaited<ReturnType<EntryPoints["recordStack"]>>;
    try {
        recorded = await entries.recordStack(stack, runOptions);
    } catch (error) {
        const unavailable = `the program failed at ${tree}`;
        return {
            stack,
            tree,
            error: firstLine(error),
            resources: [],
            flows: { unavailable },
            iam: { unavailable },
            policies: { unavailable },
        };
    }
    const { graph, config } = recorded;
    const region = (config as { aws?: { region?: string } }).aws?.region;
    const flows = await section<FlowRow>(missing.stackPaths, async () => {
        const paths = await entries.stackPaths!(stack, runOptions);
        return [
            ...paths.securityGroups.map((r) => ({
                table: "security group" as const,
                flow: r.flow,
                port: String(r.port),
                expected: r.expected,
                allowed: r.allowed,
            })),
            ...paths.networkPolicies.map((r) => ({
                table: "NetworkPolicy" as const,
                flow: r.flow,
                port: `${r.protocol}/${r.port}`,
                expected: r.expected,
                allowed: r.allowed,
            })),
        ];
    });
    const iam = await section<IamRow>(missing.iam, () => iamRows(entries.iam!, stack, graph));
    const policies = await section<Finding>(missing.policies, async () => policyFindings(entries.policies!, graph, options.policyConfig));
    return {
        stack,
        tree,
        ...(region ? { region } : {}),
        resources: graph.resources.map((r) => snapshotResource(r, key)),
        flows,
        iam,
        policies,
    };
}
