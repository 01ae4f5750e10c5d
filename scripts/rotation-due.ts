// The scheduled rotation workflow's check step:
//   tsx scripts/rotation-due.ts   reads TARGETS (`npm run delivery -- targets`' list) and .rotation/<stack>.json
//                                 (pulumi stack output --json), prints `matrix=<json>` for $GITHUB_OUTPUT
import * as fs from "fs";
import type { DeployTarget } from "../config/promotion";
import { readStackFacts, rotationPlan } from "./rotation";

const targets = JSON.parse(process.env["TARGETS"] ?? "[]") as DeployTarget[];
if (targets.length === 0) {
    console.error("usage: TARGETS='<npm run delivery -- targets list>' tsx scripts/rotation-due.ts");
    process.exit(2);
}
const { due, notes } = rotationPlan(
    targets.map((target) => readStackFacts(target, `.rotation/${target.stack}.json`)),
    new Date(),
);
for (const note of notes) console.error(note);
if (process.env["GITHUB_STEP_SUMMARY"]) fs.appendFileSync(process.env["GITHUB_STEP_SUMMARY"], notes.map((n) => `- ${n}\n`).join(""));
console.log(`matrix=${JSON.stringify(due)}`);
