import * as fs from "fs";
import type { DeployTarget } from "../config/promotion";
import { rotationDue, RotationState } from "../components/secrets/rotation";

/**
 * What the scheduled rotation workflow (.github/workflows/rotate-secrets.yml) needs: which stacks are
 * due. A due stack is redeployed through deploy.yml from main (the infra path), so every service keeps
 * the image it runs (docs/delivery.md) and the program applies the new generation with today's clock.
 */

export interface StackFacts {
    stack: string;
    /** `pulumi stack output --json`; undefined for a stack never deployed. */
    outputs?: { rotation?: RotationState };
    /** Where and in which GitHub environment the stack's deploy job runs (`npm run delivery -- targets`). */
    target: DeployTarget;
}

export interface PlannedRotation {
    stack: string;
    environment: string;
    /** deploy.yml's `runs-on` input: JSON list of runner labels. */
    runsOn: string;
    reason: string;
}

export function rotationPlan(stacks: StackFacts[], now: Date) {
    const due: PlannedRotation[] = [];
    const notes: string[] = [];
    for (const facts of stacks) {
        const { due: isDue, reason } = rotationDue(facts.outputs?.rotation, now);
        if (!isDue) {
            notes.push(`${facts.stack}: not due (${reason})`);
            continue;
        }
        due.push({ stack: facts.stack, environment: facts.target.environment, runsOn: JSON.stringify(facts.target.runsOn), reason });
        notes.push(`${facts.stack}: due, ${reason}; redeploying main with the running images`);
    }
    return { due, notes };
}

/** The facts of a stack from its outputs file (empty or `{}` when never deployed) and its deploy target. */
export function readStackFacts(target: DeployTarget, outputsFile: string): StackFacts {
    const text = fs.existsSync(outputsFile) ? fs.readFileSync(outputsFile, "utf8").trim() : "";
    const outputs = text ? (JSON.parse(text) as StackFacts["outputs"]) : undefined;
    return { stack: target.stack, outputs: outputs && Object.keys(outputs).length > 0 ? outputs : undefined, target };
}
