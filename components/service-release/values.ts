import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../../config/load";
import { DATA_CLIENT_LABEL } from "../kubernetes/pod-security";
import type { GatewayRef } from "../gateway/contract";
import { serviceAccountName } from "./identity";
import { helmTimeoutSeconds } from "./rollback-time";
import { SPREAD_TOPOLOGY_KEYS } from "../../config/workloads";
import { rolloutValues } from "./rollout-values";
import { DATABASE_CA, DatabaseClientTls } from "../data/database-tls";

export type ServiceConfig = StackConfig["services"][number];
type Hook = ServiceConfig["migrations"];

/**
 * Helm's timeout for one release. Helm applies it to each operation (the resources' wait, each hook
 * Job), not to the release, so it is the longest of the rollout and each hook's own deadline
 * (rollback-time.ts); a failed rollout is rolled back (`atomic`) once it runs out.
 *
 * With the default post-* hooks Helm waits for Ready pods before it migrates, so the readiness probe
 * must not need the new schema (the runbook's /healthz does not); breaking schema changes use pre-*
 * hooks at weight -10, which run before the pods roll and need only the app's Secret, created first.
 */
export function releaseTimeoutSeconds(service: ServiceConfig): number {
    return helmTimeoutSeconds(service);
}

function hookValues(hook: Hook) {
    const { retry, ...rest } = hook;
    return { ...rest, retry: { exponential: retry } };
}

export interface JwksFiles {
    directory: string;
    /** kid -> public PEM of every published key (tokens ConfigMap). */
    publicKeys: pulumi.Input<Record<string, string>>;
    /** The Secret holding `<signingKid>.private.pem`; empty for a service that does not sign. */
    privateKeySecret: string;
    signingKid: string;
}

export interface ValuesContext {
    /** The app's Secret (`<service>-secrets`), created before the release. */
    secretName: string;
    /** Changes when a secret changes, so pods roll. */
    secretsChecksum: pulumi.Input<string>;
    /** The public JWKS document (tokens ConfigMap). */
    jwks: pulumi.Input<string>;
    /** The JWKS key files, laid out as tools/gen-jwks.mjs does: `<directory>/jwks.json`, `<kid>/public.pem`, `<kid>/private.pem`. */
    jwksFiles: JwksFiles;
    /** ClusterIssuer for the legacy Ingress certificate. */
    clusterIssuer: string;
    /** How traffic reaches the service (program.ts computes it per cluster mode). */
    entry: EntryContext;
    /** The dockerconfigjson Secrets of the stack's registries (components/registry/pull-secrets.ts). */
    imagePullSecrets: string[];
    /** whenUnsatisfiable of the zone and node spread (`workloads.spread`). */
    spread: "DoNotSchedule" | "ScheduleAnyway";
    /** How the data layer's clients verify the database (Postgres.clientTls). Defaults to no CA bundle. */
    databaseTls?: DatabaseClientTls;
}

/** The CA bundle DATABASE_URL's sslrootcert names, mounted by the pods of a service that reads DATABASE_URL. */
export function databaseCaValues(service: Pick<ServiceConfig, "secrets">, tls: DatabaseClientTls | undefined) {
    const reads = service.secrets.includes("DATABASE_URL");
    return {
        configMap: tls?.mode === "verify-full" && reads ? tls.configMap : "",
        key: DATABASE_CA.key,
        volumeName: DATABASE_CA.volumeName,
        mountPath: DATABASE_CA.mountPath,
    };
}

/** Replicas can be more than one: now, or once the autoscaler adds some. */
export const mayRunReplicas = (service: ServiceConfig) => service.replicas > 1 || (service.autoscaling?.maxReplicas ?? 1) > 1;

