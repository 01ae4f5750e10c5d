// Runs in a base ref's checkout (review/base-tree.ts): loads that checkout's entry points, takes the
// snapshot of one stack and prints it as JSON on stdout, the only thing written there.
import { loadEntryPoints } from "./load-entry-points";
import { takeSnapshot } from "./snapshot";

async function main(root: string, stack: string, tree: string): Promise<void> {
    const write = process.stdout.write.bind(process.stdout);
    // The program's own output (warnings, console.log) goes to stderr: stdout carries the JSON.
    console.log = (...args: unknown[]) => console.error(...args);
    const { entries, missing } = loadEntryPoints(root);
    const snapshot = await takeSnapshot(stack, entries, {
        tree,
        missing,
        secretKey: process.env["REVIEW_SECRET_KEY"],
        policyConfig: JSON.parse(process.env["REVIEW_POLICY_CONFIG"] ?? "{}") as Record<string, Record<string, unknown>>,
    });
    write(JSON.stringify(snapshot));
}

const [root, stack, tree] = process.argv.slice(2);
if (!root || !stack || !tree) {
    console.error("usage: snapshot-child.ts <checkout> <stack> <tree label>");
    process.exit(2);
}
main(root, stack, tree).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
});
