import { z } from "zod";
import { boolean, integer, list, oneOf, section, text } from "./primitives";

/**
 * How a service's new version takes traffic (seeds 000, 003, 004). `rolling` is the chart's
 * Deployment; `blueGreen` and `canary` are an Argo Rollouts `Rollout` that references that
 * Deployment (`workloadRef`), so the pod spec stays in one template.
 */
export const STRATEGY_TYPES = ["rolling", "blueGreen", "canary"] as const;

/** Chart of the Argo Rollouts controller, installed when a service uses blueGreen or canary (docs/progressive-delivery.md). */
export const ARGO_ROLLOUTS_CHART_VERSION = "2.41.1";
/** The controller (and CRD) version that chart ships. */
export const ARGO_ROLLOUTS_APP_VERSION = "v1.9.1";

const duration = () => text({ pattern: /^\d+[smh]$/, describe: "a duration such as 30s, 5m or 1h" });

/** The analysis that gates promotion: the service's HTTP error ratio and p95 latency from Prometheus. */
export const analysisSchema = section({
    prometheusAddress: text({ pattern: /^https?:\/\/[^\s]+$/, describe: "an http(s) URL of the Prometheus API" })
        .optional()
        .describe("Prometheus the analysis queries. Without it no analysis runs (promotion is on health alone)."),
    maxErrorRatePercent: integer({ min: 0, max: 100 })
        .default(1)
        .describe("Fail when more than this share of requests answer 5xx (seed 004: < 1%). Defaults to 1."),
    maxLatencyP95Ms: integer({ min: 1 })
        .default(500)
        .describe("Fail when the 95th percentile latency exceeds this (seed 004: p95 < 500ms). Defaults to 500."),
    interval: duration().default("1m").describe("Time between measurements. Defaults to 1m."),
    count: integer({ min: 1, max: 60 }).default(5).describe("Measurements per analysis (seed 003: 5 minutes). Defaults to 5."),
    failureLimit: integer({ min: 0, max: 10 })
        .default(0)
        .describe("Failed measurements tolerated before the analysis fails. Defaults to 0."),
}).prefault({});

const canaryStep = z.union(
    [
        section({ setWeight: integer({ min: 1, max: 100 }) }),
        section({ pause: section({ duration: duration().optional() }) }),
        section({ analysis: boolean() }),
    ],
    { error: () => "expected a step { setWeight: 1-100 }, { pause: { duration? } } or { analysis: true }" },
);

export const rollingStrategySchema = section({ type: z.literal("rolling") });

export const blueGreenStrategySchema = section({
    type: z.literal("blueGreen"),
    autoPromotion: boolean()
        .default(true)
        .describe("Promote once the preview passes its analysis; false waits for `kubectl argo rollouts promote`. Defaults to true."),
    scaleDownDelaySeconds: integer({ min: 0, max: 86400 })
        .default(1800)
        .describe(
            "How long the old (blue) pods stay after the switch, for an instant switch back (seed 004: 30 minutes). Defaults to 1800.",
        ),
    analysis: analysisSchema,
});

export const canaryStrategySchema = section({
    type: z.literal("canary"),
    steps: list(canaryStep, { min: 1, what: "canary steps" })
        .default([{ setWeight: 10 }, { pause: { duration: "5m" } }, { setWeight: 50 }, { pause: { duration: "5m" } }])
        .describe("Argo Rollouts canary steps (seed 000: 10%, 5m, 50%, 5m, then 100%). Defaults to the seed's."),
    analysis: analysisSchema,
});

export const strategySchema = z
    .discriminatedUnion("type", [rollingStrategySchema, blueGreenStrategySchema, canaryStrategySchema], {
        error: () => `expected type to be one of ${STRATEGY_TYPES.map((t) => JSON.stringify(t)).join(", ")}`,
    })
    .default({ type: "rolling" })
    .describe("How a new version takes traffic: rolling (Deployment), blueGreen or canary (Argo Rollouts). Defaults to rolling.");

export type Strategy = z.output<typeof strategySchema>;
export type ProgressiveStrategy = Exclude<Strategy, { type: "rolling" }>;
export const isProgressive = (strategy: Strategy): strategy is ProgressiveStrategy => strategy.type !== "rolling";

/** The log levels a Node.js service reads from LOG_LEVEL (pino/winston names; seed 004 per environment). */
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace"] as const;
export const logLevelSchema = oneOf(LOG_LEVELS)
    .optional()
    .describe("The app's LOG_LEVEL (seed 004: debug in dev, info in staging, warn in prod). Defaults to the env map's, or unset.");

/** The post-deploy smoke check: GETs through the Service, as a Helm test the deploy workflow runs. */
export const smokeSchema = section({
    paths: list(text({ pattern: /^\//, describe: "an HTTP path starting with /" }), { what: "HTTP paths", unique: true })
        .optional()
        .describe("Paths that must answer 2xx through the Service after a deploy. Defaults to the readiness and liveness paths."),
    timeoutSeconds: integer({ min: 1, max: 300 }).default(10).describe("Per request. Defaults to 10."),
}).prefault({});
