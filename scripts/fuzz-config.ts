import { fuzzConfig } from "../test/harness/config-fuzz";

/**
 * `npm run fuzz -- [--runs N] [--seed S] [--graph-runs G]`: mutates the committed stack files and
 * checks each outcome (a config error naming the key, or a graph the pack accepts). A random seed
 * unless given; a failure prints the seed and the shrunk counterexample to replay it.
 */
function flag(name: string, fallback: number): number {
    const i = process.argv.indexOf(`--${name}`);
    const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
    if (!Number.isSafeInteger(value) || value < 0) throw new Error(`--${name} expects a non-negative integer`);
    return value;
}

async function main(): Promise<void> {
    const runs = flag("runs", 2000);
    const options = { runs, seed: flag("seed", Math.floor(Math.random() * 2 ** 31)), graphRuns: flag("graph-runs", Math.ceil(runs / 20)) };
    const report = await fuzzConfig(options);
    console.log(
        `config fuzz: ${report.runs} cases, seed ${report.seed}, ${report.seconds.toFixed(1)} s; ` +
            `${report.outcomes["config-error"]} config errors, ${report.outcomes["valid-config"]} valid configs, ` +
            `${report.outcomes["valid-graph"]} deployed graphs checked against the pack`,
    );
    if (report.failure) {
        console.error(report.failure);
        process.exitCode = 1;
    }
}

void main();
