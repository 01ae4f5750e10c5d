import type { z } from "zod";
import { BOOTSTRAP_ROLES, DELIVERY_SECRETS, roleArn } from "../delivery";
import type { stackConfigShape } from "../schema";

type Parsed = z.output<z.ZodObject<typeof stackConfigShape>>;
type Issue = { path: (string | number)[]; message: string; input?: unknown };

const setSecret = (name: string) => `pulumi config set --secret --path 'platform:secrets.ci.${name}' (docs/delivery.md)`;

/** A stack the workflows deploy needs its account's bootstrap roles and KMS key, a delivery section and a runner that reaches the cluster. */
export function deliveryIssues({ github, delivery, aws, cluster }: Parsed): Issue[] {
    if (github === undefined) return [];
    const issues: Issue[] = [];
    if (aws === undefined) {
        issues.push({
            path: ["aws"],
            message: `expected an aws section when github is set: the workflows use the account's bootstrap roles (${BOOTSTRAP_ROLES.deploy}, ${BOOTSTRAP_ROLES.preview}) and its secrets-provider key`,
        });
    } else if (aws.assumeRoleArn !== roleArn(aws.accountId, BOOTSTRAP_ROLES.deployer)) {
        issues.push({
            path: ["aws", "assumeRoleArn"],
            message: `expected the bootstrap stack's deployer role ${roleArn(aws.accountId, BOOTSTRAP_ROLES.deployer)}, which the deploy role may assume`,
            input: aws.assumeRoleArn,
        });
    }
    if (delivery === undefined) {
        issues.push({ path: ["delivery"], message: "expected a delivery section (pulumiOrganization, githubApps) when github is set" });
        return issues;
    }
    const { runner } = delivery;
    if (runner.type === "codebuild" && cluster.mode !== "eks") {
        issues.push({
            path: ["delivery", "runner", "type"],
            message: 'expected "self-hosted" unless cluster.mode is "eks" (CodeBuild runners are created in the EKS VPC)',
            input: runner.type,
        });
    }
    if (runner.type === "github-hosted") {
        const publicEndpoint = cluster.mode === "eks" && cluster.endpoint.publicAccess && cluster.endpoint.publicAccessCidrs.length > 0;
        if (!publicEndpoint) {
            issues.push({
                path: ["delivery", "runner", "type"],
                message:
                    'expected "codebuild" or "self-hosted": GitHub-hosted runners reach only a public, CIDR-restricted EKS endpoint (cluster.endpoint.publicAccess, publicAccessCidrs)',
                input: runner.type,
            });
        }
    }
    return issues;
}

/** The operator-set secrets the delivery needs, each named with the command that sets it. */
export function deliverySecretIssues({ github, delivery, secrets }: Parsed): Issue[] {
    if (github === undefined || delivery === undefined) return [];
    const needed: [string, string][] = [
        [DELIVERY_SECRETS.deployAppKey, ""],
        [DELIVERY_SECRETS.promoterAppKey, ""],
    ];
    // Say which setting needs the secret, so an error after changing that setting names it.
    if (github.manageRepositorySettings) needed.push([DELIVERY_SECRETS.previewAppKey, " (github.manageRepositorySettings is true)"]);
    if (delivery.runner.type === "codebuild") needed.push([DELIVERY_SECRETS.runnerToken, " (delivery.runner.type is codebuild)"]);
    return needed
        .filter(([name]) => !(name in secrets.ci))
        .map(([name, why]) => ({
            path: ["secrets", "ci", name],
            message: `expected a value for ${name}${why}: ${setSecret(name)}`,
            input: undefined,
        }));
}

/**
 * The tags that deploy to production are a repository setting: the stack that manages the repository
 * settings and deploys from a tag protects that tag pattern (a ruleset only the release team bypasses).
 */
export function releaseTagIssues({ github, environment }: Parsed): Issue[] {
    if (github === undefined) return [];
    const tag = environment.deployFrom.tag;
    if (github.releaseTags !== undefined && !github.manageRepositorySettings) {
        return [
            {
                path: ["github", "releaseTags"],
                message:
                    "expected github.manageRepositorySettings: true (the tag ruleset is a repository setting of the stack that owns them)",
            },
        ];
    }
    // A stack deploying from a branch has no tag to protect (no branch and no tag is reported by the schema).
    const branch = environment.deployFrom.branch;
    if (github.releaseTags !== undefined && tag === undefined && branch !== undefined) {
        return [
            {
                path: ["github", "releaseTags"],
                message: `expected environment.deployFrom.tag (the ruleset protects the tags this stack deploys from), got branch ${branch}`,
            },
        ];
    }
    if (github.manageRepositorySettings && tag !== undefined && github.releaseTags === undefined) {
        return [
            {
                path: ["github", "releaseTags", "team"],
                message: `expected the release team: the ${tag} tags that deploy ${environment.name} get a ruleset only that team may bypass (anyone with write access could push one otherwise)`,
            },
        ];
    }
    return [];
}
