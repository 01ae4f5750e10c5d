import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";

/**
 * How database clients verify the server (issue 24): one CA bundle, a ConfigMap in the app namespace,
 * mounted read-only at one path by every pod that connects (app, migration/seed hooks, role bootstrap).
 * The URL's `sslrootcert` and libpq's PGSSLROOTCERT name that file; the chart and the Jobs import these names.
 */
export const DATABASE_CA = {
    configMapName: "postgres-ca",
    key: "ca-bundle.pem",
    volumeName: "postgres-ca",
    mountPath: "/etc/postgres-ca",
} as const;

/** The file the clients read: `sslrootcert=` in DATABASE_URL, PGSSLROOTCERT for psql/pg_dump. */
export const DATABASE_CA_FILE = `${DATABASE_CA.mountPath}/${DATABASE_CA.key}`;

/**
 * What a client does about TLS, decided by the server it reaches: `verify-full` against the mounted
 * bundle for RDS (direct or through RDS Proxy); `disable` for the in-cluster server, which has no
 * certificate (it is reached only inside the namespace, admitted by NetworkPolicy, on rendered stacks).
 */
export type DatabaseClientTls = { mode: "verify-full"; configMap: pulumi.Input<string> } | { mode: "disable" };

/** The query DATABASE_URL carries: node-postgres (pg-connection-string) and libpq both read it. */
export function sslQuery(tls: DatabaseClientTls): string {
    return tls.mode === "verify-full" ? `?sslmode=verify-full&sslrootcert=${DATABASE_CA_FILE}` : "";
}

/** libpq's env, volume and mount for a Job (psql, pg_dump) that connects to the database. */
export function libpqTls(tls: DatabaseClientTls): {
    env: Record<string, string>;
    volumes: k8s.types.input.core.v1.Volume[];
    volumeMounts: k8s.types.input.core.v1.VolumeMount[];
} {
    if (tls.mode === "disable") return { env: { PGSSLMODE: "disable" }, volumes: [], volumeMounts: [] };
    return {
        env: { PGSSLMODE: "verify-full", PGSSLROOTCERT: DATABASE_CA_FILE },
        volumes: [
            { name: DATABASE_CA.volumeName, configMap: { name: tls.configMap, items: [{ key: DATABASE_CA.key, path: DATABASE_CA.key }] } },
        ],
        volumeMounts: [{ name: DATABASE_CA.volumeName, mountPath: DATABASE_CA.mountPath, readOnly: true }],
    };
}
