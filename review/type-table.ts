import type { RecordedResource } from "../test/harness/graph";

/**
 * An entry of a per-type data table (prices, create times): the exact type, else the longest wildcard
 * prefix (`pulumi:providers:*` for pulumi:providers:aws, `github:*` for every GitHub type).
 */
export function entryForType<T>(entries: Readonly<Record<string, T>>, type: string): T | undefined {
    if (entries[type]) return entries[type];
    const segments = type.split(":");
    for (let n = segments.length - 1; n >= 1; n--) {
        const entry = entries[`${segments.slice(0, n).join(":")}:*`];
        if (entry) return entry;
    }
    return undefined;
}

/**
 * The fields of a graph's resource the cost and time models read: a RecordedResource (test/harness/graph.ts)
 * or a review snapshot's resource (secrets masked) both fit. `provider` is the provider's URN (or
 * `<urn>::<id>`): without it, the time model cannot see that Kubernetes objects wait for the nodes.
 */
export type GraphResource = Pick<RecordedResource, "type" | "name" | "urn" | "parent" | "custom" | "dependsOn" | "provider"> & {
    inputs: Record<string, unknown>;
};
