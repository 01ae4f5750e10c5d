import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import { stackPaths } from "../../paths/stack-paths";
import { HOURS_PER_MONTH } from "../../review/cost";
import { timeToFresh } from "../../review/create-time";
import prices from "../../review/data/aws-prices.json";
import { changedInputs, diffResources, diffSnapshots, ResourceChange } from "../../review/diff";
import { formatReview } from "../../review/format";
import { HEAD } from "../../review/head-entry-points";
import { loadEntryPoints } from "../../review/load-entry-points";
import { REPLACEMENT_KEYS } from "../../review/replacement";
import { reviewStack } from "../../review/review";
import { aliasUrns, maskSecrets, Snapshot, SnapshotResource, takeSnapshot } from "../../review/snapshot";
import { GENERATED_SECRET_PREFIX } from "../harness/mocks";
import { recordStack } from "../harness/run-stack";
import { REPO_ROOT, SECRET_PLACEHOLDER_PREFIX, Sections } from "../harness/stack-file";

/** Inside prod's deployment window, so the clock adds no finding; both sides see it. */
const AT = { "prod-deployment-window": { at: "2026-11-25T11:00:00Z" } };
const KEY = "review-test-key";
type Edit = (sections: Sections) => void;

const committed = new Map<string, Promise<Snapshot>>();
/** The stack as committed (or as `edit` makes it), the base of a variation. */
function baseSnapshot(stack: string, edit?: Edit): Promise<Snapshot> {
    if (edit) return takeSnapshot(stack, HEAD, { edit, secretKey: KEY, policyConfig: AT, tree: "base" });
    if (!committed.has(stack)) committed.set(stack, takeSnapshot(stack, HEAD, { secretKey: KEY, policyConfig: AT, tree: "base" }));
    return committed.get(stack)!;
}

async function variation(stack: string, head: { edit?: Edit; baseEdit?: Edit; policyConfig?: Record<string, Record<string, unknown>> }) {
    const started = performance.now();
    const review = await reviewStack(stack, {
        baseSnapshot: await baseSnapshot(stack, head.baseEdit),
        edit: head.edit,
        secretKey: KEY,
        policyConfig: { ...AT, ...head.policyConfig },
    });
    return { ...review, ms: Math.round(performance.now() - started) };
}

const rows = (changes: ResourceChange[]) =>
    changes
        .map((c) => [c.kind, c.type, c.name, c.inputs.map((i) => i.path)] as const)
        .sort((a, b) => a[1].localeCompare(b[1]) || a[2].localeCompare(b[2]));
const service = (s: Sections) => (s["services"] as Record<string, any>[])[0]!;
/** The Cost and Time sections when nothing billed or created changes: a zero delta, no priced row. */
const costAndTimeUnchanged = (markdown: string) => {
    const cost = markdown.split("### Cost\n")[1]!;
    assert.match(cost, /\*\*\$[\d.]+\*\*, \+\$0\.00 against base/, cost);
    assert.ok(cost.includes("No priced resource changes."), cost);
    assert.match(markdown.split("### Time to a fresh environment\n")[1]!, /\*\*[\d.]+ min\*\*, \+0 min against base/);
};
const noChange = (compared: { changes: unknown[] } | { unavailable: string }) => {
    assert.ok("changes" in compared, JSON.stringify(compared));
    assert.deepEqual(compared.changes, []);
};

