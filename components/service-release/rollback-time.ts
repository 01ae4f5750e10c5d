/**
 * How long a failed release stays up before Helm rolls it back, from what the Helm that
 * @pulumi/kubernetes 4.34.2 embeds (Helm v3, pkg/action/upgrade.go) does with `--timeout`:
 *
 * - the timeout is per operation, not per release: each pre-* hook Job is watched for up to the
 *   timeout, then the resources' wait (Deployment ready) gets the whole timeout again, then each post-*
 *   hook Job gets it again;
 * - a hook Job fails as soon as its own `activeDeadlineSeconds` passes (the Job controller counts it
 *   from the Job's start, scheduling and image pull included), so the timeout must only exceed every
 *   hook's deadline by the controller's reaction time, or Helm would cut a hook short;
 * - a crash-looping Deployment never becomes ready and Helm does not look at its progress deadline, so
 *   a failed rollout is noticed only when the resources' wait runs out: after the whole timeout;
 * - with `atomic`, Helm then rolls back with the same timeout and waits; the previous ReplicaSet's pods
 *   never stopped (maxUnavailable 0), so that wait ends as soon as the old manifests are applied.
 */

/** The Job controller marks a Job failed a few seconds after its deadline; Helm's watch sees it at once. */
export const HOOK_DEADLINE_SLACK_SECONDS = 15;
/** Applying the previous revision and seeing its (still running) pods ready, plus the provider's calls. */
export const ROLLBACK_APPLY_SECONDS = 30;

export interface HookTiming {
    enabled: boolean;
    activeDeadlineSeconds: number;
}

export interface ReleaseTiming {
    rolloutTimeoutSeconds: number;
    migrations: HookTiming;
    seeds: HookTiming;
}

/** Helm's `--timeout`: long enough for the rollout and for each hook to reach its own deadline, no longer. */
export function helmTimeoutSeconds(release: ReleaseTiming): number {
    const hooks = [release.migrations, release.seeds].filter((hook) => hook.enabled);
    return Math.max(release.rolloutTimeoutSeconds, ...hooks.map((hook) => hook.activeDeadlineSeconds + HOOK_DEADLINE_SLACK_SECONDS));
}

/** Seconds from the new pods' rollout to the end of the automatic rollback when they never become ready. */
export function failedRolloutRollbackSeconds(release: ReleaseTiming): number {
    return helmTimeoutSeconds(release) + ROLLBACK_APPLY_SECONDS;
}
