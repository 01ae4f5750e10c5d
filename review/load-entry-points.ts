import * as path from "path";
import type { EntryPoints, IamEntryPoints, PolicyEntryPoints } from "./entry-points";

type Module = Record<string, unknown>;

/** Why a part of a tree could not be loaded, per section, for the review to say. */
export type Missing = Partial<Record<"stackPaths" | "iam" | "policies", string>>;

function load(root: string, file: string): Module {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(path.join(root, file)) as Module;
}

function pick<T>(module: Module, file: string, name: string): T {
    const value = module[name];
    if (value === undefined) throw new Error(`${file} has no export ${name}`);
    return value as T;
}

/** Each part loaded on its own: a tree without, say, the IAM harness still gets its resources and flows compared. */
function optional<T>(missing: Missing, section: keyof Missing, build: () => T): T | undefined {
    try {
        return build();
    } catch (error) {
        missing[section] = (error as Error).message.split("\n")[0];
        return undefined;
    }
}

/**
 * The entry points of another checkout (a base ref), required from its own files so its own program,
 * flow tables and policies run. Only names that have been stable since the harness existed are used.
 */
export function loadEntryPoints(root: string): { entries: EntryPoints; missing: Missing } {
    const missing: Missing = {};
    const RUN_STACK = "test/harness/run-stack";
    const runStack = load(root, RUN_STACK);
    const entries: EntryPoints = {
        root,
        recordStack: pick(runStack, RUN_STACK, "recordStack"),
        stackPaths: optional(missing, "stackPaths", () => pick(load(root, "paths/stack-paths"), "paths/stack-paths", "stackPaths")),
        iam: optional(missing, "iam", (): IamEntryPoints => {
            const iam = load(root, "test/harness/iam");
            const delivery = load(root, "config/delivery");
            const stackFile = load(root, "test/harness/stack-file");
            const read = pick<(stack: string) => Record<string, unknown>>(stackFile, "test/harness/stack-file", "readStackSections");
            return {
                runBootstrap: pick(runStack, RUN_STACK, "runBootstrap"),
                accountOf: pick(iam, "test/harness/iam", "accountOf"),
                recordAccount: pick(iam, "test/harness/iam", "recordAccount"),
                iamTable: pick(iam, "test/harness/iam", "iamTable"),
                webIdentityTable: pick(iam, "test/harness/iam", "webIdentityTable"),
                simulate: pick(iam, "test/harness/iam", "simulate"),
                bootstrapRoles: pick(delivery, "config/delivery", "BOOTSTRAP_ROLES"),
                roleArn: pick(delivery, "config/delivery", "roleArn"),
                ciStacks: pick(load(root, "config/promotion"), "config/promotion", "ciStacks"),
                rootOf: () => root,
                readStackSections: (stack) => read(stack),
            };
        }),
        policies: optional(missing, "policies", (): PolicyEntryPoints => {
            const harness = load(root, "test/harness/policy");
            return {
                policies: pick(load(root, "policies/all"), "policies/all", "POLICIES"),
                policyResources: pick(harness, "test/harness/policy", "policyResources"),
                runPolicy: pick(harness, "test/harness/policy", "runPolicy"),
            };
        }),
    };
    return { entries, missing };
}
