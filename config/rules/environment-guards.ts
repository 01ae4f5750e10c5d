import { environmentsOf, isRelaxed, Tier, tierOf, TIERS, UNLISTED_TIER } from "../environments";
import type { Issue, Parsed, Rule } from "./types";

/**
 * Settings that are unsafe in some environments, refused by the config before anything is
 * registered. Each names the policy of the pack (policies/rules/) that checks the same thing in the
 * graph as a second line, for changes that bypass config. The README's "Environment guards" table is
 * this list (a test compares them).
 */

/** Tags that name a branch or move (policies/rules/image-tag-immutable.ts uses the same list). */
export const MUTABLE_TAG = /^(latest|main|master|develop|dev|staging|stable|edge|head)$/i;

/** Thresholds the config shares with the policy pack's defaults (a test checks both ends). */
export const GUARD_LIMITS = {
    productionMinimumReplicas: 3,
    minimumBackupDays: 7,
    productionMinimumBackupDays: 30,
    productionGithubEnvironments: ["production"],
    productionMinimumReviewers: 2,
    productionMinimumWaitMinutes: 5,
    protectedBranch: "main",
    protectedBranchMinimumApprovals: 2,
    maximumHookDeadlineSeconds: 3600,
} as const;

/** An unsafe occurrence of a setting: where, what would be safe, and what the stack file has. */
interface Finding {
    path: (string | number)[];
    expected: string;
    input: unknown;
}

export interface EnvironmentGuard {
    /** The setting as the README names it. */
    setting: string;
    /** Tiers in which the setting is a config error. */
    refusedIn: readonly Tier[];
    /** The policies that check it in the graph. */
    policies: readonly string[];
    needs: (keyof Parsed)[];
    find: (config: Parsed) => Finding[];
}

const ALL: readonly Tier[] = TIERS;
const OUTSIDE_LOCAL: readonly Tier[] = ["development", "staging", "production"];
const OUTSIDE_DEV: readonly Tier[] = TIERS.filter((tier) => !isRelaxed(tier));
const PRODUCTION: readonly Tier[] = ["production"];

const envFindings = (config: Parsed, name: string, unsafe: (value: string) => boolean, expected: string): Finding[] =>
    config.services.flatMap((service, i) => {
        const value = service.env[name];
        return value !== undefined && unsafe(value) ? [{ path: ["services", i, "env", name], expected, input: value }] : [];
    });
const isTrue = (value: string) => value.toLowerCase() === "true";

/** Where the ACME issuer is chosen; retarget here when the issuer moves (Gateway API / DNS-01). */
const issuerSetting = (config: Parsed) => ({ path: ["cluster", "certManager", "issuer"], issuer: config.cluster.certManager.issuer });

