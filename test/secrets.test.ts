import type * as pulumi from "@pulumi/pulumi";
import * as crypto from "crypto";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ESO_CHART_VALUES } from "../components/secrets/external-secrets";
import {
    jwksGenerations,
    rotationDue,
    RotationState,
    rotationState,
    rotationTimeline,
    rotationWindow,
    windowStart,
} from "../components/secrets/rotation";
import { dataEnvNames } from "../config/secret-names";
import { WORKFLOW_FILES } from "../config/delivery";
import { deployTargetOf } from "../config/promotion";
import { rotationPlan } from "../scripts/rotation";
import { Graph, isSecretValue } from "./harness/graph";
import { GENERATED_SECRET_PREFIX } from "./harness/mocks";
import { resolve } from "./harness/outputs";
import { recordStack, runStack } from "./harness/run-stack";
import { readStackSections, Sections } from "./harness/stack-file";
import { loadWorkflow } from "./harness/workflows";

const DAY = 24 * 60 * 60 * 1000;
const ROTATION_DAYS = 90;
/** One day into a rotation window, so "+ 89 days" stays in it and "+ 90 days" is the next one. */
const T0 = new Date(windowStart(rotationWindow(new Date("2026-11-22T12:00:00Z"), ROTATION_DAYS), ROTATION_DAYS).getTime() + DAY);
const after = (days: number) => new Date(T0.getTime() + days * DAY);
const slug = (key: string) => key.toLowerCase().replace(/_/g, "-");

/** What the prod service declares, and what its Secret holds: those plus the previous values of the rotating ones. */
const PROD_ENV_KEYS = [
    "APPLE_SHARED_SECRET",
    "APP_JWT_SECRET",
    "APP_JWT_SECRET_PREVIOUS",
    "COLLAB_PAY_WEBHOOK_SECRET",
    "DATABASE_URL",
    "GOOGLE_SERVICE_ACCOUNT_KEY",
    "ISSUER_ADMIN_SECRET",
    "REDIS_URL",
    "SENTRY_DSN",
    "SESSION_SECRET",
    "SESSION_SECRET_PREVIOUS",
];

const services = (s: Sections) => s["services"] as Record<string, any>[];
/** A second service that only verifies tokens and reads the database: it gets nothing else. */
const addWorker = (s: Sections) => {
    const [server] = services(s);
    services(s).push({
        ...server,
        name: "supernova-worker",
        // A new service's first deploy is a promotion of its first tag (prod's committed file holds none).
        // A prod promotion carries a digest (prod runs images by digest).
        image: { ...server!.image, tag: server!.image.tag ?? "v1.0.0", digest: `sha256:${"0b".repeat(32)}` },
        expose: false,
        autoscaling: undefined,
        ingress: undefined,
        secrets: ["DATABASE_URL"],
    });
};
const externalSecrets = (graph: Graph): Record<string, any> =>
    Object.fromEntries(
        graph
            .ofType("kubernetes:external-secrets.io/v1:ExternalSecret")
            // The registry pull Secrets have their own store (test/workloads.test.ts).
            .filter((e) => e.inputs.spec.secretStoreRef.name !== "registry-secrets")
            .map((e) => [e.inputs.metadata.name, e.inputs.spec]),
    );
const secretKeysOf = (spec: { data: { secretKey: string }[] }) => spec.data.map((d) => d.secretKey).sort();
const jwksOf = async (graph: Graph) => JSON.parse((await resolve(graph.outputs["jwks"] as pulumi.Output<string>)).value);

