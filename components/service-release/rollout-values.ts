import { isProgressive, ProgressiveStrategy } from "../../config/delivery-strategy";
import { QUERIES } from "../monitoring/metrics";
import type { ServiceConfig } from "./values";

/** Argument names of the chart's AnalysisTemplate; Argo Rollouts fills `{{args.<name>}}` per run. */
export const ANALYSIS_ARGS = { namespace: "namespace", service: "service" } as const;
const arg = (name: keyof typeof ANALYSIS_ARGS) => `{{args.${ANALYSIS_ARGS[name]}}}`;

/** The AnalysisTemplate's metrics: 5xx ratio and p95 latency of one Service's pods, from the app's own series. */
export function analysisMetrics(strategy: ProgressiveStrategy) {
    const a = strategy.analysis;
    const common = { interval: a.interval, count: a.count, failureLimit: a.failureLimit, address: a.prometheusAddress ?? "" };
    // No traffic yet (NaN, empty) is not a failure; anything else above the bound is.
    return [
        {
            ...common,
            name: "error-rate",
            query: QUERIES.statusRatio(arg("namespace"), arg("service"), "5.."),
            successCondition: `len(result) == 0 || isNaN(result[0]) || result[0] <= ${a.maxErrorRatePercent / 100}`,
        },
        {
            ...common,
            name: "latency-p95",
            query: QUERIES.latencyQuantile(arg("namespace"), arg("service"), 0.95),
            successCondition: `len(result) == 0 || isNaN(result[0]) || result[0] <= ${a.maxLatencyP95Ms / 1000}`,
        },
    ];
}

/** The chart's `rollout` values: off for rolling; otherwise the Rollout that takes over the Deployment's pods. */
export function rolloutValues(service: ServiceConfig) {
    const strategy = service.strategy;
    if (!isProgressive(strategy)) return { enabled: false as const };
    const analysis = strategy.analysis.prometheusAddress !== undefined;
    const base = {
        enabled: true as const,
        progressDeadlineSeconds: service.rolloutTimeoutSeconds,
        analysis: { enabled: analysis, metrics: analysis ? analysisMetrics(strategy) : [] },
    };
    if (strategy.type === "blueGreen") {
        return {
            ...base,
            type: "blueGreen" as const,
            blueGreen: { autoPromotion: strategy.autoPromotion, scaleDownDelaySeconds: strategy.scaleDownDelaySeconds },
        };
    }
    return { ...base, type: "canary" as const, canary: { steps: strategy.steps } };
}
