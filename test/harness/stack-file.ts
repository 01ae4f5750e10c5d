import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { CONFIG_NAMESPACE } from "../../config/load";
import { REPO_ROOT } from "./project";

export { REPO_ROOT };
export const STACKS = ["local", "dev", "staging", "prod"] as const;
export type StackName = (typeof STACKS)[number];

/** What a secure value of a stack file decrypts to under test: unique per key path, easy to scan for. */
export const SECRET_PLACEHOLDER_PREFIX = "TEST-SECRET-VALUE-";
export const secretPlaceholder = (keyPath: string) => `${SECRET_PLACEHOLDER_PREFIX}${keyPath}`;

/** A secure value as it appears in a stack file. Tests add these to put a secret into config. */
export const secure = (): { secure: string } => ({ secure: "v1:test-ciphertext" });

export type Sections = Record<string, unknown>;

export function stackFilePath(stack: string): string {
    return path.join(REPO_ROOT, `Pulumi.${stack}.yaml`);
}

/** The `platform:` sections of a stack file, keyed without the namespace, secure values left as `{ secure }`. */
export function readStackSections(stack: string): Sections {
    const file = parse(fs.readFileSync(stackFilePath(stack), "utf8")) as { config?: Record<string, unknown> };
    const sections: Sections = {};
    for (const [key, value] of Object.entries(file.config ?? {})) {
        const [namespace, name] = key.split(":");
        if (namespace === CONFIG_NAMESPACE && name !== undefined) sections[name] = value;
    }
    return sections;
}

/**
 * Turns sections into what the Pulumi engine hands a program: one string per key (JSON for objects),
 * secure values decrypted (to placeholders), and the keys holding any secure value marked secret.
 */
/** Stack config as the engine passes it to programs and policy packs: `<namespace>:<key>` to string, and the secret keys. */
export interface EngineConfig {
    config: Record<string, string>;
    secretKeys: string[];
}

export function toEngineConfig(sections: Sections): EngineConfig {
    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [name, value] of Object.entries(sections)) {
        const key = `${CONFIG_NAMESPACE}:${name}`;
        let hasSecret = false;
        const decrypted = replaceSecure(value, name, () => (hasSecret = true));
        config[key] = typeof decrypted === "string" ? decrypted : JSON.stringify(decrypted);
        if (hasSecret) secretKeys.push(key);
    }
    return { config, secretKeys };
}

function replaceSecure(value: unknown, keyPath: string, onSecret: () => void): unknown {
    if (Array.isArray(value)) return value.map((item, i) => replaceSecure(item, `${keyPath}[${i}]`, onSecret));
    if (typeof value !== "object" || value === null) return value;
    const record = value as Record<string, unknown>;
    if (Object.keys(record).length === 1 && typeof record["secure"] === "string") {
        onSecret();
        return secretPlaceholder(keyPath);
    }
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, replaceSecure(v, `${keyPath}.${k}`, onSecret)]));
}

/**
 * Does what an operator does once per stack outside git: `pulumi config set --secret` for every name in
 * `secrets.required` and `github.environmentSecrets`. The committed stack files list the names only.
 */
export function setOperatorSecrets(sections: Sections): void {
    const secrets = sections["secrets"] as
        { required?: string[]; provided?: Record<string, unknown>; ci?: Record<string, unknown> } | undefined;
    const github = sections["github"] as { environmentSecrets?: string[] } | undefined;
    if (secrets === undefined) return;
    for (const name of secrets.required ?? []) (secrets.provided ??= {})[name] ??= secure();
    for (const name of github?.environmentSecrets ?? []) (secrets.ci ??= {})[name] ??= secure();
}

/** A stack's config as the engine hands it to the program and the policy pack, once the operator's secrets are set. */
export function stackEngineConfig(stack: string, edit?: (sections: Sections) => void): EngineConfig {
    const sections = readStackSections(stack);
    setOperatorSecrets(sections);
    edit?.(sections);
    return toEngineConfig(sections);
}
