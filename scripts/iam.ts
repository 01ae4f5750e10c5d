// The IAM simulation table of one environment: npm run iam -- <stack>  (dev, staging, prod)
// Every row is the policy simulator's decision over the roles and policies recorded in the bootstrap
// and environment graphs (test/harness/iam.ts; the tests assert the same table, review/ diffs it).
import { HEAD_IAM } from "../review/head-entry-points";
import { iamChecks } from "../review/iam-rows";
import { formatTable, recordAccount } from "../test/harness/iam";

async function main(stack: string): Promise<void> {
    const account = await recordAccount(stack);
    const rows = await iamChecks(HEAD_IAM, account);
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
