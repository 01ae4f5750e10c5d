import type { EnforcementLevel, PolicyConfigSchema, ReportViolation, ResourceValidationPolicy } from "@pulumi/policy";

/** The stack a resource belongs to, from its URN (`urn:pulumi:<stack>::<project>::...`). */
export function stackOf(urn: string): string {
    return urn.split("::")[0]?.split(":")[2] ?? "";
}

/** Config shared by policies whose rule is stricter in production. */
export const PRODUCTION_STACKS_SCHEMA = {
    productionStacks: { type: "array", items: { type: "string" }, default: ["prod"], description: "Stacks held to production rules." },
} as const;

export interface ProductionConfig {
    productionStacks: string[];
}

export const RELEASE_TYPES = ["kubernetes:helm.sh/v3:Release", "kubernetes:helm.sh/v4:Chart"];

/** Releases of the platform's own service chart; third-party charts (ingress-nginx, ...) are not services. */
export const SERVICE_CHART = /(^|\/)charts\/api-service\/?$/;
export const isServiceRelease = (props: Record<string, any>) => SERVICE_CHART.test(String(props["chart"] ?? ""));

interface Definition<C> {
    name: string;
    description: string;
    enforcementLevel: EnforcementLevel;
    /** Tunables: JSON Schema properties with defaults. */
    config?: Record<string, unknown>;
    types: string[];
    /** Narrows the resources further, e.g. to service releases. */
    appliesTo?: (props: Record<string, any>) => boolean;
    validate: (props: Record<string, any>, context: { stack: string; config: C; report: ReportViolation; name: string }) => void;
}

/** A resource policy that runs only on the listed types; unknown values (preview) propagate to the SDK. */
export function resourcePolicy<C = Record<string, never>>(definition: Definition<C>): ResourceValidationPolicy {
    return {
        name: definition.name,
        description: definition.description,
        enforcementLevel: definition.enforcementLevel,
        configSchema: configSchema(definition.config),
        validateResource: (args, report) => {
            if (!definition.types.includes(args.type)) return;
            if (definition.appliesTo && !definition.appliesTo(args.props)) return;
            definition.validate(args.props, { stack: stackOf(args.urn), config: args.getConfig<C & object>(), report, name: args.name });
        },
    };
}

export function configSchema(properties?: Record<string, unknown>): PolicyConfigSchema | undefined {
    return properties ? ({ properties } as PolicyConfigSchema) : undefined;
}

/** Chart values of a service release (Helm release or rendered chart). */
export function releaseValues(props: Record<string, any>): Record<string, any> {
    return props["values"] ?? {};
}
