import { DatabaseClientTls, sslQuery } from "./database-tls";

/** Connection settings in exactly the formats the app reads (runbook: Postgres, Redis options A-C). */

export const POSTGRES_PORT = 5432;
export const REDIS_PORT = 6379;
export const SENTINEL_PORT = 26379;
export const SENTINEL_MASTER_NAME = "mymaster";

export interface PostgresUrlParts {
    username: string;
    password: string;
    host: string;
    database: string;
    /** `verify-full` adds `?sslmode=verify-full&sslrootcert=<mounted bundle>`: the client checks the server's certificate and name. */
    tls: DatabaseClientTls;
}

export function postgresUrl(p: PostgresUrlParts): string {
    const credentials = `${encodeURIComponent(p.username)}:${encodeURIComponent(p.password)}`;
    return `postgresql://${credentials}@${p.host}:${POSTGRES_PORT}/${p.database}${sslQuery(p.tls)}`;
}

/** `rediss://` when the server speaks TLS (ElastiCache in-transit encryption). */
export function redisUrl(p: { host: string; password: string; tls: boolean }): string {
    return `${p.tls ? "rediss" : "redis"}://:${encodeURIComponent(p.password)}@${p.host}:${REDIS_PORT}`;
}

export function hostList(hosts: readonly string[], port: number): string {
    return hosts.map((host) => `${host}:${port}`).join(",");
}
