import {
    failedRolloutRollbackSeconds,
    HOOK_DEADLINE_SLACK_SECONDS,
    helmTimeoutSeconds,
} from "../../components/service-release/rollback-time";
import { CLUSTER_AUTOSCALER_IMAGES } from "../cluster-autoscaler-versions";
import { RDS_INSTANCE_MEMORY_GIB } from "../rds-instance-classes";
import type { Issue, Parsed, Rule } from "../rules";

/** Hosts need the stack's zone on EKS: records and certificate validation are written there. */
function hostedZoneIssues({ cluster, services, entryPoint }: Parsed): Issue[] {
    const hosts = services.flatMap((service, i) => (service.ingress ? [{ host: service.ingress.host, i }] : []));
    if (cluster.mode !== "eks" || hosts.length === 0) return [];
    const zone = entryPoint.hostedZone;
    if (zone === undefined) {
        return [
            {
                path: ["entryPoint", "hostedZone"],
                message: `expected the Route 53 zone of ${hosts[0]!.host} (id and name) when a service has a host on EKS`,
            },
        ];
    }
    return hosts
        .filter(({ host }) => host !== zone.name && !host.endsWith(`.${zone.name}`))
        .map(({ host, i }) => ({
            path: ["services", i, "ingress", "host"],
            message: `expected a name in the hosted zone ${zone.name} (entryPoint.hostedZone.name)`,
            input: host,
        }));
}

/** A failed rollout must be rolled back within `environment.rollbackWithinSeconds`, hooks keeping their deadlines. */
function rollbackIssues({ environment, services }: Parsed): Issue[] {
    const bound = environment.rollbackWithinSeconds;
    if (bound === undefined) return [];
    return services.flatMap((service, i) => {
        const seconds = failedRolloutRollbackSeconds(service);
        if (seconds <= bound) return [];
        const timeout = helmTimeoutSeconds(service);
        const longest = (["migrations", "seeds"] as const).find(
            (hook) => service[hook].enabled && service[hook].activeDeadlineSeconds + HOOK_DEADLINE_SLACK_SECONDS >= timeout,
        );
        const path = longest ? ["services", i, longest, "activeDeadlineSeconds"] : ["services", i, "rolloutTimeoutSeconds"];
        return [
            {
                path,
                message: `expected a failed rollout to be rolled back within ${bound} s (environment.rollbackWithinSeconds); Helm's per-operation timeout would be ${timeout} s, so rollback ends after ${seconds} s`,
                input: longest ? service[longest].activeDeadlineSeconds : service.rolloutTimeoutSeconds,
            },
        ];
    });
}

/** Values the platform derives settings from must be in its dated tables. */
function dataTableIssues({ cluster, database }: Parsed): Issue[] {
    const issues: Issue[] = [];
    if (database.mode === "rds" && RDS_INSTANCE_MEMORY_GIB[database.instanceClass] === undefined) {
        issues.push({
            path: ["database", "instanceClass"],
            message: `expected an instance class with a known memory size, for the connections alarm (${Object.keys(RDS_INSTANCE_MEMORY_GIB).join(", ")})`,
            input: database.instanceClass,
        });
    }
    if (cluster.mode === "eks" && CLUSTER_AUTOSCALER_IMAGES[cluster.kubernetesVersion] === undefined) {
        issues.push({
            path: ["cluster", "kubernetesVersion"],
            message: `expected a version with a cluster-autoscaler release (${Object.keys(CLUSTER_AUTOSCALER_IMAGES).join(", ")}; config/cluster-autoscaler-versions.ts)`,
            input: cluster.kubernetesVersion,
        });
    }
    return issues;
}

export const TRAFFIC_RULES: Rule[] = [
    { needs: ["cluster", "database"], check: dataTableIssues },
    { needs: ["cluster", "services", "entryPoint"], check: hostedZoneIssues },
    { needs: ["environment", "services"], check: rollbackIssues },
];
