import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { ConfigError, formatPath } from "../../config/format";
import { environmentsOf, tierOf } from "../../config/environments";
import { ENVIRONMENT_GUARDS, GUARD_LIMITS, guardTable } from "../../config/rules/environment-guards";
import { POLICIES } from "../../policies/all";
import { isSecretValue, plaintextPaths } from "../harness/graph";
import { GENERATED_SECRET_PREFIX } from "../harness/mocks";
import { policyResources, runPack } from "../harness/policy";
import { EXIT, exitCodeOf, runPolicyCli, StackCheck } from "../harness/policy-pack/check";
import { analyzeRequest } from "../harness/policy-pack/messages";
import { graphResources, PackResource } from "../harness/policy-pack/resources";
import { PolicyPackSession } from "../harness/policy-pack/session";
import { secret } from "../harness/policy-pack/wire";
import { recordStack, runStack } from "../harness/run-stack";
import { REPO_ROOT, SECRET_PLACEHOLDER_PREFIX, Sections, STACKS } from "../harness/stack-file";

/** Evaluate the deployment window at a fixed time inside it, so the result does not depend on the clock. */
const PACK_CONFIG = { "prod-deployment-window": { at: "2026-11-25T11:00:00Z" } };

// One pack for this file, started as the engine starts it and spoken to over gRPC; every stack reuses it.
let pack: PolicyPackSession;
before(async () => {
    pack = await PolicyPackSession.start();
});
after(() => pack?.stop());

// Each stack's program runs once for this file; the unsafe scenario runs its own.
const recorded = new Map<string, ReturnType<typeof recordStack>>();
const record = (stack: string, edit?: (s: Sections) => void) => {
    if (edit) return recordStack(stack, { edit });
    if (!recorded.has(stack)) recorded.set(stack, recordStack(stack));
    return recorded.get(stack)!;
};

async function analyze(stack: string, edit?: (s: Sections) => void) {
    const { graph, engineConfig } = await record(stack, edit);
    const started = performance.now();
    const analysis = await pack.analyzeGraph(graph, { config: PACK_CONFIG, stack: { stack, ...engineConfig } });
    return { graph, analysis, ms: performance.now() - started };
}

describe("the policy pack on every stack's recorded graph, through the analyzer server", () => {
    for (const stack of STACKS) {
        it(`${stack}: every policy runs and none reports anything`, async (t) => {
            const { graph, analysis, ms } = await analyze(stack);
            assert.deepEqual(analysis.violations, []);
            assert.deepEqual(analysis.remediations, []);
            t.diagnostic(
                `${stack}: ${graph.resources.length + 1} resources analysed in ${Math.round(ms)} ms (pack start-up ${Math.round(pack.startupMs)} ms)`,
            );
        });
    }
});

