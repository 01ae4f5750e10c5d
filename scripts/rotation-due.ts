// The scheduled rotation workflow's two steps:
//   tsx scripts/rotation-due.ts check <stack>...            reads .rotation/<stack>.json (pulumi stack output --json),
//                                                            prints `matrix=<json>` for $GITHUB_OUTPUT
//   tsx scripts/rotation-due.ts restore-tags <stack> <file>  sets each service's image tag to the deployed one
import { execFileSync } from "child_process";
import * as fs from "fs";
import { parse } from "yaml";
import { gitLatestTag, readStackFacts, restoreTagCommands, rotationPlan } from "./rotation";

const [command, ...args] = process.argv.slice(2);
if (command === "check" && args.length > 0) {
    const { due, notes } = rotationPlan(
        args.map((stack) => readStackFacts(stack, `.rotation/${stack}.json`)),
        new Date(),
        gitLatestTag,
    );
    for (const note of notes) console.error(note);
    if (process.env["GITHUB_STEP_SUMMARY"]) fs.appendFileSync(process.env["GITHUB_STEP_SUMMARY"], notes.map((n) => `- ${n}\n`).join(""));
    console.log(`matrix=${JSON.stringify(due)}`);
} else if (command === "restore-tags" && args.length === 2) {
    const [stack, file] = args as [string, string];
    const services = (parse(fs.readFileSync(`Pulumi.${stack}.yaml`, "utf8")) as { config: Record<string, any> }).config[
        "platform:services"
    ];
    const imageTags = (JSON.parse(fs.readFileSync(file, "utf8")) as { imageTags?: Record<string, string> }).imageTags ?? {};
    for (const pulumiArgs of restoreTagCommands(stack, services, imageTags)) execFileSync("pulumi", pulumiArgs, { stdio: "inherit" });
} else {
    console.error("usage: rotation-due.ts check <stack>... | restore-tags <stack> <outputs.json>");
    process.exit(2);
}
