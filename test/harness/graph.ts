import { specialResourceSig as RESOURCE_SIG, specialSecretSig as SECRET_SIG, specialSigKey as SIG_KEY } from "@pulumi/pulumi/runtime/rpc";

/** One registered resource, as the engine would have received it. */
export interface RecordedResource {
    type: string;
    name: string;
    /** The URN the real engine computes (full parent type chain), not the mocks' shortened one. */
    urn: string;
    parent?: string;
    custom: boolean;
    /** Inputs with secrets unwrapped and resource references replaced by URNs. */
    inputs: Record<string, any>;
    /** Inputs as serialized for the engine: secrets still wrapped. */
    rawInputs: Record<string, unknown>;
    /** State the engine would store: the provider's (mocks') outputs, or a component's registered outputs; secrets wrapped. */
    rawOutputs: Record<string, unknown>;
    provider?: string;
    protect: boolean;
    /** Every resource this one depends on (explicit `dependsOn` and through its inputs). */
    dependsOn: string[];
    /** Per input property, the resources it depends on. */
    propertyDependencies: Record<string, string[]>;
    aliases: unknown[];
    ignoreChanges: string[];
    retainOnDelete: boolean;
    deleteBeforeReplace: boolean;
    /** Whether the program set `deleteBeforeReplace` at all (the engine passes it on only then). */
    deleteBeforeReplaceDefined: boolean;
    additionalSecretOutputs: string[];
    /** Go durations as the program set them, e.g. `{ create: "30m" }`. */
    customTimeouts: { create?: string; update?: string; delete?: string };
}

export function isSecretValue(value: unknown): value is { value: unknown } {
    return typeof value === "object" && value !== null && (value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;
}

export function unwrap(value: unknown): any {
    if (Array.isArray(value)) return value.map(unwrap);
    if (typeof value !== "object" || value === null) return value;
    const record = value as Record<string, unknown>;
    if (record[SIG_KEY] === SECRET_SIG) return unwrap(record["value"]);
    if (record[SIG_KEY] === RESOURCE_SIG) return record["urn"];
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, unwrap(v)]));
}

/** Paths of every string that contains `needle` outside a secret wrapper: values that would be stored in plain text. */
export function plaintextPaths(value: unknown, needle: string, at = ""): string[] {
    if (isSecretValue(value)) return [];
    if (typeof value === "string") return value.includes(needle) ? [at || "(root)"] : [];
    if (Array.isArray(value)) return value.flatMap((v, i) => plaintextPaths(v, needle, `${at}[${i}]`));
    if (typeof value === "object" && value !== null) {
        return Object.entries(value).flatMap(([k, v]) => plaintextPaths(v, needle, at ? `${at}.${k}` : k));
    }
    return [];
}

export class Graph {
    constructor(
        readonly resources: readonly RecordedResource[],
        readonly outputs: Record<string, unknown>,
    ) {}

    ofType(type: string): RecordedResource[] {
        return this.resources.filter((r) => r.type === type);
    }

    /** The single resource of this type and name; fails loudly when absent or ambiguous. */
    one(type: string, name?: string): RecordedResource {
        const found = this.ofType(type).filter((r) => name === undefined || r.name === name);
        if (found.length !== 1) {
            throw new Error(
                `expected one ${type}${name ? ` named ${name}` : ""}, found ${found.length}: ${found.map((r) => r.name).join(", ")}`,
            );
        }
        return found[0]!;
    }

    byUrn(urn: string): RecordedResource {
        const found = this.resources.find((r) => r.urn === urn);
        if (!found) throw new Error(`no resource with URN ${urn}`);
        return found;
    }

    childrenOf(parent: RecordedResource): RecordedResource[] {
        return this.resources.filter((r) => r.parent === parent.urn);
    }

    types(): Set<string> {
        return new Set(this.resources.map((r) => r.type));
    }
}
