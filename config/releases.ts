import * as pulumi from "@pulumi/pulumi";
import { PROMOTION_INPUTS, RELEASES_OUTPUT, WORKFLOW_FILES } from "./delivery";
import { ConfigError, ConfigProblem } from "./format";
import type { ParsedStackConfig, StackConfig } from "./load";
import { IMAGE_TAG_RULES } from "./rules";
import { requiresImageDigest } from "./workloads";

/**
 * Where the running image tags live: in the stack's own `releases` output. A promotion sets a service's
 * tag (and digest) in the stack config for one `up`; every other `up` (infra changes, previews, an
 * operator's run) keeps what runs. Committed stack files of promoted stacks carry no tag.
 */
export interface Release {
    tag: string;
    digest?: string;
}
export type Releases = Record<string, Release>;

const SEMVER = /^v(\d+)\.(\d+)\.(\d+)$/;

/** Negative when a is an older release tag than b; undefined when either is not vX.Y.Z (no order). */
export function compareReleaseTags(a: string, b: string): number | undefined {
    const [x, y] = [SEMVER.exec(a), SEMVER.exec(b)];
    if (!x || !y) return undefined;
    for (let i = 1; i <= 3; i++) {
        const d = Number(x[i]) - Number(y[i]);
        if (d !== 0) return d;
    }
    return 0;
}

const promoteCommand = (service: string, environment: string) =>
    `gh workflow run ${WORKFLOW_FILES.release.split("/").pop()} -f ${PROMOTION_INPUTS.service}=${service} -f ${PROMOTION_INPUTS.environment}=${environment} -f ${PROMOTION_INPUTS.tag}=<tag>`;

/**
 * Each service's image: the promoted tag when the config sets one, else the running one. Refuses a
 * service with neither, and a promoted release tag older than the running one unless allowRollback.
 */
export function resolveReleases(config: ParsedStackConfig, running: Releases, stackFile: string): StackConfig {
    const problems: ConfigProblem[] = [];
    const env = config.environment.name;
    const rule = IMAGE_TAG_RULES[config.environment.imageTagFormat](env);
    const services = config.services.map((service, i) => {
        const current = running[service.name];
        const at = ["services", i, "image", "tag"];
        const promoted = service.image.tag;
        if (promoted === undefined) {
            if (current === undefined) {
                problems.push({
                    path: at,
                    message: `expected a tag: no release of ${service.name} runs in ${env} yet; promote one (${promoteCommand(service.name, env)})`,
                    input: undefined,
                });
                return { ...service, image: { ...service.image, tag: "" } };
            }
            if (!rule.re.test(current.tag)) {
                problems.push({ path: at, message: `expected the running tag to be ${rule.text}; promote a new one`, input: current.tag });
            }
            return { ...service, image: { ...service.image, tag: current.tag, digest: service.image.digest ?? current.digest } };
        }
        const order = current === undefined ? undefined : compareReleaseTags(promoted, current.tag);
        if (order !== undefined && order < 0 && !service.image.allowRollback) {
            problems.push({
                path: at,
                message: `expected a tag not older than the running ${current!.tag}: a rollback must be explicit (the release workflow's ${PROMOTION_INPUTS.rollback} input, services[${i}].image.allowRollback)`,
                input: promoted,
            });
        }
        const digest = service.image.digest ?? (current?.tag === promoted ? current.digest : undefined);
        return { ...service, image: { ...service.image, tag: promoted, digest } };
    });
    if (requiresImageDigest(env)) {
        services.forEach((service, i) => {
            if (service.image.digest || service.image.tag === "") return;
            problems.push({
                path: ["services", i, "image", "digest"],
                message: `expected the digest of ${service.image.tag} in ${env}: images run by digest here (promote with ${PROMOTION_INPUTS.digest}=sha256:<64 hex>)`,
                input: undefined,
            });
        });
    }
    if (problems.length > 0) throw new ConfigError(stackFile, problems);
    return { ...config, services };
}

/** What runs after this update: the stack output the next update reads back. */
export function releasesOf(config: StackConfig): Releases {
    return Object.fromEntries(
        config.services.map((s) => [s.name, s.image.digest ? { tag: s.image.tag, digest: s.image.digest } : { tag: s.image.tag }]),
    );
}

/** The stack's own last `releases` output, through a reference to itself (nothing before the first update). */
export async function readRunningReleases(): Promise<Releases> {
    const self = new pulumi.StackReference("running-releases", {
        name: `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`,
    });
    const details = await self.getOutputDetails(RELEASES_OUTPUT);
    return ((details.value ?? details.secretValue) as Releases | undefined) ?? {};
}

/** Resolves the parsed config's image tags against what runs; a refused promotion fails before anything else registers. */
export async function withRunningReleases(config: ParsedStackConfig): Promise<StackConfig> {
    return resolveReleases(config, await readRunningReleases(), `Pulumi.${pulumi.getStack()}.yaml`);
}
