import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";

/** Trust for GitHub Actions OIDC tokens of exactly one subject, e.g. `repo:org/platform:environment:production`. */
export function githubTrustPolicy(oidcProviderArn: string, subject: string): Record<string, unknown> {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Federated: oidcProviderArn },
                Action: "sts:AssumeRoleWithWebIdentity",
                Condition: { StringEquals: { [`${GITHUB_OIDC_HOST}:aud`]: "sts.amazonaws.com", [`${GITHUB_OIDC_HOST}:sub`]: subject } },
            },
        ],
    };
}

/**
 * What a workflow's role may do: assume the environment's deploy role (which holds the real
 * permissions) and use the stack's secrets-provider key. No wildcard action.
 */
export function workflowRolePolicy(a: { deployRoleArn: string; region: string; accountId: string; secretsKeyAlias: string }) {
    return {
        Version: "2012-10-17",
        Statement: [
            { Effect: "Allow", Action: ["sts:AssumeRole", "sts:TagSession"], Resource: [a.deployRoleArn] },
            {
                Effect: "Allow",
                Action: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
                Resource: [`arn:aws:kms:${a.region}:${a.accountId}:key/*`],
                Condition: { "ForAnyValue:StringEquals": { "kms:ResourceAliases": a.secretsKeyAlias } },
            },
        ],
    };
}

export interface WorkflowRolesArgs {
    owner: string;
    repository: string;
    /** GitHub environment whose jobs may deploy. */
    environment: string;
    deployRoleArn: string;
    region: string;
    accountId: string;
    secretsKeyAlias: string;
    provider: aws.Provider;
}

/** Keyless AWS access for this repository's workflows: an OIDC provider and one role per use. */
export function createWorkflowRoles(name: string, args: WorkflowRolesArgs, parent: pulumi.Resource) {
    const opts = { parent, provider: args.provider };
    const oidc = new aws.iam.OpenIdConnectProvider(
        `${name}-actions-oidc`,
        { url: `https://${GITHUB_OIDC_HOST}`, clientIdLists: ["sts.amazonaws.com"] },
        opts,
    );
    const policy = JSON.stringify(workflowRolePolicy(args));
    const role = (part: string, subject: string) => {
        const created = new aws.iam.Role(
            `${name}-${part}-role`,
            { assumeRolePolicy: oidc.arn.apply((arn) => JSON.stringify(githubTrustPolicy(arn, subject))), maxSessionDuration: 3600 },
            opts,
        );
        new aws.iam.RolePolicy(`${name}-${part}-policy`, { role: created.id, policy }, opts);
        return created;
    };
    const repo = `repo:${args.owner}/${args.repository}`;
    return {
        deployRole: role("deploy", `${repo}:environment:${args.environment}`),
        // Pull-request previews run outside any environment; see README "Keyless deploys".
        previewRole: role("preview", `${repo}:pull_request`),
    };
}
