import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../../config/load";
import { pullSecretsFor } from "../registry/pull-secrets";
import { createStatefulService, podHost } from "../kubernetes/stateful-service";
import { DataServiceArgs, generatedPassword } from "./data-service";
import { hostList, REDIS_PORT, redisUrl, SENTINEL_MASTER_NAME, SENTINEL_PORT } from "./connection";
import { createElasticache } from "./elasticache";

type InClusterRedisConfig = Extract<StackConfig["redis"], { mode: "in-cluster" }>;

export interface RedisArgs extends DataServiceArgs {
    /** The stack's `redis` section; `mode` and `topology` pick the deployment. */
    config: StackConfig["redis"];
}

/**
 * Redis for the app. `env` holds exactly what the app reads: `REDIS_URL`, or `REDIS_SENTINEL` +
 * `REDIS_MASTER`, or `REDIS_CLUSTER_NODES`, plus `REDIS_PASSWORD` where the URL does not carry it.
 * Values with credentials are secrets.
 */
export class Redis extends pulumi.ComponentResource {
    public readonly env: Record<string, pulumi.Output<string>>;

    constructor(name: string, args: RedisArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:data:Redis", name, {}, opts);
        const { config } = args;
        switch (config.mode) {
            case "external":
                if (args.externalUrl === undefined) throw new Error("Redis: mode external needs args.externalUrl");
                this.env = { REDIS_URL: pulumi.secret(args.externalUrl) };
                break;
            case "elasticache":
                if (args.aws === undefined) throw new Error("Redis: mode elasticache needs args.aws");
                this.env = createElasticache(
                    name,
                    {
                        config,
                        identifier: `${args.identifier}-redis`,
                        placement: args.aws,
                        authToken: generatedPassword(`${name}-auth-token`, this),
                        protect: args.protect,
                    },
                    this,
                );
                break;
            case "in-cluster":
                this.env = config.topology === "sentinel" ? sentinelRedis(name, config, args, this) : singleRedis(name, config, args, this);
                break;
        }
        for (const key of ["REDIS_URL", "REDIS_PASSWORD"]) {
            if (this.env[key] !== undefined) this.env[key] = pulumi.secret(this.env[key]);
        }
        this.registerOutputs({ env: this.env });
    }
}

const passwordEnv = (secretName: pulumi.Input<string>): k8s.types.input.core.v1.EnvVar => ({
    name: "REDIS_PASSWORD",
    valueFrom: { secretKeyRef: { name: secretName, key: "REDIS_PASSWORD" } },
});
const redisPing = (port: number) => ["sh", "-c", `redis-cli -p ${port} -a "$REDIS_PASSWORD" --no-auth-warning ping | grep -q PONG`];
// The image runs as any UID (its entrypoint switches users only when started as root); clear of the node's users.
const REDIS_UID = 10001;

function credentials(name: string, args: RedisArgs, parent: pulumi.Resource) {
    const password = generatedPassword(`${name}-password`, parent);
    const secret = new k8s.core.v1.Secret(
        `${name}-credentials`,
        { metadata: { name: "redis-credentials", namespace: args.namespace }, stringData: { REDIS_PASSWORD: password } },
        { parent, provider: args.k8sProvider },
    );
    return { password, secretName: secret.metadata.name };
}

function redisServer(
    name: string,
    config: InClusterRedisConfig,
    args: RedisArgs,
    parent: pulumi.Resource,
    replicas: number,
    script: pulumi.Input<string>,
) {
    const { password, secretName } = credentials(name, args, parent);
    const server = createStatefulService(
        name,
        {
            app: "redis",
            namespace: args.namespace,
            image: config.image,
            imagePullSecrets: pullSecretsFor(config.image, args.registries ?? []),
            uid: REDIS_UID,
            port: REDIS_PORT,
            replicas,
            command: ["sh", "-c", script],
            env: [passwordEnv(secretName)],
            readinessCommand: redisPing(REDIS_PORT),
            storageGiB: config.storageGiB,
            dataPath: "/data",
            scratchPaths: ["/tmp"],
            peerApps: replicas > 1 ? ["redis", "redis-sentinel"] : undefined,
            resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
        },
        { parent, provider: args.k8sProvider, protect: args.protect },
    );
    return { server, password, secretName };
}