describe("secrets scoped per service", () => {
    it("each service's ExternalSecret holds only what it declares; the signing key only reaches the signer", async () => {
        const { graph } = await recordStack("prod", { now: T0, edit: addWorker });
        const specs = externalSecrets(graph);
        assert.deepEqual(Object.keys(specs).sort(), ["supernova-server-jwks", "supernova-server-secrets", "supernova-worker-secrets"]);
        assert.deepEqual(secretKeysOf(specs["supernova-server-secrets"]), PROD_ENV_KEYS);
        assert.deepEqual(secretKeysOf(specs["supernova-worker-secrets"]), ["DATABASE_URL"]);
        const [kid] = jwksGenerations(T0, ROTATION_DAYS, 7).map((g) => g.kid);
        assert.deepEqual(specs["supernova-server-jwks"].data, [
            { secretKey: `${kid}.private.pem`, remoteRef: { key: "supernova/prod/jwks-private-key" } },
        ]);
        for (const [name, spec] of Object.entries(specs)) {
            const service = name.replace(/-(secrets|jwks)$/, "");
            assert.deepEqual(
                spec.secretStoreRef,
                { name: `${service}-secrets`, kind: "SecretStore" },
                `${name} reads through its service's store`,
            );
            for (const d of spec.data) assert.match(d.remoteRef.key, /^supernova\/prod\/[a-z0-9-]+$/);
        }
    });

    it("each service's store authenticates as its own ServiceAccount whose role reads only that service's secrets", async () => {
        const { graph } = await recordStack("prod", { now: T0, edit: addWorker });
        const arn = (key: string) => `arn:aws:mock:eu-west-1:000000000000:Secret/app-secrets-${slug(key)}`;
        const expected: Record<string, string[]> = {
            "supernova-server": [...PROD_ENV_KEYS, "JWKS_PRIVATE_KEY"].map(arn).sort(),
            "supernova-worker": [arn("DATABASE_URL")],
        };
        for (const [service, arns] of Object.entries(expected)) {
            const store = graph.one("kubernetes:external-secrets.io/v1:SecretStore", `app-secrets-${service}-store`).inputs;
            assert.equal(store.metadata.name, `${service}-secrets`);
            assert.deepEqual(store.spec.provider.aws.auth, { jwt: { serviceAccountRef: { name: `${service}-secrets-reader` } } });
            const account = graph.one("kubernetes:core/v1:ServiceAccount", `app-secrets-${service}-account`).inputs;
            assert.equal(account.metadata.namespace, "supernova");
            assert.equal(account.automountServiceAccountToken, false);
            assert.equal(
                account.metadata.annotations["eks.amazonaws.com/role-arn"],
                `arn:aws:mock:eu-west-1:000000000000:Role/app-secrets-${service}-role`,
            );
            const trust = JSON.parse(graph.one("aws:iam/role:Role", `app-secrets-${service}-role`).inputs.assumeRolePolicy);
            assert.deepEqual(Object.values(trust.Statement[0].Condition.StringEquals), [
                `system:serviceaccount:supernova:${service}-secrets-reader`,
                "sts.amazonaws.com",
            ]);
            const policy = JSON.parse(graph.one("aws:iam/rolePolicy:RolePolicy", `app-secrets-${service}-read`).inputs.policy);
            assert.deepEqual(policy.Statement[0].Action, ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]);
            assert.deepEqual([...policy.Statement[0].Resource].sort(), arns, "exactly this service's secrets, no wildcard");
            assert.deepEqual(policy.Statement[1], {
                Effect: "Allow",
                Action: ["kms:Decrypt"],
                Resource: ["arn:aws:mock:eu-west-1:000000000000:Key/app-secrets-key"],
                Condition: { StringEquals: { "kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com" } },
            });
        }
    });

    it("the External Secrets controller has no AWS role, no aggregation into edit/view and no cluster-wide stores", async () => {
        const { graph } = await recordStack("prod", { now: T0 });
        const release = graph.one("kubernetes:helm.sh/v3:Release", "app-secrets-external-secrets").inputs;
        assert.deepEqual(release.values, ESO_CHART_VALUES);
        assert.deepEqual(release.values.serviceAccount.annotations, {}, "no IRSA role on the controller");
        assert.equal(release.values.rbac.aggregateToEdit, false);
        assert.equal(release.values.processClusterStore, false);
        assert.equal(release.values.processClusterExternalSecret, false);
        const roles = graph.ofType("aws:iam/role:Role").map((r) => r.name);
        assert.ok(!roles.some((name) => name.includes("eso")), `no controller role: ${roles.join(", ")}`);
    });

    it("a Kubernetes backend writes the same scoped Secrets (local)", async () => {
        const { graph } = await recordStack("local", { now: T0, edit: addWorker });
        const secrets = Object.fromEntries(graph.ofType("kubernetes:core/v1:Secret").map((s) => [s.inputs.metadata.name, s]));
        const server = secrets["supernova-server-secrets"]!;
        assert.deepEqual(Object.keys(server.inputs.stringData).sort(), [
            "APP_JWT_SECRET",
            "APP_JWT_SECRET_PREVIOUS",
            "DATABASE_URL",
            "ISSUER_ADMIN_SECRET",
            "REDIS_URL",
            "SESSION_SECRET",
            "SESSION_SECRET_PREVIOUS",
        ]);
        assert.ok(isSecretValue(server.rawInputs["stringData"]), "the values reach the engine as secrets");
        assert.deepEqual(Object.keys(secrets["supernova-worker-secrets"]!.inputs.stringData), ["DATABASE_URL"]);
        assert.equal(secrets["supernova-worker-jwks"], undefined, "a service that does not sign gets no private key");
        const [kid] = jwksGenerations(T0, ROTATION_DAYS, 7).map((g) => g.kid);
        const jwks = secrets["supernova-server-jwks"]!;
        assert.deepEqual(Object.keys(jwks.inputs.stringData), [`${kid}.private.pem`]);
        assert.equal(crypto.createPrivateKey(jwks.inputs.stringData[`${kid}.private.pem`]).asymmetricKeyType, "rsa");
    });

    it("rejects a name the stack does not have, a previous value or a workflow secret", async () => {
        const { error } = await runStack("prod", {
            edit: (s) => (services(s)[0]!["secrets"] = ["DATABASE_URL", "REDIS_CLUSTER_NODES", "SESSION_SECRET_PREVIOUS", "GHCR_PAT"]),
        });
        assert.ok(error instanceof Error, "a config error");
        const lines = error.message.split("\n").slice(1);
        assert.match(
            lines[0]!,
            /^Pulumi\.prod\.yaml: services\[0\]\.secrets\[1\]: expected one of the stack's secrets \(.*REDIS_URL.*\), got "REDIS_CLUSTER_NODES"$/,
        );
        assert.equal(
            lines[1],
            'Pulumi.prod.yaml: services[0].secrets[2]: expected SESSION_SECRET: its previous value comes with it, got "SESSION_SECRET_PREVIOUS"',
        );
        assert.equal(
            lines[2],
            'Pulumi.prod.yaml: services[0].secrets[3]: expected an app secret: secrets.ci are for workflows only, got "GHCR_PAT"',
        );
        assert.equal(lines.length, 3);
    });

    it("the data layer's env matches the names services may declare, for every Redis topology", async () => {
        const cases: [{ mode: string; topology: string } & Record<string, unknown>, string][] = [
            [{ mode: "elasticache", topology: "cluster", nodeType: "cache.t4g.small", shards: 2 }, "dev"],
            [{ mode: "in-cluster", topology: "sentinel" }, "local"],
            [{ mode: "in-cluster", topology: "single" }, "local"],
        ];
        for (const [redis, stack] of cases) {
            const names = dataEnvNames(redis);
            const { graph } = await recordStack(stack, {
                edit: (s) => {
                    s["redis"] = redis;
                    services(s)[0]!["secrets"] = names;
                },
            });
            const env = graph.outputs["dataEnv"] as Record<string, unknown>;
            assert.deepEqual(Object.keys(env).sort(), [...names].sort(), `${redis.mode} ${redis.topology}`);
        }
    });
});

