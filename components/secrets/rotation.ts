import * as crypto from "crypto";

const DAY_MS = 24 * 60 * 60 * 1000;

/** Index of the rotation window `now` falls in; windows start at the Unix epoch, every `days` days. */
export function rotationWindow(now: Date, days: number): number {
    return Math.floor(now.getTime() / (days * DAY_MS));
}

export function windowStart(window: number, days: number): Date {
    return new Date(window * days * DAY_MS);
}

export interface JwksGeneration {
    window: number;
    /** Key id: the window's start in epoch milliseconds, as the runbook's gen-jwks tool names keys. */
    kid: string;
    current: boolean;
}

/**
 * The signing keys to keep: the current window's, plus the previous one while its tokens may still be
 * in use (the first `overlapDays` of the current window).
 */
export function jwksGenerations(now: Date, rotationDays: number, overlapDays: number): JwksGeneration[] {
    const current = rotationWindow(now, rotationDays);
    const generation = (window: number, isCurrent: boolean) => ({
        window,
        kid: String(windowStart(window, rotationDays).getTime()),
        current: isCurrent,
    });
    const sinceRotation = now.getTime() - windowStart(current, rotationDays).getTime();
    const keepPrevious = current > 0 && sinceRotation < overlapDays * DAY_MS;
    return keepPrevious ? [generation(current, true), generation(current - 1, false)] : [generation(current, true)];
}

/** A public JWK for RS256 signature checks, from a PEM public key. */
export function publicJwk(publicKeyPem: string, kid: string): Record<string, string> {
    const jwk = crypto.createPublicKey(publicKeyPem).export({ format: "jwk" });
    if (jwk.kty !== "RSA" || jwk.n === undefined || jwk.e === undefined) throw new Error(`JWKS key ${kid} is not an RSA key`);
    return { kty: "RSA", n: jwk.n, e: jwk.e, kid, alg: "RS256", use: "sig" };
}

/** An env var name in kebab case, as secret paths and resource names use it: DATABASE_URL -> database-url. */
export function secretSlug(key: string): string {
    return key.toLowerCase().replace(/_/g, "-");
}

/** `<project>/<environment>/<key-in-kebab-case>`, e.g. `supernova/prod/database-url`. */
export function secretPath(project: string, environment: string, key: string): string {
    return `${project}/${environment}/${secretSlug(key)}`;
}

/** A value that changes whenever any secret changes, without revealing them (pods roll on it). */
export function checksum(values: Record<string, string>): string {
    const hash = crypto.createHash("sha256");
    for (const key of Object.keys(values).sort()) hash.update(`${key}\0${values[key]}\0`);
    return hash.digest("hex");
}
