import type { StackValidationPolicy } from "@pulumi/policy";
import { PRODUCTION_STACKS_SCHEMA, stackOf } from "../lib";
import { EMERGENCY_VARIABLE } from "./prod-deployment-window";

/** Makes an emergency override visible in every preview and update that uses it. */
const policy: StackValidationPolicy = {
    name: "emergency-change-override",
    description: `Reports when ${EMERGENCY_VARIABLE} overrides the deployment window and change freeze.`,
    enforcementLevel: "advisory",
    configSchema: { properties: { ...PRODUCTION_STACKS_SCHEMA } },
    validateStack: (args, report) => {
        const reason = process.env[EMERGENCY_VARIABLE];
        const stack = stackOf(args.resources[0]?.urn ?? "");
        if (reason && args.getConfig<{ productionStacks: string[] }>().productionStacks.includes(stack)) {
            report(`EMERGENCY CHANGE to ${stack}: deployment window and change freeze not enforced. Reason: ${reason}`);
        }
    },
};
export default policy;
