import { z } from "zod";
import { integer, list, section, text } from "./primitives";

/**
 * The delivery contract: every name that the workflows, the service repository's build, the stack
 * config, the program and the bootstrap stack share. Both sides import it from here; tests check both
 * ends (test/delivery.test.ts). See docs/delivery.md for the design.
 */

/** Workflow files of this repository and the caller-side workflow the service repository adds. */
export const WORKFLOW_FILES = {
    ci: ".github/workflows/ci.yml",
    preview: ".github/workflows/preview.yml",
    /** Release path: a service promotes an image (workflow_dispatch with PROMOTION_INPUTS). */
    release: ".github/workflows/release.yml",
    /** Infra path: a push to this repository's main deploys every stack with the running tags. */
    infra: ".github/workflows/infra.yml",
    /** The one `pulumi up` job both paths call (workflow_call). */
    deploy: ".github/workflows/deploy.yml",
    /** Manual: redeploys a service's previous tag through the release's gates (deploy.yml with rollback). */
    rollback: ".github/workflows/rollback.yml",
    /** After a release or rollback: a GitHub release of a prod deploy, an issue for a failed one. */
    recordDeploy: ".github/workflows/record-deploy.yml",
    /** Scheduled: redeploys (deploy.yml, running images) a stack whose generated secrets are due to rotate. */
    rotateSecrets: ".github/workflows/rotate-secrets.yml",
    /** Scheduled: a refresh preview of every CI stack with the read-only preview role; one issue per drifted stack. */
    driftDetection: ".github/workflows/drift-detection.yml",
    /** What the service repository's build workflow adds (checked by actionlint, not run here). */
    service: "docs/service-repository/docker-build-publish.yml",
} as const;

/** The branch of this repository every deploy runs from (its environments accept only this ref). */
export const INFRASTRUCTURE_BRANCH = "main";

/**
 * The pull-request review (preview.yml): the command that prints a stack's review section (Markdown on
 * stdout, no cloud access) and the hidden marker that finds the one comment per stack to edit.
 */
export const REVIEW_COMMAND = (stack: string, baseRef: string) => `npm run --silent review -- ${stack} --base ${baseRef}`;
/** What the review's job builds with scripts/install-tools.sh (INSTALL_TOOLS_ONLY): helm renders the chart, cyclonus evaluates the NetworkPolicies. */
export const REVIEW_TOOLS = ["helm", "cyclonus"] as const;
export const reviewCommentMarker = (stack: string) => `<!-- platform-review:${stack} -->`;

/** Drift detection (drift-detection.yml): the label and hidden marker of the one open issue per drifted stack. */
export const DRIFT_ISSUE_LABEL = "drift";
export const driftIssueMarker = (stack: string) => `<!-- platform-drift:${stack} -->`;

/** Inputs of the release workflow: what a service's build sends to promote an image. */
export const PROMOTION_INPUTS = {
    service: "service",
    environment: "environment",
    tag: "tag",
    digest: "digest",
    rollback: "rollback",
} as const;

export const IMAGE_DIGEST = /^sha256:[0-9a-f]{64}$/;

/** The stack output holding what runs (service -> tag and digest); the next `up` reads it back. */
export const RELEASES_OUTPUT = "releases";

/** Where a promotion writes into a stack's config (`pulumi config set --path`), for service index i. */
export const promotionConfigPaths = (i: number) => ({
    tag: `platform:services[${i}].image.tag`,
    digest: `platform:services[${i}].image.digest`,
    allowRollback: `platform:services[${i}].image.allowRollback`,
});

/** IAM roles the bootstrap stack creates in every environment account, with fixed names. */
export const BOOTSTRAP_ROLES = {
    /** Holds the permissions the program needs; assumed by the deploy role and administrators. */
    deployer: "platform-deployer",
    /** GitHub OIDC, deploy jobs of this repository's environment only; may only assume the deployer. */
    deploy: "platform-github-deploy",
    /** GitHub OIDC, pull requests of this repository; read-only. */
    preview: "platform-github-preview",
} as const;

export const roleArn = (accountId: string, name: string) => `arn:aws:iam::${accountId}:role/${name}`;
export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";
/** The OIDC subjects GitHub puts in a job's token: a deploy job in an environment, a pull request's job. */
export const githubSubject = {
    environment: (owner: string, repository: string, environment: string) => `repo:${owner}/${repository}:environment:${environment}`,
    pullRequest: (owner: string, repository: string) => `repo:${owner}/${repository}:pull_request`,
    /** A job of a workflow running on a branch (schedule, push, dispatch), e.g. the drift detection on main. */
    branch: (owner: string, repository: string, branch: string) => `repo:${owner}/${repository}:ref:refs/heads/${branch}`,
};

/** The KMS key alias the stack files' `secretsprovider` names. */
export const secretsKeyAlias = (environment: string) => `alias/platform-${environment}`;
export const secretsProviderUrl = (environment: string, region: string) => `awskms://${secretsKeyAlias(environment)}?region=${region}`;

/** Pulumi Cloud teams the GitHub OIDC token is exchanged for (docs/delivery.md, "Pulumi access"). */
export const PULUMI_TEAMS = { preview: "platform-preview", deploy: "platform-deploy" } as const;

