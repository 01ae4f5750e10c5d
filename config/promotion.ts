import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import {
    DELIVERY_SECRETS,
    IMAGE_DIGEST,
    PROMOTION_INPUTS,
    promotionConfigPaths,
    runnerProjectName,
    deliverySchema,
    runsOn,
    UNSET_SECRET,
    previewRoleVariable,
} from "./delivery";
import { CONFIG_NAMESPACE } from "./load";
import { IMAGE_TAG_RULES } from "./rules";
import { environmentSchema, IMAGE_TAG_FORMATS } from "./schema";
import { requiresImageDigest } from "./workloads";

/**
 * What the workflows decide before any credential is handed out, read from the committed stack files:
 * which stacks deploy from CI, where their jobs run, and whether a promotion is valid. The program
 * checks the same config again (config/rules.ts, config/releases.ts) when it runs.
 */

export interface PromotionInput {
    service: string;
    environment: string;
    tag: string;
    /** `sha256:<64 hex>`; empty or absent when the build sent none. */
    digest?: string;
    rollback?: boolean;
}

/** One CI stack's job placement, as the plan step hands it to the deploy and preview jobs. */
export interface DeployTarget {
    stack: string;
    /** The GitHub environment its deploy job runs in. */
    environment: string;
    runsOn: string[];
    region: string;
    pulumiOrganization: string;
    /** The repository variable holding its preview role (previews run outside environments). */
    previewRoleVariable: string;
}

export class PromotionError extends Error {
    constructor(readonly problems: string[]) {
        super(`invalid promotion:\n${problems.map((p) => `  ${p}`).join("\n")}`);
        this.name = "PromotionError";
    }
}

export type Sections = Record<string, any>;

function readSections(repoRoot: string, stack: string): Sections {
    const file = parse(fs.readFileSync(path.join(repoRoot, `Pulumi.${stack}.yaml`), "utf8")) as { config?: Record<string, unknown> };
    const prefix = `${CONFIG_NAMESPACE}:`;
    return Object.fromEntries(
        Object.entries(file.config ?? {})
            .filter(([key]) => key.startsWith(prefix))
            .map(([key, value]) => [key.slice(prefix.length), value]),
    );
}

/** The stacks the workflows deploy: those whose stack file has a `github` section, in promotion order. */
export function ciStacks(repoRoot: string): string[] {
    const order = ["dev", "staging", "prod"];
    return fs
        .readdirSync(repoRoot)
        .map((file) => /^Pulumi\.([\w-]+)\.yaml$/.exec(file)?.[1])
        .filter((stack): stack is string => stack !== undefined && readSections(repoRoot, stack)["github"] !== undefined)
        .sort((a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99) || a.localeCompare(b));
}

export function deployTarget(repoRoot: string, stack: string, run: { id: string; attempt: string }): DeployTarget {
    return deployTargetOf(readSections(repoRoot, stack), stack, run);
}

/** A stack's job placement from its config sections (the committed file, or an edited copy in tests). */
export function deployTargetOf(s: Sections, stack: string, run: { id: string; attempt: string }): DeployTarget {
    const environment = environmentSchema.parse(s["environment"]);
    const delivery = deliverySchema.parse(s["delivery"]);
    return {
        stack,
        environment: s["github"].environment.name,
        runsOn: runsOn(delivery.runner, runnerProjectName(environment.project, environment.name), run),
        region: s["aws"].region,
        pulumiOrganization: delivery.pulumiOrganization,
        previewRoleVariable: previewRoleVariable(environment.name),
    };
}

