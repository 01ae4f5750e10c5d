import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse, stringify } from "yaml";
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

export function stackFilePath(stack: string, projectDir = REPO_ROOT): string {
    return path.join(projectDir, `Pulumi.${stack}.yaml`);
}

/** A stack file as committed: its top-level keys (e.g. `secretsprovider`) and its config. */
export function readStackFile(stack: string, projectDir = REPO_ROOT): { secretsprovider?: string; config?: Record<string, unknown> } {
    return parse(fs.readFileSync(stackFilePath(stack, projectDir), "utf8")) ?? {};
}

/**
 * The `<namespace>:` sections of a stack file, keyed without the namespace, secure values left as
 * `{ secure }`: exactly what a fresh checkout holds (operator secrets are committed encrypted).
 */
export function readStackSections(stack: string, projectDir = REPO_ROOT, namespace = CONFIG_NAMESPACE): Sections {
    const sections: Sections = {};
    for (const [key, value] of Object.entries(readStackFile(stack, projectDir).config ?? {})) {
        const [ns, name] = key.split(":");
        if (ns === namespace && name !== undefined) sections[name] = value;
    }
    return sections;
}

/** Stack config as the engine passes it to programs and policy packs: `<namespace>:<key>` to string, and the secret keys. */
export interface EngineConfig {
    config: Record<string, string>;
    secretKeys: string[];
}

/**
 * Turns sections into what the Pulumi engine hands a program: one string per key (JSON for objects),
 * secure values decrypted (to placeholders), and the keys holding any secure value marked secret.
 */
export function toEngineConfig(sections: Sections, namespace = CONFIG_NAMESPACE): EngineConfig {
    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [name, value] of Object.entries(sections)) {
        const key = `${namespace}:${name}`;
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
 * Writes sections as the stack file of a project directory (with the repository's Pulumi.yaml), so the
 * loader reads which values are secure from a file, as it does under the real engine. Returns the directory.
 */
export function writeStackFile(stack: string, sections: Sections, projectDir = REPO_ROOT, namespace = CONFIG_NAMESPACE): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stack-"));
    fs.copyFileSync(path.join(projectDir, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    const config = Object.fromEntries(Object.entries(sections).map(([name, value]) => [`${namespace}:${name}`, value]));
    fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), stringify({ config }));
    return dir;
}

/** A stack's config as the engine hands it to the program and the policy pack, once the operator's secrets are set. */
export function stackEngineConfig(stack: string, edit?: (sections: Sections) => void): EngineConfig {
    const sections = readStackSections(stack);
    edit?.(sections);
    return toEngineConfig(sections);
}
