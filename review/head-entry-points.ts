import { BOOTSTRAP_ROLES, roleArn } from "../config/delivery";
import { ciStacks } from "../config/promotion";
import { stackPaths } from "../paths/stack-paths";
import { POLICIES } from "../policies/all";
import { accountOf, iamTable, recordAccount, simulate, webIdentityTable } from "../test/harness/iam";
import { policyResources, runPolicy } from "../test/harness/policy";
import { recordStack, runBootstrap } from "../test/harness/run-stack";
import { readStackSections, REPO_ROOT } from "../test/harness/stack-file";
import type { EntryPoints, IamEntryPoints } from "./entry-points";

export const HEAD_IAM: IamEntryPoints = {
    runBootstrap,
    accountOf,
    recordAccount,
    iamTable,
    webIdentityTable,
    simulate,
    bootstrapRoles: BOOTSTRAP_ROLES,
    roleArn,
    ciStacks,
    rootOf: () => REPO_ROOT,
    readStackSections: (stack) => readStackSections(stack),
};

/** The working tree's entry points, imported statically (the head of a review). */
export const HEAD: EntryPoints = {
    root: REPO_ROOT,
    recordStack,
    stackPaths,
    iam: HEAD_IAM,
    policies: { policies: POLICIES, policyResources, runPolicy: runPolicy as never },
};
