import * as path from "path";
import { REPO_ROOT, STACKS } from "../test/harness/stack-file";
import { renderStack, writeRendered } from "../render/render-stack";

/** `npm run render -- <stack> [--out <dir>]`: every Kubernetes object the stack applies, as YAML files. */
async function main(): Promise<void> {
    const [stack, ...rest] = process.argv.slice(2);
    const outAt = rest.indexOf("--out");
    if (!stack || (outAt >= 0 && !rest[outAt + 1])) {
        console.error(`usage: npm run render -- <stack> [--out <dir>]   (stacks: ${STACKS.join(", ")}; default dir rendered/<stack>)`);
        process.exit(2);
    }
    const dir = path.resolve(outAt >= 0 ? rest[outAt + 1]! : path.join(REPO_ROOT, "rendered", stack));
    const started = Date.now();
    const rendered = await renderStack(stack);
    const files = writeRendered(rendered, dir);
    console.log(`${stack}: ${files.length} objects written to ${path.relative(process.cwd(), dir) || "."} in ${Date.now() - started} ms`);
    for (const release of rendered.thirdParty) {
        const from = release.repo ? ` ${release.version ?? ""} (${release.repo})` : "";
        console.log(`  not rendered: ${release.chart}${from}${release.namespace ? ` into ${release.namespace}` : ""}`);
    }
}

main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
});
