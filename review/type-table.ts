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
