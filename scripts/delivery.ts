// The workflows' decisions, over functions the tests call (config/promotion.ts):
//   npm run delivery -- targets                 JSON of every CI stack's job placement (GITHUB_OUTPUT lines)
//   npm run delivery -- promote                 validate the release inputs (SERVICE, ENVIRONMENT, TAG, DIGEST, ROLLBACK)
//   npm run delivery -- apply <stack>           put the promotion into the stack config, or refuse committed tags
//   npm run delivery -- check-secrets <stack>   name every operator secret not committed encrypted yet
//   npm run delivery -- preview-comment <stack> <dir> <out>   preview.yml: the stack's one PR comment (ok=true|false)
//   npm run delivery -- drift-issue <stack> <dir> <out>       drift-detection.yml: outcome=clean|drift|error, the issue
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import {
    ciStacks,
    committedImagePins,
    deployTarget,
    PromotionError,
    PromotionInput,
    promotionCommands,
    unsetOperatorSecrets,
    validatePromotion,
} from "../config/promotion";
import { driftIssueBody, driftIssueTitle, driftOutcome, previewComment, readStepReport } from "../config/workflow-reports";

const ROOT = path.resolve(__dirname, "..");
const env = (name: string) => process.env[name] ?? "";
const run = { id: env("GITHUB_RUN_ID") || "0", attempt: env("GITHUB_RUN_ATTEMPT") || "1" };
const promotion = (): PromotionInput => ({
    service: env("SERVICE"),
    environment: env("ENVIRONMENT"),
    tag: env("TAG"),
    digest: env("DIGEST") || undefined,
    rollback: env("ROLLBACK") === "true",
});

function fail(lines: string[]): never {
    for (const line of lines) console.error(`::error::${line}`);
    process.exit(1);
}

const runUrl = () => `${env("GITHUB_SERVER_URL")}/${env("GITHUB_REPOSITORY")}/actions/runs/${run.id}`;

function main([command, stack, dir, out]: string[]): void {
    switch (command) {
        case "targets": {
            const targets = ciStacks(ROOT).map((s) => deployTarget(ROOT, s, run));
            console.log(`list=${JSON.stringify(targets)}`);
            console.log(`targets=${JSON.stringify(Object.fromEntries(targets.map((t) => [t.stack, t])))}`);
            return;
        }
        case "promote": {
            const { stack: target } = validatePromotion(ROOT, promotion());
            const placement = deployTarget(ROOT, target, run);
            console.log(`stack=${target}`);
            console.log(`environment=${placement.environment}`);
            console.log(`runs-on=${JSON.stringify(placement.runsOn)}`);
            return;
        }
        case "apply": {
            if (!stack) fail(["usage: delivery apply <stack>"]);
            const pinned = committedImagePins(ROOT, stack);
            if (pinned.length > 0)
                fail(pinned.map((p) => `Pulumi.${stack}.yaml commits ${p}; only a promotion (release.yml) sets image tags`));
            const input = promotion();
            if (!input.service) {
                console.log(`${stack}: no promotion; every service keeps the tag it runs`);
                return;
            }
            const { stack: target, serviceIndex } = validatePromotion(ROOT, input);
            if (target !== stack) fail([`the promotion targets ${target}, not ${stack}`]);
            for (const args of promotionCommands(stack, serviceIndex, input)) execFileSync("pulumi", args, { stdio: "inherit" });
            console.log(
                `${stack}: ${input.service} -> ${input.tag}${input.digest ? `@${input.digest}` : ""}${input.rollback ? " (rollback)" : ""}`,
            );
            return;
        }
        case "check-secrets": {
            if (!stack) fail(["usage: delivery check-secrets <stack>"]);
            const unset = unsetOperatorSecrets(ROOT, stack);
            if (unset.length > 0) fail(unset);
            console.log(`${stack}: every operator secret is committed encrypted`);
            return;
        }
        case "preview-comment": {
            if (!stack || !dir || !out) fail(["usage: delivery preview-comment <stack> <report dir> <comment file>"]);
            const comment = previewComment({
                stack,
                review: readStepReport(dir, "review", "md"),
                preview: readStepReport(dir, "preview", "txt"),
                headSha: env("HEAD_SHA"),
                runUrl: runUrl(),
            });
            fs.writeFileSync(out, comment.body);
            console.log(`ok=${comment.ok}`);
            return;
        }
        case "drift-issue": {
            if (!stack || !dir || !out) fail(["usage: delivery drift-issue <stack> <report dir> <issue body file>"]);
            const report = readStepReport(dir, "preview", "txt");
            fs.writeFileSync(out, driftIssueBody(stack, report, runUrl()));
            console.log(`outcome=${driftOutcome(report)}`);
            console.log(`title=${driftIssueTitle(stack)}`);
            return;
        }
        default:
            fail([
                `unknown command ${command ?? "(none)"}: targets, promote, apply <stack>, check-secrets <stack>, preview-comment, drift-issue`,
            ]);
    }
}

try {
    main(process.argv.slice(2));
} catch (error) {
    if (error instanceof PromotionError) fail(error.problems);
    throw error;
}
