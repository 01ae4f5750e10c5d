import type * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../../config/load";
import { pullSecretsFor } from "../registry/pull-secrets";
import { createStatefulService } from "../kubernetes/stateful-service";
import { DataServiceArgs, generatedPassword } from "./data-service";
import { postgresUrl } from "./connection";
import { rdsCaBundle } from "../../config/database-tls";
import { DATABASE_CA, DatabaseClientTls } from "./database-tls";
import { createAppRoleBootstrap } from "./app-role";
import { createRds } from "./rds";

export interface PostgresArgs extends DataServiceArgs {
    /** The stack's `database` section; `mode` picks RDS, in-cluster or external. */
    config: StackConfig["database"];
    /** Required for RDS: the topic its alarms notify. */
    alarmTopicArn?: pulumi.Input<string>;
    /** `<project>/<environment>`: where the secrets this component creates live in Secrets Manager. */
    secretPrefix: string;
}

/**
 * PostgreSQL for the app. Its one output is `DATABASE_URL`, always a secret, for the app's own role
 * (`appRole`, owner of its schema, no superuser); the master credentials stay with the platform.
 */
export class Postgres extends pulumi.ComponentResource {
    /** The app's env: `DATABASE_URL`. */
    public readonly env: Record<"DATABASE_URL", pulumi.Output<string>>;
    /** The RDS instance (mode rds): AWS Backup selects it, pre-deploy snapshots are taken of it. */
    public readonly rdsInstance?: aws.rds.Instance;
    /** The in-cluster server (mode in-cluster): where the dump CronJob connects, its superuser's Secret, and how it connects. */
    public readonly inCluster?: { host: pulumi.Output<string>; credentialsSecret: pulumi.Output<string>; tls: DatabaseClientTls };
    /** How the app's pods verify the server: the CA bundle ConfigMap they mount (mode rds), else nothing to mount. */
    public readonly clientTls: DatabaseClientTls;

    constructor(name: string, args: PostgresArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:data:Postgres", name, {}, opts);
        const { config } = args;
        let url: pulumi.Output<string>;
        // External URLs are the operator's, as given.
        this.clientTls = { mode: "disable" };
        switch (config.mode) {
            case "external":
                if (args.externalUrl === undefined) throw new Error("Postgres: mode external needs args.externalUrl");
                url = args.externalUrl;
                break;
            case "rds": {
                if (args.aws === undefined || args.alarmTopicArn === undefined) {
                    throw new Error("Postgres: mode rds needs args.aws and args.alarmTopicArn");
                }
                const password = generatedPassword(`${name}-password`, this);
                const appPassword = generatedPassword(`${name}-app-password`, this);
                const rds = createRds(
                    name,
                    {
                        config,
                        identifier: `${args.identifier}-postgres`,
                        secretPrefix: args.secretPrefix,
                        placement: args.aws,
                        password,
                        appPassword,
                        protect: args.protect,
                        alarmTopicArn: args.alarmTopicArn,
                    },
                    this,
                );
                this.clientTls = caBundle(name, args, rdsCaBundle(args.aws.keys.region, config.caCertIdentifier), this);
                const bootstrap = createAppRoleBootstrap(
                    name,
                    {
                        namespace: args.namespace,
                        image: config.bootstrapImage,
                        imagePullSecrets: pullSecretsFor(config.bootstrapImage, args.registries ?? []),
                        host: rds.bootstrapHost,
                        egressTo: args.aws.privateSubnetCidrs.map((cidr) => ({ ipBlock: { cidr } })),
                        database: config.databaseName,
                        masterUser: config.username,
                        masterPassword: password,
                        appRole: config.appRole,
                        appPassword,
                        tls: this.clientTls,
                        provider: args.k8sProvider,
                        dependsOn: [rds.instance],
                    },
                    this,
                );
                url = appUrl(config, appPassword, rds.host, this.clientTls, bootstrap);
                this.rdsInstance = rds.instance;
                break;
            }
            case "in-cluster": {
                const server = inClusterPostgres(name, config, args, this);
                url = server.url;
                this.inCluster = { host: server.host, credentialsSecret: server.credentialsSecret, tls: IN_CLUSTER_TLS };
                break;
            }
        }
        this.env = { DATABASE_URL: pulumi.secret(url) };
        this.registerOutputs({ env: this.env });
    }
}

