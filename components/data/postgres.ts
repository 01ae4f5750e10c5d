import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../../config/load";
import { createStatefulService } from "../kubernetes/stateful-service";
import { DataServiceArgs, generatedPassword } from "./data-service";
import { postgresUrl } from "./connection";
import { createRds } from "./rds";

export interface PostgresArgs extends DataServiceArgs {
    /** The stack's `database` section; `mode` picks RDS, in-cluster or external. */
    config: StackConfig["database"];
    /** Required for RDS: the topic its alarms notify. */
    alarmTopicArn?: pulumi.Input<string>;
}

/** PostgreSQL for the app. Its one output is `DATABASE_URL`, always a secret. */
export class Postgres extends pulumi.ComponentResource {
    /** The app's env: `DATABASE_URL`. */
    public readonly env: Record<"DATABASE_URL", pulumi.Output<string>>;

    constructor(name: string, args: PostgresArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:data:Postgres", name, {}, opts);
        const { config } = args;
        let url: pulumi.Output<string>;
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
                url = createRds(
                    name,
                    {
                        config,
                        identifier: `${args.identifier}-postgres`,
                        placement: args.aws,
                        password,
                        protect: args.protect,
                        alarmTopicArn: args.alarmTopicArn,
                    },
                    this,
                );
                break;
            }
            case "in-cluster":
                url = inClusterPostgres(name, config, args, this);
                break;
        }
        this.env = { DATABASE_URL: pulumi.secret(url) };
        this.registerOutputs({ env: this.env });
    }
}

function inClusterPostgres(
    name: string,
    config: Extract<StackConfig["database"], { mode: "in-cluster" }>,
    args: PostgresArgs,
    parent: pulumi.Resource,
): pulumi.Output<string> {
    const opts = { parent, provider: args.k8sProvider, protect: args.protect };
    const password = generatedPassword(`${name}-password`, parent);
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
    return pulumi
        .all([password, server.host])
        .apply(([pw, host]) => postgresUrl({ username: config.username, password: pw, host, database: config.databaseName, tls: false }));
}
