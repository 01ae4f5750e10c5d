import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { POLICIES } from "../policies/all";
import { policyResources, runPack, Violation } from "./harness/policy";
import { recordStack } from "./harness/run-stack";
import { Sections, STACKS } from "./harness/stack-file";

/** Evaluate the deployment window at a fixed time inside it, so the result does not depend on the clock. */
const PACK_CONFIG = { "prod-deployment-window": { at: "2026-11-25T11:00:00Z" } };
const packOn = async (stack: string, edit?: (s: Sections) => void): Promise<Violation[]> =>
    runPack(POLICIES, policyResources((await recordStack(stack, { edit })).graph), PACK_CONFIG);

describe("the policy pack on every stack's recorded graph", () => {
    for (const stack of STACKS) {
        it(`${stack}: every policy runs and none reports anything`, async () => {
            assert.deepEqual(await packOn(stack), []);
        });
    }
});

describe("a deliberately unsafe prod config", () => {
    it("yields exactly the expected violations", async () => {
        const unsafe = (s: Sections) => {
            const service = (s["services"] as Record<string, any>[])[0]!;
            service["env"].DEV_AUTH_OPEN = "true";
            service["replicas"] = 1;
            // The config refuses short backups while stateful resources are protected, so this config turns protection off too.
            Object.assign(s["environment"] as object, { protectStatefulResources: false });
            Object.assign(s["database"] as object, { backupRetentionDays: 1, publiclyAccessible: true });
            Object.assign((s["github"] as Record<string, any>)["environment"], {
                reviewers: { users: ["platform-lead"] },
                requiredReviewers: 1,
            });
        };
        const violations = await packOn("prod", unsafe);
        assert.ok(violations.every((v) => v.enforcementLevel === "mandatory"));
        assert.deepEqual(violations.map((v) => `${v.policy}: ${v.message}`).sort(), [
            "dev-auth-open-only-in-dev: supernova-server sets DEV_AUTH_OPEN=true in prod: authentication would be open. Only dev, local may.",
            "github-production-environment-protection: platform/production lists 1 reviewer(s); at least 2 are required.",
            "github-production-environment-protection: supernova/production lists 1 reviewer(s); at least 2 are required.",
            "rds-backup-retention: RDS instance postgres-instance keeps backups 1 day(s); prod needs at least 30.",
            "rds-deletion-protection-in-production: RDS instance postgres-instance has no deletion protection in prod.",
            "rds-deletion-protection-in-production: RDS instance postgres-instance skips its final snapshot in prod.",
            "rds-not-public: RDS instance postgres-instance is publicly accessible.",
            "service-minimum-replicas: supernova-server runs 1 replica(s) in prod; production needs at least 3.",
        ]);
    });
});
