import * as pulumi from "@pulumi/pulumi";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError } from "../../config/format";
import { Graph, plaintextPaths } from "../harness/graph";
import { renderChart } from "../harness/helm";
import { GENERATED_SECRET_PREFIX } from "../harness/mocks";
import { recordStack, runStack } from "../harness/run-stack";
import { readStackSections, SECRET_PLACEHOLDER_PREFIX, secure, Sections, STACKS } from "../harness/stack-file";

/** What a secret looks like under test: decrypted config placeholders, generated values, private keys. */
const NEEDLES = [SECRET_PLACEHOLDER_PREFIX, GENERATED_SECRET_PREFIX, "PRIVATE KEY"];

const services = (s: Sections) => s["services"] as Record<string, any>[];
const secretsOf = (s: Sections) => s["secrets"] as Record<string, any>;

/** Every place a secret may be configured, each filled. */
const VARIATIONS: { title: string; stack: string; edit?: (s: Sections) => void }[] = [
    // Every committed stack (this replaces the per-stack plain-text scan that test/data-layer.test.ts had).
    ...STACKS.map((stack) => ({ title: `${stack} as committed`, stack })),
    {
        title: "prod with an extra provided secret and an extra workflow secret",
        stack: "prod",
        edit: (s) => {
            secretsOf(s)["provided"].PARTNER_API_KEY = secure();
            services(s)[0]!["secrets"].push("PARTNER_API_KEY");
            secretsOf(s)["ci"] = { ...secretsOf(s)["ci"], NPM_TOKEN: secure() };
            (s["github"] as Record<string, any>)["environmentSecrets"].push("NPM_TOKEN");
        },
    },
    {
        title: "local on an existing cluster with external data services (kubeconfig, databaseUrl, redisUrl, provided)",
        stack: "local",
        edit: (s) => {
            s["cluster"] = { mode: "existing", name: "shared", ingressNginx: { enabled: false }, certManager: { enabled: false } };
            s["database"] = { mode: "external" };
            s["redis"] = { mode: "external" };
            Object.assign(secretsOf(s), {
                kubeconfig: secure(),
                databaseUrl: secure(),
                redisUrl: secure(),
                provided: { SENTRY_DSN: secure() },
            });
            services(s)[0]!["secrets"].push("SENTRY_DSN");
        },
    },
];

function leaks(graph: Graph): string[] {
    return graph.resources.flatMap((r) => NEEDLES.flatMap((needle) => plaintextPaths(r.rawInputs, needle).map((p) => `${r.urn} ${p}`)));
}

/** Outputs whose value holds a secret must be secret outputs. */
async function leakingOutputs(outputs: Record<string, unknown>): Promise<string[]> {
    const found: string[] = [];
    const visit = async (value: unknown, at: string): Promise<void> => {
        if (pulumi.Output.isInstance(value)) {
            const output = value as pulumi.Output<unknown>;
            const resolved = await new Promise<unknown>((done) => output.apply((v) => done(v)));
            if (!(await pulumi.isSecret(output)) && NEEDLES.some((n) => JSON.stringify(resolved ?? "").includes(n))) found.push(at);
            return;
        }
        if (typeof value === "object" && value !== null) {
            for (const [k, v] of Object.entries(value)) await visit(v, `${at}.${k}`);
        } else if (typeof value === "string" && NEEDLES.some((n) => value.includes(n))) found.push(at);
    };
    for (const [k, v] of Object.entries(outputs)) await visit(v, k);
    return found;
}

describe("secret scan: no decrypted or generated value outside a secret", () => {
    for (const variation of VARIATIONS) {
        it(`${variation.title}: state inputs, outputs, Secrets Manager names, the chart as helm renders it`, async () => {
            const { graph, config } = await recordStack(variation.stack, { edit: variation.edit });
            assert.deepEqual(leaks(graph), [], "values stored in plain text");
            assert.deepEqual(await leakingOutputs(graph.outputs), [], "plain outputs holding secrets");
            const prefix = `${config.environment.project}/${config.environment.name}/`;
            for (const secret of graph.ofType("aws:secretsmanager/secret:Secret")) {
                assert.ok(secret.inputs.name.startsWith(prefix), `${secret.inputs.name} is under ${prefix}`);
            }
            const charts = graph.resources.filter(
                (r) =>
                    (r.type === "kubernetes:helm.sh/v3:Release" || r.type === "kubernetes:helm.sh/v4:Chart") &&
                    r.inputs.repositoryOpts === undefined,
            );
            assert.equal(charts.length, config.services.length);
            for (const chart of charts) {
                const manifests = renderChart(chart.inputs.values, chart.inputs.name, config.namespace.name);
                assert.ok(
                    manifests.some((m) => m.kind === "ConfigMap"),
                    "the env ConfigMap is rendered",
                );
                for (const manifest of manifests.filter((m) => m.kind !== "Secret")) {
                    const text = JSON.stringify(manifest);
                    for (const needle of NEEDLES)
                        assert.ok(!text.includes(needle), `${manifest.kind}/${manifest.metadata.name} holds ${needle}`);
                }
            }
        });
    }
});

/** Every scalar leaf of a value, as a path. */
function leaves(value: unknown, at: (string | number)[]): (string | number)[][] {
    if (Array.isArray(value)) return value.flatMap((v, i) => leaves(v, [...at, i]));
    if (typeof value === "object" && value !== null) return Object.entries(value).flatMap(([k, v]) => leaves(v, [...at, k]));
    return [at];
}

function setAt(sections: Sections, path: (string | number)[], value: unknown): void {
    let target = sections as Record<string | number, any>;
    for (const part of path.slice(0, -1)) target = target[part];
    target[path[path.length - 1]!] = value;
}

describe("secret scan: no error message prints a secret", () => {
    it("an encrypted value in any place of the prod stack file fails without printing it", async () => {
        const paths = Object.entries(readStackSections("prod")).flatMap(([name, value]) => leaves(value, [name]));
        assert.ok(paths.length > 80, `${paths.length} places`);
        for (const path of paths) {
            const { error } = await runStack("prod", { edit: (s) => setAt(s, path, secure()) });
            assert.ok(error instanceof ConfigError, `${path.join(".")}: expected a ConfigError`);
            assert.doesNotMatch(error.message, /TEST-SECRET-VALUE/, path.join("."));
            assert.match(error.message, /\[secret\]/, path.join("."));
        }
    });
});
