import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as crypto from "crypto";
import {
    DATA_CLIENT_LABEL,
    restrictedContainerSecurity,
    restrictedPodSecurity,
    scratchVolume,
    withEphemeralStorage,
} from "../kubernetes/pod-security";
import { POSTGRES_PORT } from "./connection";
import { DatabaseClientTls, libpqTls } from "./database-tls";

/**
 * Creates (or updates) the app's own role, idempotently, connected as the platform's master user
 * (on RDS not a superuser, so it may not set SUPERUSER/REPLICATION itself; a role that has them fails):
 * LOGIN, no superuser or role/database creation, owner of the schema named after it (Postgres's default
 * search_path `"$user"` finds it), the only role besides the owner that may connect; `public` is closed.
 * psql variables: app_role, app_password, dbname.
 */
export const APP_ROLE_SQL = `\\set ON_ERROR_STOP on
SELECT format('CREATE ROLE %I LOGIN', :'app_role') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'app_role') \\gexec
ALTER ROLE :"app_role" WITH LOGIN NOCREATEDB NOCREATEROLE INHERIT PASSWORD :'app_password';
SELECT format('DO $x$ BEGIN RAISE EXCEPTION %L; END $x$', 'role ' || rolname || ' must not be a superuser, replication or bypassrls role') FROM pg_roles WHERE rolname = :'app_role' AND (rolsuper OR rolreplication OR rolbypassrls) \\gexec
GRANT :"app_role" TO CURRENT_USER;
SELECT format('CREATE SCHEMA %I AUTHORIZATION %I', :'app_role', :'app_role') WHERE NOT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = :'app_role') \\gexec
ALTER SCHEMA :"app_role" OWNER TO :"app_role";
REVOKE ALL ON DATABASE :"dbname" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"dbname" TO :"app_role";
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
ALTER ROLE :"app_role" IN DATABASE :"dbname" SET search_path = :"app_role";
`;

/** Waits for the server (in-cluster Postgres may still be starting), then runs the script. */
const RUN = `for i in $(seq 1 60); do pg_isready -q && break; sleep 5; done
exec psql -v app_role="$APP_ROLE" -v app_password="$APP_PASSWORD" -v dbname="$PGDATABASE" -f /sql/app-role.sql`;

export interface AppRoleArgs {
    namespace: pulumi.Input<string>;
    /** An image with psql (the postgres image). */
    image: string;
    /** dockerconfigjson Secrets of the image's registry. Defaults to none. */
    imagePullSecrets?: string[];
    host: pulumi.Input<string>;
    /** Where the database is, for the Job's egress NetworkPolicy (the private subnets, or the in-cluster server's pods). */
    egressTo: k8s.types.input.networking.v1.NetworkPolicyPeer[];
    database: string;
    /** The master user: known only to this Job's Secret and the platform's state. */
    masterUser: string;
    masterPassword: pulumi.Output<string>;
    appRole: string;
    appPassword: pulumi.Output<string>;
    /** RDS: `verify-full` against the mounted CA bundle (the master password must not go to an impostor); in-cluster: `disable`. */
    tls: DatabaseClientTls;
    provider: k8s.Provider;
    dependsOn?: pulumi.Input<pulumi.Resource>[];
}

// psql needs no account of its own (PGUSER names the role), so the Job runs clear of the node's users.
const UID = 10001;
const BOOTSTRAP_APP = "postgres-bootstrap";

/**
 * A Job, run by Pulumi before any service deploys, that connects as the master user and creates the
 * app's role. The master credentials are in a Secret only this Job mounts; the app never sees them.
 */
export function createAppRoleBootstrap(name: string, args: AppRoleArgs, parent: pulumi.Resource) {
    const opts = { parent, provider: args.provider };
    const labels = { "app.kubernetes.io/name": BOOTSTRAP_APP, ...DATA_CLIENT_LABEL };
    const tls = libpqTls(args.tls);
    const credentials = new k8s.core.v1.Secret(
        `${name}-bootstrap-credentials`,
        {
            metadata: { name: `${BOOTSTRAP_APP}-credentials`, namespace: args.namespace },
            type: "Opaque",
            stringData: {
                PGHOST: args.host,
                PGPORT: String(POSTGRES_PORT),
                PGDATABASE: args.database,
                PGUSER: args.masterUser,
                PGPASSWORD: args.masterPassword,
                ...tls.env,
                APP_ROLE: args.appRole,
                APP_PASSWORD: args.appPassword,
            },
        },
        opts,
    );
    const script = new k8s.core.v1.ConfigMap(
        `${name}-bootstrap-sql`,
        { metadata: { name: `${BOOTSTRAP_APP}-sql`, namespace: args.namespace }, data: { "app-role.sql": APP_ROLE_SQL } },
        opts,
    );
    new k8s.networking.v1.NetworkPolicy(
        `${name}-bootstrap-egress`,
        {
            metadata: { name: `${BOOTSTRAP_APP}-egress`, namespace: args.namespace },
            spec: {
                podSelector: { matchLabels: { "app.kubernetes.io/name": BOOTSTRAP_APP } },
                policyTypes: ["Egress"],
                egress: [{ to: args.egressTo, ports: [{ protocol: "TCP", port: POSTGRES_PORT }] }],
            },
        },
        opts,
    );
    // A changed password or script changes the pod template, so Pulumi replaces the Job and it runs again.
    const inputsHash = pulumi
        .all([args.appPassword, args.masterPassword])
        .apply(([app, master]) => crypto.createHash("sha256").update(`${APP_ROLE_SQL}\0${args.appRole}\0${app}\0${master}`).digest("hex"));
    return new k8s.batch.v1.Job(
        `${name}-bootstrap`,
        {
            metadata: { namespace: args.namespace, labels },
            spec: {
                backoffLimit: 3,
                activeDeadlineSeconds: 600,
                template: {
                    metadata: { labels, annotations: { "checksum/inputs": pulumi.unsecret(inputsHash) } },
                    spec: {
                        restartPolicy: "Never",
                        automountServiceAccountToken: false,
                        securityContext: restrictedPodSecurity(UID),
                        imagePullSecrets: (args.imagePullSecrets ?? []).map((name) => ({ name })),
                        containers: [
                            {
                                name: "app-role",
                                image: args.image,
                                command: ["/bin/sh", "-c", RUN],
                                envFrom: [{ secretRef: { name: credentials.metadata.name } }],
                                volumeMounts: [
                                    { name: "sql", mountPath: "/sql", readOnly: true },
                                    { name: "tmp", mountPath: "/tmp" },
                                    ...tls.volumeMounts,
                                ],
                                resources: withEphemeralStorage({
                                    requests: { cpu: "50m", memory: "64Mi" },
                                    limits: { cpu: "250m", memory: "128Mi" },
                                }),
                                securityContext: restrictedContainerSecurity(),
                            },
                        ],
                        volumes: [{ name: "sql", configMap: { name: script.metadata.name } }, scratchVolume("tmp"), ...tls.volumes],
                    },
                },
            },
        },
        { ...opts, dependsOn: args.dependsOn },
    );
}