/** Actions variables the program publishes and the workflows read. */
export const ACTIONS_VARIABLES = {
    awsRoleArn: "AWS_ROLE_ARN",
    deployerRoleArn: "AWS_DEPLOYER_ROLE_ARN",
    awsRegion: "AWS_REGION",
    pulumiOrganization: "PULUMI_ORGANIZATION",
    deployAppId: "PLATFORM_DEPLOY_APP_ID",
    previewAppId: "PLATFORM_PREVIEW_APP_ID",
    promoterAppId: "PLATFORM_PROMOTER_APP_ID",
    /** In the service repository: `owner/name` of this repository, where the release workflow runs. */
    platformRepository: "PLATFORM_REPOSITORY",
    /** In the service repository's environment: the `environment` input its promotion sends. */
    platformEnvironment: "PLATFORM_ENVIRONMENT",
    /** In this repository's environment: the stack the deploy job selects. */
    pulumiStack: "PULUMI_STACK",
    /** In this repository's environment: the EKS cluster the deploy job's kubectl and helm reach. */
    clusterName: "CLUSTER_NAME",
    /** In this repository's environment: the app namespace the drift, rollout and smoke steps act in. */
    namespace: "NAMESPACE",
} as const;

/** Repository variable with the preview role of one environment (previews run outside environments). */
export const previewRoleVariable = (environment: string) => `AWS_PREVIEW_ROLE_ARN_${environment.toUpperCase().replace(/-/g, "_")}`;

/** Operator-set secrets (`secrets.ci`) the delivery needs, and where the program publishes them. */
export const DELIVERY_SECRETS = {
    /** GitHub App with write access to environments, secrets, variables and branch protection. */
    deployAppKey: "PLATFORM_DEPLOY_APP_KEY",
    /** GitHub App with read access only: what a pull request's preview may use. */
    previewAppKey: "PLATFORM_PREVIEW_APP_KEY",
    /** GitHub App with `actions: write` on this repository only: the service's build dispatches a release. */
    promoterAppKey: "PLATFORM_PROMOTER_APP_KEY",
    /** Token CodeBuild uses to register its runners with this repository (account-wide source credential). */
    runnerToken: "CODEBUILD_GITHUB_TOKEN",
    /** Incoming webhook record-deploy.yml posts each release/rollback result to (a repository secret; optional). */
    slackWebhook: "SLACK_WEBHOOK_URL",
} as const;

/** The value committed for an operator secret not set yet; `npm run delivery -- check-secrets` reports it. */
export const UNSET_SECRET = "unset-run-pulumi-config-set-secret";

export const CODEBUILD_COMPUTE_TYPES = ["BUILD_GENERAL1_SMALL", "BUILD_GENERAL1_MEDIUM", "BUILD_GENERAL1_LARGE"] as const;

const label = () => text({ pattern: /^[A-Za-z0-9._:-]+$/, describe: "a runner label" });

export const runnerSchema = z.discriminatedUnion(
    "type",
    [
        section({
            type: z.literal("codebuild"),
            computeType: z.enum(CODEBUILD_COMPUTE_TYPES).default("BUILD_GENERAL1_MEDIUM").describe("Defaults to BUILD_GENERAL1_MEDIUM."),
            image: text()
                .default("aws/codebuild/amazonlinux-x86_64-standard:5.0")
                .describe("Defaults to aws/codebuild/amazonlinux-x86_64-standard:5.0."),
        }),
        section({ type: z.literal("self-hosted"), labels: list(label(), { min: 1, what: "runner labels" }) }),
        section({ type: z.literal("github-hosted"), label: label().default("ubuntu-latest") }),
    ],
    { error: () => 'expected type to be one of "codebuild", "self-hosted", "github-hosted"' },
);
export type RunnerConfig = z.output<typeof runnerSchema>;

export const deliverySchema = section({
    runner: runnerSchema
        .default({ type: "codebuild", computeType: "BUILD_GENERAL1_MEDIUM", image: "aws/codebuild/amazonlinux-x86_64-standard:5.0" })
        .describe(
            "Where preview and deploy jobs run: `codebuild` (runners in the cluster's private subnets, created by the program; the default), " +
                "`self-hosted` (labels of runners you run with network access to the API server) or `github-hosted` " +
                "(only for a public, CIDR-restricted EKS endpoint).",
        ),
    pulumiOrganization: text({ pattern: /^[A-Za-z0-9][A-Za-z0-9_.-]*$/, describe: "a Pulumi Cloud organization" }).describe(
        "The Pulumi Cloud organization holding the stacks; workflows exchange their GitHub OIDC token for its team tokens.",
    ),
    githubApps: section({
        deploy: integer({ min: 1 }).describe("App id of the GitHub App deploy jobs use (key: secrets.ci.PLATFORM_DEPLOY_APP_KEY)."),
        preview: integer({ min: 1 }).describe(
            "App id of the read-only GitHub App previews use (key: secrets.ci.PLATFORM_PREVIEW_APP_KEY).",
        ),
        promoter: integer({ min: 1 }).describe(
            "App id of the GitHub App the service's build promotes with (key: secrets.ci.PLATFORM_PROMOTER_APP_KEY).",
        ),
    }),
});
export type DeliveryConfig = z.output<typeof deliverySchema>;

/** The CodeBuild project that hosts a stack's runners; its name is part of the runner label. */
export const runnerProjectName = (project: string, environment: string) => `${project}-${environment}-actions-runner`;

/** A job's `runs-on` labels for a stack, as the workflow's plan step computes them. */
export function runsOn(runner: RunnerConfig, projectName: string, run: { id: string; attempt: string }): string[] {
    switch (runner.type) {
        case "codebuild":
            return [`codebuild-${projectName}-${run.id}-${run.attempt}`];
        case "self-hosted":
            return ["self-hosted", ...runner.labels];
        case "github-hosted":
            return [runner.label];
    }
}
