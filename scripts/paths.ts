import { stackPaths } from "../paths/stack-paths";
import { formatPaths } from "../paths/format";

/** `npm run paths -- <stack>`: the hop list and both flow tables of a stack, evaluated over its graph. */
async function main(): Promise<void> {
    const stack = process.argv[2];
    if (!stack) {
        console.error("usage: npm run paths -- <stack>   (local, dev, staging, prod)");
        process.exit(2);
    }
    const paths = await stackPaths(stack);
    console.log(formatPaths(paths));
    const failed = [...paths.hops, ...paths.securityGroups, ...paths.networkPolicies].filter((r) => !r.ok).length;
    if (failed > 0) {
        console.error(`\n${failed} check(s) failed`);
        process.exit(1);
    }
}

main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
});
