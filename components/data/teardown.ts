import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";

/**
 * What a deliberate `pulumi destroy` leaves behind (docs/runbooks/teardown.md): a final snapshot of
 * every database and cache under a name no earlier teardown used, the KMS keys those snapshots need,
 * and no secret name held in Secrets Manager's recovery window where the stack is meant to be re-created.
 */

/**
 * Keys that encrypt data and its snapshots: protected where state is (`protect`), and never deleted
 * with the stack, so final snapshots and backups stay readable after a teardown.
 */
export function stateKeyOptions(protect: boolean): Pick<pulumi.CustomResourceOptions, "protect" | "retainOnDelete"> {
    return { protect, retainOnDelete: true };
}

/**
 * A suffix fixed for the life of the stack (state keeps it) and new after a re-creation, so a second
 * teardown's final snapshot does not collide with the first one's.
 */
export function finalSnapshotSuffix(name: string, parent: pulumi.Resource): pulumi.Output<string> {
    return new random.RandomId(`${name}-final-snapshot-id`, { byteLength: 4 }, { parent }).hex;
}

export function finalSnapshotName(identifier: string, suffix: pulumi.Input<string>): pulumi.Output<string> {
    return pulumi.interpolate`${identifier}-final-${suffix}`;
}

/**
 * Fixed secret names stay taken for the recovery window after a delete: unprotected stacks (dev) delete
 * them at once so the stack can be re-created the same day; protected stacks keep 7 days to undo.
 */
export function secretRecoveryWindowDays(protect: boolean): number {
    return protect ? 7 : 0;
}
