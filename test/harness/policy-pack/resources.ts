import { serializeProperties } from "@pulumi/pulumi/runtime/rpc";
import type { Graph, RecordedResource } from "../graph";
import { PROJECT } from "../project";
import { aliasUrn, engineMarshal, goDurationSeconds, withSecretOutputs } from "./wire";

/** A resource as the engine describes it to an analyzer; properties already in the engine's wire form. */
export interface PackResource {
    urn: string;
    type: string;
    name: string;
    /** What `Analyze` sees: the inputs (the goal state). */
    inputs: Record<string, unknown>;
    /** What `AnalyzeStack` sees: the outputs (the state after the update). */
    outputs: Record<string, unknown>;
    parent?: string;
    provider?: { urn: string; type: string; name: string; inputs: Record<string, unknown> };
    options: {
        protect: boolean;
        ignoreChanges: string[];
        deleteBeforeReplace?: boolean;
        additionalSecretOutputs: string[];
        aliases: string[];
        customTimeouts: { create: number; update: number; delete: number };
    };
    dependencies: string[];
    propertyDependencies: Record<string, string[]>;
}

export const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";
export const stackUrn = (stack: string, project = PROJECT) => `urn:pulumi:${stack}::${project}::${ROOT_STACK_TYPE}::${project}-${stack}`;
/** The stack a URN belongs to (`urn:pulumi:<stack>::...`). */
export const stackOfUrn = (urn: string) => /^urn:pulumi:([^:]+)::/.exec(urn)?.[1] ?? "";

const DEFAULT_OPTIONS: PackResource["options"] = {
    protect: false,
    ignoreChanges: [],
    additionalSecretOutputs: [],
    aliases: [],
    customTimeouts: { create: 0, update: 0, delete: 0 },
};

/** A hand-written resource for a policy's fixtures: the same props as inputs and outputs, as a program would send them. */
export function fixtureResource(stack: string, type: string, name: string, props: Record<string, unknown>): PackResource {
    const wire = engineMarshal(props) as Record<string, unknown>;
    return {
        urn: `urn:pulumi:${stack}::${PROJECT}::${type}::${name}`,
        type,
        name,
        inputs: wire,
        outputs: wire,
        options: DEFAULT_OPTIONS,
        dependencies: [],
        propertyDependencies: {},
    };
}

/**
 * Every resource of a recorded run as the engine would describe it, the root `pulumi:pulumi:Stack`
 * (which the Node.js SDK registers around every program, with the stack outputs) first.
 */
export async function graphResources(graph: Graph): Promise<PackResource[]> {
    const stack = stackOfUrn(graph.resources[0]?.urn ?? "");
    const root = stackUrn(stack);
    const byUrn = new Map(graph.resources.map((r) => [r.urn, r]));
    const stackOutputs = engineMarshal(await serializeProperties("stack outputs", graph.outputs)) as Record<string, unknown>;
    const rootResource: PackResource = {
        ...fixtureResource(stack, ROOT_STACK_TYPE, `${PROJECT}-${stack}`, {}),
        outputs: stackOutputs,
    };
    return [rootResource, ...graph.resources.map((r) => packResource(r, r.parent ?? root, byUrn))];
}

function packResource(r: RecordedResource, parent: string, byUrn: Map<string, RecordedResource>): PackResource {
    const provider = r.provider === undefined ? undefined : byUrn.get(r.provider);
    if (r.provider !== undefined && provider === undefined) throw new Error(`${r.urn}: provider ${r.provider} was not recorded`);
    return {
        urn: r.urn,
        type: r.type,
        name: r.name,
        inputs: engineMarshal(r.rawInputs) as Record<string, unknown>,
        outputs: withSecretOutputs(engineMarshal(r.rawOutputs) as Record<string, unknown>, r.additionalSecretOutputs),
        parent,
        provider: provider && {
            urn: provider.urn,
            type: provider.type,
            name: provider.name,
            inputs: engineMarshal(provider.rawInputs) as Record<string, unknown>,
        },
        options: {
            protect: r.protect,
            ignoreChanges: r.ignoreChanges,
            deleteBeforeReplace: r.deleteBeforeReplaceDefined ? r.deleteBeforeReplace : undefined,
            additionalSecretOutputs: r.additionalSecretOutputs,
            aliases: r.aliases.map((a) => aliasUrn(a as Parameters<typeof aliasUrn>[0], { urn: r.urn, parent })),
            customTimeouts: {
                create: goDurationSeconds(r.customTimeouts.create),
                update: goDurationSeconds(r.customTimeouts.update),
                delete: goDurationSeconds(r.customTimeouts.delete),
            },
        },
        dependencies: r.dependsOn,
        propertyDependencies: r.propertyDependencies,
    };
}
