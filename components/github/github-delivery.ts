import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import {
    ACTIONS_VARIABLES,
    BOOTSTRAP_ROLES,
    DELIVERY_SECRETS,
    DeliveryConfig,
    INFRASTRUCTURE_BRANCH,
    previewRoleVariable,
    roleArn,
} from "../../config/delivery";
import type { StackConfig } from "../../config/load";

type GithubConfig = NonNullable<StackConfig["github"]>;
type BranchRule = GithubConfig["branchProtection"]["service"][number];

export interface GitHubDeliveryArgs {
    /** The stack's `github` section. */
    config: GithubConfig;
    /** Its `deployFrom` becomes the service repository environment's deployment branch or tag policy. */
    environment: StackConfig["environment"];
    /** The stack's `delivery` section: GitHub App ids and the Pulumi organization the workflows use. */
    delivery: DeliveryConfig;
    /** The stack's `secrets.ci`: `github.environmentSecrets` and the delivery's App keys become Actions secrets. */
    ciSecrets: Record<string, pulumi.Output<string>>;
    /** Non-secret Actions variables of this repository's environment (cluster, namespace, stack). */
    variables: Record<string, pulumi.Input<string>>;
    /** The environment's account: the workflows use its bootstrap roles (fixed names, config/delivery.ts). */
    aws: NonNullable<StackConfig["aws"]>;
}

/** Settings of `github.Repository` this component leaves as they are: it manages security only. */
const UNMANAGED_REPOSITORY_SETTINGS = [
    "description",
    "homepageUrl",
    "visibility",
    "private",
    "hasIssues",
    "hasDiscussions",
    "hasProjects",
    "hasWiki",
    "hasDownloads",
    "isTemplate",
    "allowMergeCommit",
    "allowSquashMerge",
    "allowRebaseMerge",
    "allowAutoMerge",
    "allowUpdateBranch",
    "squashMergeCommitTitle",
    "squashMergeCommitMessage",
    "mergeCommitTitle",
    "mergeCommitMessage",
    "deleteBranchOnMerge",
    "webCommitSignoffRequired",
    "autoInit",
    "gitignoreTemplate",
    "licenseTemplate",
    "archived",
    "topics",
    "template",
    "pages",
    "defaultBranch",
];

/**
 * The GitHub side of delivery for the service's and this infrastructure repository: the environment
 * with its protection rules, secrets and variables, keyless AWS roles for the workflows, and (in the
 * stack that owns them) branch protection and security settings.
 */
