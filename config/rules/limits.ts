import { DATA_KEYS, SECRET_LOOKING_ENV } from "../rules";
import type { Issue, Parsed, Rule } from "./types";
import { branchRules } from "./environment-guards";

/**
 * Limits the target APIs enforce on values built from several keys, and uniqueness that would
 * otherwise become duplicate resources (duplicate URNs in the engine, or two objects of one name).
 */

/** Namespaces Kubernetes or the cluster add-ons own: `kube-*` is reserved by Kubernetes, `default` always exists. */
export const RESERVED_NAMESPACES = /^(kube-.*|default|ingress-nginx|cert-manager|external-secrets)$/;

/**
 * Names the platform itself gives objects in the app namespace (namespace NetworkPolicies, in-cluster
 * Postgres and Redis); a service of the same name would collide with them.
 */
export const RESERVED_SERVICE_NAMES = [
    "default-deny-all",
    "allow-dns-egress",
    ...["postgres", "redis", "redis-sentinel"].flatMap((app) => [app, `${app}-ingress`, `${app}-credentials`]),
];

/**
 * AWS identifier rules (RDS DB instance and proxy identifiers, ElastiCache replication group ids):
 * a letter first, then letters, digits and hyphens, no "--", no hyphen at the end; RDS allows 63
 * characters, ElastiCache 40. EKS cluster names: 100 characters of [A-Za-z0-9_-], alphanumeric first.
 */
export const AWS_IDENTIFIER = /^[a-zA-Z](?!.*--)[a-zA-Z0-9-]*[a-zA-Z0-9]$/;
export const RDS_IDENTIFIER_MAX = 63;
export const ELASTICACHE_ID_MAX = 40;
export const EKS_CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/;

export const LIMIT_RULES: Rule[] = [
    { needs: ["cluster", "aws"], check: zoneIssues },
    { needs: ["cluster"], check: vpcIssues },
    { needs: ["environment", "cluster", "database", "redis"], check: identifierIssues },
    { needs: ["database"], check: rdsIssues },
    { needs: ["namespace"], check: namespaceIssues },
    { needs: ["services"], check: serviceNameIssues },
    { needs: ["services"], check: ingressIssues },
    { needs: ["services", "secrets"], check: envShadowIssues },
    { needs: ["cluster"], check: adminRoleIssues },
    { needs: ["github"], check: branchProtectionIssues },
];

function zoneIssues({ cluster, aws }: Parsed): Issue[] {
    if (cluster.mode !== "eks" || aws === undefined) return [];
    return cluster.vpc.availabilityZones.flatMap((zone, i) =>
        /^[a-z]$/.test(zone.slice(aws.region.length)) && zone.startsWith(aws.region)
            ? []
            : [
                  {
                      path: ["cluster", "vpc", "availabilityZones", i],
                      message: `expected a zone of aws.region "${aws.region}" (${aws.region}<letter>)`,
                      input: zone,
                  },
              ],
    );
}

/** EC2 accepts VPC blocks from /16 to /28. */
function vpcIssues({ cluster }: Parsed): Issue[] {
    if (cluster.mode !== "eks") return [];
    const prefix = Number(cluster.vpc.cidr.split("/")[1]);
    if (prefix >= 16 && prefix <= 28) return [];
    return [{ path: ["cluster", "vpc", "cidr"], message: "expected a VPC block from /16 to /28 (EC2's limits)", input: cluster.vpc.cidr }];
}

/** Physical names built from `<project>-<environment>` (see program.ts and components/data). */
function identifierIssues({ environment, cluster, database, redis }: Parsed): Issue[] {
    const base = `${environment.project}-${environment.name}`;
    const issues: Issue[] = [];
    const check = (name: string, max: number, what: string) => {
        if (name.length <= max && AWS_IDENTIFIER.test(name)) return;
        issues.push({
            path: ["environment"],
            message: `expected environment.project and environment.name to make a valid ${what} (at most ${max} characters, no "--")`,
            input: name,
        });
    };
    if (database.mode === "rds") check(`${base}-postgres`, RDS_IDENTIFIER_MAX, "RDS identifier");
    if (redis.mode === "elasticache") check(`${base}-redis`, ELASTICACHE_ID_MAX, "ElastiCache replication group id");
    if (cluster.mode === "eks" && cluster.name === undefined && !EKS_CLUSTER_NAME.test(base)) {
        issues.push({
            path: ["environment"],
            message:
                "expected environment.project and environment.name to make an EKS cluster name of at most 100 characters (or set cluster.name)",
            input: base,
        });
    }
    return issues;
}

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** A daily window `hh:mm-hh:mm` as [start, end) minutes of the day, end past 1440 when it wraps midnight. */
function dailyWindow(window: string): [number, number] | undefined {
    const [from = "", to = ""] = window.split("-");
    if (![from, to].every((t) => /^([01]\d|2[0-3]):[0-5]\d$/.test(t))) return undefined;
    const start = minutes(from);
    const end = minutes(to) <= start ? minutes(to) + 1440 : minutes(to);
    return [start, end];
}