/**
 * The in-cluster server has no certificate: it is reached only inside the app namespace (NetworkPolicy
 * admits data clients only), on stacks whose manifests are rendered for a local cluster.
 */
const IN_CLUSTER_TLS: DatabaseClientTls = { mode: "disable" };

/** The CA bundle RDS clients verify the server with, as a ConfigMap in the app namespace (not a secret: public roots). */
function caBundle(name: string, args: PostgresArgs, bundle: string, parent: pulumi.Resource): DatabaseClientTls {
    const configMap = new k8s.core.v1.ConfigMap(
        `${name}-ca`,
        {
            metadata: { name: DATABASE_CA.configMapName, namespace: args.namespace },
            data: { [DATABASE_CA.key]: bundle },
        },
        { parent, provider: args.k8sProvider },
    );
    return { mode: "verify-full", configMap: configMap.metadata.name };
}

/** The app's URL: its own role, available once the bootstrap Job has created it. */
function appUrl(
    config: { appRole: string; databaseName: string },
    password: pulumi.Output<string>,
    host: pulumi.Input<string>,
    tls: DatabaseClientTls,
    bootstrap: pulumi.Resource,
): pulumi.Output<string> {
    return pulumi
        .all([password, host, bootstrap.urn])
        .apply(([pw, hostname]) =>
            postgresUrl({ username: config.appRole, password: pw, host: hostname, database: config.databaseName, tls }),
        );
}

function inClusterPostgres(
    name: string,
    config: Extract<StackConfig["database"], { mode: "in-cluster" }>,
    args: PostgresArgs,
    parent: pulumi.Resource,
): { url: pulumi.Output<string>; host: pulumi.Output<string>; credentialsSecret: pulumi.Output<string> } {
    const opts = { parent, provider: args.k8sProvider, protect: args.protect };
    const password = generatedPassword(`${name}-password`, parent);
    const appPassword = generatedPassword(`${name}-app-password`, parent);
    const credentials = new k8s.core.v1.Secret(
        `${name}-credentials`,
        { metadata: { name: "postgres-credentials", namespace: args.namespace }, stringData: { POSTGRES_PASSWORD: password } },
        opts,
    );
    const server = createStatefulService(
        name,
        {
            app: "postgres",
            namespace: args.namespace,
            image: config.image,
            imagePullSecrets: pullSecretsFor(config.image, args.registries ?? []),
            uid: 70, // the postgres user of the official alpine image
            port: 5432,
            replicas: 1,
            env: [
                { name: "POSTGRES_USER", value: config.username },
                { name: "POSTGRES_DB", value: config.databaseName },
                { name: "PGDATA", value: "/var/lib/postgresql/data/pgdata" },
                { name: "POSTGRES_PASSWORD", valueFrom: { secretKeyRef: { name: credentials.metadata.name, key: "POSTGRES_PASSWORD" } } },
            ],
            readinessCommand: ["pg_isready", "-U", config.username, "-d", config.databaseName],
            storageGiB: config.storageGiB,
            dataPath: "/var/lib/postgresql/data",
            scratchPaths: ["/var/run/postgresql", "/tmp"],
            resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } },
        },
        opts,
    );
    const bootstrap = createAppRoleBootstrap(
        name,
        {
            namespace: args.namespace,
            image: config.image,
            imagePullSecrets: pullSecretsFor(config.image, args.registries ?? []),
            host: server.host,
            egressTo: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "postgres" } } }],
            database: config.databaseName,
            masterUser: config.username,
            masterPassword: password,
            appRole: config.appRole,
            appPassword,
            tls: IN_CLUSTER_TLS,
            provider: args.k8sProvider,
            dependsOn: [server.statefulSet],
        },
        parent,
    );
    return {
        url: appUrl(config, appPassword, server.host, IN_CLUSTER_TLS, bootstrap),
        host: server.host,
        credentialsSecret: credentials.metadata.name,
    };
}