/** Validates a promotion against the committed stack files; returns the stack and the service's index. */
export function validatePromotion(repoRoot: string, input: PromotionInput): { stack: string; serviceIndex: number } {
    const stacks = ciStacks(repoRoot);
    const byEnvironment = new Map(stacks.map((stack) => [readSections(repoRoot, stack)["environment"]?.name as string, stack]));
    const stack = byEnvironment.get(input.environment);
    const problems: string[] = [];
    if (stack === undefined) {
        problems.push(
            `${PROMOTION_INPUTS.environment}: expected one of ${[...byEnvironment.keys()].join(", ")}, got ${JSON.stringify(input.environment)}`,
        );
        throw new PromotionError(problems);
    }
    const s = readSections(repoRoot, stack);
    const names: string[] = (s["services"] ?? []).map((service: { name: string }) => service.name);
    const serviceIndex = names.indexOf(input.service);
    if (serviceIndex < 0) {
        problems.push(
            `${PROMOTION_INPUTS.service}: expected a service of ${input.environment} (${names.join(", ")}), got ${JSON.stringify(input.service)}`,
        );
    }
    const format = s["environment"].imageTagFormat as (typeof IMAGE_TAG_FORMATS)[number];
    const rule = IMAGE_TAG_RULES[format](input.environment);
    if (!rule.re.test(input.tag))
        problems.push(`${PROMOTION_INPUTS.tag}: expected ${rule.text} in ${input.environment}, got ${JSON.stringify(input.tag)}`);
    if (input.digest && !IMAGE_DIGEST.test(input.digest)) {
        problems.push(`${PROMOTION_INPUTS.digest}: expected sha256:<64 hex digits>, got ${JSON.stringify(input.digest)}`);
    } else if (!input.digest && requiresImageDigest(input.environment)) {
        problems.push(
            `${PROMOTION_INPUTS.digest}: expected the image's digest sha256:<64 hex digits>: ${input.environment} runs images by digest`,
        );
    }
    if (problems.length > 0) throw new PromotionError(problems);
    return { stack, serviceIndex };
}

/** The `pulumi config set` calls that put a promotion into the checkout's stack config for one update. */
export function promotionCommands(stack: string, serviceIndex: number, input: PromotionInput): string[][] {
    const paths = promotionConfigPaths(serviceIndex);
    const set = (key: string, value: string) => ["config", "set", "--stack", stack, "--path", key, value];
    return [
        set(paths.tag, input.tag),
        ...(input.digest ? [set(paths.digest, input.digest)] : []),
        // With --path, `true` is stored as a boolean.
        ...(input.rollback ? [set(paths.allowRollback, "true")] : []),
    ];
}

/** Image tags or digests committed in a CI stack file: refused, since only a promotion sets them. */
export function committedImagePins(repoRoot: string, stack: string): string[] {
    return (readSections(repoRoot, stack)["services"] ?? []).flatMap(
        (service: { name: string; image?: Record<string, unknown> }, i: number) =>
            ["tag", "digest", "allowRollback"]
                .filter((key) => service.image?.[key] !== undefined)
                .map((key) => `services[${i}].image.${key} (${service.name})`),
    );
}

/** Operator secrets a CI stack needs that its file does not hold encrypted yet, each with its command. */
export function unsetOperatorSecrets(repoRoot: string, stack: string): string[] {
    return unsetOperatorSecretsOf(readSections(repoRoot, stack), stack);
}

export function unsetOperatorSecretsOf(s: Sections, stack: string): string[] {
    const secrets = s["secrets"] ?? {};
    const wanted: [string, string][] = [
        ...(secrets.required ?? []).map((name: string) => ["provided", name]),
        ...(s["github"]?.environmentSecrets ?? []).map((name: string) => ["ci", name]),
        ["ci", DELIVERY_SECRETS.deployAppKey],
        ["ci", DELIVERY_SECRETS.promoterAppKey],
        ...(s["github"]?.manageRepositorySettings ? [["ci", DELIVERY_SECRETS.previewAppKey]] : []),
        ...((s["delivery"]?.runner?.type ?? "codebuild") === "codebuild" ? [["ci", DELIVERY_SECRETS.runnerToken]] : []),
    ];
    const seen = new Set<string>();
    return wanted
        .filter(([map, name]) => {
            const key = `${map}.${name}`;
            if (seen.has(key)) return false;
            seen.add(key);
            const value = secrets[map]?.[name];
            return typeof value?.secure !== "string" || value.secure === UNSET_SECRET;
        })
        .map(
            ([map, name]) =>
                `secrets.${map}.${name} is not set: pulumi config set -s ${stack} --secret --path '${CONFIG_NAMESPACE}:secrets.${map}.${name}' <value>, then commit Pulumi.${stack}.yaml`,
        );
}
