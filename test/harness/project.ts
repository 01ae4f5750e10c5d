import * as path from "path";

/** The program's project name, as in Pulumi.yaml. Light on imports, so tools that do not run the program can use it. */
export const PROJECT = "platform";
export const REPO_ROOT = path.resolve(__dirname, "..", "..");
