// Sets the image tag of every service of a stack: node scripts/set-image-tag.mjs <stack> <tag>
// The deploy workflow runs it with the tag its trigger implies (dev-<sha>, staging-<sha>, vX.Y.Z);
// the stack's config then rejects a tag of the wrong form before anything is deployed.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { parse } from "yaml";

const [stack, tag] = process.argv.slice(2);
if (!stack || !tag) {
    console.error("usage: node scripts/set-image-tag.mjs <stack> <tag>");
    process.exit(2);
}
const services = parse(readFileSync(`Pulumi.${stack}.yaml`, "utf8")).config["platform:services"] ?? [];
services.forEach((service, i) => {
    execFileSync("pulumi", ["config", "set", "--stack", stack, "--path", `platform:services[${i}].image.tag`, tag], { stdio: "inherit" });
    console.log(`${stack}: ${service.name} -> ${tag}`);
});
