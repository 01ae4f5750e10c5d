import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../../config/load";
import { DATA_CLIENT_LABEL } from "../kubernetes/pod-security";

export type ServiceConfig = StackConfig["services"][number];
type Hook = ServiceConfig["migrations"];

/** Pod scheduling and image pull before a hook's own deadline starts to matter. */
export const HOOK_START_SLACK_SECONDS = 60;

/**
 * Helm's timeout for one release: pods becoming ready, then every enabled hook running to its deadline
 * (which bounds the retries inside it). A failed or slower rollout is rolled back (`atomic`).
 *
 * With the default post-* hooks Helm waits for Ready pods before it migrates, so the readiness probe
 * must not need the new schema (the runbook's /healthz does not); breaking schema changes use pre-*
 * hooks at weight -10, which run before the pods roll and need only the app's Secret, created first.
 */
export function releaseTimeoutSeconds(service: ServiceConfig): number {
    const hooks = [service.migrations, service.seeds].filter((hook) => hook.enabled);
    return service.rolloutTimeoutSeconds + hooks.reduce((total, hook) => total + hook.activeDeadlineSeconds + HOOK_START_SLACK_SECONDS, 0);
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
    /** ClusterIssuer for the Ingress certificate. */
    clusterIssuer: string;
}

/** The chart's values for one service in one environment (charts/api-service/values.yaml). */
export function chartValues(service: ServiceConfig, context: ValuesContext) {
    const autoscaling = service.autoscaling;
    return {
        image: { repository: service.image.repository, tag: service.image.tag, pullPolicy: "IfNotPresent" },
        replicaCount: service.replicas,
        port: service.port,
        env: service.env,
        secretName: context.secretName,
        secretsChecksum: context.secretsChecksum,
        jwks: context.jwks,
        jwksFiles: context.jwksFiles,
        podLabels: DATA_CLIENT_LABEL,
        probes: {
            port: service.probes.port ?? service.port,
            liveness: { initialDelaySeconds: 10, periodSeconds: 10, ...service.probes.liveness },
            readiness: { initialDelaySeconds: 5, periodSeconds: 5, ...service.probes.readiness },
        },
        resources: service.resources,
        service: { enabled: service.expose, port: 80 },
        ingress: {
            enabled: service.expose && service.ingress !== undefined,
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
        networkPolicy: { enabled: true, ingressNamespace: "ingress-nginx", egressPorts: [5432, 6379, 26379, 443] },
        migrations: hookValues(service.migrations),
        seeds: hookValues(service.seeds),
    };
}
