import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { STACKS } from "../test/harness/stack-file";
import { Finding, scoreFiles, summarize } from "../render/kube-score";
import { renderStack, writeRendered } from "../render/render-stack";

/** `npm run score [-- <stack>...]`: kube-score over each stack's rendered objects; exits 1 on a critical finding not ignored. */
async function main(): Promise<void> {
    const stacks = process.argv.slice(2).length > 0 ? process.argv.slice(2) : [...STACKS];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "score-"));
    let failed = 0;
    try {
        console.log("| stack | objects | critical | warning | ignored (critical / warning) |\n| --- | --- | --- | --- | --- |");
        const lines: string[] = [];
        for (const stack of stacks) {
            const rendered = await renderStack(stack);
            const findings = scoreFiles(writeRendered(rendered, path.join(dir, stack)));
            const s = summarize(rendered.objects.length, findings);
            console.log(`| ${stack} | ${s.objects} | ${s.critical} | ${s.warning} | ${s.ignoredCritical} / ${s.ignoredWarning} |`);
            failed += s.critical;
            lines.push(
                ...findings.filter((f) => !f.ignoredBy).map((f: Finding) => `${stack}: [${f.grade}] ${f.object} ${f.check}: ${f.summary}`),
            );
        }
        if (lines.length > 0) console.log(`\n${lines.join("\n")}`);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
    if (failed > 0) process.exit(1);
}

main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
});