export class GitHubDelivery extends pulumi.ComponentResource {
    constructor(name: string, args: GitHubDeliveryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:github:GitHubDelivery", name, {}, opts);
        const { config } = args;
        // Credentials come from the environment (GITHUB_TOKEN: the deploy App's token, or the preview App's
        // read-only one), never from inputs, so previews show no provider diff.
        const provider = new github.Provider(`${name}-github`, { owner: config.owner }, { parent: this });
        const ghOpts = { parent: this, provider };
        const envName = args.environment.name;

        new github.ActionsVariable(
            `${name}-preview-role`,
            {
                repository: config.infrastructureRepository,
                variableName: previewRoleVariable(envName),
                value: roleArn(args.aws.accountId, BOOTSTRAP_ROLES.preview),
            },
            ghOpts,
        );

        const reviewers = resolveReviewers(config.environment.reviewers, ghOpts);
        for (const [role, repository] of [
            ["service", config.serviceRepository],
            ["infrastructure", config.infrastructureRepository],
        ] as const) {
            const environment = new github.RepositoryEnvironment(
                `${name}-${repository}`,
                {
                    repository,
                    environment: config.environment.name,
                    waitTimer: config.environment.waitTimerMinutes,
                    preventSelfReview: config.environment.preventSelfReview,
                    canAdminsBypass: config.environment.canAdminsBypass,
                    reviewers: config.environment.reviewers.users.length + config.environment.reviewers.teams.length > 0 ? [reviewers] : [],
                    deploymentBranchPolicy: { protectedBranches: false, customBranchPolicies: true },
                },
                ghOpts,
            );
            const envOpts = { ...ghOpts, dependsOn: [environment] };
            new github.RepositoryEnvironmentDeploymentPolicy(
                `${name}-${repository}-deploy-from`,
                { repository, environment: config.environment.name, ...deploymentRef(role, args.environment.deployFrom) },
                envOpts,
            );
            for (const [variableName, value] of Object.entries(environmentVariables(role, args))) {
                new github.ActionsEnvironmentVariable(
                    `${name}-${repository}-${variableName}`,
                    { repository, environment: config.environment.name, variableName, value },
                    envOpts,
                );
            }
            for (const [secretName, value] of Object.entries(environmentSecrets(role, args))) {
                new github.ActionsEnvironmentSecret(
                    `${name}-${repository}-${secretName}`,
                    { repository, environment: config.environment.name, secretName, plaintextValue: pulumi.secret(value) },
                    envOpts,
                );
            }
            if (config.manageRepositorySettings) this.manageRepository(name, repository, config.branchProtection[role], config, ghOpts);
        }
        if (config.manageRepositorySettings) this.publishPreviewApp(name, args, ghOpts);
        if (config.releaseTags && args.environment.deployFrom.tag) {
            const team = github.getTeamOutput({ slug: config.releaseTags.team }, ghOpts).id.apply(Number);
            new github.RepositoryRuleset(
                `${name}-${config.serviceRepository}-release-tags`,
                releaseTagRulesetArgs(config.serviceRepository, args.environment.deployFrom.tag, team),
                ghOpts,
            );
        }
        this.registerOutputs({});
    }

    /** Pull-request previews run outside any environment: their read-only App is a repository variable and secret. */
    private publishPreviewApp(name: string, args: GitHubDeliveryArgs, ghOpts: pulumi.CustomResourceOptions): void {
        const repository = args.config.infrastructureRepository;
        new github.ActionsVariable(
            `${name}-${ACTIONS_VARIABLES.previewAppId}`,
            { repository, variableName: ACTIONS_VARIABLES.previewAppId, value: String(args.delivery.githubApps.preview) },
            ghOpts,
        );
        new github.ActionsSecret(
            `${name}-${DELIVERY_SECRETS.previewAppKey}`,
            {
                repository,
                secretName: DELIVERY_SECRETS.previewAppKey,
                plaintextValue: pulumi.secret(args.ciSecrets[DELIVERY_SECRETS.previewAppKey]!),
            },
            ghOpts,
        );
    }

    private manageRepository(
        name: string,
        repository: string,
        rules: BranchRule[],
        config: GithubConfig,
        ghOpts: pulumi.CustomResourceOptions,
    ): void {
        const repo = github.getRepositoryOutput({ fullName: `${config.owner}/${repository}` }, ghOpts);
        for (const rule of rules) {
            new github.BranchProtection(`${name}-${repository}-protect-${rule.pattern}`, branchProtectionArgs(repo.nodeId, rule), ghOpts);
        }
        new github.Repository(
            `${name}-${repository}-security`,
            {
                name: repository,
                vulnerabilityAlerts: true,
                securityAndAnalysis: {
                    secretScanning: { status: "enabled" },
                    secretScanningPushProtection: { status: "enabled" },
                },
                archiveOnDestroy: true,
            },
            // The repository exists: adopt it, never delete it, and touch only its security settings.
            { ...ghOpts, import: repository, protect: true, retainOnDelete: true, ignoreChanges: UNMANAGED_REPOSITORY_SETTINGS },
        );
    }
}

type RepositoryRole = "service" | "infrastructure";

/**
 * The service repository's environment gates its promotion step (deployable from `deployFrom`, e.g. v*
 * tags for production); this repository's gates the deploy jobs, which always run from its main branch.
 */