describe("review: variations of each stack, the exact rows that change per section", () => {
    it("prod, a bigger database class: the instance and its connection alarm change, nothing is replaced, no flow or policy moves", async (t) => {
        const review = await variation("prod", { edit: (s) => void ((s["database"] as any).instanceClass = "db.r6g.xlarge") });
        assert.deepEqual(rows(review.diff.resources), [
            ["changed", "aws:cloudwatch/metricAlarm:MetricAlarm", "postgres-alarm-connections", ["alarmDescription", "threshold"]],
            ["changed", "aws:rds/instance:Instance", "postgres-instance", ["instanceClass"]],
        ]);
        assert.ok(review.diff.resources.every((c) => c.destroys === undefined));
        assert.ok(
            review.markdown.includes(
                '| changed | aws:rds/instance:Instance | postgres-instance | `instanceClass`: "db.r6g.large" → "db.r6g.xlarge" |',
            ),
            review.markdown,
        );
        noChange(review.diff.flows);
        noChange(review.diff.iam);
        assert.deepEqual(review.diff.policies, { findings: [], resolved: [] });
        // Cost, by hand from the table: the Multi-AZ instance bills twice, the proxy follows the instance's vCPUs (2 -> 4).
        const p = prices.regions["eu-west-1"];
        const instance = 2 * (p.rdsInstanceHour["db.r6g.xlarge"] - p.rdsInstanceHour["db.r6g.large"]) * HOURS_PER_MONTH;
        const proxy = (4 - 2) * p.rdsProxyVcpuHour * HOURS_PER_MONTH;
        const cost = review.markdown.split("### Cost\n")[1]!;
        assert.ok(cost.includes(`, +$${(instance + proxy).toFixed(2)} against base`), cost);
        assert.ok(cost.includes(`| postgres-instance | \`aws:rds/instance:Instance\` |`), cost);
        // Same resources, same dependencies: the modelled time to a fresh prod does not move.
        assert.match(review.markdown.split("### Time to a fresh environment\n")[1]!, /\*\*[\d.]+ min\*\*, \+0 min against base/);
        t.diagnostic(`prod bigger database class: ${review.ms} ms`);
    });

    it("prod, a new database name: the instance is flagged in bold at the top as replaced, the URL secret changes without its value", async () => {
        const review = await variation("prod", { edit: (s) => void ((s["database"] as any).databaseName = "supernova_prod") });
        const flagged = review.diff.resources.filter((c) => c.destroys);
        assert.deepEqual(
            flagged.map((c) => [c.type, c.name, c.destroys!.keys]),
            [["aws:rds/instance:Instance", "postgres-instance", ["dbName"]]],
        );
        const resources = review.markdown.split("### Resources\n")[1]!;
        assert.ok(
            resources.startsWith(
                `- **aws:rds/instance:Instance \`postgres-instance\` is replaced: \`dbName\` changed; it loses ${REPLACEMENT_KEYS["aws:rds/instance:Instance"]!.loses}.**`,
            ),
            resources,
        );
        const url = review.diff.resources.find((c) => c.name === "app-secrets-database-url")!;
        assert.deepEqual(url.inputs, [{ path: "secretString", secret: true }]);
        assert.ok(review.markdown.includes("`secretString` (secret changed)"));
        assert.ok(!review.markdown.includes("supernova_prod@") && !review.markdown.includes(GENERATED_SECRET_PREFIX));
    });

    it("staging, the load balancer's rule opened to 0.0.0.0/0: the security group's CIDRs change and internet -> load-balancer opens on 443 and 80", async () => {
        const review = await variation("staging", { baseEdit: (s) => void ((s["entryPoint"] as any).sourceCidrs = ["192.0.2.0/24"]) });
        assert.deepEqual(rows(review.diff.resources), [
            [
                "changed",
                "aws:ec2/securityGroup:SecurityGroup",
                "entry-point-lb-sg",
                ["ingress[0].cidrBlocks[0]", "ingress[1].cidrBlocks[0]"],
            ],
        ]);
        assert.ok("changes" in review.diff.flows);
        assert.deepEqual(review.diff.flows.changes, [
            { table: "security group", flow: "internet -> load-balancer", port: "443", expected: "allow", before: false, after: true },
            { table: "security group", flow: "internet -> load-balancer", port: "80", expected: "allow", before: false, after: true },
        ]);
        assert.ok(review.markdown.includes("| security group | internet -> load-balancer | 443 | allow | denied | allowed | opens |"));
        noChange(review.diff.iam);
        assert.deepEqual(review.diff.policies, { findings: [], resolved: [] });
        costAndTimeUnchanged(review.markdown);
    });

    it("dev, an extra service: its release, identity, secrets, monitoring and policies are added; the certificate gains its host", async () => {
        const review = await variation("dev", {
            edit: (s) => {
                const copy = JSON.parse(JSON.stringify(service(s))) as Record<string, unknown>;
                (s["services"] as unknown[]).push({
                    ...copy,
                    name: "supernova-admin",
                    image: { repository: "ghcr.io/collab/supernova-admin", tag: "dev-a1b2c3d" },
                    ingress: { host: "admin.dev.supernova.com" },
                });
            },
        });
        const changed = rows(review.diff.resources.filter((c) => c.kind !== "added"));
        assert.deepEqual(changed, [
            ["changed", "aws:acm/certificate:Certificate", "entry-point-certificate", ["subjectAlternativeNames"]],
            [
                "changed",
                "aws:acm/certificateValidation:CertificateValidation",
                "entry-point-certificate-validation",
                ["validationRecordFqdns"],
            ],
            ["changed", "aws:kms/keyPolicy:KeyPolicy", "app-secrets-key-policy", ["policy"]],
        ]);
        const added = rows(review.diff.resources.filter((c) => c.kind === "added")).map(([, type, name]) => `${type} ${name}`);
        assert.deepEqual(added, [
            "aws:iam/role:Role app-secrets-supernova-admin-role",
            "aws:iam/rolePolicy:RolePolicy app-secrets-supernova-admin-read",
            "aws:route53/record:Record entry-point-validation-admin.dev.supernova.com",
            "kubernetes:core/v1:ConfigMap monitoring-supernova-admin-dashboard",
            "kubernetes:core/v1:ServiceAccount app-secrets-supernova-admin-account",
            "kubernetes:core/v1:ServiceAccount supernova-admin-account",
            "kubernetes:external-secrets.io/v1:ExternalSecret app-secrets-supernova-admin",
            "kubernetes:external-secrets.io/v1:ExternalSecret app-secrets-supernova-admin-jwks",
            "kubernetes:external-secrets.io/v1:SecretStore app-secrets-supernova-admin-store",
            "kubernetes:helm.sh/v3:Release supernova-admin-release",
            "kubernetes:monitoring.coreos.com/v1:PrometheusRule monitoring-supernova-admin-rules",
            "kubernetes:monitoring.coreos.com/v1:ServiceMonitor monitoring-supernova-admin-monitor",
            "kubernetes:networking.k8s.io/v1:NetworkPolicy monitoring-supernova-admin-scrape",
            "kubernetes:networking.k8s.io/v1:NetworkPolicy supernova-admin-egress",
            "platform:app:ServiceRelease supernova-admin",
        ]);
        assert.ok(review.markdown.includes("15 added, 0 removed, 3 changed"));
        // Its pods run on the nodes already paid for: no fixed cost, its release listed at $0 with scaling as usage.
        assert.ok(review.markdown.split("### Cost\n")[1]!.includes(", +$0.00 against base"), review.markdown);
        noChange(review.diff.flows);
        noChange(review.diff.iam);
    });

    it("local, the app's egress opened to 0.0.0.0/0 on 5432: a forbidden NetworkPolicy flow opens, in bold and among head's failing flows", async () => {
        const review = await variation("local", {
            edit: (s) => void (service(s).egress = [{ name: "databases", cidrs: ["0.0.0.0/0"], ports: [5432] }]),
        });
        assert.deepEqual(rows(review.diff.resources), [
            ["changed", "kubernetes:networking.k8s.io/v1:NetworkPolicy", "supernova-server-egress", ["spec.egress"]],
        ]);
        assert.ok("changes" in review.diff.flows);
        assert.deepEqual(review.diff.flows.changes, [
            { table: "NetworkPolicy", flow: "app -> public-host", port: "TCP/5432", expected: "deny", before: false, after: true },
        ]);
        assert.ok(
            review.markdown.includes(
                "| NetworkPolicy | app -> public-host | TCP/5432 | deny | denied | allowed | **opens: breaks the expectation** |",
            ),
        );
        assert.deepEqual(review.diff.failingFlows, [
            { table: "NetworkPolicy", flow: "app -> public-host", port: "TCP/5432", expected: "deny", allowed: true },
        ]);
        assert.ok("changes" in review.diff.iam && review.diff.iam.head === 0, "local has no AWS account to simulate");
    });

    it("prod, a policy violation (the pack's backup minimum raised above prod's 30 days): one new mandatory finding on the instance", async () => {
        const review = await variation("prod", { policyConfig: { "rds-backup-retention": { productionMinimumDays: 35 } } });
        assert.deepEqual(review.diff.resources, []);
        assert.deepEqual(review.diff.policies, {
            findings: [
                {
                    policy: "rds-backup-retention",
                    enforcementLevel: "mandatory",
                    urn: "urn:pulumi:prod::platform::platform:data:Postgres$aws:rds/instance:Instance::postgres-instance",
                    message: "RDS instance postgres-instance keeps backups 30 day(s); prod needs at least 35.",
                    isNew: true,
                },
            ],
            resolved: [],
        });
        assert.ok(review.markdown.includes("1 mandatory, 0 advisory finding(s) at head, 1 new."));
        costAndTimeUnchanged(review.markdown);
    });

    it("prod, a stack value the config guards reject (backups kept 7 days): the section names the key and nothing else is compared", async () => {
        const review = await variation("prod", { edit: (s) => void ((s["database"] as any).backupRetentionDays = 7) });
        assert.match(review.diff.head.error ?? "", /Pulumi\.prod\.yaml: database\.backupRetentionDays: expected at least 30 days/);
        assert.ok(review.markdown.includes("**The program fails at head:**"));
        assert.ok("unavailable" in review.diff.flows && "unavailable" in review.diff.policies);
    });
});