export const ENVIRONMENT_GUARDS: EnvironmentGuard[] = [
    {
        setting: "`environment.imageTagFormat: any`",
        refusedIn: OUTSIDE_LOCAL,
        policies: ["image-tag-traceable"],
        needs: ["environment"],
        find: ({ environment }) =>
            environment.imageTagFormat === "any"
                ? [{ path: ["environment", "imageTagFormat"], expected: '"environment-sha" or "semver"', input: "any" }]
                : [],
    },
    {
        setting: "`environment.imageTagFormat` other than `semver`",
        refusedIn: PRODUCTION,
        policies: ["image-tag-immutable"],
        needs: ["environment"],
        find: ({ environment }) =>
            environment.imageTagFormat === "semver"
                ? []
                : [
                      {
                          path: ["environment", "imageTagFormat"],
                          expected: '"semver" (release tags vX.Y.Z)',
                          input: environment.imageTagFormat,
                      },
                  ],
    },
    {
        setting: "`services[].image.tag` that moves (`latest`, a branch name)",
        refusedIn: ALL,
        policies: ["image-tag-immutable"],
        // Only `any` lets such a tag through: the other formats' patterns already refuse it.
        needs: ["environment", "services"],
        find: ({ environment, services }) =>
            services.flatMap((service, i) =>
                environment.imageTagFormat === "any" && service.image.tag !== undefined && MUTABLE_TAG.test(service.image.tag)
                    ? [
                          {
                              path: ["services", i, "image", "tag"],
                              expected: "an immutable tag, not a branch name or latest",
                              input: service.image.tag,
                          },
                      ]
                    : [],
            ),
    },
    {
        setting: "`services[].env.DEV_AUTH_OPEN: true`",
        refusedIn: OUTSIDE_DEV,
        policies: ["dev-auth-open-only-in-dev"],
        needs: ["services"],
        find: (config) => envFindings(config, "DEV_AUTH_OPEN", isTrue, '"false" (authentication open to anyone)'),
    },
    {
        setting: "`services[].env.IAP_USE_SANDBOX: true`",
        refusedIn: PRODUCTION,
        policies: ["iap-sandbox-not-in-production"],
        needs: ["services"],
        find: (config) => envFindings(config, "IAP_USE_SANDBOX", isTrue, '"false" (sandbox receipts would buy real access)'),
    },
    {
        setting: "`cluster.certManager.issuer: letsencrypt-staging`",
        refusedIn: PRODUCTION,
        policies: ["trusted-certificate-issuer-in-production"],
        needs: ["cluster"],
        find: (config) => {
            const { path, issuer } = issuerSetting(config);
            return issuer === "letsencrypt-staging"
                ? [{ path, expected: '"letsencrypt-prod" (browsers distrust staging certificates)', input: issuer }]
                : [];
        },
    },
    {
        setting: "`environment.protectStatefulResources: false`",
        refusedIn: OUTSIDE_DEV,
        policies: ["stateful-resources-protected", "rds-deletion-protection-in-production"],
        needs: ["environment"],
        find: ({ environment }) =>
            environment.protectStatefulResources
                ? []
                : [{ path: ["environment", "protectStatefulResources"], expected: "true (databases could be deleted)", input: false }],
    },
    {
        setting: "`cluster.endpoint.publicAccessCidrs` with `0.0.0.0/0` (public endpoint)",
        refusedIn: ALL,
        policies: ["eks-endpoint-restricted"],
        needs: ["cluster"],
        find: ({ cluster }) =>
            cluster.mode === "eks" && cluster.endpoint.publicAccess
                ? cluster.endpoint.publicAccessCidrs.flatMap((cidr, i) =>
                      cidr.endsWith("/0")
                          ? [
                                {
                                    path: ["cluster", "endpoint", "publicAccessCidrs", i],
                                    expected: "a block narrower than the whole internet",
                                    input: cidr,
                                },
                            ]
                          : [],
                  )
                : [],
    },
    {
        setting: "`database.publiclyAccessible: true`",
        refusedIn: ALL,
        policies: ["rds-not-public"],
        needs: ["database"],
        find: ({ database }) =>
            database.mode === "rds" && database.publiclyAccessible
                ? [{ path: ["database", "publiclyAccessible"], expected: "false", input: true }]
                : [],
    },
    {
        setting: `\`database.backupRetentionDays\` below ${GUARD_LIMITS.minimumBackupDays}`,
        refusedIn: ALL,
        policies: ["rds-backup-retention"],
        needs: ["database"],
        find: ({ database }) => backupFindings(database, GUARD_LIMITS.minimumBackupDays),
    },
    {
        setting: `\`database.backupRetentionDays\` below ${GUARD_LIMITS.productionMinimumBackupDays}`,
        refusedIn: PRODUCTION,
        policies: ["rds-backup-retention"],
        needs: ["database"],
        find: ({ database }) =>
            database.mode === "rds" && database.backupRetentionDays >= GUARD_LIMITS.minimumBackupDays
                ? backupFindings(database, GUARD_LIMITS.productionMinimumBackupDays)
                : [],
    },
    {
        setting: "`database.multiAz: false`",
        refusedIn: PRODUCTION,
        policies: ["rds-multi-az-in-production"],
        needs: ["database"],
        find: ({ database }) =>
            database.mode === "rds" && !database.multiAz ? [{ path: ["database", "multiAz"], expected: "true", input: false }] : [],
    },
    {
        setting: "`redis.topology: single` on ElastiCache",
        refusedIn: PRODUCTION,
        policies: ["elasticache-failover-in-production"],
        needs: ["redis"],
        find: ({ redis }) =>
            redis.mode === "elasticache" && redis.topology === "single"
                ? [{ path: ["redis", "topology"], expected: '"replication" or "cluster" (automatic failover)', input: "single" }]
                : [],
    },
    {
        setting: `\`services[].replicas\` below ${GUARD_LIMITS.productionMinimumReplicas}`,
        refusedIn: PRODUCTION,
        policies: ["service-minimum-replicas"],
        needs: ["services"],
        find: ({ services }) =>
            services.flatMap((service, i) =>
                service.replicas < GUARD_LIMITS.productionMinimumReplicas
                    ? [
                          {
                              path: ["services", i, "replicas"],
                              expected: `at least ${GUARD_LIMITS.productionMinimumReplicas}`,
                              input: service.replicas,
                          },
                      ]
                    : [],
            ),
    },
    {
        setting: "`github.environment` named `production` with fewer than 2 reviewers, a wait under 5 minutes, self-review or admin bypass",
        refusedIn: ALL,
        policies: ["github-production-environment-protection"],
        needs: ["github"],
        find: ({ github }) => (github ? productionEnvironmentFindings(github.environment) : []),
    },
    {
        setting: "`github.branchProtection` of `main` with fewer than 2 approvals or unsigned commits",
        refusedIn: ALL,
        policies: ["github-main-branch-protection"],
        needs: ["github"],
        find: ({ github }) =>
            branchRules(github).flatMap(({ rule, repository, i }) => {
                if (rule.pattern !== GUARD_LIMITS.protectedBranch) return [];
                const at = (key: string) => ["github", "branchProtection", repository, i, key];
                const findings: Finding[] = [];
                if (rule.requiredApprovals < GUARD_LIMITS.protectedBranchMinimumApprovals) {
                    findings.push({
                        path: at("requiredApprovals"),
                        expected: `at least ${GUARD_LIMITS.protectedBranchMinimumApprovals}`,
                        input: rule.requiredApprovals,
                    });
                }
                if (!rule.requireSignedCommits) findings.push({ path: at("requireSignedCommits"), expected: "true", input: false });
                return findings.map((f) => ({
                    ...f,
                    expected: `${f.expected} for ${rule.pattern} (github.branchProtection.${repository}[${i}].pattern)`,
                }));
            }),
    },
    {
        setting: `\`services[].migrations\`/\`seeds\` \`activeDeadlineSeconds\` above ${GUARD_LIMITS.maximumHookDeadlineSeconds}`,
        refusedIn: ALL,
        policies: ["migration-hook-deadline"],
        needs: ["services"],
        find: ({ services }) =>
            services.flatMap((service, i) =>
                (["migrations", "seeds"] as const)
                    .filter(
                        (kind) => service[kind].enabled && service[kind].activeDeadlineSeconds > GUARD_LIMITS.maximumHookDeadlineSeconds,
                    )
                    .map((kind) => ({
                        path: ["services", i, kind, "activeDeadlineSeconds"],
                        expected: `at most ${GUARD_LIMITS.maximumHookDeadlineSeconds}`,
                        input: service[kind].activeDeadlineSeconds,
                    })),
            ),
    },
];

