import { performance } from "perf_hooks";
import { runStack } from "../test/harness/run-stack";
import { STACKS } from "../test/harness/stack-file";

/** Prints, per stack, the resources registered and the median time to evaluate the program under the mocks. */
const RUNS = Number(process.env["BENCH_RUNS"] ?? 7);

function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function main(): Promise<void> {
    console.log(`stack     resources  first ms  median ms (of ${RUNS} further runs)`);
    for (const stack of STACKS) {
        const first = performance.now();
        await runStack(stack);
        const firstMs = performance.now() - first;
        const times: number[] = [];
        let resources = 0;
        for (let i = 0; i < RUNS; i++) {
            const start = performance.now();
            const { graph, error } = await runStack(stack);
            times.push(performance.now() - start);
            if (error !== undefined) throw error;
            resources = graph.resources.length;
        }
        console.log(
            `${stack.padEnd(9)} ${String(resources).padStart(9)}  ${firstMs.toFixed(1).padStart(8)}  ${median(times).toFixed(1).padStart(9)}`,
        );
    }
}

main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
});