function deploymentRef(role: RepositoryRole, deployFrom: StackConfig["environment"]["deployFrom"]) {
    if (role === "infrastructure") return { branchPattern: INFRASTRUCTURE_BRANCH };
    return deployFrom.branch ? { branchPattern: deployFrom.branch } : { tagPattern: deployFrom.tag };
}

/** What each repository's jobs in this environment read: the deploy job here, the promotion step there. */
export function environmentVariables(role: RepositoryRole, args: GitHubDeliveryArgs): Record<string, pulumi.Input<string>> {
    const { config, delivery, aws } = args;
    if (role === "service") {
        return {
            [ACTIONS_VARIABLES.platformRepository]: `${config.owner}/${config.infrastructureRepository}`,
            [ACTIONS_VARIABLES.platformEnvironment]: args.environment.name,
            [ACTIONS_VARIABLES.promoterAppId]: String(delivery.githubApps.promoter),
        };
    }
    return {
        ...args.variables,
        [ACTIONS_VARIABLES.awsRoleArn]: roleArn(aws.accountId, BOOTSTRAP_ROLES.deploy),
        [ACTIONS_VARIABLES.deployerRoleArn]: aws.assumeRoleArn,
        [ACTIONS_VARIABLES.awsRegion]: aws.region,
        [ACTIONS_VARIABLES.pulumiOrganization]: delivery.pulumiOrganization,
        [ACTIONS_VARIABLES.deployAppId]: String(delivery.githubApps.deploy),
    };
}

/** Each repository's environment gets only the secrets its own jobs use: no App key reaches the other repository. */
export function environmentSecrets(role: RepositoryRole, args: GitHubDeliveryArgs): Record<string, pulumi.Output<string>> {
    const own = role === "service" ? DELIVERY_SECRETS.promoterAppKey : DELIVERY_SECRETS.deployAppKey;
    const names = [...args.config.environmentSecrets, own];
    return Object.fromEntries(names.map((secretName) => [secretName, args.ciSecrets[secretName]!]));
}

export function branchProtectionArgs(repositoryId: pulumi.Input<string>, rule: BranchRule): github.BranchProtectionArgs {
    return {
        repositoryId,
        pattern: rule.pattern,
        enforceAdmins: rule.enforceAdmins,
        requireSignedCommits: rule.requireSignedCommits,
        requireConversationResolution: rule.requireConversationResolution,
        allowsForcePushes: false,
        allowsDeletions: false,
        requiredStatusChecks: [{ strict: rule.requireUpToDate, contexts: rule.requiredStatusChecks }],
        requiredPullRequestReviews: [
            {
                requiredApprovingReviewCount: rule.requiredApprovals,
                dismissStaleReviews: true,
                requireCodeOwnerReviews: rule.requireCodeOwnerReviews,
            },
        ],
    };
}

/**
 * The tags that deploy to production (the service repository's `deployFrom.tag`, e.g. `v*`): nobody
 * may create, move or delete one except the release team. Without it anyone with write access could
 * push a tag that the production environment's tag policy accepts. Admins are not exempt either.
 */
export function releaseTagRulesetArgs(
    repository: string,
    tagPattern: string,
    releaseTeamId: pulumi.Input<number>,
): github.RepositoryRulesetArgs {
    return {
        name: `release-tags-${tagPattern.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "") || "tags"}`,
        repository,
        target: "tag",
        enforcement: "active",
        conditions: { refName: { includes: [`refs/tags/${tagPattern}`], excludes: [] } },
        rules: { creation: true, update: true, deletion: true },
        bypassActors: [{ actorId: releaseTeamId, actorType: "Team", bypassMode: "always" }],
    };
}

/** GitHub wants numeric ids; config names users and teams. */
function resolveReviewers(reviewers: GithubConfig["environment"]["reviewers"], opts: pulumi.InvokeOutputOptions) {
    return {
        users: reviewers.users.map((username) => github.getUserOutput({ username }, opts).id.apply(Number)),
        teams: reviewers.teams.map((slug) => github.getTeamOutput({ slug }, opts).id.apply(Number)),
    };
}
