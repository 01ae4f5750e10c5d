/**
 * How a stack is known to be local, development, staging or production: by its environment name,
 * which must also be the stack's name (`environment.name` of `Pulumi.<name>.yaml`), so the config
 * (which reads the name) and the policy pack (which reads the stack from each URN) agree.
 *
 * A name missing from this table is treated as staging: every guard "outside dev/local" applies to
 * it, production-only guards do not. Add a new production environment here; the policy pack's
 * defaults (`productionStacks`, `allowedStacks`) are this table, and a test checks both ends.
 */
export const TIERS = ["local", "development", "staging", "production"] as const;
export type Tier = (typeof TIERS)[number];

export const ENVIRONMENT_TIERS: Readonly<Record<string, Tier>> = {
    dev: "development",
    local: "local",
    staging: "staging",
    prod: "production",
};
export const UNLISTED_TIER: Tier = "staging";

export function tierOf(environmentName: string): Tier {
    return Object.hasOwn(ENVIRONMENT_TIERS, environmentName) ? ENVIRONMENT_TIERS[environmentName]! : UNLISTED_TIER;
}

/** The environment (stack) names of the given tiers, in table order. */
export function environmentsOf(...tiers: Tier[]): string[] {
    return Object.entries(ENVIRONMENT_TIERS)
        .filter(([, tier]) => tiers.includes(tier))
        .map(([name]) => name);
}

/** Development and local stacks: the only ones where unsafe conveniences (open auth, any tag) may be on. */
export const isRelaxed = (tier: Tier) => tier === "local" || tier === "development";

/** The config's tier comes from environment.name, the pack's from the stack name: they must be one name. */
export function stackNameProblems(stack: string | undefined, environment: { name: string } | undefined) {
    if (stack === undefined || environment === undefined || environment.name === stack) return [];
    return [
        { path: ["environment", "name"], message: `expected the stack's name "${stack}" (Pulumi.${stack}.yaml)`, input: environment.name },
    ];
}
