import { z } from "zod";
import { boolean, dnsLabel, section, text } from "./primitives";

/**
 * Day-two settings of the node group, the database and the cache: versions, when changes apply,
 * maintenance windows and restores (docs/runbooks/). Spread into the sections of config/schema.ts.
 */

/**
 * Seed 001 ("Deployment Windows"): production deploys Tuesday-Thursday 10:00-14:00 UTC, never on
 * weekends. AWS maintenance must not land in a deploy window (two changes at once) nor on a weekend
 * (nobody on hand): the defaults are Tuesday early morning, low traffic, before the team's window.
 */
export const DEPLOYMENT_WINDOWS = [
    { day: "tue", from: "10:00", to: "14:00" },
    { day: "wed", from: "10:00", to: "14:00" },
    { day: "thu", from: "10:00", to: "14:00" },
] as const;
export const DEFAULT_RDS_MAINTENANCE_WINDOW = "tue:04:30-tue:05:30";
export const DEFAULT_ELASTICACHE_MAINTENANCE_WINDOW = "tue:05:30-tue:06:30";
export const DEFAULT_ELASTICACHE_SNAPSHOT_WINDOW = "02:00-03:00";

const WEEKLY_WINDOW = /^(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d-(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d$/;
const weeklyWindow = () =>
    text({ pattern: WEEKLY_WINDOW, describe: "a UTC weekly window ddd:hh:mm-ddd:hh:mm such as tue:04:30-tue:05:30" });
const applyImmediately = (what: string) =>
    boolean()
        .default(false)
        .describe(
            `Apply ${what} changes during \`up\` instead of at the next maintenance window (a preview warns while false). Defaults to false.`,
        );

/** AL2023 EKS AMI release versions: `<kubernetes x.y.z>-<yyyymmdd>`, e.g. 1.33.5-20251120. */
export const AMI_RELEASE_VERSION = /^(\d+\.\d+)\.\d+-\d{8}$/;

export const nodeGroupVersionShape = {
    kubernetesVersion: text({ pattern: /^1\.\d{2}$/, describe: "a Kubernetes minor version such as 1.33" })
        .optional()
        .describe(
            "The nodes' Kubernetes version: upgrade it after the control plane (docs/runbooks/upgrade.md). Defaults to the cluster's.",
        ),
    amiReleaseVersion: text({ pattern: AMI_RELEASE_VERSION, describe: "an EKS AMI release version such as 1.33.5-20251120" })
        .optional()
        .describe("Pinned AMI release of the nodes (patching: docs/runbooks/node-rotation.md). Defaults to the latest at creation."),
};

const restoreCommon = {
    suffix: dnsLabel().describe("The restored instance is `<project>-<environment>-postgres-<suffix>`, beside the current one."),
    serve: boolean()
        .default(false)
        .describe("Second step: point the proxy target and DATABASE_URL at the restored instance. Defaults to false."),
};
export const restoreSchema = z.discriminatedUnion(
    "from",
    [
        section({
            from: z.literal("snapshot"),
            snapshotIdentifier: text({ pattern: /^[a-zA-Z][a-zA-Z0-9:-]*$/, describe: "an RDS snapshot identifier or ARN" }),
            ...restoreCommon,
        }),
        section({
            from: z.literal("point-in-time"),
            restoreTime: text({ pattern: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/, describe: "a UTC time yyyy-mm-ddThh:mm:ssZ" })
                .optional()
                .describe("Defaults to the latest restorable time."),
            ...restoreCommon,
        }),
    ],
    { error: () => 'expected from to be one of "snapshot", "point-in-time"' },
);

export const rdsOperationsShape = {
    applyImmediately: applyImmediately("instance class, storage and engine"),
    maintenanceWindow: weeklyWindow()
        .default(DEFAULT_RDS_MAINTENANCE_WINDOW)
        .describe(`Outside seed 001's deployment windows and the backup window. Defaults to ${DEFAULT_RDS_MAINTENANCE_WINDOW}.`),
    autoMinorVersionUpgrade: boolean()
        .default(true)
        .describe("AWS applies minor versions in the maintenance window; engineVersion must then name a major only. Defaults to true."),
    allowMajorVersionUpgrade: boolean()
        .default(false)
        .describe("Allow a change of engineVersion's major (docs/runbooks/upgrade.md). Defaults to false."),
    restore: restoreSchema
        .optional()
        .describe("Restore from a snapshot or a point in time into a new instance (docs/runbooks/restore.md)."),
};

export const elasticacheOperationsShape = {
    applyImmediately: applyImmediately("node type and engine"),
    maintenanceWindow: weeklyWindow()
        .default(DEFAULT_ELASTICACHE_MAINTENANCE_WINDOW)
        .describe(`Defaults to ${DEFAULT_ELASTICACHE_MAINTENANCE_WINDOW}.`),
    snapshotWindow: text({ pattern: /^\d{2}:\d{2}-\d{2}:\d{2}$/, describe: "a UTC window hh:mm-hh:mm" })
        .default(DEFAULT_ELASTICACHE_SNAPSHOT_WINDOW)
        .describe(`Daily snapshot window. Defaults to ${DEFAULT_ELASTICACHE_SNAPSHOT_WINDOW}.`),
    autoMinorVersionUpgrade: boolean().default(true).describe("Defaults to true."),
};

const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const WEEK = 7 * 1440;

/** A weekly window as [start, end) minutes of the week (Monday 00:00 = 0), end past WEEK when it wraps. */
export function weeklyMinutes(window: string): [number, number] {
    const at = (part: string) => {
        const [day = "", hh = "", mm = ""] = part.split(":");
        return DAYS.indexOf(day) * 1440 + Number(hh) * 60 + Number(mm);
    };
    const [from = "", to = ""] = [window.slice(0, 9), window.slice(10)];
    const start = at(from);
    const end = at(to) <= start ? at(to) + WEEK : at(to);
    return [start, end];
}

/** Whether two weekly windows share a minute. */
export function weeklyOverlap(a: [number, number], b: [number, number]): boolean {
    return [0, WEEK, -WEEK].some((shift) => a[0] + shift < b[1] && b[0] < a[1] + shift);
}

/** Seed 001's deployment windows as weekly windows. */
export function deploymentWindows(): [number, number][] {
    return DEPLOYMENT_WINDOWS.map((w) => weeklyMinutes(`${w.day}:${w.from}-${w.day}:${w.to}`));
}

export const isWeekend = (window: [number, number]) => window[0] % WEEK >= 5 * 1440 || window[1] > WEEK;

export type RestoreConfig = z.output<typeof restoreSchema>;
