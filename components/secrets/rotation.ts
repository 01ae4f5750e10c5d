import * as crypto from "crypto";

const DAY_MS = 24 * 60 * 60 * 1000;

/** Index of the rotation window `now` falls in; windows start at the Unix epoch, every `days` days. */
export function rotationWindow(now: Date, days: number): number {
    return Math.floor(now.getTime() / (days * DAY_MS));
}

export function windowStart(window: number, days: number): Date {
    return new Date(window * days * DAY_MS);
}

/**
 * Where a rotating secret stands at `now`: the current generation (the rotation window `now` falls in)
 * and, during the first `overlapDays` of it, the previous one, still accepted. Plain data: it is a stack
 * output that the scheduled rotation workflow compares with the clock.
 */
export interface RotationState {
    rotationDays: number;
    overlapDays: number;
    current: { window: number; since: string };
    previous?: { window: number; acceptedUntil: string };
    /** When the state changes next: the previous value's end, or the next rotation. */
    nextChangeAt: string;
}

export function rotationState(now: Date, rotationDays: number, overlapDays: number): RotationState {
    const window = rotationWindow(now, rotationDays);
    const since = windowStart(window, rotationDays);
    const overlapEnd = new Date(since.getTime() + overlapDays * DAY_MS);
    const keepPrevious = window > 0 && now < overlapEnd;
    const nextRotation = windowStart(window + 1, rotationDays);
    return {
        rotationDays,
        overlapDays,
        current: { window, since: since.toISOString() },
        ...(keepPrevious ? { previous: { window: window - 1, acceptedUntil: overlapEnd.toISOString() } } : {}),
        nextChangeAt: (keepPrevious && overlapEnd < nextRotation ? overlapEnd : nextRotation).toISOString(),
    };
}

export interface RotationEvent {
    at: string;
    event: string;
}

/** The state changes of one rotating secret from `from` for `days` days, as the schedule applies them. */
export function rotationTimeline(from: Date, days: number, rotationDays: number, overlapDays: number): RotationEvent[] {
    const end = from.getTime() + days * DAY_MS;
    const describe = (state: RotationState) =>
        state.previous
            ? `generation ${state.current.window} current; generation ${state.previous.window} accepted as <NAME>_PREVIOUS until ${state.previous.acceptedUntil}`
            : `generation ${state.current.window} current; no previous value accepted (<NAME>_PREVIOUS = current)`;
    let state = rotationState(from, rotationDays, overlapDays);
    const events: RotationEvent[] = [{ at: from.toISOString(), event: describe(state) }];
    for (let at = new Date(state.nextChangeAt); at.getTime() <= end; at = new Date(state.nextChangeAt)) {
        state = rotationState(at, rotationDays, overlapDays);
        events.push({ at: at.toISOString(), event: describe(state) });
    }
    return events;
}

/** Whether a stack's deployed rotation state (its `rotation` output) is behind the clock. */
export function rotationDue(deployed: RotationState | undefined, now: Date): { due: boolean; reason: string } {
    if (deployed === undefined) return { due: false, reason: "never deployed: the first deploy sets up rotation" };
    if (now.getTime() < Date.parse(deployed.nextChangeAt)) return { due: false, reason: `next change at ${deployed.nextChangeAt}` };
    const wanted = rotationState(now, deployed.rotationDays, deployed.overlapDays);
    const late = Math.floor((now.getTime() - Date.parse(deployed.nextChangeAt)) / DAY_MS);
    const what = wanted.current.window !== deployed.current.window ? `rotate to generation ${wanted.current.window}` : "end the overlap";
    return { due: true, reason: `${what} (due ${deployed.nextChangeAt}${late > 0 ? `, ${late} day${late === 1 ? "" : "s"} late` : ""})` };
}

/** Resources of a rotating secret alternate between two slots, so the previous generation's value stays in state. */
export function generationSlot(window: number): "" | "-odd" {
    return window % 2 === 0 ? "" : "-odd";
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
    const state = rotationState(now, rotationDays, overlapDays);
    const generation = (window: number, isCurrent: boolean) => ({
        window,
        kid: String(windowStart(window, rotationDays).getTime()),
        current: isCurrent,
    });
    const current = generation(state.current.window, true);
    return state.previous ? [current, generation(state.previous.window, false)] : [current];
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