describe("the JWKS files, as the runbook's gen-jwks lays them out", () => {
    it("mounts jwks.json, <kid>/public.pem and, for the signer only, <kid>/private.pem", async () => {
        const { graph } = await recordStack("prod", { now: T0, edit: addWorker });
        const [current, previous] = jwksGenerations(T0, ROTATION_DAYS, 7);
        const valuesOf = (service: string) => graph.one("kubernetes:helm.sh/v3:Release", `${service}-release`).inputs.values;
        const server = valuesOf("supernova-server").jwksFiles;
        assert.equal(server.directory, "/app/server/auth/jwks/keys");
        assert.deepEqual(Object.keys(server.publicKeys).sort(), [current!.kid, previous!.kid].sort());
        assert.equal(server.privateKeySecret, "supernova-server-jwks");
        assert.equal(server.signingKid, current!.kid);
        assert.equal(valuesOf("supernova-worker").jwksFiles.privateKeySecret, "");
        assert.match(server.publicKeys[current!.kid], /^-----BEGIN PUBLIC KEY-----/);
    });
});

describe("rotation", () => {
    it("computes the schedule from an injected clock: rotate every 90 days, previous accepted for 7", () => {
        const start = windowStart(rotationWindow(T0, ROTATION_DAYS), ROTATION_DAYS);
        const at = (days: number) => new Date(start.getTime() + days * DAY);
        const w = rotationWindow(T0, ROTATION_DAYS);
        assert.deepEqual(rotationState(at(3), ROTATION_DAYS, 7), {
            rotationDays: 90,
            overlapDays: 7,
            current: { window: w, since: start.toISOString() },
            previous: { window: w - 1, acceptedUntil: at(7).toISOString() },
            nextChangeAt: at(7).toISOString(),
        });
        assert.deepEqual(rotationState(at(7), ROTATION_DAYS, 7), {
            rotationDays: 90,
            overlapDays: 7,
            current: { window: w, since: start.toISOString() },
            nextChangeAt: at(90).toISOString(),
        });
        assert.equal(rotationState(at(90), ROTATION_DAYS, 7).current.window, w + 1);
    });

    it("is due when the deployed state is behind the clock, whether or not anyone deploys", () => {
        const start = windowStart(rotationWindow(T0, ROTATION_DAYS), ROTATION_DAYS);
        const at = (days: number) => new Date(start.getTime() + days * DAY);
        const deployed: RotationState = rotationState(at(10), ROTATION_DAYS, 7);
        assert.deepEqual(rotationDue(deployed, at(89)), { due: false, reason: `next change at ${at(90).toISOString()}` });
        const w = rotationWindow(T0, ROTATION_DAYS);
        assert.deepEqual(rotationDue(deployed, at(90)), {
            due: true,
            reason: `rotate to generation ${w + 1} (due ${at(90).toISOString()})`,
        });
        assert.deepEqual(rotationDue(deployed, at(93)), {
            due: true,
            reason: `rotate to generation ${w + 1} (due ${at(90).toISOString()}, 3 days late)`,
        });
        const rotated = rotationState(at(90), ROTATION_DAYS, 7);
        assert.equal(rotationDue(rotated, at(96)).due, false);
        assert.deepEqual(rotationDue(rotated, at(97)), { due: true, reason: `end the overlap (due ${at(97).toISOString()})` });
        assert.equal(rotationDue(undefined, at(97)).due, false, "a stack never deployed is deployed first");
    });

    it("keeps the previous value as <NAME>_PREVIOUS during the overlap, then the current one; sessions survive the rotation", async () => {
        const envOf = async (now: Date) => {
            const { graph } = await recordStack("local", { now });
            return graph.one("kubernetes:core/v1:Secret", "app-secrets-supernova-server").inputs.stringData;
        };
        const w = rotationWindow(T0, ROTATION_DAYS);
        const slotOf = (window: number) => `app-secrets-app-jwt-secret${window % 2 === 0 ? "" : "-odd"}`;
        const value = (window: number) => `${GENERATED_SECRET_PREFIX}${slotOf(window)}`;
        const before = await envOf(after(30));
        assert.equal(before.APP_JWT_SECRET, value(w));
        assert.equal(before.APP_JWT_SECRET_PREVIOUS, value(w), "no overlap: the previous value is the current one");
        const rotated = await envOf(after(ROTATION_DAYS));
        assert.equal(rotated.APP_JWT_SECRET, value(w + 1));
        assert.equal(rotated.APP_JWT_SECRET_PREVIOUS, value(w), "the value that signed before the rotation is still accepted");
        const overlapOver = await envOf(after(ROTATION_DAYS + 7));
        assert.equal(overlapOver.APP_JWT_SECRET_PREVIOUS, value(w + 1));
        assert.equal(
            overlapOver.ISSUER_ADMIN_SECRET,
            `${GENERATED_SECRET_PREFIX}app-secrets-issuer-admin-secret${(w + 1) % 2 === 0 ? "" : "-odd"}`,
        );
    });

    it("keeps both generations' values in state across a rotation: only the slot that rotates changes its inputs", async () => {
        const keepers = async (now: Date) =>
            Object.fromEntries(
                (await recordStack("prod", { now })).graph
                    .ofType("random:index/randomPassword:RandomPassword")
                    .filter((r) => r.name.startsWith("app-secrets-app-jwt-secret"))
                    .map((r) => [r.name, r.inputs.keepers.rotationWindow]),
            );
        const w = rotationWindow(T0, ROTATION_DAYS);
        const before = await keepers(T0);
        const next = await keepers(after(ROTATION_DAYS));
        const slot = (window: number) => `app-secrets-app-jwt-secret${window % 2 === 0 ? "" : "-odd"}`;
        assert.deepEqual(before, { [slot(w)]: String(w), [slot(w - 1)]: String(w - 1) });
        assert.deepEqual(next, { [slot(w)]: String(w), [slot(w + 1)]: String(w + 1) }, "generation w keeps its value");
    });

    it("never generates a partner's secret: Collab Pay's webhook secret is provided", async () => {
        const { config } = await recordStack("prod", { now: T0 });
        assert.deepEqual(config.secrets.generated, ["SESSION_SECRET", "APP_JWT_SECRET", "ISSUER_ADMIN_SECRET"]);
        assert.ok(config.secrets.required.includes("COLLAB_PAY_WEBHOOK_SECRET"), "an operator provides it");
        const { error } = await runStack("prod", {
            edit: (s) => ((s["secrets"] as Record<string, unknown>)["generated"] = ["SESSION_SECRET", "COLLAB_PAY_WEBHOOK_SECRET"]),
        });
        assert.match(
            String((error as Error).message),
            /secrets\.generated\[1\]: expected COLLAB_PAY_WEBHOOK_SECRET in secrets\.provided, not generated: Collab Pay signs/,
        );
    });

    it("the scheduled workflow redeploys main on the stack's own deploy job, only where a change is due", () => {
        const start = windowStart(rotationWindow(T0, ROTATION_DAYS), ROTATION_DAYS);
        const at = (days: number) => new Date(start.getTime() + days * DAY);
        const target = (stack: string) => deployTargetOf(readStackSections(stack), stack, { id: "7", attempt: "1" });
        const prod = target("prod");
        const { due, notes } = rotationPlan(
            [
                { stack: "prod", outputs: { rotation: rotationState(at(10), ROTATION_DAYS, 7) }, target: prod },
                { stack: "staging", outputs: { rotation: rotationState(at(90), ROTATION_DAYS, 7) }, target: target("staging") },
                { stack: "dev", outputs: undefined, target: target("dev") },
            ],
            at(91),
        );
        const w = rotationWindow(T0, ROTATION_DAYS);
        assert.deepEqual(due, [
            {
                stack: "prod",
                environment: "production",
                runsOn: JSON.stringify(prod.runsOn),
                reason: `rotate to generation ${w + 1} (due ${at(90).toISOString()}, 1 day late)`,
            },
        ]);
        assert.deepEqual(notes.slice(1), [
            `staging: not due (next change at ${at(97).toISOString()})`,
            "dev: not due (never deployed: the first deploy sets up rotation)",
        ]);
        // The rotation goes through deploy.yml like every infra change: no tag is set, the running ones are kept.
        const workflow = loadWorkflow(WORKFLOW_FILES.rotateSecrets);
        assert.equal(workflow.jobs["rotate"]!.uses, "./.github/workflows/deploy.yml");
        assert.deepEqual(Object.keys(workflow.jobs["rotate"]!.with ?? {}).sort(), ["environment", "runs-on", "stack"]);
    });

    it("exports the rotation state for the scheduled workflow", async () => {
        const { graph } = await recordStack("prod", { now: after(ROTATION_DAYS) });
        assert.deepEqual(graph.outputs["rotation"], rotationState(after(ROTATION_DAYS), ROTATION_DAYS, 7));
    });

    it("the 200-day timeline of one generated secret", () => {
        const timeline = rotationTimeline(new Date("2026-11-23T00:00:00Z"), 200, ROTATION_DAYS, 7);
        assert.deepEqual(
            timeline.map((e) => e.at.slice(0, 10)),
            ["2026-11-23", "2026-12-03", "2026-12-10", "2027-03-03", "2027-03-10", "2027-06-01", "2027-06-08"],
        );
        assert.match(
            timeline[1]!.event,
            /^generation 231 current; generation 230 accepted as <NAME>_PREVIOUS until 2026-12-10T00:00:00.000Z$/,
        );
        assert.match(timeline[2]!.event, /^generation 231 current; no previous value accepted/);
    });

    it("publishes the current and, during the overlap, the previous JWKS key; public fields only", async () => {
        const [current, previous] = jwksGenerations(after(ROTATION_DAYS), ROTATION_DAYS, 7);
        const overlap = await jwksOf((await recordStack("prod", { now: after(ROTATION_DAYS) })).graph);
        assert.deepEqual(
            overlap.keys.map((k: { kid: string }) => k.kid),
            [current!.kid, previous!.kid],
        );
        for (const key of overlap.keys) assert.deepEqual(Object.keys(key).sort(), ["alg", "e", "kid", "kty", "n", "use"]);
        const later = await jwksOf((await recordStack("prod", { now: after(ROTATION_DAYS + 8) })).graph);
        assert.deepEqual(
            later.keys.map((k: { kid: string }) => k.kid),
            [current!.kid],
        );
    });

    it("rolls a service's pods when one of its secrets changes, not another service's", async () => {
        const checksums = async (now: Date) => {
            const { graph } = await recordStack("prod", { now, edit: addWorker });
            const all = graph.outputs["secretsChecksums"] as Record<string, pulumi.Output<string>>;
            return {
                server: await resolve(all["supernova-server"]!),
                worker: await resolve(all["supernova-worker"]!),
            };
        };
        const first = await checksums(T0);
        assert.equal(first.server.secret, false, "a hash, safe in plain text");
        assert.match(first.server.value, /^[0-9a-f]{64}$/);
        const rotated = await checksums(after(ROTATION_DAYS));
        assert.notEqual(rotated.server.value, first.server.value, "the server reads rotating secrets");
        assert.equal(rotated.worker.value, first.worker.value, "the worker reads only DATABASE_URL");
    });
});
