import { z } from "zod";
import { INSTANCE_TYPES } from "./instance-types";
import { deliveryIssues, deliverySecretIssues, releaseTagIssues } from "./rules/delivery";
import { ENVIRONMENT_GUARD_RULES } from "./rules/environment-guards";
import { LIMIT_RULES } from "./rules/limits";
import { OPERATIONS_RULES } from "./rules/operations";
import { PROGRESSIVE_DELIVERY_RULES } from "./rules/progressive-delivery";
import { OBSERVABILITY_RULES } from "./rules/observability";
import { stackConfigShape } from "./schema";
import { TRAFFIC_RULES } from "./rules/traffic";
import { SECURITY_RULES } from "./rules/security";
import { DATABASE_TLS_RULES } from "./rules/database-tls";
import { rotationIssues, serviceSecretIssues } from "./rules/secrets";
import { podProfileIssues, registryIssues } from "./rules/workloads";

export type Parsed = z.output<z.ZodObject<typeof stackConfigShape>>;
export type Issue = { path: (string | number)[]; message: string; input?: unknown };

/** Env var names that carry credentials; they belong in `secrets.provided`, never in plain env. */
export const SECRET_LOOKING_ENV = /(_SECRET|_PASSWORD|_TOKEN|_KEY|_DSN|_PAT)$|^(DATABASE_URL|REDIS_URL|REDIS_SENTINEL_PASSWORD)$/;

export const IMAGE_TAG_RULES: Record<Parsed["environment"]["imageTagFormat"], (env: string) => { re: RegExp; text: string }> = {
    any: () => ({ re: /./, text: "any tag" }),
    "environment-sha": (env) => ({
        re: new RegExp(`^${env}-[0-9a-f]{7,40}$`),
        text: `an immutable tag ${env}-<git sha>`,
    }),
    semver: () => ({ re: /^v\d+\.\d+\.\d+$/, text: "an immutable release tag vX.Y.Z" }),
};

type Section = keyof Parsed;
export interface Rule {
    /** The sections the rule reads: it runs whenever these parsed, even if others did not. */
    needs: Section[];
    check: (config: Parsed) => Issue[];
}

const RULES: Rule[] = [
    { needs: ["environment"], check: deployTriggerIssues },
    { needs: ["aws"], check: awsIssues },
    { needs: ["environment", "services"], check: imageTagIssues },
    { needs: ["services"], check: plainSecretEnvIssues },
    { needs: ["services"], check: uniqueServiceIssues },
    { needs: ["cluster", "aws", "secrets"], check: clusterIssues },
    { needs: ["cluster", "database", "redis", "secrets", "environment"], check: dataLayerIssues },
    { needs: ["secrets", "cluster"], check: secretIssues },
    { needs: ["services"], check: ({ services }) => services.flatMap((service, i) => serviceIssues(service, i)) },
    { needs: ["github", "secrets"], check: githubIssues },
    ...TRAFFIC_RULES,
    { needs: ["github", "delivery", "aws", "cluster"], check: deliveryIssues },
    { needs: ["github", "delivery", "secrets"], check: deliverySecretIssues },
    { needs: ["github", "environment"], check: releaseTagIssues },
    ...LIMIT_RULES,
    ...ENVIRONMENT_GUARD_RULES,
    ...OPERATIONS_RULES,
    ...SECURITY_RULES,
    ...DATABASE_TLS_RULES,
    { needs: ["services", "secrets", "redis"], check: serviceSecretIssues },
    { needs: ["secrets"], check: rotationIssues },
    { needs: ["services", "registries"], check: registryIssues },
    { needs: ["services"], check: podProfileIssues },
    ...PROGRESSIVE_DELIVERY_RULES,
    ...OBSERVABILITY_RULES,
];

/**
 * Rules that relate several sections. Each returns the problems it finds; none throws. Given only
 * some valid sections (`available`), it runs the rules that need nothing else.
 */
