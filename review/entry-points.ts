import type { Graph } from "../test/harness/graph";
import type * as iam from "../test/harness/iam";
import type { PolicyResource } from "../test/harness/policy";
import type { RunOptions } from "../test/harness/run-stack";
import type { NpRow } from "../paths/network-policies";
import type { SgRow } from "../paths/sg-table";

/**
 * What a snapshot needs from a tree: the long-stable entry points of the harness (runStack's
 * recordStack, stackPaths, the IAM simulator, the policy list). The head's come from static imports
 * (head-entry-points.ts); a base ref's from its own checkout (load-entry-points.ts), so each tree is
 * evaluated by its own program, flow tables and policies. A part a tree lacks is left undefined and the
 * review says it could not be computed there.
 */
export interface EntryPoints {
    /** The checkout the modules come from. */
    root: string;
    recordStack(stack: string, options?: RunOptions): Promise<{ graph: Graph; config: unknown }>;
    stackPaths?: (stack: string, options?: RunOptions) => Promise<{ securityGroups: SgRow[]; networkPolicies: NpRow[] }>;
    iam?: IamEntryPoints;
    policies?: PolicyEntryPoints;
}

export interface IamEntryPoints {
    runBootstrap(stack: string): Promise<{ graph: Graph; config?: { accountId: string; region: string } }>;
    accountOf: typeof iam.accountOf;
    recordAccount: typeof iam.recordAccount;
    iamTable: typeof iam.iamTable;
    webIdentityTable: typeof iam.webIdentityTable;
    simulate: typeof iam.simulate;
    bootstrapRoles: { preview: string; deploy: string; deployer: string };
    roleArn(accountId: string, name: string): string;
    ciStacks(root: string): string[];
    /** The checkout whose stack files ciStacks reads. */
    rootOf(): string;
    readStackSections(stack: string): Record<string, unknown>;
}

export interface PolicyEntryPoints {
    /** The pack's policies (policies/all.ts). */
    policies: readonly { name: string; enforcementLevel?: string; validateResource?: unknown }[];
    policyResources(graph: Graph): PolicyResource[];
    runPolicy(policy: never, resources: PolicyResource[], config?: Record<string, unknown>): { messages: string[]; unknown: boolean };
}
