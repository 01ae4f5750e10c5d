import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";

/**
 * The stack file as the engine reads it: `Pulumi.<stack>.yaml` in the project root (or in the
 * `stackConfigDir` that Pulumi.yaml names). The loader reads it only to learn which values are
 * `{ secure: ... }`; the values themselves come from the engine.
 */
export function stackFilePath(projectRoot: string, stack: string): string {
    const projectFile = path.join(projectRoot, "Pulumi.yaml");
    const project = fs.existsSync(projectFile) ? (parse(fs.readFileSync(projectFile, "utf8")) as { stackConfigDir?: unknown }) : {};
    const dir = typeof project?.stackConfigDir === "string" ? path.join(projectRoot, project.stackConfigDir) : projectRoot;
    const yml = path.join(dir, `Pulumi.${stack}.yml`);
    return fs.existsSync(yml) ? yml : path.join(dir, `Pulumi.${stack}.yaml`);
}

/** The `<namespace>:` keys of a stack file, without the namespace, values as written (secure ones as `{ secure }`). */
export function readStackFileSections(file: string, namespace: string): Record<string, unknown> | undefined {
    if (!fs.existsSync(file)) return undefined;
    const document = parse(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> } | null;
    const sections: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(document?.config ?? {})) {
        if (key.startsWith(`${namespace}:`)) sections[key.slice(namespace.length + 1)] = value;
    }
    return sections;
}
