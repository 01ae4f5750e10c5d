import { performance } from "perf_hooks";
import { runStack, RunOptions } from "../test/harness/run-stack";
import { Sections, STACKS } from "../test/harness/stack-file";

/**
 * Prints, per stack, the resources registered and the time to evaluate the program under the mocks
 * (first run, then the median of further runs), and how the prod stack scales with its service count.
 */
const RUNS = Number(process.env["BENCH_RUNS"] ?? 7);

function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function measure(stack: string, options: RunOptions = {}) {
    const start = performance.now();
    await runStack(stack, options);
    const first = performance.now() - start;
    const times: number[] = [];
    let resources = 0;
    for (let i = 0; i < RUNS; i++) {
        const t = performance.now();
        const { graph, error } = await runStack(stack, options);
        times.push(performance.now() - t);
        if (error !== undefined) throw error;
        resources = graph.resources.length;
    }
    return { resources, first, median: median(times) };
}

/** N copies of the prod service, each its own release. */
const withServices = (count: number) => (sections: Sections) => {
    const [template] = sections["services"] as Record<string, unknown>[];
    sections["services"] = Array.from({ length: count }, (_, i) => ({ ...template, name: `service-${i}` }));
};

async function main(): Promise<void> {
    const row = (label: string, r: { resources: number; first: number; median: number }) =>
        console.log(
            `${label.padEnd(12)} ${String(r.resources).padStart(9)}  ${r.first.toFixed(1).padStart(8)}  ${r.median.toFixed(1).padStart(9)}`,
        );
    console.log(`stack        resources  first ms  median ms (of ${RUNS} further runs)`);
    for (const stack of STACKS) row(stack, await measure(stack));

    console.log(`\nprod with N services`);
    const base = await measure("prod", { edit: withServices(1) });
    row("1 service", base);
    for (const count of [10, 50]) {
        const r = await measure("prod", { edit: withServices(count) });
        row(`${count} services`, r);
        const perService = (r.median - base.median) / (count - 1);
        console.log(
            `${"".padEnd(12)} ${((r.median / base.median) * 100).toFixed(0)}% of 1 service; ${perService.toFixed(2)} ms per added service`,
        );
    }
}

main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
});
