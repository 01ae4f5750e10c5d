import { AWS_IDENTIFIER, RDS_IDENTIFIER_MAX } from "./limits";
import { AMI_RELEASE_VERSION, deploymentWindows, weeklyMinutes, weeklyOverlap } from "../operations";
import type { Issue, Parsed, Rule } from "./types";

/**
 * Day-two rules (docs/runbooks/): node versions that follow the control plane, maintenance windows
 * outside seed 001's deployment windows, version pins that cannot fight automatic upgrades, restores.
 */

/** EKS supports nodes up to three minor versions older than the control plane, never newer. */
export const MAX_NODE_VERSION_SKEW = 3;

const minor = (version: string) => Number(version.split(".")[1]);

function nodeVersionIssues({ cluster }: Parsed): Issue[] {
    if (cluster.mode !== "eks") return [];
    const issues: Issue[] = [];
    const nodes = cluster.nodeGroup.kubernetesVersion ?? cluster.kubernetesVersion;
    const skew = minor(cluster.kubernetesVersion) - minor(nodes);
    if (skew < 0 || skew > MAX_NODE_VERSION_SKEW) {
        issues.push({
            path: ["cluster", "nodeGroup", "kubernetesVersion"],
            message: `expected the control plane's version ${cluster.kubernetesVersion} or up to ${MAX_NODE_VERSION_SKEW} minors older (upgrade the control plane first)`,
            input: nodes,
        });
    }
    const ami = cluster.nodeGroup.amiReleaseVersion;
    if (ami !== undefined && AMI_RELEASE_VERSION.exec(ami)?.[1] !== nodes) {
        issues.push({
            path: ["cluster", "nodeGroup", "amiReleaseVersion"],
            message: `expected an AMI release of the nodes' Kubernetes version ${nodes} (${nodes}.<patch>-<yyyymmdd>)`,
            input: ami,
        });
    }
    return issues;
}

function windowIssues(path: (string | number)[], window: string, minMinutes: number): Issue[] {
    const span = weeklyMinutes(window);
    if (span[1] - span[0] < minMinutes) {
        return [{ path, message: `expected a window of at least ${minMinutes} minutes`, input: window }];
    }
    if (deploymentWindows().some((deploy) => weeklyOverlap(span, deploy))) {
        return [{ path, message: "expected a window outside seed 001's deployment windows (Tue-Thu 10:00-14:00 UTC)", input: window }];
    }
    return [];
}

function databaseIssues({ environment, database }: Parsed): Issue[] {
    if (database.mode !== "rds") return [];
    const issues = windowIssues(["database", "maintenanceWindow"], database.maintenanceWindow, 30);
    if (database.autoMinorVersionUpgrade && database.engineVersion.includes(".")) {
        issues.push({
            path: ["database", "engineVersion"],
            message:
                "expected a major version only (e.g. 16) while autoMinorVersionUpgrade is true: AWS upgrades the minor and a pinned minor would ask for a downgrade (or set autoMinorVersionUpgrade: false)",
            input: database.engineVersion,
        });
    }
    const restore = database.restore;
    if (restore !== undefined) {
        const identifier = `${environment.project}-${environment.name}-postgres-${restore.suffix}`;
        if (identifier.length > RDS_IDENTIFIER_MAX || !AWS_IDENTIFIER.test(identifier)) {
            issues.push({
                path: ["database", "restore", "suffix"],
                message: `expected a suffix that makes a valid RDS identifier of at most ${RDS_IDENTIFIER_MAX} characters`,
                input: restore.suffix,
            });
        }
    }
    return issues;
}

function cacheIssues({ redis }: Parsed): Issue[] {
    if (redis.mode !== "elasticache") return [];
    const issues = windowIssues(["redis", "maintenanceWindow"], redis.maintenanceWindow, 60);
    const [from = "", to = ""] = redis.snapshotWindow.split("-");
    const day = redis.maintenanceWindow.slice(0, 3);
    // ElastiCache refuses a daily snapshot window that overlaps the maintenance window on its day.
    if (weeklyOverlap(weeklyMinutes(`${day}:${from}-${day}:${to}`), weeklyMinutes(redis.maintenanceWindow))) {
        issues.push({
            path: ["redis", "snapshotWindow"],
            message: `expected a window outside the maintenance window ${redis.maintenanceWindow}`,
            input: redis.snapshotWindow,
        });
    }
    return issues;
}

export const OPERATIONS_RULES: Rule[] = [
    { needs: ["cluster"], check: nodeVersionIssues },
    { needs: ["environment", "database"], check: databaseIssues },
    { needs: ["redis"], check: cacheIssues },
];
