import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
    specialOutputValueSig as OUTPUT_VALUE_SIG,
    specialResourceSig as RESOURCE_SIG,
    specialSecretSig as SECRET_SIG,
    specialSigKey as SIG_KEY,
} from "@pulumi/pulumi/runtime/rpc";
import { limitRangeViolations, parseQuantity, podCharge, quotaShortfalls, rolloutPeakPods } from "./cluster/fit";
import { FAIL_POD_MARK, kwokStages } from "./cluster/kwok-stages";
import { stackObjects } from "./cluster/objects";
import { Graph } from "./harness/graph";
import { StrictMocks } from "./harness/mocks";
import { stackEnvironment } from "./harness/policy-pack/session";
import { aliasUrn, engineMarshal, goDurationSeconds, secret, UNKNOWN_INPUT, withSecretOutputs } from "./harness/policy-pack/wire";
import { secretPlaceholder, secure, toEngineConfig } from "./harness/stack-file";

describe("strict mocks", () => {
    it("fail any provider function call that has no explicit mock", async () => {
        const mocks = new StrictMocks();
        await pulumi.runtime.setMocks(mocks, "platform", "harness");
        await assert.rejects(aws.getCallerIdentity({}));
        // The SDK's mock transport drops the message; runStack rethrows the recorded error after the run.
        assert.equal(mocks.errors.length, 1);
        assert.match(mocks.errors[0]!.message, /^un-mocked invoke aws:index\/getCallerIdentity:getCallerIdentity\(/);
    });

    it("answer the calls a test mocks explicitly", async () => {
        const mocks = new StrictMocks({
            "aws:index/getCallerIdentity:getCallerIdentity": () => ({ accountId: "333333333333", arn: "arn", userId: "u", id: "x" }),
        });
        await pulumi.runtime.setMocks(mocks, "platform", "harness");
        assert.equal((await aws.getCallerIdentity({})).accountId, "333333333333");
    });
});

describe("stack file to engine config", () => {
    it("encodes sections as JSON, decrypts secure values to placeholders and marks their keys secret", () => {
        const { config, secretKeys } = toEngineConfig({
            environment: { name: "dev" },
            secrets: { backend: "kubernetes", provided: { SENTRY_DSN: secure() } },
        });
        assert.deepEqual(JSON.parse(config["platform:environment"]!), { name: "dev" });
        assert.deepEqual(JSON.parse(config["platform:secrets"]!), {
            backend: "kubernetes",
            provided: { SENTRY_DSN: secretPlaceholder("secrets.provided.SENTRY_DSN") },
        });
        assert.deepEqual(secretKeys, ["platform:secrets"]);
    });
});

describe("properties as the engine hands them to an analyzer", () => {
    it("keep secrets and unknowns in their wire form and drop internal keys at every level", () => {
        const wrapped = { [SIG_KEY]: SECRET_SIG, value: { token: "t", __meta: 1 } };
        assert.deepEqual(engineMarshal({ a: wrapped, b: [UNKNOWN_INPUT, { __defaults: [], c: null }], __internal: "x" }), {
            a: secret({ token: "t" }),
            b: [UNKNOWN_INPUT, { c: null }],
        });
    });

    it("turn a resource reference into its ID, a component's into its URN, an unknown ID into the unknown sentinel", () => {
        const urn = "urn:pulumi:dev::platform::aws:kms/key:Key::k";
        assert.equal(engineMarshal({ [SIG_KEY]: RESOURCE_SIG, urn, id: "key-1" }), "key-1");
        assert.equal(engineMarshal({ [SIG_KEY]: RESOURCE_SIG, urn, id: "" }), UNKNOWN_INPUT);
        assert.equal(engineMarshal({ [SIG_KEY]: RESOURCE_SIG, urn }), urn);
    });

    it("turn an output value into its value (a secret when secret) or the unknown sentinel", () => {
        assert.equal(engineMarshal({ [SIG_KEY]: OUTPUT_VALUE_SIG, value: "v", dependencies: [] }), "v");
        assert.deepEqual(engineMarshal({ [SIG_KEY]: OUTPUT_VALUE_SIG, value: "v", secret: true }), secret("v"));
        assert.equal(engineMarshal({ [SIG_KEY]: OUTPUT_VALUE_SIG, dependencies: ["urn"] }), UNKNOWN_INPUT);
    });

    it("make outputs named in additionalSecretOutputs secret", () => {
        assert.deepEqual(withSecretOutputs({ result: "p", length: 32 }, ["result"]), { result: secret("p"), length: 32 });
        assert.deepEqual(withSecretOutputs({ result: secret("p") }, ["result"]), { result: secret("p") });
    });

    it("resolve alias specs to URNs, the parent's type chain included", () => {
        const resource = {
            urn: "urn:pulumi:prod::platform::platform:kubernetes:Namespace$kubernetes:networking.k8s.io/v1:NetworkPolicy::app-deny",
            parent: "urn:pulumi:prod::platform::platform:kubernetes:Namespace::app",
        };
        assert.equal(
            aliasUrn({ spec: { name: "", type: "kubernetes:extensions/v1beta1:NetworkPolicy", parenturn: resource.parent } }, resource),
            "urn:pulumi:prod::platform::platform:kubernetes:Namespace$kubernetes:extensions/v1beta1:NetworkPolicy::app-deny",
        );
        assert.equal(
            aliasUrn({ spec: { name: "old-deny", noparent: true } }, resource),
            "urn:pulumi:prod::platform::kubernetes:networking.k8s.io/v1:NetworkPolicy::old-deny",
        );
        assert.equal(aliasUrn({ urn: "urn:pulumi:prod::platform::x:y:Z::n" }, resource), "urn:pulumi:prod::platform::x:y:Z::n");
    });

    it("give custom timeouts in seconds, from Go durations", () => {
        assert.equal(goDurationSeconds("1h30m"), 5400);
        assert.equal(goDurationSeconds("90s"), 90);
        assert.equal(goDurationSeconds(undefined), 0);
        assert.throws(() => goDurationSeconds("10 minutes"), /not a Go duration/);
    });
});

describe("the environment a policy pack starts with for a stack", () => {
    it("carries the stack's config and identity in both spellings the Node.js SDK reads, as the engine sets them", () => {
        assert.deepEqual(stackEnvironment({ stack: "prod", config: { "platform:environment": '{"name":"prod"}' }, secretKeys: [] }), {
            PULUMI_CONFIG: '{"platform:environment":"{\\"name\\":\\"prod\\"}"}',
            PULUMI_NODEJS_ORGANIZATION: "organization",
            PULUMI_ORGANIZATION: "organization",
            PULUMI_NODEJS_PROJECT: "platform",
            PULUMI_PROJECT: "platform",
            PULUMI_NODEJS_STACK: "prod",
            PULUMI_STACK: "prod",
            PULUMI_NODEJS_DRY_RUN: "false",
            PULUMI_DRY_RUN: "false",
        });
        assert.equal(stackEnvironment({ stack: "dev" })["PULUMI_CONFIG"], undefined);
    });
});

describe("cluster suite helpers (npm run test:cluster)", () => {
    it("fail on a kubernetes resource type the suite cannot apply", () => {
        const resource = { type: "kubernetes:kustomize/v2:Directory", name: "x", urn: "urn:x", custom: true, inputs: {} } as any;
        assert.throws(() => stackObjects(new Graph([resource], {})), /does not know how to apply kubernetes:kustomize\/v2:Directory/);
    });

    it("charge pods to a quota as the API server does and find shortfalls", () => {
        assert.equal(parseQuantity("500m"), 0.5);
        assert.equal(parseQuantity("2Gi"), 2 * 2 ** 30);
        assert.equal(parseQuantity("1e3"), 1000);
        assert.throws(() => parseQuantity("lots"), /not a Kubernetes quantity/);
        const app = { resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } } };
        const charge = podCharge({ spec: { containers: [app, app] } });
        assert.deepEqual(charge, {
            pods: 1,
            "requests.cpu": 0.5,
            "requests.memory": 512 * 2 ** 20,
            "limits.cpu": 2,
            "limits.memory": 2 * 2 ** 30,
            cpu: 0.5,
            memory: 512 * 2 ** 20,
        });
        const hard = { "limits.cpu": "6", pods: "4" };
        assert.deepEqual(quotaShortfalls(hard, { "limits.cpu": "2", pods: "1" }, [charge, charge]), []);
        assert.deepEqual(quotaShortfalls(hard, { "limits.cpu": "2", pods: "1" }, [charge, charge, charge]), [
            { resource: "limits.cpu", needed: 8, hard: 6 },
        ]);
        assert.equal(rolloutPeakPods(10, "25%"), 13);
        assert.equal(rolloutPeakPods(3, 1), 4);
    });

    it("report containers outside a LimitRange", () => {
        const range = {
            metadata: { name: "lr" },
            spec: { limits: [{ type: "Container", max: { cpu: "1" }, maxLimitRequestRatio: { memory: "2" } }] },
        };
        const pod = (resources: object) => ({ metadata: { name: "p" }, spec: { containers: [{ name: "c", resources }] } });
        const fits = { requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "1", memory: "2Gi" } };
        assert.deepEqual(limitRangeViolations(pod(fits), [range]), []);
        assert.deepEqual(limitRangeViolations(pod({ ...fits, limits: { cpu: "2", memory: "4Gi" } }), [range]), [
            "pod p container c: limits.cpu 2 > max 1 (lr)",
            "pod p container c: memory limit/request above 2 (lr)",
        ]);
        assert.deepEqual(limitRangeViolations(pod({ requests: fits.requests }), []), [
            "pod p container c: no limits.cpu",
            "pod p container c: no limits.memory",
        ]);
    });

    it("kwok fails a Job's pod only when its fail mark names the pod's own component", () => {
        const stages = kwokStages();
        const expression = (name: string) => stages.find((s) => s.metadata.name === name)!.spec.selector.matchExpressions;
        const failed = expression("job-pod-failed").find((e) => e.key.includes(FAIL_POD_MARK))!;
        const succeeded = expression("job-pod-succeeded").find((e) => e.key.includes(FAIL_POD_MARK))!;
        assert.equal(failed.key, succeeded.key);
        assert.deepEqual([failed.operator, succeeded.operator], ["In", "NotIn"]);
        assert.match(failed.key, /\.metadata\.labels\["app\.kubernetes\.io\/component"\]/);
    });
});
