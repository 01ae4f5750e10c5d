import type { ResourceValidationPolicy } from "@pulumi/policy";
import { environmentsOf } from "../../config/environments";
import { configSchema, stackOf } from "../lib";

const RDS = "aws:rds/instance:Instance";
/** Resources that hold data: a delete or replace loses it. */
const STATEFUL = [RDS, "aws:elasticache/replicationGroup:ReplicationGroup", "kubernetes:apps/v1:StatefulSet"];

/** Second line for `protectStatefulResources: false` outside dev: data is protected from deletion. */
const policy: ResourceValidationPolicy = {
    name: "stateful-resources-protected",
    description: "Outside dev and local, stateful resources are `protect`ed and RDS has deletion protection.",
    enforcementLevel: "mandatory",
    configSchema: configSchema({
        allowedStacks: { type: "array", items: { type: "string" }, default: environmentsOf("development", "local") },
    }),
    validateResource: (args, report) => {
        if (!STATEFUL.includes(args.type)) return;
        const stack = stackOf(args.urn);
        if (args.getConfig<{ allowedStacks: string[] }>().allowedStacks.includes(stack)) return;
        if (args.opts.protect !== true) report(`${args.type.split(":").pop()} ${args.name} is not protected from deletion in ${stack}.`);
        if (args.type === RDS && args.props["deletionProtection"] !== true) {
            report(`RDS instance ${args.name} has no deletion protection in ${stack}.`);
        }
    },
};
export default policy;