export function crossSectionIssues(config: Partial<Parsed>, available: ReadonlySet<string> = new Set(Object.keys(config))): Issue[] {
    return RULES.filter((rule) => rule.needs.every((section) => available.has(section))).flatMap((rule) => rule.check(config as Parsed));
}

function deployTriggerIssues({ environment }: Parsed): Issue[] {
    const { branch, tag } = environment.deployFrom;
    if ((branch === undefined) === (tag === undefined)) {
        return [{ path: ["environment", "deployFrom"], message: "expected exactly one of branch or tag", input: environment.deployFrom }];
    }
    return [];
}

function awsIssues({ aws }: Parsed): Issue[] {
    if (aws === undefined || aws.assumeRoleArn.split(":")[4] === aws.accountId) return [];
    return [
        {
            path: ["aws", "assumeRoleArn"],
            message: `expected a role in account ${aws.accountId} (aws.accountId)`,
            input: aws.assumeRoleArn,
        },
    ];
}

function imageTagIssues({ environment, services }: Parsed): Issue[] {
    const rule = IMAGE_TAG_RULES[environment.imageTagFormat](environment.name);
    return services.flatMap((service, i) =>
        service.image.tag === undefined || rule.re.test(service.image.tag)
            ? []
            : [
                  {
                      path: ["services", i, "image", "tag"],
                      message: `expected ${rule.text} (environment.imageTagFormat is "${environment.imageTagFormat}")`,
                      input: service.image.tag,
                  },
              ],
    );
}

function plainSecretEnvIssues({ services }: Parsed): Issue[] {
    return services.flatMap((service, i) =>
        Object.keys(service.env)
            .filter((name) => SECRET_LOOKING_ENV.test(name))
            .map((name) => ({
                path: ["services", i, "env", name],
                message: "expected no credential in plain env (move it to secrets.provided, set with --secret)",
                input: "<a plain value>",
            })),
    );
}

function uniqueServiceIssues({ services }: Parsed): Issue[] {
    const seen = new Set<string>();
    return services.flatMap((service, i) => {
        const duplicate = seen.has(service.name);
        seen.add(service.name);
        return duplicate ? [{ path: ["services", i, "name"], message: "expected a name no other service uses", input: service.name }] : [];
    });
}

function clusterIssues({ cluster, aws, secrets }: Parsed): Issue[] {
    const issues: Issue[] = [];
    if (cluster.certManager.enabled && cluster.certManager.email === undefined) {
        issues.push({
            path: ["cluster", "certManager", "email"],
            message: "expected an email address for the ACME account when cert-manager is enabled",
        });
    }
    if (cluster.mode === "existing" && secrets.kubeconfig === undefined) {
        issues.push({ path: ["secrets", "kubeconfig"], message: 'expected a kubeconfig secret when cluster.mode is "existing"' });
    }
    if (cluster.mode !== "eks") return issues;
    if (aws === undefined) issues.push({ path: ["aws"], message: 'expected an aws section when cluster.mode is "eks"' });
    const { endpoint, nodeGroup } = cluster;
    if (endpoint.publicAccess && endpoint.publicAccessCidrs.length === 0) {
        issues.push({
            path: ["cluster", "endpoint", "publicAccessCidrs"],
            message: "expected at least one CIDR when endpoint.publicAccess is true",
            input: endpoint.publicAccessCidrs,
        });
    }
    const size = INSTANCE_TYPES[nodeGroup.instanceType];
    if (size === undefined) {
        issues.push({
            path: ["cluster", "nodeGroup", "instanceType"],
            message: `expected a known instance type (${Object.keys(INSTANCE_TYPES).join(", ")})`,
            input: nodeGroup.instanceType,
        });
    }
    if (nodeGroup.minSize > nodeGroup.maxSize) {
        issues.push({
            path: ["cluster", "nodeGroup"],
            message: "expected minSize <= maxSize",
            input: `${nodeGroup.minSize} / ${nodeGroup.maxSize}`,
        });
    }
    const needs = nodeGroup.requirements;
    if (needs && size) {
        if (size.vcpu < needs.vcpu || size.memoryGiB < needs.memoryGiB) {
            issues.push({
                path: ["cluster", "nodeGroup", "instanceType"],
                message: `expected an instance type with >= ${needs.vcpu} vCPU and >= ${needs.memoryGiB} GiB (requirements)`,
                input: `${nodeGroup.instanceType} (${size.vcpu} vCPU, ${size.memoryGiB} GiB)`,
            });
        }
        if (nodeGroup.minSize < needs.nodes) {
            issues.push({
                path: ["cluster", "nodeGroup", "minSize"],
                message: `expected at least ${needs.nodes} nodes (requirements.nodes)`,
                input: nodeGroup.minSize,
            });
        }
    }
    return issues;
}

