/** Resource arithmetic for quota and limit checks, on live objects the API server returned. */

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** A Kubernetes quantity ("500m", "2", "512Mi", "1e3") as a number of base units (cores, bytes, pods). */
export function parseQuantity(quantity: string | number): number {
    if (typeof quantity === "number") return quantity;
    const match = /^([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)([a-zA-Z]*)$/.exec(quantity.trim());
    const factor = match ? (BINARY[match[2]!] ?? DECIMAL[match[2]!]) : undefined;
    if (!match || factor === undefined) throw new Error(`not a Kubernetes quantity: ${quantity}`);
    return Number(match[1]) * factor;
}

/** What a quota charges one pod, by quota resource name (requests.cpu, limits.memory, pods, ...). */
export function podCharge(pod: { spec: { containers: any[]; initContainers?: any[] } }): Record<string, number> {
    const sum = (containers: any[], kind: "requests" | "limits", resource: string) =>
        containers.reduce((total, c) => total + parseQuantity(c.resources?.[kind]?.[resource] ?? 0), 0);
    const max = (containers: any[], kind: "requests" | "limits", resource: string) =>
        containers.reduce((most, c) => Math.max(most, parseQuantity(c.resources?.[kind]?.[resource] ?? 0)), 0);
    const charge: Record<string, number> = { pods: 1 };
    for (const kind of ["requests", "limits"] as const) {
        for (const resource of ["cpu", "memory"]) {
            // Init containers run one at a time before the app containers: the larger of the two counts.
            const value = Math.max(sum(pod.spec.containers, kind, resource), max(pod.spec.initContainers ?? [], kind, resource));
            charge[`${kind}.${resource}`] = value;
        }
    }
    charge["cpu"] = charge["requests.cpu"]!;
    charge["memory"] = charge["requests.memory"]!;
    return charge;
}

export interface QuotaShortfall {
    resource: string;
    needed: number;
    hard: number;
}

/**
 * Whether `hard` holds everything in `used` plus `extra` pods' charges. Returns each quota resource
 * that would be exceeded (empty: it fits).
 */
export function quotaShortfalls(
    hard: Record<string, string>,
    used: Record<string, string>,
    extra: Record<string, number>[],
): QuotaShortfall[] {
    return Object.entries(hard)
        .map(([resource, limit]) => {
            const needed = parseQuantity(used[resource] ?? "0") + extra.reduce((total, charge) => total + (charge[resource] ?? 0), 0);
            return { resource, needed, hard: parseQuantity(limit) };
        })
        .filter((r) => r.needed > r.hard + 1e-9);
}

/** Pods a Deployment may run at once during a rolling update: replicas plus maxSurge (rounded up). */
export function rolloutPeakPods(replicas: number, maxSurge: string | number | undefined): number {
    if (maxSurge === undefined) return replicas + Math.ceil(replicas * 0.25);
    if (typeof maxSurge === "number") return replicas + maxSurge;
    const percent = /^(\d+)%$/.exec(maxSurge);
    return replicas + (percent ? Math.ceil((replicas * Number(percent[1])) / 100) : Number(maxSurge));
}

/** Violations of a namespace's LimitRange items (type Container) by one pod's containers. */
export function limitRangeViolations(pod: any, limitRanges: any[]): string[] {
    const problems: string[] = [];
    const containers = [...(pod.spec.initContainers ?? []), ...pod.spec.containers];
    for (const container of containers) {
        const where = `pod ${pod.metadata.name} container ${container.name}`;
        for (const resource of ["cpu", "memory"]) {
            for (const kind of ["requests", "limits"]) {
                if (container.resources?.[kind]?.[resource] === undefined) problems.push(`${where}: no ${kind}.${resource}`);
            }
        }
        for (const range of limitRanges) {
            for (const item of range.spec.limits.filter((l: any) => l.type === "Container")) {
                for (const [resource, min] of Object.entries<string>(item.min ?? {})) {
                    const request = container.resources?.requests?.[resource];
                    if (request !== undefined && parseQuantity(request) < parseQuantity(min)) {
                        problems.push(`${where}: requests.${resource} ${request} < min ${min} (${range.metadata.name})`);
                    }
                }
                for (const [resource, max] of Object.entries<string>(item.max ?? {})) {
                    const limit = container.resources?.limits?.[resource];
                    if (limit !== undefined && parseQuantity(limit) > parseQuantity(max)) {
                        problems.push(`${where}: limits.${resource} ${limit} > max ${max} (${range.metadata.name})`);
                    }
                }
                for (const [resource, ratio] of Object.entries<string>(item.maxLimitRequestRatio ?? {})) {
                    const limit = container.resources?.limits?.[resource];
                    const request = container.resources?.requests?.[resource];
                    if (
                        limit !== undefined &&
                        request !== undefined &&
                        parseQuantity(limit) / parseQuantity(request) > parseQuantity(ratio)
                    ) {
                        problems.push(`${where}: ${resource} limit/request above ${ratio} (${range.metadata.name})`);
                    }
                }
            }
        }
    }
    return problems;
}
