import { entryForType, GraphResource } from "./type-table";
import table from "./data/create-times.json";

/**
 * Time to create a stack from nothing: the longest path through the graph's dependencies, each resource
 * weighted by its type's typical create minutes (dated table review/data/create-times.json). A resource
 * waits for everything in its `dependsOn` (explicit and through inputs) and for its provider; depending on a component means
 * waiting for all of its descendants, as the engine does. Components themselves take no time.
 */

export interface CriticalPath {
    minutes: number;
    /** The resources on the longest path, first to last (steps that take no time, such as providers, left out). */
    path: { type: string; name: string; minutes: number }[];
    /** Custom resource types without an entry in the table, counted as 0 minutes. */
    unknownTypes?: string[];
}

interface TimeEntry {
    minutes: number;
    source: string;
    when?: { input: string; equals: unknown; minutes: number }[];
}

export const CREATE_TIMES_DATE: string = table.retrieved;
const TYPES = table.types as Record<string, TimeEntry>;

/** The table's entry for a resource type (exact, else a wildcard such as `github:*`). */
export function timeEntry(type: string): TimeEntry | undefined {
    return entryForType(TYPES, type);
}

/** Typical create minutes of one resource; undefined when its type is not in the table. */
export function createMinutes(r: GraphResource): number | undefined {
    if (!r.custom) return 0;
    const entry = timeEntry(r.type);
    if (!entry) return undefined;
    return entry.when?.find((w) => r.inputs[w.input] === w.equals)?.minutes ?? entry.minutes;
}

export function timeToFresh(resources: readonly GraphResource[]): CriticalPath {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const children = new Map<string, GraphResource[]>();
    for (const r of resources) {
        if (r.parent && byUrn.has(r.parent)) children.set(r.parent, [...(children.get(r.parent) ?? []), r]);
    }
    // A resource also waits for its provider (e.g. the Kubernetes provider, which waits for the nodes): its URN, or `<urn>::<id>`.
    const providerOf = (r: GraphResource): GraphResource | undefined =>
        r.provider ? (byUrn.get(r.provider) ?? byUrn.get(r.provider.slice(0, r.provider.lastIndexOf("::")))) : undefined;
    const unknownTypes = new Set<string>();
    // When each resource is ready, and which predecessor made it wait longest.
    const ready = new Map<string, { at: number; via?: string }>();
    const visiting = new Set<string>();

    const readyAt = (r: GraphResource): number => {
        const known = ready.get(r.urn);
        if (known) return known.at;
        if (visiting.has(r.urn)) throw new Error(`dependency cycle through ${r.type} ${r.name}`);
        visiting.add(r.urn);
        // A custom resource starts once its dependencies are ready; a component is ready once its dependencies and children are.
        const waitsFor = [
            ...r.dependsOn.map((urn) => byUrn.get(urn)),
            providerOf(r),
            ...(r.custom ? [] : (children.get(r.urn) ?? [])),
        ].filter((d): d is GraphResource => d !== undefined);
        let start = 0;
        let via: string | undefined;
        for (const d of waitsFor) {
            const at = readyAt(d);
            if (via === undefined || at > start) {
                via = d.urn;
                start = at;
            }
        }
        const own = createMinutes(r);
        if (own === undefined) unknownTypes.add(r.type);
        const at = start + (own ?? 0);
        visiting.delete(r.urn);
        ready.set(r.urn, { at, via });
        return at;
    };

    let last: GraphResource | undefined;
    for (const r of resources) {
        if (last === undefined || readyAt(r) > readyAt(last)) last = r;
    }
    const path: CriticalPath["path"] = [];
    for (let cursor = last; cursor; cursor = byUrn.get(ready.get(cursor.urn)?.via ?? "")) {
        if (cursor.custom && (createMinutes(cursor) ?? 0) > 0)
            path.unshift({ type: cursor.type, name: cursor.name, minutes: createMinutes(cursor) ?? 0 });
    }
    const minutes = last ? round(readyAt(last)) : 0;
    return unknownTypes.size > 0 ? { minutes, path, unknownTypes: [...unknownTypes].sort() } : { minutes, path };
}

function round(value: number): number {
    return Math.round(value * 100) / 100;
}

function formatMinutes(value: number): string {
    return `${round(value)} min`;
}

/** The review comment's "Time to a fresh environment" section: total, delta against base, the critical path. */
export function formatTimeSection(base: CriticalPath | undefined, head: CriticalPath): string[] {
    const out = ["### Time to a fresh environment", ""];
    const total = `Modelled \`pulumi up\` from nothing (typical create times of ${CREATE_TIMES_DATE}): **${formatMinutes(head.minutes)}**`;
    if (!base) out.push(`${total} (base: not evaluated).`);
    else {
        const delta = round(head.minutes - base.minutes);
        out.push(`${total}, ${delta < 0 ? "-" : "+"}${formatMinutes(Math.abs(delta))} against base (${formatMinutes(base.minutes)}).`);
    }
    out.push("", "Critical path:", "", "| # | Resource | Type | Minutes | Ready at |", "| ---: | --- | --- | ---: | ---: |");
    let elapsed = 0;
    head.path.forEach((step, i) => {
        elapsed += step.minutes;
        out.push(`| ${i + 1} | ${step.name} | \`${step.type}\` | ${round(step.minutes)} | ${round(elapsed)} |`);
    });
    out.push("");
    if (head.unknownTypes?.length)
        out.push(`**No create time** (counted as 0): ${head.unknownTypes.map((t) => `\`${t}\``).join(", ")}.`, "");
    return out;
}
