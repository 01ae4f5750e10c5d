import { execFileSync } from "child_process";
import * as fs from "fs";
import { parse } from "yaml";
import { rotationDue, RotationState } from "../components/secrets/rotation";

/**
 * What the scheduled rotation workflow (.github/workflows/rotate-secrets.yml) needs: which stacks are
 * due, and how to redeploy exactly what runs there (same ref, same image tags) with today's clock.
 */

export interface StackFacts {
    stack: string;
    /** `pulumi stack output --json`; undefined for a stack never deployed. */
    outputs?: { rotation?: RotationState; imageTags?: Record<string, string> };
    /** The GitHub environment the stack deploys in (`github.environment.name`); none: not deployed by workflows. */
    environment?: string;
    deployFrom: { branch?: string; tag?: string };
}

export interface PlannedRotation {
    stack: string;
    environment: string;
    /** What the stack deploys from: its branch, or the newest tag matching its pattern. */
    ref: string;
    reason: string;
}

export function rotationPlan(stacks: StackFacts[], now: Date, latestTag: (pattern: string) => string | undefined) {
    const due: PlannedRotation[] = [];
    const notes: string[] = [];
    for (const facts of stacks) {
        const { due: isDue, reason } = rotationDue(facts.outputs?.rotation, now);
        const ref = facts.deployFrom.branch ?? (facts.deployFrom.tag !== undefined ? latestTag(facts.deployFrom.tag) : undefined);
        if (!isDue) notes.push(`${facts.stack}: not due (${reason})`);
        else if (facts.environment === undefined) notes.push(`${facts.stack}: due (${reason}) but not deployed by workflows`);
        else if (ref === undefined) notes.push(`${facts.stack}: due (${reason}) but no ref matches ${facts.deployFrom.tag}`);
        else {
            due.push({ stack: facts.stack, environment: facts.environment, ref, reason });
            notes.push(`${facts.stack}: due, ${reason}; redeploying ${ref}`);
        }
    }
    return { due, notes };
}

/** The facts of a stack from its stack file and its outputs file (empty or `{}` when never deployed). */
export function readStackFacts(stack: string, outputsFile: string): StackFacts {
    const config = (parse(fs.readFileSync(`Pulumi.${stack}.yaml`, "utf8")) as { config: Record<string, any> }).config;
    const text = fs.existsSync(outputsFile) ? fs.readFileSync(outputsFile, "utf8").trim() : "";
    const outputs = text ? (JSON.parse(text) as StackFacts["outputs"]) : undefined;
    return {
        stack,
        outputs: outputs && Object.keys(outputs).length > 0 ? outputs : undefined,
        environment: config["platform:github"]?.environment?.name,
        deployFrom: config["platform:environment"]?.deployFrom ?? {},
    };
}

export function gitLatestTag(pattern: string): string | undefined {
    const tags = execFileSync("git", ["tag", "--list", pattern, "--sort=-version:refname"], { encoding: "utf8" });
    return tags.split("\n").find((tag) => tag.trim() !== "");
}

/** `pulumi config set` arguments that put each service back on the image tag it runs. */
export function restoreTagCommands(stack: string, services: { name: string }[], imageTags: Record<string, string>): string[][] {
    return services.flatMap((service, i) => {
        const tag = imageTags[service.name];
        return tag === undefined ? [] : [["config", "set", "--stack", stack, "--path", `platform:services[${i}].image.tag`, tag]];
    });
}
