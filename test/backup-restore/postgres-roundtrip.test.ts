/**
 * The in-cluster Postgres backup and restore, proven: a real PostgreSQL server from Debian's packages
 * (scripts/setup.sh installs them), started on loopback in a temporary directory, and the very scripts
 * the CronJob runs (scripts/postgres-backup). Create data, back up, drop, restore, compare row counts
 * and checksums; a truncated or corrupted dump must fail loudly and leave the database as it was.
 * Run: npm run test:backup-restore (prints its timings).
 */
import { after, before, describe, it } from "node:test";
import * as assert from "node:assert/strict";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { BACKUP_SCRIPTS_DIR } from "../../components/operations/postgres-dump";
import { freePort, postgresBin } from "../harness/local-postgres";

const DATABASE = "supernova_test";
const started = Date.now();
const log = (message: string) => console.log(`[backup-restore +${((Date.now() - started) / 1000).toFixed(1)} s] ${message}`);

describe("in-cluster Postgres backup and restore against a real PostgreSQL server", () => {
    const bin = postgresBin();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pg-roundtrip-"));
    const data = path.join(dir, "data");
    const backups = path.join(dir, "backups");
    // initdb refuses root: the server runs as the `postgres` user Debian's package created.
    const asServer = process.getuid?.() === 0 ? ["runuser", "-u", "postgres", "--"] : [];
    let env: NodeJS.ProcessEnv;
    let running = false;

    const server = (cmd: string, args: string[]) => {
        const [file, ...rest] = [...asServer, path.join(bin, cmd), ...args];
        execFileSync(file!, rest, { stdio: ["ignore", "pipe", "pipe"] });
    };
    const psql = (sql: string): string =>
        execFileSync(path.join(bin, "psql"), ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql], {
            env,
            encoding: "utf8",
        }).trim();
    const script = (name: string, args: string[] = [], extra: NodeJS.ProcessEnv = {}) =>
        spawnSync("/bin/sh", [path.join(BACKUP_SCRIPTS_DIR, name), ...args], { env: { ...env, ...extra }, encoding: "utf8" });
    /** Row counts and an order-independent checksum of every row of every table the test creates. */
    const fingerprint = () =>
        ["customers", "orders"].map((table) =>
            psql(`SELECT '${table}', count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM ${table} t`),
        );

    before(async () => {
        fs.mkdirSync(backups);
        if (asServer.length > 0) execFileSync("chown", ["-R", "postgres:postgres", dir]);
        fs.chmodSync(dir, 0o755);
        const port = await freePort();
        let t = Date.now();
        server("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8"]);
        log(`initdb ${bin} in ${Date.now() - t} ms`);
        t = Date.now();
        const options = `-c listen_addresses=127.0.0.1 -c port=${port} -c unix_socket_directories=${dir} -c fsync=off`;
        server("pg_ctl", ["-D", data, "-l", path.join(dir, "server.log"), "-o", options, "-w", "-t", "60", "start"]);
        running = true;
        log(`server on 127.0.0.1:${port} started in ${Date.now() - t} ms`);
        env = {
            ...process.env,
            PATH: `${bin}:${process.env["PATH"]}`,
            PGHOST: "127.0.0.1",
            PGPORT: String(port),
            PGUSER: "postgres",
            PGDATABASE: DATABASE,
            BACKUP_DIR: backups,
        };
        execFileSync(path.join(bin, "createdb"), [DATABASE], { env });
        psql(`
            CREATE TABLE customers (id serial PRIMARY KEY, email text UNIQUE NOT NULL, created timestamptz NOT NULL);
            CREATE TABLE orders (id bigserial PRIMARY KEY, customer integer NOT NULL REFERENCES customers(id), total numeric(10,2), note jsonb);
            INSERT INTO customers (email, created) SELECT 'user' || i || '@example.com', timestamptz '2026-01-01' + i * interval '1 minute' FROM generate_series(1, 5000) i;
            INSERT INTO orders (customer, total, note) SELECT 1 + i % 5000, (i * 7 % 10000) / 100.0, jsonb_build_object('n', i, 'tag', md5(i::text)) FROM generate_series(1, 20000) i;
        `);
    });

    after(() => {
        if (running) server("pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"]);
        log("server stopped");
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("backs up, survives a drop and restores the same rows (counts and checksums)", () => {
        const before = fingerprint();
        assert.deepEqual(
            before.map((row) => row.split("|").slice(0, 2).join("|")),
            ["customers|5000", "orders|20000"],
        );
        let t = Date.now();
        const backup = script("backup.sh", [], { BACKUP_KEEP: "2" });
        assert.equal(backup.status, 0, backup.stderr);
        log(`backup.sh in ${Date.now() - t} ms: ${backup.stdout.trim().split("\n").pop()}`);

        psql("DROP TABLE orders; DROP TABLE customers;");
        assert.equal(psql("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"), "0");

        t = Date.now();
        const restore = script("restore.sh", ["latest"]);
        assert.equal(restore.status, 0, restore.stderr);
        log(`restore.sh in ${Date.now() - t} ms`);
        assert.deepEqual(fingerprint(), before);
        // Sequences come back too: the next id continues after the restored rows.
        assert.equal(psql("INSERT INTO customers (email, created) VALUES ('new@example.com', now()) RETURNING id"), "5001");
        psql("DELETE FROM customers WHERE id = 5001");
    });

    it("keeps only BACKUP_KEEP dumps, each with its checksum", async () => {
        for (let i = 0; i < 2; i++) {
            await new Promise((resolve) => setTimeout(resolve, 1100)); // names carry the second
            const run = script("backup.sh", [], { BACKUP_KEEP: "2" });
            assert.equal(run.status, 0, run.stderr);
        }
        const files = fs.readdirSync(backups).sort();
        assert.equal(files.filter((f) => f.endsWith(".dump")).length, 2, files.join(", "));
        assert.equal(files.filter((f) => f.endsWith(".dump.sha256")).length, 2, files.join(", "));
        assert.ok(!files.some((f) => f.includes("partial")), files.join(", "));
    });

    it("refuses a truncated dump loudly and leaves the database as it was", () => {
        const latest = fs
            .readdirSync(backups)
            .filter((f) => f.endsWith(".dump"))
            .sort()
            .pop()!;
        const source = path.join(backups, latest);
        const truncated = path.join(dir, "truncated.dump");
        const bytes = fs.readFileSync(source);
        fs.writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
        fs.copyFileSync(`${source}.sha256`, `${truncated}.sha256`);
        psql("INSERT INTO customers (email, created) VALUES ('after-backup@example.com', now())");
        const before = fingerprint();

        const run = script("restore.sh", [truncated]);
        assert.notEqual(run.status, 0);
        assert.match(run.stderr, /restore: FAILED: checksum mismatch/);
        assert.deepEqual(fingerprint(), before);
    });

    it("refuses a corrupted dump whose checksum was recomputed: pg_restore fails and the transaction rolls back", () => {
        const latest = fs
            .readdirSync(backups)
            .filter((f) => f.endsWith(".dump"))
            .sort()
            .pop()!;
        const bytes = Buffer.from(fs.readFileSync(path.join(backups, latest)));
        // Cut the tail (the table data) and recompute the checksum, as a broken copy tool might.
        const corrupted = path.join(dir, "corrupted.dump");
        fs.writeFileSync(corrupted, bytes.subarray(0, bytes.length - 4096));
        const sum = execFileSync("sha256sum", [corrupted], { encoding: "utf8" }).split(" ")[0];
        fs.writeFileSync(`${corrupted}.sha256`, `${sum}  corrupted.dump\n`);
        const before = fingerprint();

        const run = script("restore.sh", [corrupted]);
        assert.notEqual(run.status, 0, run.stdout);
        assert.match(run.stderr, /restore: FAILED: (pg_restore cannot read|pg_restore stopped)/);
        assert.deepEqual(fingerprint(), before, "nothing restored half-way");
        log(`corrupted dump refused: ${run.stderr.trim().split("\n").pop()}`);
    });
});
