import type { StackValidationPolicy } from "@pulumi/policy";
import { PRODUCTION_STACKS_SCHEMA, stackOf } from "../lib";

/** Set to a reason (an incident id) to deploy outside the window; the override is reported. */
export const EMERGENCY_VARIABLE = "PLATFORM_EMERGENCY_CHANGE";

export interface WindowConfig {
    productionStacks: string[];
    /** Days of the week deployments may happen, 0 = Sunday (UTC). */
    days: number[];
    startHourUtc: number;
    endHourUtc: number;
    /** Change freezes: single days `YYYY-MM-DD` or ranges `YYYY-MM-DD/YYYY-MM-DD`, inclusive. */
    freezes: string[];
    /** Evaluate as if at this ISO time (to check a planned deployment). Defaults to now. */
    at?: string;
}

const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/** Why a change at `now` is outside the deployment window, or undefined when it is allowed. */
export function windowViolation(now: Date, config: WindowConfig): string | undefined {
    const day = now.toISOString().slice(0, 10);
    const freeze = config.freezes.find((f) => {
        const [from = "", to = from] = f.split("/");
        return day >= from && day <= to;
    });
    if (freeze) return `${day} is in the change freeze ${freeze}.`;
    const hour = now.getUTCHours() + now.getUTCMinutes() / 60;
    if (!config.days.includes(now.getUTCDay()) || hour < config.startHourUtc || hour >= config.endHourUtc) {
        const days = config.days.map((d) => DAYS[d]).join(", ");
        return `${now.toISOString()} is outside the deployment window (${days}, ${config.startHourUtc}:00-${config.endHourUtc}:00 UTC).`;
    }
    return undefined;
}

const policy: StackValidationPolicy = {
    name: "prod-deployment-window",
    description: `Production changes only inside the deployment window and outside change freezes. Advisory by default; set it mandatory in the pack config. ${EMERGENCY_VARIABLE}=<reason> overrides it, visibly.`,
    enforcementLevel: "advisory",
    configSchema: {
        properties: {
            ...PRODUCTION_STACKS_SCHEMA,
            days: { type: "array", items: { type: "integer", minimum: 0, maximum: 6 }, default: [2, 3, 4] },
            startHourUtc: { type: "integer", minimum: 0, maximum: 23, default: 10 },
            endHourUtc: { type: "integer", minimum: 1, maximum: 24, default: 14 },
            freezes: { type: "array", items: { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}(/\\d{4}-\\d{2}-\\d{2})?$" }, default: [] },
            at: { type: "string", format: "date-time" },
        },
    },
    validateStack: (args, report) => {
        const config = args.getConfig<WindowConfig>();
        const stack = stackOf(args.resources[0]?.urn ?? "");
        if (!config.productionStacks.includes(stack) || process.env[EMERGENCY_VARIABLE]) return;
        const violation = windowViolation(config.at ? new Date(config.at) : new Date(), config);
        if (violation) report(`${violation} Deploy inside the window, or set ${EMERGENCY_VARIABLE}=<incident> for an emergency.`);
    },
};
export default policy;
