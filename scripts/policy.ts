import { EXIT, runPolicyCli } from "../test/harness/policy-pack/check";

/**
 * `npm run policy -- <stack> [--policy-pack-config <file.json>]`: runs the stack's program offline
 * under the harness's mocks and its recorded graph through the policy pack's analyzer server, started
 * as `pulumi preview --policy-pack policies` starts it. Prints every violation; exits 1 on a mandatory
 * one, 2 on a usage, config or program error.
 */
runPolicyCli(process.argv.slice(2), (line) => console.log(line)).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
        console.error(error);
        process.exitCode = EXIT.error;
    },
);
