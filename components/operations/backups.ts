import * as aws from "@pulumi/aws";
import { attachKeyPolicy, useThrough } from "../security/kms-policy";
import type { DataKeyContext } from "../data/data-service";
import * as crypto from "crypto";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../../config/load";
import type { Releases } from "../../config/releases";
import { assumeRolePolicy } from "../cluster/eks";

export type BackupConfig = StackConfig["backup"];

/** AWS Backup rules (seed 001: daily kept 30 days, weekly full kept 90), in UTC after RDS's own backup window. */
export function backupRules(config: BackupConfig, vaultName: pulumi.Input<string>) {
    return [
        { ruleName: "daily", targetVaultName: vaultName, schedule: "cron(0 5 * * ? *)", lifecycle: { deleteAfter: config.dailyDays } },
        { ruleName: "weekly", targetVaultName: vaultName, schedule: "cron(0 5 ? * SUN *)", lifecycle: { deleteAfter: config.weeklyDays } },
    ];
}

/**
 * A manual snapshot's identifier named after what is being released, e.g.
 * `supernova-prod-postgres-pre-supernova-server-v1-4-0`: letters, digits and single hyphens, starting
 * with a letter, at most 255 characters (longer release lists end in a hash).
 */
export function preDeploySnapshotId(dbIdentifier: string, releases: Releases): string {
    const revision = Object.entries(releases)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([service, release]) => `${service}-${release.tag}`)
        .join("-");
    const slug = (text: string) =>
        text
            .toLowerCase()
            .replace(/[^a-z0-9]+/g, "-")
            .replace(/^-+|-+$/g, "");
    let id = slug(`${dbIdentifier}-pre-${revision}`);
    if (id.length > 255)
        id = `${id.slice(0, 230).replace(/-+$/, "")}-${crypto.createHash("sha256").update(revision).digest("hex").slice(0, 16)}`;
    return /^[a-z]/.test(id) ? id : `db-${id}`;
}

export interface DatabaseBackupsArgs {
    config: BackupConfig;
    /** `<project>-<environment>`. */
    identifier: string;
    instance: aws.rds.Instance;
    /** The instance's identifier (`<project>-<environment>-postgres`): snapshot names start with it. */
    dbIdentifier: string;
    releases: Releases;
    /** Account, region and administrators of the vault key's explicit policy. */
    keys: DataKeyContext;
    provider: aws.Provider;
}

/** AWS Backup (encrypted vault, plan, selection of the RDS instance) and the pre-deploy snapshot. */
export class DatabaseBackups extends pulumi.ComponentResource {
    /** The snapshot every service release of this update waits for (when `snapshotBeforeDeploy`). */
    public readonly preDeploySnapshot?: aws.rds.Snapshot;

    constructor(name: string, args: DatabaseBackupsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:operations:DatabaseBackups", name, {}, opts);
        const awsOpts = { parent: this, provider: args.provider };
        if (args.config.awsBackup) {
            const key = new aws.kms.Key(
                `${name}-vault-key`,
                { description: `${args.identifier} backup vault`, enableKeyRotation: true, deletionWindowInDays: 30 },
                { ...awsOpts, retainOnDelete: true },
            );
            const vault = new aws.backup.Vault(
                `${name}-vault`,
                { name: `${args.identifier}-backups`, kmsKeyArn: key.arn, forceDestroy: false },
                { ...awsOpts, protect: true },
            );
            const plan = new aws.backup.Plan(
                `${name}-plan`,
                { name: `${args.identifier}-database`, rules: backupRules(args.config, vault.name) },
                awsOpts,
            );
            const role = new aws.iam.Role(`${name}-role`, { assumeRolePolicy: assumeRolePolicy("backup.amazonaws.com") }, awsOpts);
            for (const policy of ["AWSBackupServiceRolePolicyForBackup", "AWSBackupServiceRolePolicyForRestores"]) {
                new aws.iam.RolePolicyAttachment(
                    `${name}-${policy}`,
                    { role: role.name, policyArn: `arn:aws:iam::aws:policy/service-role/${policy}` },
                    awsOpts,
                );
            }
            // The vault key: administered by the deployer, used only by the backup role through AWS Backup.
            attachKeyPolicy(
                `${name}-vault-key`,
                key,
                {
                    accountId: args.keys.accountId,
                    admins: args.keys.admins,
                    uses: [useThrough("UseThroughAwsBackup", "backup", args.keys.region, [role.arn])],
                },
                awsOpts,
            );
            new aws.backup.Selection(
                `${name}-selection`,
                { name: `${args.identifier}-postgres`, planId: plan.id, iamRoleArn: role.arn, resources: [args.instance.arn] },
                awsOpts,
            );
        }
        if (args.config.snapshotBeforeDeploy) {
            // A new release is a new identifier: Pulumi creates the new snapshot before the releases upgrade
            // (they depend on it) and keeps the old one (retainOnDelete); RDS's own backups stay as they are.
            this.preDeploySnapshot = new aws.rds.Snapshot(
                `${name}-pre-deploy`,
                {
                    dbInstanceIdentifier: args.instance.identifier,
                    dbSnapshotIdentifier: preDeploySnapshotId(args.dbIdentifier, args.releases),
                },
                { ...awsOpts, retainOnDelete: true },
            );
        }
        this.registerOutputs({});
    }
}
