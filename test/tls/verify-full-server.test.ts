/**
 * verify-full, proven against a real PostgreSQL server with TLS (Debian's packages, scripts/setup.sh),
 * on loopback, with a throwaway CA made by openssl: the app's client (node-postgres, with the stack's
 * DATABASE_URL) and libpq (psql, with the role bootstrap Job's env) connect only when the server's
 * certificate chains to the mounted bundle and names the host they dialled.
 * Run: npm run test:tls (prints its timings).
 */
import type * as pulumi from "@pulumi/pulumi";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { Client } from "pg";
import { DATABASE_CA, DATABASE_CA_FILE } from "../../components/data/database-tls";
import { resolveAll } from "../harness/outputs";
import { recordStack } from "../harness/run-stack";
import { freePort, postgresBin } from "../harness/local-postgres";

const started = Date.now();
const log = (message: string) => console.log(`[tls +${((Date.now() - started) / 1000).toFixed(1)} s] ${message}`);

const openssl = (args: string[], cwd: string) => execFileSync("openssl", args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
const EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

/** A CA and a server certificate for `localhost` only (no IP address), signed by it. */
function makeCertificates(dir: string): void {
    openssl(["req", "-x509", "-new", ...EC, "-keyout", "ca.key", "-out", "ca.crt", "-days", "1", "-subj", "/CN=test database CA"], dir);
    openssl(["req", "-new", ...EC, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost"], dir);
    fs.writeFileSync(path.join(dir, "server.ext"), "subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\n");
    openssl(
        ["x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "1"].concat([
            "-extfile",
            "server.ext",
            "-out",
            "server.crt",
        ]),
        dir,
    );
    fs.chmodSync(path.join(dir, "server.key"), 0o600);
}

describe("verify-full against a real PostgreSQL server with TLS", () => {
    const bin = postgresBin();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pg-tls-"));
    const data = path.join(dir, "data");
    const asServer = process.getuid?.() === 0 ? ["runuser", "-u", "postgres", "--"] : [];
    const server = (cmd: string, args: string[]) => {
        const [file, ...rest] = [...asServer, path.join(bin, cmd), ...args];
        execFileSync(file!, rest, { stdio: ["ignore", "pipe", "pipe"] });
    };
    let running = false;
    let port = 0;
    let stackUrl: URL;
    let bootstrapEnv: Record<string, string>;
    /** The stack's bundle (RDS and Amazon Trust Services roots): the test server is signed by none of them. */
    let stackBundle: string;
    /** The stack's bundle with the test CA appended: as if the test server were RDS. */
    let trusting: string;

    before(async () => {
        const { graph } = await recordStack("prod");
        stackUrl = new URL((await resolveAll(graph.outputs["dataEnv"] as Record<string, pulumi.Output<string>>))["DATABASE_URL"]!.value);
        bootstrapEnv = graph.one("kubernetes:core/v1:Secret", "postgres-bootstrap-credentials").inputs.stringData;
        // Without a bundle (a stack that mounts none) the clients are left with their defaults, as deployed.
        stackBundle = graph.resources.find((r) => r.name === "postgres-ca")?.inputs.data[DATABASE_CA.key] ?? "";
        let t = Date.now();
        makeCertificates(dir);
        fs.writeFileSync(path.join(dir, "stack-bundle.pem"), stackBundle);
        trusting = path.join(dir, "trusting-bundle.pem");
        fs.writeFileSync(trusting, stackBundle + fs.readFileSync(path.join(dir, "ca.crt"), "utf8"));
        log(`certificates in ${Date.now() - t} ms`);
        if (asServer.length > 0) execFileSync("chown", ["-R", "postgres:postgres", dir]);
        fs.chmodSync(dir, 0o755);
        port = await freePort();
        t = Date.now();
        server("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8"]);
        const options = [
            "-c listen_addresses=127.0.0.1",
            `-c port=${port}`,
            `-c unix_socket_directories=${dir}`,
            "-c fsync=off",
            "-c ssl=on",
            `-c ssl_cert_file=${path.join(dir, "server.crt")}`,
            `-c ssl_key_file=${path.join(dir, "server.key")}`,
        ].join(" ");
        server("pg_ctl", ["-D", data, "-l", path.join(dir, "server.log"), "-o", options, "-w", "-t", "60", "start"]);
        running = true;
        log(`server with TLS on 127.0.0.1:${port} in ${Date.now() - t} ms`);
    });

    after(() => {
        if (running) server("pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"]);
        log("server stopped");
        fs.rmSync(dir, { recursive: true, force: true });
    });

    /** The stack's DATABASE_URL pointed at the test server; the mounted file is `bundle` here. */
    function appUrl(host: string, bundle: string): string {
        const url = new URL(stackUrl.href);
        url.hostname = host;
        url.port = String(port);
        url.username = "postgres";
        url.password = "";
        url.pathname = "/postgres";
        if (url.searchParams.get("sslrootcert") === DATABASE_CA_FILE) url.searchParams.set("sslrootcert", bundle);
        return url.href;
    }

    async function nodePostgres(host: string, bundle: string): Promise<string> {
        const outcome = await nodePostgresOutcome(host, bundle);
        log(`node-postgres to ${host} with ${path.basename(bundle)}: ${outcome}`);
        return outcome;
    }

    async function nodePostgresOutcome(host: string, bundle: string): Promise<string> {
        const client = new Client({ connectionString: appUrl(host, bundle) });
        try {
            await client.connect();
            const result = await client.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
            return `connected, ssl=${String(result.rows[0].ssl)}`;
        } catch (error) {
            return `refused: ${(error as Error).message}`;
        } finally {
            await client.end().catch(() => undefined);
        }
    }

    function psql(host: string, bundle: string): string {
        const env = {
            PATH: process.env["PATH"],
            // No ~/.postgresql/root.crt of this machine's user: only what the Job's env names.
            HOME: dir,
            ...(bootstrapEnv["PGSSLMODE"] ? { PGSSLMODE: bootstrapEnv["PGSSLMODE"] } : {}),
            ...(bootstrapEnv["PGSSLROOTCERT"] === DATABASE_CA_FILE ? { PGSSLROOTCERT: bundle } : {}),
            PGHOST: host,
            PGPORT: String(port),
            PGUSER: "postgres",
            PGDATABASE: "postgres",
            PGCONNECT_TIMEOUT: "10",
        };
        const run = spawnSync(
            path.join(bin, "psql"),
            ["-X", "-A", "-t", "-c", "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"],
            {
                env,
                encoding: "utf8",
            },
        );
        const outcome = run.status === 0 ? `connected, ssl=${run.stdout.trim() === "t"}` : `refused: ${run.stderr.trim()}`;
        log(`psql to ${host} with ${path.basename(bundle)}: ${outcome}`);
        return outcome;
    }

    it("node-postgres with DATABASE_URL: connects over TLS when the bundle holds the server's CA", async () => {
        assert.equal(await nodePostgres("localhost", trusting), "connected, ssl=true");
    });

    it("node-postgres with DATABASE_URL: refuses a server the bundle does not vouch for", async () => {
        assert.match(
            await nodePostgres("localhost", path.join(dir, "stack-bundle.pem")),
            /^refused: .*(self[- ]signed|unable to (get|verify))/i,
        );
    });

    it("node-postgres with DATABASE_URL: refuses a certificate for another name (verify-full, not verify-ca)", async () => {
        assert.match(await nodePostgres("127.0.0.1", trusting), /^refused: .*(IP: 127\.0\.0\.1 is not in the cert's list|altname)/i);
    });

    it("libpq with the role bootstrap Job's env: connects when the bundle holds the server's CA", () => {
        assert.equal(psql("localhost", trusting), "connected, ssl=true");
    });

    it("libpq with the role bootstrap Job's env: refuses a server the bundle does not vouch for", () => {
        assert.match(psql("localhost", path.join(dir, "stack-bundle.pem")), /^refused: .*certificate verify failed/);
    });

    it("libpq with the role bootstrap Job's env: refuses a certificate for another name", () => {
        assert.match(psql("127.0.0.1", trusting), /^refused: .*(does not match host name|server certificate for "localhost")/);
    });
});
