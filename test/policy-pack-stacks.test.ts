import * as fs from "fs";
import * as path from "path";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { environmentsOf, tierOf } from "../config/environments";
import { ConfigError, formatPath } from "../config/format";
import { ENVIRONMENT_GUARDS, GUARD_LIMITS, guardTable } from "../config/rules/environment-guards";
import { POLICIES } from "../policies/all";
import { policyResources, runPack, Violation } from "./harness/policy";
import { recordStack, runStack } from "./harness/run-stack";
import { REPO_ROOT, Sections, STACKS } from "./harness/stack-file";

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
    const unsafe = (s: Sections) => {
        const service = (s["services"] as Record<string, any>[])[0]!;
        service["env"].DEV_AUTH_OPEN = "true";
        service["replicas"] = 1;
        Object.assign(s["environment"] as object, { protectStatefulResources: false });
        Object.assign(s["database"] as object, { backupRetentionDays: 1, publiclyAccessible: true });
        Object.assign((s["github"] as Record<string, any>)["environment"], {
            reviewers: { users: ["platform-lead"] },
            requiredReviewers: 1,
        });
    };

    it("is refused by the config first, one problem per setting, nothing registered", async () => {
        const { graph, error } = await runStack("prod", { edit: unsafe });
        assert.ok(error instanceof ConfigError, String(error));
        assert.equal(graph.resources.length, 0);
        assert.deepEqual(error.problems.map((p) => formatPath(p.path)).sort(), [
            "database.backupRetentionDays",
            "database.publiclyAccessible",
            "environment.protectStatefulResources",
            "github.environment.reviewers",
            "services[0].env.DEV_AUTH_OPEN",
            "services[0].replicas",
        ]);
    });

    it("yields exactly the expected violations when the same settings bypass the config", async () => {
        // The safe prod graph, then the unsafe values written into it as a change outside the config would.
        const resources = policyResources((await recordStack("prod")).graph);
        const of = (type: string) => resources.filter((r) => r.type === type);
        for (const release of of("kubernetes:helm.sh/v3:Release").filter((r) => r.props["name"] === "supernova-server")) {
            release.props["values"].env.DEV_AUTH_OPEN = "true";
            Object.assign(release.props["values"], { replicaCount: 1 });
            release.props["values"].autoscaling.minReplicas = 1;
        }
        for (const rds of of("aws:rds/instance:Instance")) {
            Object.assign(rds.props, {
                backupRetentionPeriod: 1,
                publiclyAccessible: true,
                deletionProtection: false,
                skipFinalSnapshot: true,
            });
            rds.protect = false;
        }
        for (const env of of("github:index/repositoryEnvironment:RepositoryEnvironment"))
            env.props["reviewers"] = [{ users: [1002], teams: [] }];
        const violations = runPack(POLICIES, resources, PACK_CONFIG);
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
            "stateful-resources-protected: Instance postgres-instance is not protected from deletion in prod.",
            "stateful-resources-protected: RDS instance postgres-instance has no deletion protection in prod.",
        ]);
    });
});