const SERVER_FLAGS = '--appendonly yes --dir /data --requirepass "$REDIS_PASSWORD" --masterauth "$REDIS_PASSWORD"';

function singleRedis(name: string, config: InClusterRedisConfig, args: RedisArgs, parent: pulumi.Resource) {
    const { server, password } = redisServer(name, config, args, parent, 1, `exec redis-server ${SERVER_FLAGS}`);
    return { REDIS_URL: pulumi.all([server.host, password]).apply(([host, pw]) => redisUrl({ host, password: pw, tls: false })) };
}

/** The script of a sentinel: a writable config (sentinels rewrite it) that monitors the first pod. */
export function sentinelScript(masterHost: string, quorum: number): string {
    return [
        "cat > /data/sentinel.conf <<EOF",
        `port ${SENTINEL_PORT}`,
        "sentinel resolve-hostnames yes",
        "sentinel announce-hostnames yes",
        `sentinel monitor ${SENTINEL_MASTER_NAME} ${masterHost} ${REDIS_PORT} ${quorum}`,
        `sentinel auth-pass ${SENTINEL_MASTER_NAME} $REDIS_PASSWORD`,
        `sentinel down-after-milliseconds ${SENTINEL_MASTER_NAME} 5000`,
        `sentinel failover-timeout ${SENTINEL_MASTER_NAME} 60000`,
        "EOF",
        "exec redis-sentinel /data/sentinel.conf",
    ].join("\n");
}

/** Redis with replicas and Sentinels: the app gets REDIS_SENTINEL (every sentinel) and REDIS_MASTER. */
function sentinelRedis(name: string, config: InClusterRedisConfig, args: RedisArgs, parent: pulumi.Resource) {
    const namespace = pulumi.output(args.namespace);
    const masterHost = namespace.apply((ns) => podHost("redis", 0, ns));
    const serverScript = masterHost.apply(
        (host) =>
            `if [ "$(hostname)" = "redis-0" ]; then exec redis-server ${SERVER_FLAGS}; else exec redis-server ${SERVER_FLAGS} --replicaof ${host} ${REDIS_PORT}; fi`,
    );
    const { password, secretName } = redisServer(name, config, args, parent, 1 + config.replicas, serverScript);
    const quorum = Math.floor(config.sentinels / 2) + 1;
    createStatefulService(
        `${name}-sentinel`,
        {
            app: "redis-sentinel",
            namespace: args.namespace,
            image: config.image,
            imagePullSecrets: pullSecretsFor(config.image, args.registries ?? []),
            uid: REDIS_UID,
            port: SENTINEL_PORT,
            replicas: config.sentinels,
            command: ["sh", "-c", masterHost.apply((host) => sentinelScript(host, quorum))],
            env: [passwordEnv(secretName)],
            readinessCommand: ["sh", "-c", `redis-cli -p ${SENTINEL_PORT} ping | grep -q PONG`],
            storageGiB: 1,
            dataPath: "/data",
            scratchPaths: ["/tmp"],
            peerApps: ["redis", "redis-sentinel"],
            resources: { requests: { cpu: "20m", memory: "32Mi" }, limits: { cpu: "200m", memory: "128Mi" } },
        },
        { parent, provider: args.k8sProvider },
    );
    const sentinels = namespace.apply((ns) =>
        hostList(
            Array.from({ length: config.sentinels }, (_, i) => podHost("redis-sentinel", i, ns)),
            SENTINEL_PORT,
        ),
    );
    return { REDIS_SENTINEL: sentinels, REDIS_MASTER: pulumi.output(SENTINEL_MASTER_NAME), REDIS_PASSWORD: password };
}