describe("the recorded graph as the engine describes it to the pack", () => {
    let resources: PackResource[];
    before(async () => (resources = await graphResources((await record("prod")).graph)));
    const find = (type: string) => resources.find((r) => r.type === type)!;

    it("starts with the root stack, with the stack outputs, and parents every top-level resource to it", () => {
        const root = resources[0]!;
        assert.equal(root.urn, "urn:pulumi:prod::platform::pulumi:pulumi:Stack::platform-prod");
        assert.ok(isSecretValue(root.outputs["kubeconfig"]), "a secret stack output stays a secret");
        assert.deepEqual(
            resources.filter((r) => r.parent === undefined).map((r) => r.urn),
            [root.urn],
        );
        assert.equal(find("platform:data:Postgres").parent, root.urn);
    });

    it("gives each resource its provider with the provider's inputs, its dependencies and resolved aliases", () => {
        const db = find("aws:rds/instance:Instance");
        assert.equal(db.parent, "urn:pulumi:prod::platform::platform:data:Postgres::postgres");
        assert.equal(db.provider?.urn, "urn:pulumi:prod::platform::pulumi:providers:aws::aws");
        assert.ok("defaultTags" in db.provider!.inputs);
        assert.deepEqual(db.propertyDependencies["dbSubnetGroupName"], [
            "urn:pulumi:prod::platform::platform:data:Postgres$aws:rds/subnetGroup:SubnetGroup::postgres-subnets",
        ]);
        assert.ok(db.dependencies.includes(db.propertyDependencies["dbSubnetGroupName"]![0]!));
        const deny = resources.find((r) => r.name === "app-default-deny")!;
        assert.deepEqual(deny.options.aliases, [
            "urn:pulumi:prod::platform::platform:kubernetes:Namespace$kubernetes:extensions/v1beta1:NetworkPolicy::app-default-deny",
        ]);
    });

    it("keeps every secret a secret, in inputs, outputs (additionalSecretOutputs included) and provider inputs", () => {
        assert.deepEqual(
            find("random:index/randomPassword:RandomPassword").outputs["result"],
            secret(`${GENERATED_SECRET_PREFIX}postgres-password`),
        );
        const leaks = resources.flatMap((r) =>
            [GENERATED_SECRET_PREFIX, SECRET_PLACEHOLDER_PREFIX].flatMap((needle) =>
                plaintextPaths({ inputs: r.inputs, outputs: r.outputs, provider: r.provider?.inputs }, needle).map((p) => `${r.urn} ${p}`),
            ),
        );
        assert.deepEqual(leaks, []);
    });
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

    /** The same settings written into the safe prod graph, as a change that bypasses the config would. */
    const bypass = (resources: { type: string; props: Record<string, any>; setProtect(protect: boolean): void }[]) => {
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
            rds.setProtect(false);
        }
        for (const env of of("github:index/repositoryEnvironment:RepositoryEnvironment"))
            env.props["reviewers"] = [{ users: [1002], teams: [] }];
    };
    const EXPECTED = [
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
    ];
    const summary = (violations: { policy: string; message: string }[]) => violations.map((v) => `${v.policy}: ${v.message}`).sort();

    it("yields exactly the expected violations through the server, the same as through the direct harness", async () => {
        const { graph, engineConfig } = await recordStack("prod");
        const wire = await graphResources(graph);
        bypass(wire.map((r) => ({ type: r.type, props: r.inputs as Record<string, any>, setProtect: (p) => (r.options.protect = p) })));
        const analysis = await pack.analyze(wire, { config: PACK_CONFIG, stack: { stack: "prod", ...engineConfig } });
        assert.ok(analysis.violations.every((v) => v.enforcementLevel === "mandatory"));
        assert.deepEqual(summary(analysis.violations), EXPECTED);

        // A copy: the recorded graph is shared by every test in the process.
        const direct = policyResources(graph).map((r) => ({ ...r, props: structuredClone(r.props) }));
        bypass(direct.map((r) => ({ type: r.type, props: r.props, setProtect: (p) => (r.protect = p) })));
        const directViolations = runPack(POLICIES, direct, PACK_CONFIG);
        assert.deepEqual(summary(directViolations), summary(analysis.violations));
        assert.ok(directViolations.every((v) => v.enforcementLevel === "mandatory"));
        // Each violation names the resource it is about, as the engine reports it.
        const db = graph.one("aws:rds/instance:Instance");
        assert.deepEqual(
            analysis.violations.filter((v) => v.policy.startsWith("rds-")).map((v) => v.urn),
            Array(4).fill(db.urn),
        );
    });
});

describe("secrets reach the pack as secrets", () => {
    // That the SDK's server holds such a value as a Secret is shown by the probe pack in test/suites/policy-pack-process.test.ts.
    let resources: PackResource[];
    before(async () => (resources = await graphResources((await record("prod")).graph)));

    it("the Analyze request holds the RDS master password in the secret wire form, nowhere in plain text", () => {
        const db = resources.find((r) => r.type === "aws:rds/instance:Instance")!;
        const properties = analyzeRequest(db).getProperties()!.toJavaScript();
        assert.ok(isSecretValue(properties["password"]));
        assert.equal(properties["password"].value, `${GENERATED_SECRET_PREFIX}postgres-password`);
        assert.deepEqual(plaintextPaths(properties, GENERATED_SECRET_PREFIX), []);
    });

    it("the platform pack judges a secret by its value: an empty AUTH token behind a secret still fails", async () => {
        const group = resources.find((r) => r.type === "aws:elasticache/replicationGroup:ReplicationGroup")!;
        assert.ok(isSecretValue(group.inputs["authToken"]));
        assert.deepEqual((await pack.analyze([group], { config: PACK_CONFIG })).violations, []);
        const empty = { ...group, inputs: { ...group.inputs, authToken: secret("") } };
        const { violations } = await pack.analyze([empty], { config: PACK_CONFIG });
        assert.deepEqual(
            violations.filter((v) => v.policy === "elasticache-auth-token").map((v) => v.message),
            ["ElastiCache redis-group has no AUTH token."],
        );
    });
});

