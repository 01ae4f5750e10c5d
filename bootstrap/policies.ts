import { GITHUB_OIDC_HOST } from "../config/delivery";

/** Trust for GitHub Actions OIDC tokens of exactly these subjects, e.g. `repo:org/platform:environment:production`. */
export function githubTrustPolicy(oidcProviderArn: string, subject: string | string[]) {
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

/** The deployer trusts the environment's GitHub deploy role and the administrators, nobody else. */
export function deployerTrustPolicy(principals: string[]) {
    return {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { AWS: principals }, Action: ["sts:AssumeRole", "sts:TagSession"] }],
    };
}

/** The GitHub deploy role may do one thing: assume this account's deployer role. */
export function deployRolePolicy(deployerRoleArn: string) {
    return {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: ["sts:AssumeRole", "sts:TagSession"], Resource: [deployerRoleArn] }],
    };
}

/**
 * What a pull request's preview may read: the program's AWS resources (describe, get, list; no Get of a
 * secret value), and decrypt the stack's config and state with the secrets-provider key. No write
 * action and no sts:AssumeRole: a preview cannot change anything.
 */
export const PREVIEW_READ_ACTIONS = [
    "ec2:DescribeAvailabilityZones",
    "ec2:DescribeVpcs",
    "ec2:DescribeSubnets",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeSecurityGroupRules",
    "ec2:DescribeRouteTables",
    "ec2:DescribeNatGateways",
    "ec2:DescribeInternetGateways",
    "ec2:DescribeAddresses",
    "eks:DescribeCluster",
    "eks:DescribeNodegroup",
    "eks:DescribeAddon",
    "eks:DescribeAccessEntry",
    "eks:ListAssociatedAccessPolicies",
    "rds:DescribeDBInstances",
    "rds:DescribeDBSubnetGroups",
    "rds:DescribeDBParameterGroups",
    "rds:DescribeDBProxies",
    "elasticache:DescribeReplicationGroups",
    "elasticache:DescribeCacheClusters",
    "elasticache:DescribeCacheSubnetGroups",
    "iam:GetRole",
    "iam:GetRolePolicy",
    "iam:ListAttachedRolePolicies",
    "iam:GetOpenIDConnectProvider",
    "kms:DescribeKey",
    "kms:ListAliases",
    "secretsmanager:DescribeSecret",
    "secretsmanager:ListSecrets",
    "codebuild:BatchGetProjects",
    "logs:DescribeLogGroups",
    "cloudwatch:DescribeAlarms",
];

export function previewRolePolicy(secretsKeyArn: string) {
    return {
        Version: "2012-10-17",
        Statement: [
            { Sid: "ReadTheProgramsResources", Effect: "Allow", Action: PREVIEW_READ_ACTIONS, Resource: "*" },
            { Sid: "DecryptStackSecrets", Effect: "Allow", Action: ["kms:Decrypt"], Resource: [secretsKeyArn] },
        ],
    };
}

/** Services whose resources the environment program creates and updates (components/). */
export const DEPLOYER_SERVICES = [
    "ec2",
    "eks",
    "rds",
    "elasticache",
    "kms",
    "secretsmanager",
    "logs",
    "cloudwatch",
    "codebuild",
    "autoscaling",
    "ssm",
];

/**
 * The deployer holds what `pulumi up` needs: the program's services in full (an IaC deployer cannot
 * list every action of every API it drives), IAM for the roles it creates, and explicit denials that
 * keep it from touching the bootstrap's own roles and key or minting long-lived credentials.
 */
export function deployerPolicy(a: { accountId: string; secretsKeyArn: string; bootstrapRoleArns: string[]; oidcProviderArn: string }) {
    return {
        Version: "2012-10-17",
        Statement: [
            { Sid: "ProgramServices", Effect: "Allow", Action: DEPLOYER_SERVICES.map((s) => `${s}:*`), Resource: "*" },
            {
                Sid: "ProgramRoles",
                Effect: "Allow",
                Action: [
                    "iam:CreateRole",
                    "iam:DeleteRole",
                    "iam:GetRole",
                    "iam:UpdateRole",
                    "iam:UpdateAssumeRolePolicy",
                    "iam:TagRole",
                    "iam:UntagRole",
                    "iam:ListRolePolicies",
                    "iam:ListAttachedRolePolicies",
                    "iam:ListInstanceProfilesForRole",
                    "iam:GetRolePolicy",
                    "iam:PutRolePolicy",
                    "iam:DeleteRolePolicy",
                    "iam:AttachRolePolicy",
                    "iam:DetachRolePolicy",
                    "iam:PassRole",
                    "iam:CreateOpenIDConnectProvider",
                    "iam:DeleteOpenIDConnectProvider",
                    "iam:GetOpenIDConnectProvider",
                    "iam:TagOpenIDConnectProvider",
                    "iam:CreateServiceLinkedRole",
                ],
                Resource: "*",
            },
            { Sid: "StsIdentity", Effect: "Allow", Action: ["sts:GetCallerIdentity"], Resource: "*" },
            {
                Sid: "NotTheBootstrap",
                Effect: "Deny",
                Action: [
                    "iam:DeleteRole",
                    "iam:UpdateRole",
                    "iam:UpdateAssumeRolePolicy",
                    "iam:PutRolePolicy",
                    "iam:DeleteRolePolicy",
                    "iam:AttachRolePolicy",
                    "iam:DetachRolePolicy",
                    "iam:DeleteOpenIDConnectProvider",
                ],
                Resource: [...a.bootstrapRoleArns, a.oidcProviderArn],
            },
            {
                Sid: "KeepTheSecretsKey",
                Effect: "Deny",
                Action: ["kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:PutKeyPolicy", "kms:DeleteAlias", "kms:UpdateAlias"],
                Resource: [a.secretsKeyArn],
            },
            {
                Sid: "NoLongLivedCredentials",
                Effect: "Deny",
                Action: ["iam:CreateUser", "iam:CreateAccessKey", "iam:CreateLoginProfile"],
                Resource: "*",
            },
        ],
    };
}

/** The secrets-provider key: the account delegates to IAM policies (the roles above say who may use it). */
export function secretsKeyPolicy(accountId: string) {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "AccountDelegatesToIam",
                Effect: "Allow",
                Principal: { AWS: `arn:aws:iam::${accountId}:root` },
                Action: "kms:*",
                Resource: "*",
            },
        ],
    };
}