describe("review: snapshots and the comparison", () => {
    it("a snapshot's resources model the same time to a fresh environment as the recorded graph (each keeps its provider)", async () => {
        const { graph } = await recordStack("dev");
        const fromSnapshot = timeToFresh((await baseSnapshot("dev")).resources);
        assert.deepEqual(fromSnapshot, timeToFresh(graph.resources));
        assert.ok(
            fromSnapshot.path.some((step) => step.name === "cluster-nodes"),
            "Kubernetes objects wait for the nodes",
        );
    });

    it("masks every secret: prod's snapshot holds no generated or configured secret value, only keyed digests", async () => {
        const json = JSON.stringify(await baseSnapshot("prod"));
        assert.ok(!json.includes(GENERATED_SECRET_PREFIX), "a generated password in plain text");
        assert.ok(!json.includes(SECRET_PLACEHOLDER_PREFIX), "a stack-file secret in plain text");
        assert.ok(!json.includes("PRIVATE KEY"), "the signing key in plain text");
        assert.ok(json.includes('"[secret]"'));
    });

    it("a secret's digest changes with its value and with the review's key, and never shows the value", () => {
        const wrapped = (value: string) => ({ [specialSigKey]: specialSecretSig, value });
        const a = maskSecrets({ password: wrapped("hunter2") }, "k1");
        assert.ok(!JSON.stringify(a).includes("hunter2"));
        assert.deepEqual(a, maskSecrets({ password: wrapped("hunter2") }, "k1"));
        assert.notDeepEqual(a, maskSecrets({ password: wrapped("hunter3") }, "k1"));
        assert.notDeepEqual(a, maskSecrets({ password: wrapped("hunter2") }, "k2"));
        assert.deepEqual(changedInputs(a, maskSecrets({ password: wrapped("hunter3") }, "k1")), [{ path: "password", secret: true }]);
    });

    it("a stateful resource removed is flagged unless retained; an alias carries a URN over as a move, not a delete", () => {
        const resource = (type: string, name: string, extra: Partial<SnapshotResource> = {}): SnapshotResource => ({
            type,
            name,
            urn: `urn:pulumi:prod::platform::${type}::${name}`,
            custom: true,
            protect: true,
            retainOnDelete: false,
            dependsOn: [],
            customTimeouts: {},
            inputs: { identifier: "db" },
            aliasUrns: [],
            ...extra,
        });
        const db = resource("aws:rds/instance:Instance", "postgres");
        const removed = diffResources([db], []);
        assert.deepEqual(
            removed.map((c) => [c.kind, c.destroys?.loses]),
            [["removed", REPLACEMENT_KEYS["aws:rds/instance:Instance"]!.loses]],
        );
        assert.equal(diffResources([{ ...db, retainOnDelete: true }], [])[0]!.destroys, undefined);
        const moved = resource("aws:rds/instance:Instance", "postgres-instance", { aliasUrns: [db.urn] });
        assert.deepEqual(
            diffResources([db], [moved]).map((c) => [c.kind, c.movedFrom, c.destroys]),
            [["changed", db.urn, undefined]],
        );
        const unprotected = diffResources([db], [{ ...db, protect: false }]);
        assert.deepEqual(unprotected[0]!.inputs, [{ path: "(protect)", before: "true", after: "false" }]);
    });

    it("an alias spec names the URN the resource had (the NetworkPolicies' old apiVersion)", async () => {
        const { graph } = await recordStack("prod");
        const policy = graph.resources.find((r) => r.name === "app-default-deny")!;
        assert.deepEqual(aliasUrns(policy), [
            "urn:pulumi:prod::platform::platform:kubernetes:Namespace$kubernetes:extensions/v1beta1:NetworkPolicy::app-default-deny",
        ]);
    });

    it("a base checkout's entry points load from its own files (here: this checkout, so the same modules)", () => {
        const { entries, missing } = loadEntryPoints(REPO_ROOT);
        assert.deepEqual(missing, {});
        assert.equal(entries.stackPaths, stackPaths);
        assert.equal(entries.recordStack, HEAD.recordStack);
    });

    it("a base without the flow checks (an older tree) is compared on what it has; the section says why not", async () => {
        const old = fs.mkdtempSync(path.join(os.tmpdir(), "review-old-tree-"));
        try {
            for (const part of ["test", "config", "policies"]) fs.symlinkSync(path.join(REPO_ROOT, part), path.join(old, part));
            const { entries, missing } = loadEntryPoints(old);
            assert.deepEqual(Object.keys(missing), ["stackPaths"]);
            const base = await takeSnapshot("local", entries, { missing, secretKey: KEY, policyConfig: AT, tree: "old" });
            assert.ok("unavailable" in base.flows && base.flows.unavailable.includes("paths/stack-paths"), JSON.stringify(base.flows));
            const diff = diffSnapshots(base, await baseSnapshot("local"));
            assert.deepEqual(diff.resources, []);
            assert.match(formatReview(diff), /Security-group and NetworkPolicy flows: not compared \(base: .*paths\/stack-paths/);
        } finally {
            fs.rmSync(old, { recursive: true, force: true });
        }
    });

    it("a base ref git cannot resolve is said in the output; head is still reviewed", async () => {
        const review = await reviewStack("local", { base: "no-such-ref-21", secretKey: KEY, policyConfig: AT });
        assert.match(review.markdown, /the program failed at the base: could not be evaluated: git cannot resolve no-such-ref-21/);
        assert.equal(review.diff.head.error, undefined);
    });
});

describe("npm run review end to end", () => {
    it("prod --base HEAD: the base in a temporary worktree, no change in any section, the worktree removed", (t) => {
        const git = (...args: string[]) => execFileSync("git", args, { cwd: REPO_ROOT, encoding: "utf8" }).trim();
        // HEAD, or (when tracked files have uncommitted changes) a commit of the working tree that leaves it as it is.
        const base = git("stash", "create") || "HEAD";
        const worktrees = git("worktree", "list");
        const started = performance.now();
        const run = spawnSync(process.execPath, ["--import", "tsx", "scripts/review.ts", "prod", "--base", base], {
            cwd: REPO_ROOT,
            encoding: "utf8",
        });
        const ms = Math.round(performance.now() - started);
        assert.equal(run.status, 0, run.stderr);
        const out = run.stdout;
        assert.match(out, /^## Review of stack `prod`\n/);
        assert.match(out, new RegExp(`Base: ${base} \\([0-9a-f]{7}\\)\\. Head: working tree\\.`));
        assert.match(out, /No resource changes \(\d+ resources\)\./);
        assert.match(out, /Security-group and NetworkPolicy flows: no change \(\d+ rows\)\./);
        assert.match(out, /IAM simulation: no change \(\d+ rows\)\./);
        assert.doesNotMatch(out, /\*\*new\*\*/);
        assert.equal(git("worktree", "list"), worktrees);
        t.diagnostic(`npm run review -- prod --base ${base}: ${ms} ms`);
    });
});
