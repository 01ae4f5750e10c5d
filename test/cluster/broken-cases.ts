/** The deliberately broken releases of the cluster suite: each must be refused by the API server itself. */
import type { ServiceChartRelease, StackObjects } from "./objects";

export interface BrokenCase {
    name: string;
    values: Record<string, any>;
    /** A post-renderer patch (test/cluster/post-render.mjs) where no chart value can express the breakage. */
    postRender?: string;
    expect: RegExp;
}

/** One change each to what the program computed; the API server must refuse every one. */
export function brokenCases(release: ServiceChartRelease, objects: StackObjects): BrokenCase[] {
    const values = () => structuredClone(release.values);
    const limitRange = objects.manifests.find((m) => m.kind === "LimitRange" && m.metadata.namespace === release.namespace);
    const quota = objects.manifests.find((m) => m.kind === "ResourceQuota" && m.metadata.namespace === release.namespace);
    const cases: BrokenCase[] = [
        {
            name: "privileged",
            values: values(),
            postRender: "privileged",
            expect: /violates PodSecurity "restricted:latest": .*privileged/,
        },
    ];
    const defaultLimit = limitRange?.spec.limits.find((l: any) => l.type === "Container")?.default;
    if (defaultLimit?.cpu) {
        // The chart's schema requires limits, so they go in the rendered output: the LimitRange then fills in
        // its default limit, which is below what the pod asks for.
        const aboveDefault = values();
        aboveDefault.resources.requests.cpu = doubled(defaultLimit.cpu);
        aboveDefault.resources.limits.cpu = doubled(defaultLimit.cpu);
        cases.push({ name: "no-limits", values: aboveDefault, postRender: "no-limits", expect: /must be less than or equal to cpu limit/ });
    }
    const hardCpu = quota?.spec.hard["requests.cpu"];
    if (hardCpu) {
        const overQuota = values();
        overQuota.resources.requests.cpu = doubled(hardCpu);
        overQuota.resources.limits.cpu = doubled(hardCpu);
        cases.push({ name: "over-quota", values: overQuota, expect: /exceeded quota: compute/ });
    }
    return cases;
}

function doubled(quantity: string): string {
    const millis = /^(\d+)m$/.exec(quantity);
    return millis ? `${Number(millis[1]) * 2}m` : `${Number(quantity) * 2}`;
}
