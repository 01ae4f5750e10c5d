import * as path from "node:path";
import { runStack } from "./run-stack";
import { REPO_ROOT, Sections } from "./stack-file";

/** The other seed systems, onboarded by config alone (examples/<system>/Pulumi.prod.yaml). */
export const EXAMPLES = ["kametrix", "volteryde", "learinal"] as const;
export type Example = (typeof EXAMPLES)[number];
export const exampleDir = (example: Example) => path.join(REPO_ROOT, "examples", example);

/** An example's prod stack on a first deploy, its stack file changed by `edit`. */
export const runExample = (example: Example, edit?: (s: Sections) => void) =>
    runStack("prod", { projectDir: exampleDir(example), running: {}, edit });

export const services = (s: Sections) => s["services"] as Record<string, any>[];
