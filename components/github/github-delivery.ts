import * as aws from "@pulumi/aws";
import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../../config/load";
import { createWorkflowRoles } from "./deploy-roles";

type GithubConfig = NonNullable<StackConfig["github"]>;
type BranchRule = GithubConfig["branchProtection"][number];

export interface GitHubDeliveryArgs {
    /** The stack's `github` section. */
    config: GithubConfig;
    /** Its `deployFrom` becomes the environment's deployment branch or tag policy. */
    environment: StackConfig["environment"];
    /** The stack's `secrets.ci`; the names in `github.environmentSecrets` become Actions secrets. */
    ciSecrets: Record<string, pulumi.Output<string>>;
    /** An existing cluster's kubeconfig, handed to the workflows as KUBE_CONFIG_BASE64. */
    kubeconfig?: pulumi.Output<string>;
    /** Non-secret Actions variables of the environment (region, cluster, namespace, stack). */
    variables: Record<string, pulumi.Input<string>>;
    /** With AWS: the OIDC provider and workflow roles in the environment's account. */
    aws?: { config: NonNullable<StackConfig["aws"]>; provider: aws.Provider };
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
    public readonly deployRoleArn?: pulumi.Output<string>;
    public readonly previewRoleArn?: pulumi.Output<string>;

    constructor(name: string, args: GitHubDeliveryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:github:GitHubDelivery", name, {}, opts);
        const { config } = args;
        const provider = new github.Provider(`${name}-github`, { owner: config.owner }, { parent: this });
        const ghOpts = { parent: this, provider };
        const repositories = [config.serviceRepository, config.infrastructureRepository];

        const variables: Record<string, pulumi.Input<string>> = { ...args.variables };
        if (args.aws) {
            const roles = createWorkflowRoles(
                name,
                {
                    owner: config.owner,
                    repository: config.infrastructureRepository,
                    environment: config.environment.name,
                    deployRoleArn: args.aws.config.assumeRoleArn,
                    region: args.aws.config.region,
                    accountId: args.aws.config.accountId,
                    secretsKeyAlias: `alias/platform-${args.environment.name}`,
                    provider: args.aws.provider,
                },
                this,
            );
            this.deployRoleArn = roles.deployRole.arn;
            this.previewRoleArn = roles.previewRole.arn;
            variables["AWS_ROLE_ARN"] = roles.deployRole.arn;
            new github.ActionsVariable(
                `${name}-preview-role`,
                {
                    repository: config.infrastructureRepository,
                    variableName: `AWS_PREVIEW_ROLE_ARN_${args.environment.name.toUpperCase().replace(/-/g, "_")}`,
                    value: roles.previewRole.arn,
                },
                ghOpts,
            );
        }

        const reviewers = resolveReviewers(config.environment.reviewers, ghOpts);
        for (const repository of repositories) {
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
            const { branch, tag } = args.environment.deployFrom;
            new github.RepositoryEnvironmentDeploymentPolicy(
                `${name}-${repository}-deploy-from`,
                { repository, environment: config.environment.name, ...(branch ? { branchPattern: branch } : { tagPattern: tag }) },
                envOpts,
            );
            for (const [variableName, value] of Object.entries(variables)) {
                new github.ActionsEnvironmentVariable(
                    `${name}-${repository}-${variableName}`,
                    { repository, environment: config.environment.name, variableName, value },
                    envOpts,
                );
            }
            for (const [secretName, value] of Object.entries(actionsSecrets(config, args))) {
                new github.ActionsEnvironmentSecret(
                    `${name}-${repository}-${secretName}`,
                    { repository, environment: config.environment.name, secretName, plaintextValue: pulumi.secret(value) },
                    envOpts,
                );
            }
            if (config.manageRepositorySettings) this.manageRepository(name, repository, config, ghOpts);
        }
        this.registerOutputs({ deployRoleArn: this.deployRoleArn, previewRoleArn: this.previewRoleArn });
    }

    private manageRepository(name: string, repository: string, config: GithubConfig, ghOpts: pulumi.CustomResourceOptions): void {
        const repo = github.getRepositoryOutput({ fullName: `${config.owner}/${repository}` }, ghOpts);
        for (const rule of config.branchProtection) {
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

function actionsSecrets(config: GithubConfig, args: GitHubDeliveryArgs): Record<string, pulumi.Output<string>> {
    const secrets = Object.fromEntries(config.environmentSecrets.map((secretName) => [secretName, args.ciSecrets[secretName]!]));
    if (args.kubeconfig) secrets["KUBE_CONFIG_BASE64"] = args.kubeconfig.apply((text) => Buffer.from(text).toString("base64"));
    return secrets;
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
        requiredPullRequestReviews: [{ requiredApprovingReviewCount: rule.requiredApprovals, dismissStaleReviews: true }],
    };
}

/** GitHub wants numeric ids; config names users and teams. */
function resolveReviewers(reviewers: GithubConfig["environment"]["reviewers"], opts: pulumi.InvokeOutputOptions) {
    return {
        users: reviewers.users.map((username) => github.getUserOutput({ username }, opts).id.apply(Number)),
        teams: reviewers.teams.map((slug) => github.getTeamOutput({ slug }, opts).id.apply(Number)),
    };
}
