import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { StrictMocks } from "./harness/mocks";
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
