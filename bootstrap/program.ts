import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
    BOOTSTRAP_ROLES,
    GITHUB_OIDC_HOST,
    githubSubject,
    INFRASTRUCTURE_BRANCH,
    roleArn,
    secretsKeyAlias,
    secretsProviderUrl,
} from "../config/delivery";
import type { BootstrapConfig } from "./config";
import { deployerPolicy, deployerTrustPolicy, deployRolePolicy, githubTrustPolicy, previewRolePolicy, secretsKeyPolicy } from "./policies";

/** What the environment stack and its workflows read from the bootstrap (fixed names; also outputs). */
export interface BootstrapOutputs {
    deployerRoleArn: pulumi.Output<string>;
    deployRoleArn: pulumi.Output<string>;
    previewRoleArn: pulumi.Output<string>;
    githubOidcProviderArn: pulumi.Output<string>;
    secretsKeyAlias: pulumi.Output<string>;
    /** The `secretsprovider` line of the environment's stack file. */
    secretsProvider: string;
    /** Where every stack's state lives. */
    stateBackend: string;
}

/**
 * Everything an environment stack needs before its first `up`, in its own account: the GitHub OIDC
 * provider, the deployer role, the fixed-name GitHub deploy and preview roles with their trust, and the
 * secrets-provider KMS key and alias. State lives in Pulumi Cloud (docs/bootstrap.md). Run once per
 * account by an administrator; protected, because deleting any of it locks the environment out.
 */
export function composeBootstrap(config: BootstrapConfig): BootstrapOutputs {
    const provider = new aws.Provider("aws", {
        region: config.region as aws.Region,
        allowedAccountIds: [config.accountId],
        defaultTags: { tags: { environment: config.environment, project: "platform", "managed-by": "pulumi-bootstrap" } },
    });
    const opts = { provider, protect: true };

    const oidc = new aws.iam.OpenIdConnectProvider(
        "github-oidc",
        { url: `https://${GITHUB_OIDC_HOST}`, clientIdLists: ["sts.amazonaws.com"] },
        opts,
    );
    const key = new aws.kms.Key(
        "secrets-key",
        {
            description: `Pulumi secrets provider of the ${config.environment} stacks (config and state secrets)`,
            enableKeyRotation: true,
            deletionWindowInDays: 30,
            policy: JSON.stringify(secretsKeyPolicy(config.accountId)),
        },
        opts,
    );
    const alias = new aws.kms.Alias("secrets-key-alias", { name: secretsKeyAlias(config.environment), targetKeyId: key.keyId }, opts);

    const { owner, repository, environment } = config.github;
    const githubRole = (part: string, roleName: string, subject: string | string[]) =>
        new aws.iam.Role(
            `${part}-role`,
            {
                name: roleName,
                assumeRolePolicy: oidc.arn.apply((arn) => JSON.stringify(githubTrustPolicy(arn, subject))),
                maxSessionDuration: 3600,
            },
            opts,
        );
    const deployRole = githubRole("deploy", BOOTSTRAP_ROLES.deploy, githubSubject.environment(owner, repository, environment));
    // Read-only: pull requests' previews, and the scheduled drift detection, which runs on main (reviewed code only).
    const previewRole = githubRole("preview", BOOTSTRAP_ROLES.preview, [
        githubSubject.pullRequest(owner, repository),
        githubSubject.branch(owner, repository, INFRASTRUCTURE_BRANCH),
    ]);

    const deployer = new aws.iam.Role(
        "deployer-role",
        {
            name: BOOTSTRAP_ROLES.deployer,
            assumeRolePolicy: deployRole.arn.apply((arn) => JSON.stringify(deployerTrustPolicy([arn, ...config.administratorRoleArns]))),
            maxSessionDuration: 3600,
        },
        opts,
    );
    const bootstrapRoleArns = Object.values(BOOTSTRAP_ROLES).map((name) => roleArn(config.accountId, name));
    new aws.iam.RolePolicy(
        "deployer-policy",
        {
            role: deployer.id,
            policy: pulumi
                .all([key.arn, oidc.arn])
                .apply(([secretsKeyArn, oidcProviderArn]) =>
                    JSON.stringify(deployerPolicy({ accountId: config.accountId, secretsKeyArn, bootstrapRoleArns, oidcProviderArn })),
                ),
        },
        opts,
    );
    new aws.iam.RolePolicy(
        "deploy-policy",
        { role: deployRole.id, policy: deployer.arn.apply((arn) => JSON.stringify(deployRolePolicy(arn))) },
        opts,
    );
    new aws.iam.RolePolicy(
        "preview-policy",
        { role: previewRole.id, policy: key.arn.apply((arn) => JSON.stringify(previewRolePolicy(arn))) },
        opts,
    );

    return {
        deployerRoleArn: deployer.arn,
        deployRoleArn: deployRole.arn,
        previewRoleArn: previewRole.arn,
        githubOidcProviderArn: oidc.arn,
        secretsKeyAlias: alias.name,
        secretsProvider: secretsProviderUrl(config.environment, config.region),
        stateBackend: `Pulumi Cloud, organization ${config.pulumiOrganization}`,
    };
}
