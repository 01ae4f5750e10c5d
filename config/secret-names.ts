/**
 * Names of app secrets that several parts share: the config rules, the secrets component, the chart
 * values and the data layer. Named here once.
 */

/** The signing key of the JWKS; a service that signs tokens lists it in `services[].secrets`. */
export const JWKS_PRIVATE_KEY = "JWKS_PRIVATE_KEY";

/** `<NAME>_PREVIOUS`: the previous generation of a rotating secret the app still accepts (or the current one). */
export const PREVIOUS_SUFFIX = "_PREVIOUS";
export const previousName = (name: string) => `${name}${PREVIOUS_SUFFIX}`;

/** Secrets a partner owns and rotates: only ever `provided`, never generated here. */
export const PARTNER_OWNED_SECRETS: Record<string, string> = {
    COLLAB_PAY_WEBHOOK_SECRET: "Collab Pay signs its webhooks with it (runbook: Webhooks)",
};

/** Generated secrets that sign or encrypt: the app gets `<NAME>_PREVIOUS` during the overlap. */
export const DEFAULT_OVERLAPPING_SECRETS = ["APP_JWT_SECRET", "SESSION_SECRET"];

/** The connection settings the data layer hands the app, by Redis topology (components/data): DATABASE_URL and Redis's. */
export function dataEnvNames(redis: { mode: string; topology?: string }): string[] {
    if (redis.topology === "cluster") return ["DATABASE_URL", "REDIS_CLUSTER_NODES", "REDIS_PASSWORD"];
    if (redis.topology === "sentinel") return ["DATABASE_URL", "REDIS_SENTINEL", "REDIS_MASTER", "REDIS_PASSWORD"];
    return ["DATABASE_URL", "REDIS_URL"];
}
