import * as fs from "fs";
import { scanTarget } from "../config/scan-gate";
import { REPO_ROOT } from "../test/harness/stack-file";

/** deploy.yml: writes `scan` and `image` (repository@digest) of the promotion to $GITHUB_OUTPUT (or stdout). */
function main(): void {
    const stack = process.argv[2];
    if (!stack) {
        console.error("usage: tsx scripts/scan-target.ts <stack>   (env: SERVICE, DIGEST)");
        process.exit(2);
    }
    const target = scanTarget(REPO_ROOT, stack, { service: process.env["SERVICE"] ?? "", digest: process.env["DIGEST"] || undefined });
    const lines = `scan=${target.scan}\nimage=${target.image}\n`;
    if (process.env["GITHUB_OUTPUT"]) fs.appendFileSync(process.env["GITHUB_OUTPUT"], lines);
    else process.stdout.write(lines);
}

try {
    main();
} catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
}
