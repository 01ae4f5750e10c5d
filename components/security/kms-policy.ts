import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** What key administrators may do: manage the key, never use it to encrypt or decrypt data. */
export const KEY_ADMIN_ACTIONS = [
    "kms:CancelKeyDeletion",
    "kms:CreateAlias",
    "kms:CreateGrant",
    "kms:DeleteAlias",
    "kms:DescribeKey",
    "kms:DisableKey",
    "kms:DisableKeyRotation",
    "kms:EnableKey",
    "kms:EnableKeyRotation",
    "kms:GetKeyPolicy",
    "kms:GetKeyRotationStatus",
    "kms:ListAliases",
    "kms:ListGrants",
    "kms:ListKeyPolicies",
    "kms:ListResourceTags",
    "kms:PutKeyPolicy",
    "kms:RevokeGrant",
    "kms:RotateKeyOnDemand",
    "kms:ScheduleKeyDeletion",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:UpdateAlias",
    "kms:UpdateKeyDescription",
];

/** What a service that encrypts for its caller (RDS, ElastiCache, Secrets Manager) needs the caller to allow. */
export const KEY_USE_ACTIONS = [
    "kms:CreateGrant",
    "kms:Decrypt",
    "kms:DescribeKey",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:ListGrants",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
];

export interface KeyUse {
    /** Statement id, e.g. `UseThroughRds`. */
    sid: string;
    /** IAM principals (role ARNs). */
    roles?: pulumi.Input<string>[];
    /** An AWS service principal, e.g. `logs.eu-west-1.amazonaws.com`. */
    service?: string;
    actions: string[];
    /** Only through this service (`kms:ViaService`), e.g. `rds.eu-west-1.amazonaws.com`. */
    viaService?: string;
    /** Further conditions, merged in. */
    condition?: Record<string, Record<string, string | string[]>>;
}

/** Full use of a key by `roles`, only through an AWS service of the region (e.g. `rds`, `backup`). */
export function useThrough(sid: string, service: string, region: string, roles: pulumi.Input<string>[]): KeyUse {
    return { sid, roles, actions: KEY_USE_ACTIONS, viaService: `${service}.${region}.amazonaws.com` };
}

export interface KeyPolicyArgs {
    accountId: string;
    /** Deployer and break-glass roles: administration only. */
    admins: string[];
    uses: KeyUse[];
}

/** The key policy document: administration by named roles, use by named consumers only (no account-root `kms:*`). */
export function keyPolicyDocument(args: {
    accountId: string;
    admins: string[];
    uses: (Omit<KeyUse, "roles"> & { roles?: string[] })[];
}): string {
    const statements: Record<string, unknown>[] = [
        { Sid: "KeyAdministration", Effect: "Allow", Principal: { AWS: args.admins }, Action: KEY_ADMIN_ACTIONS, Resource: "*" },
    ];
    for (const use of args.uses) {
        const condition: Record<string, Record<string, string | string[]>> = { ...(use.condition ?? {}) };
        if (use.viaService) {
            condition["StringEquals"] = {
                ...(condition["StringEquals"] ?? {}),
                "kms:ViaService": use.viaService,
                "kms:CallerAccount": args.accountId,
            };
        }
        statements.push({
            Sid: use.sid,
            Effect: "Allow",
            Principal: use.service ? { Service: use.service } : { AWS: use.roles ?? [] },
            Action: use.actions,
            Resource: "*",
            ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}),
        });
    }
    return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

/** The explicit policy of a key, as its own resource `<key>-policy` (the key's own settings stay untouched). */
export function attachKeyPolicy(
    keyName: string,
    key: aws.kms.Key,
    args: KeyPolicyArgs,
    opts: pulumi.CustomResourceOptions,
): aws.kms.KeyPolicy {
    const roles = args.uses.map((u) => pulumi.all(u.roles ?? []));
    const policy = pulumi.all(roles).apply((resolved) =>
        keyPolicyDocument({
            accountId: args.accountId,
            admins: args.admins,
            uses: args.uses.map((u, i) => ({ ...u, roles: resolved[i] })),
        }),
    );
    return new aws.kms.KeyPolicy(`${keyName}-policy`, { keyId: key.id, policy }, opts);
}

/** Administrators of every key of a stack: the deployer (assumeRoleArn) and, when configured, a break-glass role. */
export function keyAdmins(awsConfig: { assumeRoleArn: string; breakGlassRoleArn?: string }): string[] {
    return [awsConfig.assumeRoleArn, ...(awsConfig.breakGlassRoleArn ? [awsConfig.breakGlassRoleArn] : [])];
}
