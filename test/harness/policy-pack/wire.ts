import {
    specialOutputValueSig as OUTPUT_VALUE_SIG,
    specialResourceSig as RESOURCE_SIG,
    specialSecretSig as SECRET_SIG,
    specialSigKey as SIG_KEY,
    unknownValue as UNKNOWN_STRING,
} from "@pulumi/pulumi/runtime/rpc";

/**
 * What the engine does to a program's property values before it hands them to an analyzer: it
 * unmarshals the program's RegisterResource struct and marshals it again with
 * `KeepUnknowns, KeepSecrets, SkipInternalKeys` (and without `KeepResources`). In wire terms:
 * secrets stay `{<sig>: <secret sig>, value}`, unknowns stay their sentinel strings, keys starting
 * with `__` are dropped at every level, a resource reference becomes its ID (its URN for a
 * component), and an output value becomes its value, wrapped when secret, or the unknown sentinel.
 */
export function engineMarshal(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(engineMarshal);
    if (typeof value !== "object" || value === null) return value;
    const record = value as Record<string, unknown>;
    switch (record[SIG_KEY]) {
        case SECRET_SIG:
            return secret(engineMarshal(record["value"]));
        case RESOURCE_SIG:
            return "id" in record ? record["id"] || UNKNOWN_STRING : record["urn"];
        case OUTPUT_VALUE_SIG: {
            if (!("value" in record)) return UNKNOWN_STRING;
            const known = engineMarshal(record["value"]);
            return record["secret"] === true ? secret(known) : known;
        }
    }
    return Object.fromEntries(
        Object.entries(record)
            .filter(([key, v]) => !key.startsWith("__") && v !== undefined)
            .map(([key, v]) => [key, engineMarshal(v)]),
    );
}

export const secret = (value: unknown) => ({ [SIG_KEY]: SECRET_SIG, value });

export function isWireSecret(value: unknown): value is { value: unknown } {
    return typeof value === "object" && value !== null && (value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;
}

/** The engine stores outputs named in `additionalSecretOutputs` as secrets. */
export function withSecretOutputs(outputs: Record<string, unknown>, names: readonly string[]): Record<string, unknown> {
    return Object.fromEntries(Object.entries(outputs).map(([key, v]) => [key, names.includes(key) && !isWireSecret(v) ? secret(v) : v]));
}

const DURATION_UNITS: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 1e-3, us: 1e-6, µs: 1e-6, ns: 1e-9 };

/** Seconds in a Go duration ("1h30m", "90s"), as the engine converts a custom timeout; 0 when unset. */
export function goDurationSeconds(duration: string | undefined): number {
    if (!duration) return 0;
    const parts = [...duration.matchAll(/(\d+(?:\.\d+)?)(h|ms|us|µs|ns|m|s)/g)];
    if (parts.map((p) => p[0]).join("") !== duration) throw new Error(`not a Go duration: "${duration}"`);
    return parts.reduce((total, [, amount, unit]) => total + Number(amount) * DURATION_UNITS[unit!]!, 0);
}

interface AliasSpec {
    name?: string;
    type?: string;
    stack?: string;
    project?: string;
    parenturn?: string;
    noparent?: boolean;
}

/** The URN an alias stands for, resolved like the engine does from the SDK's alias spec. */
export function aliasUrn(alias: { urn?: string; spec?: AliasSpec }, resource: { urn: string; parent?: string }): string {
    if (alias.urn) return alias.urn;
    const [, , qualifiedType = "", name = ""] = resource.urn.split("::");
    const [, stack = "", project = ""] = /^urn:pulumi:([^:]*)::([^:]*)::/.exec(resource.urn) ?? [];
    const spec = alias.spec ?? {};
    const type = spec.type || qualifiedType.split("$").pop()!;
    const parent = spec.noparent ? undefined : spec.parenturn || resource.parent;
    const parentType = parent?.split("::")[2];
    const chain = parentType && parentType !== "pulumi:pulumi:Stack" ? `${parentType}$${type}` : type;
    return `urn:pulumi:${spec.stack || stack}::${spec.project || project}::${chain}::${spec.name || name}`;
}

/** What a program sends for a value a preview does not know yet, whatever its type. */
export const UNKNOWN_INPUT = UNKNOWN_STRING;
