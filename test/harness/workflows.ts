import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import type { Graph } from "./graph";
import { REPO_ROOT } from "./stack-file";

/** The workflow contract's readers: what jobs read (vars, secrets) and what a stack's graph publishes. */

export type Workflow = { name: string; on: Record<string, any>; jobs: Record<string, Job>; permissions?: Record<string, string> };
export type Job = Record<string, any> & { steps?: Step[] };
export type Step = Record<string, any>;

export function loadWorkflow(file: string): Workflow {
    return parse(fs.readFileSync(path.join(REPO_ROOT, file), "utf8")) as Workflow;
}

/** Every `${{ ... }}` expression in a subtree of a workflow. */
export function expressions(value: unknown): string[] {
    if (typeof value === "string") return [...value.matchAll(/\$\{\{(.*?)\}\}/g)].map((m) => m[1]!.trim());
    if (Array.isArray(value)) return value.flatMap(expressions);
    if (typeof value === "object" && value !== null) return Object.values(value).flatMap(expressions);
    return [];
}

/** Names read as `<context>.NAME`, and the indexes of `<context>[...]` reads, which the caller resolves. */
export function contextReads(value: unknown, context: "vars" | "secrets"): { names: string[]; dynamic: string[] } {
    const all = expressions(value);
    const names = all.flatMap((e) => [...e.matchAll(new RegExp(`\\b${context}\\.([A-Za-z_][A-Za-z0-9_]*)`, "g"))].map((m) => m[1]!));
    const dynamic = all.flatMap((e) => [...e.matchAll(new RegExp(`\\b${context}\\[([^\\]]+)\\]`, "g"))].map((m) => m[1]!.trim()));
    return { names: [...new Set(names)], dynamic: [...new Set(dynamic)] };
}

export const stepUsing = (job: Job, action: string): Step[] => (job.steps ?? []).filter((s) => String(s["uses"] ?? "").startsWith(action));

/** The Actions variables and secrets a stack's graph publishes, per repository and environment. */
export interface Published {
    environmentVariables: Map<string, Map<string, string>>;
    environmentSecrets: Map<string, Set<string>>;
    repositoryVariables: Map<string, Map<string, string>>;
    repositorySecrets: Map<string, Set<string>>;
}

const key = (repository: string, environment?: string) => (environment ? `${repository}/${environment}` : repository);

export function published(graphs: Graph[]): Published {
    const p: Published = {
        environmentVariables: new Map(),
        environmentSecrets: new Map(),
        repositoryVariables: new Map(),
        repositorySecrets: new Map(),
    };
    const addVar = (map: Map<string, Map<string, string>>, k: string, name: string, value: string) =>
        map.set(k, (map.get(k) ?? new Map()).set(name, value));
    const addSecret = (map: Map<string, Set<string>>, k: string, name: string) => map.set(k, (map.get(k) ?? new Set()).add(name));
    for (const graph of graphs) {
        for (const v of graph.ofType("github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable")) {
            addVar(p.environmentVariables, key(v.inputs.repository, v.inputs.environment), v.inputs.variableName, v.inputs.value);
        }
        for (const v of graph.ofType("github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret")) {
            addSecret(p.environmentSecrets, key(v.inputs.repository, v.inputs.environment), v.inputs.secretName);
        }
        for (const v of graph.ofType("github:index/actionsVariable:ActionsVariable")) {
            addVar(p.repositoryVariables, key(v.inputs.repository), v.inputs.variableName, v.inputs.value);
        }
        for (const v of graph.ofType("github:index/actionsSecret:ActionsSecret"))
            addSecret(p.repositorySecrets, key(v.inputs.repository), v.inputs.secretName);
    }
    return p;
}

/** What a job in `environment` of `repository` can read (environment and repository level, plus GitHub's own token). */
export function visibleTo(
    p: Published,
    repository: string,
    environment?: string,
): { variables: Map<string, string>; secrets: Set<string> } {
    return {
        variables: new Map([
            ...(p.repositoryVariables.get(repository) ?? []),
            ...(environment ? (p.environmentVariables.get(key(repository, environment)) ?? []) : []),
        ]),
        secrets: new Set([
            "GITHUB_TOKEN",
            ...(p.repositorySecrets.get(repository) ?? []),
            ...(environment ? (p.environmentSecrets.get(key(repository, environment)) ?? []) : []),
        ]),
    };
}
