import type { z } from "zod";
import type { stackConfigShape } from "../schema";
import { dataEnvNames, JWKS_PRIVATE_KEY, PARTNER_OWNED_SECRETS, PREVIOUS_SUFFIX } from "../secret-names";

type Parsed = z.output<z.ZodObject<typeof stackConfigShape>>;
type Issue = { path: (string | number)[]; message: string; input?: unknown };

/** Every name a service may list in `services[].secrets` in this stack. */
export function appSecretNames({ secrets, redis }: Pick<Parsed, "secrets" | "redis">): string[] {
    const names = [...secrets.generated, ...Object.keys(secrets.provided), ...secrets.required, ...dataEnvNames(redis), JWKS_PRIVATE_KEY];
    return [...new Set(names)].sort();
}

/** Each service reads only secrets that exist here; `_PREVIOUS` values and workflow secrets are not listed. */
export function serviceSecretIssues({ services, secrets, redis }: Parsed): Issue[] {
    const known = new Set(appSecretNames({ secrets, redis }));
    return services.flatMap((service, i) =>
        service.secrets.flatMap((name, j): Issue[] => {
            if (known.has(name)) return [];
            const path = ["services", i, "secrets", j];
            const base = name.endsWith(PREVIOUS_SUFFIX) ? name.slice(0, -PREVIOUS_SUFFIX.length) : undefined;
            if (base !== undefined && secrets.overlapping.includes(base)) {
                return [{ path, message: `expected ${base}: its previous value comes with it`, input: name }];
            }
            if (name in secrets.ci) return [{ path, message: "expected an app secret: secrets.ci are for workflows only", input: name }];
            return [{ path, message: `expected one of the stack's secrets (${[...known].join(", ")})`, input: name }];
        }),
    );
}

/** Rotation keeps a previous value only of secrets generated here; a partner's secret is never generated. */
export function rotationIssues({ secrets }: Parsed): Issue[] {
    const issues: Issue[] = secrets.overlapping
        .map((name, i) => ({ name, i }))
        .filter(({ name }) => !secrets.generated.includes(name))
        .map(({ name, i }) => ({ path: ["secrets", "overlapping", i], message: "expected a name in secrets.generated", input: name }));
    secrets.generated.forEach((name, i) => {
        const owner = PARTNER_OWNED_SECRETS[name];
        if (owner !== undefined) {
            issues.push({
                path: ["secrets", "generated", i],
                message: `expected ${name} in secrets.provided, not generated: ${owner}, and a value rotated here would break every delivery`,
                input: name,
            });
        }
    });
    return issues;
}