describe("npm run policy -- <stack>", () => {
    let dir: string;
    before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "policy-cli-"))));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const configFile = (content: Record<string, unknown>) => {
        const file = path.join(dir, `${Object.keys(content).join("-")}.json`);
        fs.writeFileSync(file, JSON.stringify(content));
        return file;
    };
    const cli = async (...argv: string[]) => {
        const lines: string[] = [];
        const code = await runPolicyCli(argv, (line) => lines.push(line), pack);
        return { code, lines };
    };

    it("prints each violation (enforcement, policy, resource, message) and exits 1 on a mandatory one", async () => {
        // Production rules tried on the cheap local stack through the config file.
        const { code, lines } = await cli(
            "local",
            "--policy-pack-config",
            configFile({ "service-minimum-replicas": { productionStacks: ["local"] } }),
        );
        assert.equal(code, EXIT.mandatory);
        assert.match(lines[0]!, new RegExp(`^platform-safety 0\\.1\\.0 \\(${POLICIES.length} policies\\) on stack local: \\d+ resources$`));
        assert.deepEqual(lines.slice(1, -1), [
            "mandatory service-minimum-replicas  urn:pulumi:local::platform::platform:app:ServiceRelease$kubernetes:helm.sh/v4:Chart::supernova-server-chart",
            "    supernova-server runs 1 replica(s) in local; production needs at least 3.",
        ]);
        assert.match(lines.at(-1)!, /^1 mandatory, 0 advisory violation\(s\)\. Program \d+ ms, analysis \d+ ms\.$/);
    });

    it("exits 0 when nothing is mandatory, advisories included", () => {
        const check = (...levels: string[]): StackCheck => ({
            stack: "prod",
            pack: { name: "platform-safety", version: "0.1.0", policies: 1 },
            resources: 1,
            violations: levels.map((enforcementLevel) => ({ policy: "p", enforcementLevel, message: "m" })),
            remediations: [],
            timings: { programMs: 1, analysisMs: 1 },
        });
        assert.equal(exitCodeOf(check()), EXIT.clean);
        assert.equal(exitCodeOf(check("advisory", "advisory")), EXIT.clean);
        assert.equal(exitCodeOf(check("advisory", "mandatory")), EXIT.mandatory);
    });

    it("exits 2 with the engine's message on a bad config file, an unknown stack, or bad arguments", async () => {
        const bad = await cli("prod", "--policy-pack-config", configFile({ "rds-backup-retention": { productionMinimumDays: "x" } }));
        assert.deepEqual(bad, {
            code: EXIT.error,
            lines: ["validating policy config: platform-safety 0.1.0  rds-backup-retention: productionMinimumDays: must be integer"],
        });
        assert.deepEqual(await cli("qa"), { code: EXIT.error, lines: ['unknown stack "qa"; expected one of local, dev, staging, prod'] });
        assert.equal((await cli("prod", "--policy-pack-config")).code, EXIT.error);
        assert.equal((await cli()).code, EXIT.error);
    });
    // As a command (scripts/policy.ts), its exit code and the environment reaching the pack: test/suites/policy-pack-process.test.ts.
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
        "image-digest-in-production": "config/releases.ts refuses a staging or prod update whose image has no digest",
        "iam-no-wildcard-actions": "the program writes named actions only",
        "github-production-deployment-policy": "rules.ts requires exactly one of deployFrom.branch or tag",
        "eks-version-supported": "rules/security.ts accepts only versions of the dated table; the default is in standard support",
        "eks-addon-version-pinned": "components/cluster/eks.ts pins every add-on from the dated table",
        "ec2-launch-template-imdsv2": "components/cluster/node-hardening.ts requires IMDSv2, hop limit 1",
        "eks-vpc-cni-irsa": "components/cluster/eks.ts gives vpc-cni its own IRSA role",
        "eks-node-role-minimal": "components/cluster/eks.ts NODE_POLICIES has no CNI policy",
        "eks-no-implicit-admin": "components/cluster/eks.ts turns the creator's admin off; access entries only",
        "iam-trust-policy-scoped": "the program writes exact IRSA subjects; config/delivery.ts exact GitHub subjects",
        "iam-no-wildcard-resources": "the program names resource ARNs",
        "iam-no-admin-policy-attachment": "the program attaches named service policies only",
        "rds-auto-minor-version-upgrade": "components/data/rds.ts always upgrades minor versions",
        "rds-enhanced-monitoring": "the schema allows monitoring intervals 1-60 s only",
        "rds-ca-certificate-pinned": "config/database-tls.ts allows the current RDS CAs only",
        "elasticache-backup-enabled": "the schema's default keeps 7 days of snapshots",
        "kms-key-rotation": "every key of the program rotates",
        "kms-key-policy-explicit": "components/security/kms-policy.ts gives every key its policy",
        "security-group-no-public-ingress": "only the load balancer's group admits entryPoint.sourceCidrs on 80/443",
        "vpc-flow-logs-enabled": "components/cluster/vpc.ts always logs its traffic",
        "vpc-default-security-group-closed": "components/cluster/vpc.ts always empties the default group",
        "service-own-service-account": "components/service-release/identity.ts gives every service its ServiceAccount",
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