/** The pod profile's part of the chart's values: identity, bounded storage, shutdown and spread. */
export function podValues(service: ServiceConfig, context: Pick<ValuesContext, "imagePullSecrets" | "spread">) {
    const { pod } = service;
    return {
        imagePullSecrets: context.imagePullSecrets.map((name) => ({ name })),
        podSecurity: { runAsUser: pod.runAsUser, runAsGroup: pod.runAsGroup },
        resources: {
            requests: { ...service.resources.requests, "ephemeral-storage": pod.ephemeralStorage.request },
            limits: { ...service.resources.limits, "ephemeral-storage": pod.ephemeralStorage.limit },
        },
        tmpSizeLimit: pod.tmpSizeLimit,
        shutdown: { preStopSeconds: pod.preStopSeconds, terminationGracePeriodSeconds: pod.terminationGracePeriodSeconds },
        topologySpread: { enabled: mayRunReplicas(service), whenUnsatisfiable: context.spread, topologyKeys: [...SPREAD_TOPOLOGY_KEYS] },
    };
}

export interface EntryContext {
    /** The Gateway and listener the service's HTTPRoute attaches to. */
    gateway: GatewayRef & { sectionName: string };
    /** Who may open the app's port: the ALB's subnets on EKS, the Gateway's proxy pods elsewhere. */
    sources: Record<string, unknown>[];
    /** The AWS Load Balancer Controller reads a TargetGroupConfiguration (health check path) per Service. */
    targetGroupConfiguration: boolean;
    /** Also render the old Ingress for ingress-nginx, during a migration only. */
    legacyIngressNginx: boolean;
}

/** The chart's values for one service in one environment (charts/api-service/values.yaml). */
export function chartValues(service: ServiceConfig, context: ValuesContext) {
    const autoscaling = service.autoscaling;
    return {
        image: {
            repository: service.image.repository,
            tag: service.image.tag,
            digest: service.image.digest ?? "",
            pullPolicy: "IfNotPresent",
        },
        replicaCount: service.replicas,
        serviceAccountName: serviceAccountName(service.name),
        port: service.port,
        env: service.logLevel === undefined ? service.env : { ...service.env, LOG_LEVEL: service.logLevel },
        secretName: context.secretName,
        secretsChecksum: context.secretsChecksum,
        jwks: context.jwks,
        jwksFiles: context.jwksFiles,
        databaseCa: databaseCaValues(service, context.databaseTls),
        podLabels: DATA_CLIENT_LABEL,
        probes: {
            port: service.probes.port ?? service.port,
            liveness: { initialDelaySeconds: 10, periodSeconds: 10, ...service.probes.liveness },
            readiness: { initialDelaySeconds: 5, periodSeconds: 5, ...service.probes.readiness },
        },
        ...podValues(service, context),
        service: { enabled: service.expose, port: 80 },
        route: {
            enabled: service.expose && service.ingress !== undefined,
            host: service.ingress?.host ?? "",
            gateway: context.entry.gateway,
            targetGroupConfiguration: context.entry.targetGroupConfiguration,
        },
        ingress: {
            enabled: service.expose && service.ingress !== undefined && context.entry.legacyIngressNginx,
            className: "nginx",
            clusterIssuer: context.clusterIssuer,
            host: service.ingress?.host ?? "",
        },
        autoscaling: {
            enabled: autoscaling !== undefined,
            minReplicas: service.replicas,
            maxReplicas: autoscaling?.maxReplicas ?? service.replicas,
            targetCPUUtilizationPercentage: autoscaling?.targetCpuPercent ?? 65,
            targetMemoryUtilizationPercentage: autoscaling?.targetMemoryPercent ?? 70,
        },
        podDisruptionBudget: { enabled: service.replicas > 1, maxUnavailable: 1 },
        // Ingress only: the egress policy is the program's (network.ts), so it exists before any hook runs.
        networkPolicy: { enabled: true, ingressFrom: context.entry.sources },
        migrations: hookValues(service.migrations),
        seeds: hookValues(service.seeds),
        rollout: rolloutValues(service),
        smoke: {
            paths: service.smoke.paths ?? [...new Set([service.probes.readiness.path, service.probes.liveness.path])],
            timeoutSeconds: service.smoke.timeoutSeconds,
        },
    };
}
