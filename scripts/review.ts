import { reviewStack } from "../review/review";
import { STACKS } from "../test/harness/stack-file";

const USAGE = "usage: npm run review -- <stack> [--base <git-ref>]   (local, dev, staging, prod)";

/**
 * `npm run review -- <stack> [--base <git-ref>]`: prints the stack's review section (Markdown) on
 * stdout. Exit 0 when head evaluated (a base that could not be is said in the output), 1 when the
 * program fails at head (the section names the error), 2 on a usage error.
 */
async function main(argv: string[]): Promise<number> {
    const args = [...argv];
    const at = args.indexOf("--base");
    const base = at >= 0 ? args.splice(at, 2)[1] : undefined;
    const [stack, ...rest] = args;
    if (!stack || rest.length > 0 || (at >= 0 && !base) || !(STACKS as readonly string[]).includes(stack)) {
        console.error(USAGE);
        return 2;
    }
    // The program's own output (warnings) goes to stderr: stdout is the Markdown section.
    const log = console.log;
    console.log = (...a: unknown[]) => console.error(...a);
    const review = await reviewStack(stack, { base });
    log(review.markdown);
    return review.head.error ? 1 : 0;
}

main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
        console.error(error);
        process.exitCode = 1;
    },
);