function rdsIssues({ database }: Parsed): Issue[] {
    if (database.mode !== "rds") return [];
    const issues: Issue[] = [];
    const at = (...path: string[]) => ["database", ...path];
    const floor = Math.ceil((database.allocatedStorageGiB * 11) / 10);
    if (database.maxAllocatedStorageGiB !== undefined && database.maxAllocatedStorageGiB < floor) {
        issues.push({
            path: at("maxAllocatedStorageGiB"),
            message: `expected at least ${floor} (RDS needs the autoscaling ceiling 10% above allocatedStorageGiB)`,
            input: database.maxAllocatedStorageGiB,
        });
    }
    // RDS: database and master user names begin with a letter; the master user is letters and digits.
    if (!/^[a-z]/.test(database.databaseName)) {
        issues.push({ path: at("databaseName"), message: "expected a name that begins with a letter (RDS)", input: database.databaseName });
    }
    if (!/^[a-z][a-z0-9]*$/.test(database.username) || database.username === "rdsadmin") {
        issues.push({
            path: at("username"),
            message: 'expected a letter, then letters or digits, not "rdsadmin" (RDS master user name)',
            input: database.username,
        });
    }
    const backup = dailyWindow(database.backupWindow);
    const [maintenanceFrom = "", maintenanceTo = ""] = database.maintenanceWindow.split("-").map((t) => t.slice(4));
    const maintenance = dailyWindow(`${maintenanceFrom}-${maintenanceTo}`)!;
    const overlaps = (a: [number, number], b: [number, number]) =>
        [0, 1440, -1440].some((shift) => a[0] + shift < b[1] && b[0] < a[1] + shift);
    if (backup === undefined || backup[1] - backup[0] < 30) {
        issues.push({
            path: at("backupWindow"),
            message: "expected a UTC window hh:mm-hh:mm of at least 30 minutes",
            input: database.backupWindow,
        });
    } else if (overlaps(backup, maintenance)) {
        issues.push({
            path: at("backupWindow"),
            message: `expected a window outside the maintenance window ${database.maintenanceWindow}`,
            input: database.backupWindow,
        });
    }
    return issues;
}

function namespaceIssues({ namespace }: Parsed): Issue[] {
    if (!RESERVED_NAMESPACES.test(namespace.name)) return [];
    return [
        {
            path: ["namespace", "name"],
            message: "expected a namespace of the app's own (kube-*, default and the add-ons' namespaces are taken)",
            input: namespace.name,
        },
    ];
}

function serviceNameIssues({ services }: Parsed): Issue[] {
    return services.flatMap((service, i) =>
        RESERVED_SERVICE_NAMES.includes(service.name)
            ? [
                  {
                      path: ["services", i, "name"],
                      message: "expected a name the platform does not use in the namespace",
                      input: service.name,
                  },
              ]
            : [],
    );
}

/** The chart routes a host's path `/` to the service; two services on one host would claim the same route. */
function ingressIssues({ services }: Parsed): Issue[] {
    const owner = new Map<string, string>();
    return services.flatMap((service, i) => {
        const host = service.expose ? service.ingress?.host : undefined;
        if (host === undefined) return [];
        const taken = owner.get(host);
        owner.set(host, taken ?? service.name);
        return taken === undefined
            ? []
            : [
                  {
                      path: ["services", i, "ingress", "host"],
                      message: `expected a host+path no other service routes (${taken} has ${host}/)`,
                      input: host,
                  },
              ];
    });
}

/** A plain env var and a secret of the same name both reach the pod; which one wins depends on ordering. */
function envShadowIssues({ services, secrets }: Parsed): Issue[] {
    const secretNames = new Set([...Object.keys(secrets.provided), ...secrets.generated, ...DATA_KEYS]);
    return services.flatMap((service, i) =>
        Object.keys(service.env)
            // Secret-looking names are already refused in plain env (rules.ts).
            .filter((name) => secretNames.has(name) && !SECRET_LOOKING_ENV.test(name))
            .map((name) => ({
                path: ["services", i, "env", name],
                message: "expected a name that is not also a secret (secrets.provided, secrets.generated or the data layer)",
                input: name,
            })),
    );
}

/** Access entries are named after the role (the ARN's last segment), so two ARNs of one role name collide. */
function adminRoleIssues({ cluster }: Parsed): Issue[] {
    if (cluster.mode !== "eks") return [];
    const seen = new Set<string>();
    return cluster.adminRoleArns.flatMap((arn, i) => {
        const name = arn.split("/").pop()!;
        const duplicate = seen.has(name);
        seen.add(name);
        return duplicate ? [{ path: ["cluster", "adminRoleArns", i], message: "expected a role name not listed before", input: arn }] : [];
    });
}

function branchProtectionIssues({ github }: Parsed): Issue[] {
    const seen = new Set<string>();
    return branchRules(github).flatMap(({ rule, repository, i }) => {
        const key = `${repository}\0${rule.pattern}`;
        const duplicate = seen.has(key);
        seen.add(key);
        return duplicate
            ? [
                  {
                      path: ["github", "branchProtection", repository, i, "pattern"],
                      message: "expected a pattern no other rule protects",
                      input: rule.pattern,
                  },
              ]
            : [];
    });
}
