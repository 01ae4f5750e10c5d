import type * as pulumi from "@pulumi/pulumi";
import * as crypto from "crypto";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { GENERATED_SECRETS } from "../config/schema";
import { jwksGenerations, rotationWindow, windowStart } from "../components/secrets/rotation";
import { Graph, isSecretValue } from "./harness/graph";
import { resolve } from "./harness/outputs";
import { recordStack } from "./harness/run-stack";

const DAY = 24 * 60 * 60 * 1000;
const ROTATION_DAYS = 90;
/** One day into a rotation window, so "+ 89 days" stays in it and "+ 90 days" is the next one. */
const T0 = new Date(windowStart(rotationWindow(new Date("2026-11-22T12:00:00Z"), ROTATION_DAYS), ROTATION_DAYS).getTime() + DAY);
const after = (days: number) => new Date(T0.getTime() + days * DAY);

const APP_KEYS = [
    "APPLE_SHARED_SECRET",
    "APP_JWT_SECRET",
    "COLLAB_PAY_WEBHOOK_SECRET",
    "DATABASE_URL",
    "GOOGLE_SERVICE_ACCOUNT_KEY",
    "ISSUER_ADMIN_SECRET",
    "JWKS_KID",
    "JWKS_PRIVATE_KEY",
    "REDIS_URL",
    "SENTRY_DSN",
    "SESSION_SECRET",
];

const generatedKeepers = (graph: Graph) =>
    Object.fromEntries(
        graph
            .ofType("random:index/randomPassword:RandomPassword")
            .filter((r) => r.inputs.length === 64)
            .map((r) => [r.name, r.inputs.keepers]),
    );
const jwksOf = async (graph: Graph) => JSON.parse((await resolve(graph.outputs["jwks"] as pulumi.Output<string>)).value);

describe("secrets in AWS Secrets Manager (prod)", () => {
    it("stores every app key as <project>/<env>/<key>, encrypted with the environment's KMS key", async () => {
        const { graph } = await recordStack("prod", { now: T0 });
        const key = graph.one("aws:kms/key:Key", "app-secrets-key");
        assert.equal(key.inputs.enableKeyRotation, true);
        const entries = graph.ofType("aws:secretsmanager/secret:Secret").filter((s) => s.name.startsWith("app-secrets-"));
        assert.deepEqual(
            entries.map((e) => e.inputs.name).sort(),
            APP_KEYS.map((k) => `supernova/prod/${k.toLowerCase().replace(/_/g, "-")}`).sort(),
        );
        assert.ok(entries.every((e) => e.inputs.kmsKeyId === "arn:aws:mock:eu-west-1:000000000000:Key/app-secrets-key"));
        assert.ok(entries.some((e) => e.inputs.name === "supernova/prod/database-url"));
        for (const version of graph.ofType("aws:secretsmanager/secretVersion:SecretVersion")) {
            assert.ok(isSecretValue(version.rawInputs["secretString"]), `${version.name} holds its value as a secret`);
        }
    });

    it("maps every key into the app's Secret through one ExternalSecret per service", async () => {
        const { graph } = await recordStack("prod", { now: T0 });
        const external = graph.one("kubernetes:external-secrets.io/v1:ExternalSecret");
        assert.equal(external.inputs.metadata.namespace, "supernova");
        const spec = external.inputs.spec;
        assert.equal(spec.refreshInterval, "1h");
        assert.deepEqual(spec.secretStoreRef, { name: "aws-secrets-manager", kind: "SecretStore" });
        assert.equal(spec.target.name, "supernova-server-secrets");
        assert.deepEqual(
            spec.data.map((d: { secretKey: string }) => d.secretKey),
            APP_KEYS,
        );
        assert.ok(
            spec.data.every(
                (d: { secretKey: string; remoteRef: { key: string } }) =>
                    d.remoteRef.key === `supernova/prod/${d.secretKey.toLowerCase().replace(/_/g, "-")}`,
            ),
        );
        assert.match(external.inputs.metadata.annotations["force-sync"], /^[0-9a-f]{64}$/, "re-syncs when a value changes");
        assert.equal(
            external.inputs.metadata.annotations["force-sync"],
            (await resolve(graph.outputs["secretsChecksum"] as pulumi.Output<string>)).value,
        );
        const store = graph.one("kubernetes:external-secrets.io/v1:SecretStore");
        assert.equal(store.inputs.metadata.name, "aws-secrets-manager");
        assert.ok(external.dependsOn.includes(store.urn));
    });

    it("lets External Secrets read only this environment's prefix and key", async () => {
        const { graph } = await recordStack("prod", { now: T0 });
        const policy = JSON.parse(graph.one("aws:iam/rolePolicy:RolePolicy", "app-secrets-eso-read").inputs.policy);
        const actions = policy.Statement.flatMap((s: { Action: string[] }) => s.Action).sort();
        assert.deepEqual(actions, ["kms:Decrypt", "secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"]);
        const resources: string[] = policy.Statement.flatMap((s: { Resource: string[] }) => s.Resource);
        assert.deepEqual(resources, [
            "arn:aws:secretsmanager:eu-west-1:333333333333:secret:supernova/prod/*",
            "arn:aws:mock:eu-west-1:000000000000:Key/app-secrets-key",
        ]);
        assert.ok(!resources.includes("*"));
        const trust = JSON.parse(graph.one("aws:iam/role:Role", "app-secrets-eso-role").inputs.assumeRolePolicy);
        assert.deepEqual(
            Object.values(trust.Statement[0].Condition.StringEquals)[0],
            "system:serviceaccount:external-secrets:external-secrets",
        );
        const release = graph.one("kubernetes:helm.sh/v3:Release", "app-secrets-external-secrets").inputs;
        assert.equal(release.version, "0.19.2");
        assert.match(release.values.serviceAccount.annotations["eks.amazonaws.com/role-arn"], /app-secrets-eso-role/);
    });
});