function dataLayerIssues({ cluster, database, redis, secrets }: Parsed): Issue[] {
    const issues: Issue[] = [];
    if ((database.mode === "rds" || redis.mode === "elasticache") && cluster.mode !== "eks") {
        const path = database.mode === "rds" ? ["database", "mode"] : ["redis", "mode"];
        issues.push({
            path,
            message: 'expected an in-cluster or external data service unless cluster.mode is "eks"',
            input: database.mode === "rds" ? "rds" : "elasticache",
        });
    }
    if (database.mode === "rds" && Number.parseInt(database.engineVersion, 10) < 15) {
        issues.push({ path: ["database", "engineVersion"], message: "expected PostgreSQL 15 or newer", input: database.engineVersion });
    }
    if (redis.mode === "elasticache" && redis.topology === "single" && (redis.shards > 1 || redis.replicasPerShard > 0)) {
        issues.push({
            path: ["redis", "topology"],
            message: 'expected "replication" or "cluster" when shards or replicas are set',
            input: "single",
        });
    }
    if (redis.mode === "elasticache" && redis.topology === "replication" && redis.replicasPerShard < 1) {
        issues.push({
            path: ["redis", "replicasPerShard"],
            message: 'expected at least 1 replica for automatic failover when topology is "replication"',
            input: redis.replicasPerShard,
        });
    }
    if (database.mode === "external" && secrets.databaseUrl === undefined) {
        issues.push({ path: ["secrets", "databaseUrl"], message: 'expected a databaseUrl secret when database.mode is "external"' });
    }
    if (redis.mode === "external" && secrets.redisUrl === undefined) {
        issues.push({ path: ["secrets", "redisUrl"], message: 'expected a redisUrl secret when redis.mode is "external"' });
    }
    return issues;
}

/** Keys the data layer hands the app; a provided or generated secret must not shadow them. */
export const DATA_KEYS = ["DATABASE_URL", "REDIS_URL", "REDIS_SENTINEL", "REDIS_MASTER", "REDIS_CLUSTER_NODES", "REDIS_PASSWORD"];

function secretIssues({ secrets, cluster }: Parsed): Issue[] {
    const issues: Issue[] = [];
    for (const name of secrets.required) {
        if (!(name in secrets.provided)) {
            issues.push({
                path: ["secrets", "provided", name],
                message: `expected a value for ${name} (secrets.required lists it): pulumi config set --secret --path 'platform:secrets.provided.${name}'`,
                input: undefined,
            });
        }
    }
    for (const name of [...Object.keys(secrets.provided), ...secrets.generated]) {
        if (DATA_KEYS.includes(name)) {
            issues.push({ path: ["secrets"], message: `expected ${name} to come from the data layer, not from secrets`, input: name });
        }
    }
    for (const name of secrets.generated.filter((n) => n in secrets.provided)) {
        issues.push({ path: ["secrets", "provided", name], message: "expected a name not also in secrets.generated", input: name });
    }
    if (secrets.backend === "aws-secrets-manager" && cluster.mode !== "eks") {
        issues.push({
            path: ["secrets", "backend"],
            message: 'expected "kubernetes" unless cluster.mode is "eks" (External Secrets authenticates through IRSA)',
            input: secrets.backend,
        });
    }
    return issues;
}

