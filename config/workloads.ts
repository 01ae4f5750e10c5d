import { z } from "zod";
import { tierOf } from "./environments";
import { integer, list, oneOf, secretString, section, text } from "./primitives";

/**
 * What every pod the program renders must have on its first day: pull credentials for its registry,
 * bounded local storage, a high UID/GID, spread across zones and nodes, and a graceful shutdown that
 * outlasts the load balancer's deregistration. Defaults live here; the chart and the data layer read them.
 */

/** The ALB target group's deregistration delay (components/gateway/entry-point.ts sets it; preStop outlasts it). */
export const ALB_DEREGISTRATION_DELAY_SECONDS = 30;

/** UIDs/GIDs at or below this may collide with a node's own users (kube-score's container-security-context-user-group-id). */
export const MAX_HOST_ID = 10000;

const ephemeralQuantity = () => text({ pattern: /^\d+(Ki|Mi|Gi)$/, describe: "a storage quantity such as 256Mi or 1Gi" });
const highId = () => integer({ min: MAX_HOST_ID + 1, max: 2147483647 });

export const POD_PROFILE_DEFAULTS = {
    runAsUser: 10001,
    runAsGroup: 10001,
    ephemeralStorage: { request: "128Mi", limit: "1Gi" },
    tmpSizeLimit: "512Mi",
    preStopSeconds: ALB_DEREGISTRATION_DELAY_SECONDS + 5,
    terminationGracePeriodSeconds: ALB_DEREGISTRATION_DELAY_SECONDS + 30,
} as const;

/** A service's pod profile (`services[].pod`): identity, local storage and shutdown. */
export const podProfileSchema = section({
    runAsUser: highId()
        .default(POD_PROFILE_DEFAULTS.runAsUser)
        .describe(`UID of every container (above ${MAX_HOST_ID}, clear of host users). Defaults to ${POD_PROFILE_DEFAULTS.runAsUser}.`),
    runAsGroup: highId()
        .default(POD_PROFILE_DEFAULTS.runAsGroup)
        .describe(`GID and fsGroup (above ${MAX_HOST_ID}). Defaults to ${POD_PROFILE_DEFAULTS.runAsGroup}.`),
    ephemeralStorage: section({ request: ephemeralQuantity(), limit: ephemeralQuantity() })
        .default(POD_PROFILE_DEFAULTS.ephemeralStorage)
        .describe("ephemeral-storage of every container (app and hooks): logs, writable layers, /tmp. Defaults to 128Mi / 1Gi."),
    tmpSizeLimit: ephemeralQuantity()
        .default(POD_PROFILE_DEFAULTS.tmpSizeLimit)
        .describe("sizeLimit of the /tmp emptyDir (at most the ephemeral-storage limit). Defaults to 512Mi."),
    preStopSeconds: integer({ min: 0, max: 600 })
        .default(POD_PROFILE_DEFAULTS.preStopSeconds)
        .describe(
            `The pod keeps serving this long after it is told to stop, so the load balancer deregisters it first (its delay is ${ALB_DEREGISTRATION_DELAY_SECONDS} s). Defaults to ${POD_PROFILE_DEFAULTS.preStopSeconds}.`,
        ),
    terminationGracePeriodSeconds: integer({ min: 1, max: 3600 })
        .default(POD_PROFILE_DEFAULTS.terminationGracePeriodSeconds)
        .describe(
            `Above preStopSeconds: the app gets the rest to finish in-flight requests after SIGTERM. Defaults to ${POD_PROFILE_DEFAULTS.terminationGracePeriodSeconds}.`,
        ),
}).prefault({});

export const SPREAD_POLICIES = ["DoNotSchedule", "ScheduleAnyway"] as const;
/** The topology keys replicas spread over, each with its own constraint. */
export const SPREAD_TOPOLOGY_KEYS = ["topology.kubernetes.io/zone", "kubernetes.io/hostname"] as const;

/** Per environment: how the scheduler treats a spread it cannot meet (`workloads.spread`). */
export const workloadsSchema = section({
    spread: oneOf(SPREAD_POLICIES)
        .default("ScheduleAnyway")
        .describe(
            "whenUnsatisfiable of the zone and node spread of every service with more than one replica: `DoNotSchedule` keeps replicas apart even if a pod waits for a node. Defaults to ScheduleAnyway.",
        ),
}).prefault({});

export const REGISTRY_AUTH = ["token", "node-role", "public"] as const;

/** A private image registry: GHCR with a read-only token, ECR through the node role. */
export const registrySchema = section({
    server: text({ pattern: /^[a-z0-9.-]+(:\d+)?$/, describe: "a registry host such as ghcr.io" }),
    auth: oneOf(REGISTRY_AUTH).describe(
        "`token`: a read-only token kept in Secrets Manager (or a Kubernetes Secret without AWS) and written as a dockerconfigjson pull secret; `node-role`: ECR, pulled with the nodes' IAM role; `public`: no credentials.",
    ),
    username: text({ pattern: /^[A-Za-z0-9][A-Za-z0-9_.-]*$/, describe: "a registry user name" })
        .optional()
        .describe("The token's user (GHCR accepts any non-empty name). Defaults to `token`."),
    token: secretString("a registry token with read access only")
        .optional()
        .describe("Required when auth is `token`: a read-only token (GHCR: a PAT with read:packages only)."),
});

export const registriesSchema = list(registrySchema, { what: "image registries" })
    .default([])
    .describe("Registries the services' images come from; a registry that needs credentials must be listed. Defaults to none.");

export type RegistryConfig = z.output<typeof registrySchema>;

/** ECR hosts: `<account>.dkr.ecr.<region>.amazonaws.com`; the nodes' role pulls from them. */
export const ECR_HOST = /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com$/;

/** The registry host of an image repository (`ghcr.io/org/name` -> `ghcr.io`; Docker Hub short names -> `docker.io`). */
export function registryHost(repository: string): string {
    const first = repository.split("/")[0]!;
    return repository.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost") ? first : "docker.io";
}

/** The pull Secret of one registry in the app namespace. */
export const pullSecretName = (server: string) => `registry-${server.replace(/[^a-z0-9]+/g, "-")}`;

/** Staging and production run images by digest (`repository@sha256:...`): a promotion there must carry one. */
export const requiresImageDigest = (environmentName: string) => ["staging", "production"].includes(tierOf(environmentName));
