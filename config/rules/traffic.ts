import {
    failedRolloutRollbackSeconds,
    HOOK_DEADLINE_SLACK_SECONDS,
    helmTimeoutSeconds,
} from "../../components/service-release/rollback-time";
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

export const TRAFFIC_RULES: Rule[] = [
    { needs: ["cluster", "services", "entryPoint"], check: hostedZoneIssues },
    { needs: ["environment", "services"], check: rollbackIssues },
];
