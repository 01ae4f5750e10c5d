import type { Issue, Parsed, Rule } from "../rules";

type Service = Parsed["services"][number];
const HOOKS = ["migrations", "seeds"] as const;

/**
 * Argo Rollouts starts moving traffic as soon as Helm applies the Rollout, before Helm runs post-*
 * hooks; only pre-* hooks are sure to finish before the new version takes traffic.
 */
function hookOrderIssues(service: Service, i: number): Issue[] {
    if (service.strategy.type === "rolling") return [];
    return HOOKS.filter((hook) => service[hook].enabled)
        .filter((hook) => service[hook].when.some((event) => event.startsWith("post-")))
        .map((hook) => ({
            path: ["services", i, hook, "when"],
            message: `expected only pre-install/pre-upgrade under strategy ${service.strategy.type}: Argo Rollouts shifts traffic before Helm runs post-* hooks`,
            input: service[hook].when,
        }));
}

function strategyIssues(service: Service, i: number): Issue[] {
    const { strategy } = service;
    if (strategy.type === "rolling") return [];
    const issues: Issue[] = [];
    if (!service.expose) {
        issues.push({
            path: ["services", i, "strategy", "type"],
            message: `expected expose: true: ${strategy.type} switches the Service's traffic, and a worker has none`,
            input: strategy.type,
        });
    }
    if (strategy.type === "canary") {
        strategy.steps.forEach((step, s) => {
            if ("analysis" in step && strategy.analysis.prometheusAddress === undefined) {
                issues.push({
                    path: ["services", i, "strategy", "steps", s],
                    message: "expected strategy.analysis.prometheusAddress: an analysis step queries Prometheus",
                    input: step,
                });
            }
        });
    }
    return issues;
}

function logLevelIssues(service: Service, i: number): Issue[] {
    if (service.logLevel === undefined || service.env["LOG_LEVEL"] === undefined) return [];
    return [
        {
            path: ["services", i, "env", "LOG_LEVEL"],
            message: "expected LOG_LEVEL in logLevel only, not also in env",
            input: service.env["LOG_LEVEL"],
        },
    ];
}

export const PROGRESSIVE_DELIVERY_RULES: Rule[] = [
    {
        needs: ["services"],
        check: ({ services }) => services.flatMap((s, i) => [...hookOrderIssues(s, i), ...strategyIssues(s, i), ...logLevelIssues(s, i)]),
    },
];