describe("the config's environment guards and the policy pack check the same things", () => {
    const byName = new Map(POLICIES.map((p) => [p.name, p]));
    const defaults = (name: string) =>
        Object.fromEntries(
            Object.entries(byName.get(name)?.configSchema?.properties ?? {}).map(([key, schema]) => [
                key,
                (schema as { default?: unknown }).default,
            ]),
        );
    /** Mandatory policies no config value can break: the program hard-codes what they check. */
    const FIXED_BY_PROGRAM: Record<string, string> = {
        "namespace-pod-security-restricted": "components/namespace.ts labels every namespace restricted",
        "namespace-default-deny": "components/namespace.ts always adds the default-deny policy",
        "service-resources-and-probes": "the schema requires resources; probes default to /healthz",
        "configmap-no-secret-keys": "rules.ts refuses secret-looking names in plain env",
        "release-values-no-secret-keys": "rules.ts refuses secret-looking names in plain env",
        "rds-storage-encrypted": "components/data/rds.ts always encrypts with its own KMS key",
        "rds-engine-version": "rules.ts refuses PostgreSQL older than 15",
        "elasticache-encryption": "components/data/elasticache.ts always encrypts",
        "elasticache-auth-token": "components/data/elasticache.ts always sets an AUTH token",
        "eks-secrets-encryption": "components/cluster/eks.ts always encrypts Secrets",
        "eks-control-plane-logs": "components/cluster/eks.ts enables every log type",
        "secretsmanager-kms-key": "components/secrets uses the environment's KMS key",
        "iam-no-wildcard-actions": "the program writes named actions only",
        "github-production-deployment-policy": "rules.ts requires exactly one of deployFrom.branch or tag",
    };

    it("every guard names mandatory policies of the pack", () => {
        for (const guard of ENVIRONMENT_GUARDS) {
            for (const name of guard.policies) assert.equal(byName.get(name)?.enforcementLevel, "mandatory", `${guard.setting}: ${name}`);
        }
    });

    it("every mandatory policy has a config guard or is fixed by the program", () => {
        const guarded = new Set(ENVIRONMENT_GUARDS.flatMap((g) => g.policies));
        const unmirrored = POLICIES.filter(
            (p) => p.enforcementLevel === "mandatory" && !guarded.has(p.name) && !(p.name in FIXED_BY_PROGRAM),
        );
        assert.deepEqual(
            unmirrored.map((p) => p.name),
            [],
        );
    });

    it("the guards' thresholds are the policies' defaults", () => {
        assert.equal(defaults("service-minimum-replicas")["minimumReplicas"], GUARD_LIMITS.productionMinimumReplicas);
        assert.equal(defaults("rds-backup-retention")["minimumDays"], GUARD_LIMITS.minimumBackupDays);
        assert.equal(defaults("rds-backup-retention")["productionMinimumDays"], GUARD_LIMITS.productionMinimumBackupDays);
        const environment = defaults("github-production-environment-protection");
        assert.deepEqual(environment["environments"], GUARD_LIMITS.productionGithubEnvironments);
        assert.equal(environment["minimumReviewers"], GUARD_LIMITS.productionMinimumReviewers);
        assert.equal(environment["minimumWaitMinutes"], GUARD_LIMITS.productionMinimumWaitMinutes);
        assert.equal(defaults("github-main-branch-protection")["branch"], GUARD_LIMITS.protectedBranch);
        assert.equal(defaults("github-main-branch-protection")["minimumApprovals"], GUARD_LIMITS.protectedBranchMinimumApprovals);
        assert.equal(defaults("migration-hook-deadline")["maximumSeconds"], GUARD_LIMITS.maximumHookDeadlineSeconds);
    });

    it("the pack's stack lists are the config's tier table", () => {
        for (const policy of POLICIES.filter((p) => p.configSchema?.properties?.["productionStacks"])) {
            assert.deepEqual(defaults(policy.name)["productionStacks"], environmentsOf("production"), policy.name);
        }
        assert.deepEqual(
            new Set(defaults("dev-auth-open-only-in-dev")["allowedStacks"] as string[]),
            new Set(environmentsOf("development", "local")),
        );
        assert.deepEqual(defaults("stateful-resources-protected")["allowedStacks"], environmentsOf("development", "local"));
        assert.deepEqual(defaults("image-tag-traceable")["allowedStacks"], environmentsOf("local"));
        assert.deepEqual(
            STACKS.map((stack) => tierOf(stack)),
            ["local", "development", "staging", "production"],
        );
    });

    it("the README's table is the guard list", () => {
        const cells = (table: string) =>
            table
                .split("\n")
                .filter((line) => line.startsWith("|") && !/^\|[\s|-]+\|$/.test(line))
                .map((line) =>
                    line
                        .split("|")
                        .slice(1, -1)
                        .map((cell) => cell.trim()),
                );
        const readme = fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
        const section = /<!-- environment-guards:start -->([\s\S]*)<!-- environment-guards:end -->/.exec(readme)?.[1] ?? "";
        assert.deepEqual(cells(section), cells(guardTable()));
    });
});