describe("secrets in a Kubernetes Secret (local)", () => {
    it("writes every key to <service>-secrets, as secrets, and no ConfigMap carries them", async () => {
        const { graph } = await recordStack("local", { now: T0 });
        const secret = graph.one("kubernetes:core/v1:Secret", "app-secrets-supernova-server");
        assert.equal(secret.inputs.metadata.name, "supernova-server-secrets");
        assert.equal(secret.inputs.metadata.namespace, "supernova-local");
        const keys = [
            "APP_JWT_SECRET",
            "COLLAB_PAY_WEBHOOK_SECRET",
            "DATABASE_URL",
            "ISSUER_ADMIN_SECRET",
            "JWKS_KID",
            "JWKS_PRIVATE_KEY",
            "REDIS_URL",
            "SESSION_SECRET",
        ];
        assert.deepEqual(Object.keys(secret.inputs.stringData).sort(), keys);
        assert.ok(isSecretValue(secret.rawInputs["stringData"]), "the values reach the engine as secrets");
        const signingKey = crypto.createPrivateKey(secret.inputs.stringData.JWKS_PRIVATE_KEY);
        assert.equal(signingKey.asymmetricKeyType, "rsa", "JWKS_PRIVATE_KEY is the RSA signing key");
        for (const map of graph.ofType("kubernetes:core/v1:ConfigMap")) {
            assert.deepEqual(
                Object.keys(map.inputs.data ?? {}).filter((k) => keys.includes(k)),
                [],
                map.name,
            );
        }
    });
});

describe("rotation", () => {
    it("generates 64-character secrets whose inputs change only after the rotation period", async () => {
        const before = generatedKeepers((await recordStack("prod", { now: T0 })).graph);
        const sameWindow = generatedKeepers((await recordStack("prod", { now: after(ROTATION_DAYS - 2) })).graph);
        const nextWindow = generatedKeepers((await recordStack("prod", { now: after(ROTATION_DAYS) })).graph);
        assert.equal(Object.keys(before).length, GENERATED_SECRETS.length);
        assert.deepEqual(sameWindow, before, "nothing rotates within the period");
        for (const name of Object.keys(before)) assert.notDeepEqual(nextWindow[name], before[name], `${name} rotates after the period`);
    });

    it("rolls the app's pods when secrets rotate: the checksum changes", async () => {
        const checksum = async (now: Date) =>
            await resolve((await recordStack("prod", { now })).graph.outputs["secretsChecksum"] as pulumi.Output<string>);
        const first = await checksum(T0);
        assert.equal(first.secret, false, "a hash, safe in plain text");
        assert.match(first.value, /^[0-9a-f]{64}$/);
        assert.equal((await checksum(after(1))).value, first.value);
    });

    it("publishes the current and, during the overlap, the previous JWKS key", async () => {
        const [current, previous] = jwksGenerations(after(ROTATION_DAYS), ROTATION_DAYS, 7);
        const overlap = await jwksOf((await recordStack("prod", { now: after(ROTATION_DAYS) })).graph);
        assert.deepEqual(
            overlap.keys.map((k: { kid: string }) => k.kid),
            [current!.kid, previous!.kid],
        );
        for (const key of overlap.keys) {
            assert.deepEqual(Object.keys(key).sort(), ["alg", "e", "kid", "kty", "n", "use"], "public fields only");
            assert.equal(key.alg, "RS256");
        }
        const later = await jwksOf((await recordStack("prod", { now: after(ROTATION_DAYS + 8) })).graph);
        assert.deepEqual(
            later.keys.map((k: { kid: string }) => k.kid),
            [current!.kid],
        );
    });

    it("keeps the JWKS document public and the private key secret", async () => {
        const { graph } = await recordStack("local", { now: T0 });
        const jwks = await resolve(graph.outputs["jwks"] as pulumi.Output<string>);
        assert.equal(jwks.secret, false);
        assert.doesNotMatch(jwks.value, /PRIVATE|"d":/);
        const keys = graph.ofType("tls:index/privateKey:PrivateKey");
        assert.equal(keys.length, 2, "one day into a window, the previous key is still published");
        assert.ok(keys.every((k) => k.inputs.algorithm === "RSA" && k.inputs.rsaBits === 2048));
    });
});
