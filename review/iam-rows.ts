import type { Graph } from "../test/harness/graph";
import type { Account, Check } from "../test/harness/iam";
import type { IamEntryPoints } from "./entry-points";

/** The role the in-VPC runners run as (components/delivery/actions-runner.ts), simulated beside the bootstrap roles. */
const RUNNER_ROLE = "actions-runner-role";

/**
 * The IAM simulation table of one environment (what `npm run iam -- <stack>` prints): the bootstrap
 * roles and the runner's role against the program's actions, who may obtain each role from a GitHub
 * token, and whether the other environments' deploy roles can assume this one's deployer.
 */
export async function iamChecks(e: IamEntryPoints, account: Account): Promise<Check[]> {
    const { stack } = account;
    const github = e.readStackSections(stack)["github"] as {
        owner: string;
        infrastructureRepository: string;
        environment: { name: string };
    };
    const others = e.ciStacks(e.rootOf()).filter((s) => s !== stack);
    const environments = [
        github.environment.name,
        ...others.map((s) => (e.readStackSections(s)["github"] as typeof github).environment.name),
    ];
    const rows: Check[] = [
        ...(await e.iamTable(account, RUNNER_ROLE)),
        ...e.webIdentityTable(account, github.owner, github.infrastructureRepository, environments),
    ];
    const deployer = e.roleArn(account.accountId, e.bootstrapRoles.deployer);
    for (const other of others) {
        const caller = await e.recordAccount(other);
        rows.push({
            role: e.bootstrapRoles.deploy,
            action: "sts:AssumeRole",
            resource: deployer,
            from: other,
            decision: await e.simulate(caller, e.bootstrapRoles.deploy, "sts:AssumeRole", deployer, account),
        });
    }
    return rows;
}

/** The table over a graph of the stack (e.g. one changed by a review's variation) and its bootstrap stack; none for a stack without an AWS account. */
export async function iamRows(e: IamEntryPoints, stack: string, graph: Graph): Promise<Check[]> {
    if (!e.ciStacks(e.rootOf()).includes(stack)) return [];
    const { graph: bootstrap, config } = await e.runBootstrap(stack);
    if (!config) throw new Error(`the bootstrap program of ${stack} failed`);
    return iamChecks(e, e.accountOf(stack, config.accountId, config.region, [bootstrap, graph]));
}