function backupFindings(database: Parsed["database"], minimum: number): Finding[] {
    if (database.mode !== "rds" || database.backupRetentionDays >= minimum) return [];
    return [{ path: ["database", "backupRetentionDays"], expected: `at least ${minimum} days`, input: database.backupRetentionDays }];
}

function productionEnvironmentFindings(env: NonNullable<Parsed["github"]>["environment"]): Finding[] {
    if (!(GUARD_LIMITS.productionGithubEnvironments as readonly string[]).includes(env.name)) return [];
    const at = (key: string) => ["github", "environment", key];
    const findings: Finding[] = [];
    const listed = env.reviewers.users.length + env.reviewers.teams.length;
    // Fewer than requiredReviewers is reported by rules.ts already.
    if (listed < GUARD_LIMITS.productionMinimumReviewers && listed >= env.requiredReviewers) {
        findings.push({ path: at("reviewers"), expected: `at least ${GUARD_LIMITS.productionMinimumReviewers} reviewers`, input: listed });
    }
    if (env.waitTimerMinutes < GUARD_LIMITS.productionMinimumWaitMinutes) {
        findings.push({
            path: at("waitTimerMinutes"),
            expected: `at least ${GUARD_LIMITS.productionMinimumWaitMinutes}`,
            input: env.waitTimerMinutes,
        });
    }
    if (env.canAdminsBypass) findings.push({ path: at("canAdminsBypass"), expected: "false", input: true });
    if (!env.preventSelfReview) findings.push({ path: at("preventSelfReview"), expected: "true", input: false });
    return findings.map((f) => ({ ...f, expected: `${f.expected} for the GitHub environment "${env.name}" (github.environment.name)` }));
}

function where(guard: EnvironmentGuard, config: Parsed): string {
    const policy = `policy ${guard.policies.join(", ")}`;
    if (guard.refusedIn.length === TIERS.length) return `(${policy})`;
    return `in a ${tierOf(config.environment.name)} environment like ${config.environment.name} (${policy})`;
}

/** Each guard as a rule of config/rules.ts: its findings are problems in the tiers that refuse it. */
export const ENVIRONMENT_GUARD_RULES: Rule[] = ENVIRONMENT_GUARDS.map((guard) => ({
    needs: [...new Set<keyof Parsed>(["environment", ...guard.needs])],
    check: (config: Parsed): Issue[] => {
        if (!guard.refusedIn.includes(tierOf(config.environment.name))) return [];
        return guard.find(config).map((f) => ({ path: f.path, message: `expected ${f.expected} ${where(guard, config)}`, input: f.input }));
    },
}));

const environmentNames = (tiers: readonly Tier[]) =>
    tiers.length === TIERS.length
        ? "every stack"
        : TIERS.filter((tier) => tiers.includes(tier))
              .map((tier) => [...environmentsOf(tier), ...(tier === UNLISTED_TIER ? ["any unlisted name"] : [])].join(", "))
              .join(", ") || "none";

/** The README's table: setting, where the config refuses it, the policy behind it, where it is allowed. */
export function guardTable(): string {
    const rows = ENVIRONMENT_GUARDS.map((guard) =>
        [
            guard.setting,
            environmentNames(guard.refusedIn),
            guard.policies.map((p) => `\`${p}\``).join(", "),
            environmentNames(TIERS.filter((tier) => !guard.refusedIn.includes(tier))),
        ].join(" | "),
    );
    return [
        "| Setting | Config error in | Policy (second line) | Allowed in |",
        "| --- | --- | --- | --- |",
        ...rows.map((r) => `| ${r} |`),
    ].join("\n");
}

/** Every branch protection rule with the repository (`service`, `infrastructure`) and index it is listed under. */
export function branchRules(github: Parsed["github"]) {
    if (github === undefined) return [];
    return (["service", "infrastructure"] as const).flatMap((repository) =>
        github.branchProtection[repository].map((rule, i) => ({ rule, repository, i })),
    );
}
