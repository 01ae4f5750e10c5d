// The IAM simulation table of one environment: npm run iam -- <stack>  (dev, staging, prod)
// Every row is the policy simulator's decision over the roles and policies recorded in the bootstrap
// and environment graphs (test/harness/iam.ts; the tests assert the same table).
import { BOOTSTRAP_ROLES, roleArn } from "../config/delivery";
import { Check, formatTable, iamTable, recordAccount, simulate, webIdentityTable } from "../test/harness/iam";
import { ciStacks } from "../config/promotion";
import * as path from "path";
import { readStackSections } from "../test/harness/stack-file";

async function main(stack: string): Promise<void> {
    const root = path.resolve(__dirname, "..");
    const account = await recordAccount(stack);
    const github = readStackSections(stack)["github"] as { owner: string; infrastructureRepository: string; environment: { name: string } };
    const others = ciStacks(root).filter((s) => s !== stack);
    const environments = [
        github.environment.name,
        ...others.map((s) => (readStackSections(s)["github"] as typeof github).environment.name),
    ];
    const rows: Check[] = [
        ...(await iamTable(account, "actions-runner-role")),
        ...webIdentityTable(account, github.owner, github.infrastructureRepository, environments),
    ];
    for (const other of others) {
        const caller = await recordAccount(other);
        const deployer = roleArn(account.accountId, BOOTSTRAP_ROLES.deployer);
        rows.push({
            role: BOOTSTRAP_ROLES.deploy,
            action: "sts:AssumeRole",
            resource: deployer,
            from: other,
            decision: await simulate(caller, BOOTSTRAP_ROLES.deploy, "sts:AssumeRole", deployer, account),
        });
    }
    console.log(`IAM simulation of ${stack} (account ${account.accountId}), @cloud-copilot/iam-simulate:\n`);
    console.log(formatTable(rows));
}

const stack = process.argv[2];
if (!stack) {
    console.error("usage: npm run iam -- <stack>");
    process.exit(2);
}
main(stack).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
});