type Service = Parsed["services"][number];
type Hook = Service["migrations"];

const phaseOf = (hook: Hook) => new Set(hook.when.map((event) => event.split("-")[0]));

/** Total wait of the retry wrapper: initial, doubling, capped, between maxAttempts attempts. */
export function retryWaitSeconds(retry: Hook["retry"]): number {
    let total = 0;
    for (let i = 0, delay = retry.initialSeconds; i < retry.maxAttempts - 1; i++, delay = Math.min(delay * 2, retry.maxSeconds)) {
        total += Math.min(delay, retry.maxSeconds);
    }
    return total;
}

function serviceIssues(service: Service, i: number): Issue[] {
    const issues: Issue[] = [];
    const at = (...path: (string | number)[]) => ["services", i, ...path];
    if (service.autoscaling && service.replicas > service.autoscaling.maxReplicas) {
        issues.push({
            path: at("replicas"),
            message: `expected at most autoscaling.maxReplicas (${service.autoscaling.maxReplicas})`,
            input: service.replicas,
        });
    }
    for (const kind of ["migrations", "seeds"] as const) {
        const hook = service[kind];
        if (!hook.enabled) continue;
        if (phaseOf(hook).size > 1) {
            issues.push({ path: at(kind, "when"), message: "expected only pre-* or only post-* events", input: hook.when });
        }
        if (hook.retry.enabled && retryWaitSeconds(hook.retry) >= hook.activeDeadlineSeconds) {
            issues.push({
                path: at(kind, "activeDeadlineSeconds"),
                message: `expected more than the retry wrapper's ${retryWaitSeconds(hook.retry)} s of waiting, or the Job is killed before its last attempt`,
                input: hook.activeDeadlineSeconds,
            });
        }
    }
    const { migrations, seeds } = service;
    if (migrations.enabled && seeds.enabled) {
        const seedsFirst = phaseOf(seeds).has("pre") && phaseOf(migrations).has("post");
        const samePhase = [...phaseOf(seeds)].some((phase) => phaseOf(migrations).has(phase));
        if (seedsFirst || (samePhase && seeds.weight <= migrations.weight)) {
            issues.push({
                path: at("seeds", seedsFirst ? "when" : "weight"),
                message: `expected seeds to run after migrations (weight > ${migrations.weight}, same or later phase)`,
                input: seedsFirst ? seeds.when : seeds.weight,
            });
        }
    }
    return issues;
}

/** GitHub accepts at most 6 reviewers on an environment. */
export const MAX_ENVIRONMENT_REVIEWERS = 6;

function githubIssues({ github, secrets }: Parsed): Issue[] {
    if (github === undefined) return [];
    const issues: Issue[] = [];
    const env = github.environment;
    const at = (...path: string[]) => ["github", "environment", ...path];
    const listed = env.reviewers.users.length + env.reviewers.teams.length;
    if (listed > MAX_ENVIRONMENT_REVIEWERS) {
        issues.push({
            path: at("reviewers"),
            message: `expected at most ${MAX_ENVIRONMENT_REVIEWERS} users and teams in all (GitHub's limit)`,
            input: listed,
        });
    }
    if (env.requiredReviewers > 0 && listed === 0) {
        issues.push({
            path: at("reviewers"),
            message: `expected ${env.requiredReviewers} or more reviewers (requiredReviewers), got an empty list`,
        });
    } else if (listed < env.requiredReviewers) {
        issues.push({
            path: at("reviewers"),
            message: `expected at least ${env.requiredReviewers} reviewers (requiredReviewers)`,
            input: listed,
        });
    }
    for (const name of github.environmentSecrets.filter((n) => !(n in secrets.ci))) {
        issues.push({
            path: ["secrets", "ci", name],
            message: `expected a value for ${name} (github.environmentSecrets lists it): pulumi config set --secret --path 'platform:secrets.ci.${name}'`,
            input: undefined,
        });
    }
    return issues;
}
