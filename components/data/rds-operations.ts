import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { RestoreConfig } from "../../config/operations";
import type { RdsConfig } from "./rds";

/**
 * When database changes happen (docs/runbooks/upgrade.md): now or in the maintenance window, minor
 * versions by AWS (engineVersion then names a major only, config/rules/operations.ts), a major only
 * when allowed. A major change also swaps the parameter group's family: Pulumi creates the new group
 * beside the old one, moves the instance, then deletes the old group.
 */
export function rdsMaintenanceArgs(config: RdsConfig): Partial<aws.rds.InstanceArgs> {
    return {
        applyImmediately: config.applyImmediately,
        maintenanceWindow: config.maintenanceWindow,
        autoMinorVersionUpgrade: config.autoMinorVersionUpgrade,
        allowMajorVersionUpgrade: config.allowMajorVersionUpgrade,
    };
}

/** What a preview says while changes wait for the window although `up` reports success. */
export function deferredChangeWarning(what: string, changes: string, window: string, key: string): string {
    return `${what}: changes to ${changes} wait for the maintenance window ${window} UTC although \`up\` succeeds; set ${key}: true to apply them now (docs/runbooks/upgrade.md)`;
}

/**
 * The restored instance: the current one's subnets, security groups, parameters, encryption, class and
 * windows, from a snapshot or from the current instance at a point in time. Database name and master
 * user come from the source; its password is reset to the platform's, which the proxy's secrets hold.
 */
export function restoredInstanceArgs(
    current: aws.rds.InstanceArgs,
    restore: RestoreConfig,
    names: { identifier: string; source: pulumi.Input<string>; finalSnapshotIdentifier: pulumi.Input<string> },
): aws.rds.InstanceArgs {
    const source =
        restore.from === "snapshot"
            ? { snapshotIdentifier: restore.snapshotIdentifier }
            : {
                  restoreToPointInTime: {
                      sourceDbInstanceIdentifier: names.source,
                      ...(restore.restoreTime ? { restoreTime: restore.restoreTime } : { useLatestRestorableTime: true }),
                  },
              };
    return {
        ...current,
        identifier: `${names.identifier}-${restore.suffix}`,
        dbName: undefined,
        username: undefined,
        finalSnapshotIdentifier: names.finalSnapshotIdentifier,
        ...source,
    };
}
