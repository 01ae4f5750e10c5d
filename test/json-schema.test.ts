import Ajv2020 from "ajv/dist/2020";
import * as fs from "fs";
import * as path from "path";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { SCHEMA_FILE, stackFileJsonSchema, stackFileJsonSchemaText } from "../config/json-schema";
import { REPO_ROOT, STACKS, stackFilePath } from "./harness/stack-file";

const validate = new Ajv2020({ allErrors: true, strict: false }).compile(stackFileJsonSchema());
const readStackFile = (stack: string) => parse(fs.readFileSync(stackFilePath(stack), "utf8")) as Record<string, any>;

describe("stack file JSON Schema", () => {
    it("is up to date with the zod schema (run `npm run schema`)", () => {
        const committed = fs.readFileSync(path.join(REPO_ROOT, SCHEMA_FILE), "utf8");
        assert.equal(committed, stackFileJsonSchemaText());
    });

    for (const stack of STACKS) {
        it(`is referenced by Pulumi.${stack}.yaml and accepts it`, () => {
            const text = fs.readFileSync(stackFilePath(stack), "utf8");
            assert.match(text, new RegExp(`^# yaml-language-server: \\$schema=\\./${SCHEMA_FILE.replace(/\./g, "\\.")}$`, "m"));
            assert.ok(validate(readStackFile(stack)), JSON.stringify(validate.errors));
        });
    }

    it("rejects a typo, a wrong type and a plain-text secret", () => {
        const file = readStackFile("prod");
        file["config"]["platform:servics"] = [];
        file["config"]["platform:services"][0].replicas = "three";
        file["config"]["platform:secrets"].provided = { SENTRY_DSN: "plain" };
        assert.equal(validate(file), false);
        const paths = (validate.errors ?? []).map((e) => `${e.instancePath} ${e.keyword}`);
        assert.ok(paths.includes("/config additionalProperties"), paths.join("\n"));
        assert.ok(paths.includes("/config/platform:services/0/replicas type"), paths.join("\n"));
        assert.ok(paths.includes("/config/platform:secrets/provided/SENTRY_DSN type"), paths.join("\n"));
    });

    it("lets other namespaces' provider settings through", () => {
        const file = readStackFile("dev");
        file["config"]["aws:skipMetadataApiCheck"] = true;
        assert.ok(validate(file), JSON.stringify(validate.errors));
    });
});
