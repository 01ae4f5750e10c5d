import * as fs from "fs";
import * as path from "path";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../../config/load";
import { POSTGRES_PORT } from "../data/connection";
import { DatabaseClientTls, libpqTls } from "../data/database-tls";
import {
    DATA_CLIENT_LABEL,
    restrictedContainerSecurity,
    restrictedPodSecurity,
    scratchVolume,
    withEphemeralStorage,
} from "../kubernetes/pod-security";

/** The scripts the CronJob runs and test/backup-restore proves against a real PostgreSQL: one copy. */
export const BACKUP_SCRIPTS_DIR = path.join(__dirname, "..", "..", "scripts", "postgres-backup");
export const BACKUP_SCRIPTS = ["backup.sh", "restore.sh"] as const;
const APP = "postgres-dump";
/** pg_dump is a client: it runs unprivileged (UID above 10000, kube-score); fsGroup lets it write the dump volume. */
const UID = 10001;
const DUMPS_PATH = "/backups";

export function backupScripts(): Record<string, string> {
    return Object.fromEntries(BACKUP_SCRIPTS.map((file) => [file, fs.readFileSync(path.join(BACKUP_SCRIPTS_DIR, file), "utf8")]));
}

export interface PostgresDumpArgs {
    config: StackConfig["backup"]["dump"];
    namespace: pulumi.Input<string>;
    /** The in-cluster server's Service host and its superuser's Secret (key POSTGRES_PASSWORD). */
    host: pulumi.Input<string>;
    credentialsSecret: pulumi.Input<string>;
    /** How pg_dump connects: what the data layer decided for the server (Postgres.inCluster.tls). */
    tls: DatabaseClientTls;
    username: string;
    database: string;
    /** The server's image: pg_dump of the same major version. */
    image: string;
    provider: k8s.Provider;
}

/**
 * In-cluster Postgres backups: a CronJob (Pod Security `restricted`) that runs scripts/postgres-backup/backup.sh
 * onto its own volume, keeping `keep` dumps; restore with restore.sh (docs/runbooks/restore-postgres.md).
 */
export class PostgresDump extends pulumi.ComponentResource {
    public readonly cronJobName: pulumi.Output<string>;

    constructor(name: string, args: PostgresDumpArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:operations:PostgresDump", name, {}, opts);
        const childOpts = { parent: this, provider: args.provider };
        const labels = { "app.kubernetes.io/name": APP, "app.kubernetes.io/managed-by": "pulumi" };
        const tls = libpqTls(args.tls);
        const scripts = new k8s.core.v1.ConfigMap(
            `${name}-scripts`,
            { metadata: { name: `${APP}-scripts`, namespace: args.namespace, labels }, data: backupScripts() },
            childOpts,
        );
        const volume = new k8s.core.v1.PersistentVolumeClaim(
            `${name}-volume`,
            {
                metadata: { name: `${APP}-volume`, namespace: args.namespace, labels },
                spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: `${args.config.storageGiB}Gi` } } },
            },
            // Dumps outlive a `pulumi destroy` of the stack by accident.
            { ...childOpts, retainOnDelete: true },
        );
        new k8s.networking.v1.NetworkPolicy(
            `${name}-egress`,
            {
                metadata: { name: `${APP}-egress`, namespace: args.namespace, labels },
                spec: {
                    podSelector: { matchLabels: { "app.kubernetes.io/name": APP } },
                    policyTypes: ["Egress"],
                    egress: [
                        {
                            to: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "postgres" } } }],
                            ports: [{ protocol: "TCP", port: POSTGRES_PORT }],
                        },
                    ],
                },
            },
            childOpts,
        );
        const job = new k8s.batch.v1.CronJob(
            `${name}-cronjob`,
            {
                metadata: { name: APP, namespace: args.namespace, labels },
                spec: {
                    schedule: args.config.schedule,
                    timeZone: "Etc/UTC",
                    concurrencyPolicy: "Forbid",
                    // A run missed by more than this (controller down, cluster paused) is skipped, not stacked up.
                    startingDeadlineSeconds: 600,
                    successfulJobsHistoryLimit: 3,
                    failedJobsHistoryLimit: 3,
                    jobTemplate: {
                        spec: {
                            backoffLimit: 2,
                            activeDeadlineSeconds: 3600,
                            template: {
                                // The data-client label is what the Postgres NetworkPolicy admits.
                                metadata: { labels: { ...labels, ...DATA_CLIENT_LABEL } },
                                spec: {
                                    restartPolicy: "Never",
                                    automountServiceAccountToken: false,
                                    securityContext: restrictedPodSecurity(UID),
                                    containers: [
                                        {
                                            name: "pg-dump",
                                            image: args.image,
                                            command: ["/bin/sh", "/scripts/backup.sh"],
                                            env: [
                                                { name: "PGHOST", value: args.host },
                                                { name: "PGPORT", value: String(POSTGRES_PORT) },
                                                { name: "PGUSER", value: args.username },
                                                { name: "PGDATABASE", value: args.database },
                                                {
                                                    name: "PGPASSWORD",
                                                    valueFrom: { secretKeyRef: { name: args.credentialsSecret, key: "POSTGRES_PASSWORD" } },
                                                },
                                                ...Object.entries(tls.env).map(([name, value]) => ({ name, value })),
                                                { name: "BACKUP_DIR", value: DUMPS_PATH },
                                                { name: "BACKUP_KEEP", value: String(args.config.keep) },
                                            ],
                                            volumeMounts: [
                                                { name: "scripts", mountPath: "/scripts", readOnly: true },
                                                { name: "dumps", mountPath: DUMPS_PATH },
                                                { name: "tmp", mountPath: "/tmp" },
                                                ...tls.volumeMounts,
                                            ],
                                            resources: withEphemeralStorage({
                                                requests: { cpu: "50m", memory: "64Mi" },
                                                limits: { cpu: "500m", memory: "256Mi" },
                                            }),
                                            securityContext: restrictedContainerSecurity(),
                                        },
                                    ],
                                    volumes: [
                                        { name: "scripts", configMap: { name: scripts.metadata.name } },
                                        { name: "dumps", persistentVolumeClaim: { claimName: volume.metadata.name } },
                                        scratchVolume("tmp"),
                                        ...tls.volumes,
                                    ],
                                },
                            },
                        },
                    },
                },
            },
            childOpts,
        );
        this.cronJobName = job.metadata.name;
        this.registerOutputs({ cronJobName: this.cronJobName });
    }
}
