import { recordStack } from "../harness/run-stack";

/**
 * What a deploy would send the engine for each stack: every resource's URN, inputs and options, as
 * canonical text. Two checkouts of one commit must print the same (issue 25 item 8).
 */
export async function graphText(stacks: string[]): Promise<string> {
    const out: string[] = [];
    for (const stack of stacks) {
        const { graph } = await recordStack(stack);
        for (const r of [...graph.resources].sort((a, b) => a.urn.localeCompare(b.urn))) {
            const { urn, inputs, protect, retainOnDelete, dependsOn, aliases, ignoreChanges } = r;
            out.push(JSON.stringify({ urn, inputs, protect, retainOnDelete, dependsOn: [...dependsOn].sort(), aliases, ignoreChanges }));
        }
    }
    return out.join("\n");
}

if (require.main === module) {
    graphText(process.argv.slice(2)).then(
        (text) => process.stdout.write(text),
        (error: unknown) => {
            console.error(error);
            process.exit(1);
        },
    );
}
