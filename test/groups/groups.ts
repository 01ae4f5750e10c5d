import * as fs from "fs";
import * as path from "path";
import weights from "./weights.json";

/** Where `npm test`'s files live: every test/*.test.ts, in one of GROUP_COUNT processes. */
export const TEST_DIR = path.join(__dirname, "..");
/** One process per core: each loads the SDK and evaluates each stack once, instead of once per file. */
export const GROUP_COUNT = 2;

export function testFiles(dir = TEST_DIR): string[] {
    return fs
        .readdirSync(dir)
        .filter((f) => f.endsWith(".test.ts"))
        .sort();
}

/** The dated table of each file's CPU seconds (weights.json). */
export interface Weights {
    seconds: Record<string, number>;
    defaultSeconds: number;
}

/** Heaviest first, each to the lightest group so far: groups of about equal CPU time. */
export function assignGroups(files: string[], count = GROUP_COUNT, table: Weights = weights): string[][] {
    const seconds = (f: string) => table.seconds[f] ?? table.defaultSeconds;
    const groups = Array.from({ length: count }, () => ({ files: [] as string[], seconds: 0 }));
    for (const file of [...files].sort((a, b) => seconds(b) - seconds(a) || a.localeCompare(b))) {
        const lightest = groups.reduce((min, g) => (g.seconds < min.seconds ? g : min));
        lightest.files.push(file);
        lightest.seconds += seconds(file);
    }
    return groups.map((g) => g.files.sort());
}

/** Registers the tests of one group in this process (node:test collects them as they load). */
export function loadGroup(index: number): void {
    for (const file of assignGroups(testFiles())[index]!) {
        // Synchronous on purpose: tsx compiles tests to CommonJS, which has no top-level await.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        require(path.join(TEST_DIR, file));
    }
}
