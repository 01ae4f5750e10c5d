import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { parse } from "yaml";
import { Graph, isSecretValue } from "./harness/graph";
import { GITHUB_TEAMS, GITHUB_USERS } from "./harness/mocks";
import { recordStack } from "./harness/run-stack";
import { REPO_ROOT } from "./harness/stack-file";
import { existingClusterVariant } from "./harness/variants";

const REPOS = ["supernova", "platform"];
const EXPECTED = {
    dev: {
        environment: "dev",
        reviewers: { users: [], teams: [] },
        waitTimer: 0,
        policy: { branchPattern: "develop" },
        account: "111111111111",
    },
    staging: {
        environment: "staging",
        reviewers: { users: [], teams: [GITHUB_TEAMS["supernova-developers"]] },
        waitTimer: 0,
        policy: { branchPattern: "main" },
        account: "222222222222",
    },
    prod: {
        environment: "production",
        reviewers: { users: [GITHUB_USERS["supernova-lead"], GITHUB_USERS["platform-lead"]], teams: [] },
        waitTimer: 5,
        policy: { tagPattern: "v*" },
        account: "333333333333",
    },
} as const;

const environmentsOf = (graph: Graph) => graph.ofType("github:index/repositoryEnvironment:RepositoryEnvironment");

for (const [stack, expected] of Object.entries(EXPECTED)) {
    describe(`GitHub delivery of ${stack}`, () => {
        let graph: Graph;
        before(async () => ({ graph } = await recordStack(stack)));
        it(`protects the ${expected.environment} environment in both repositories`, async () => {
            const environments = environmentsOf(graph);
            assert.deepEqual(environments.map((e) => e.inputs.repository).sort(), [...REPOS].sort());
            for (const env of environments) {
                const i = env.inputs;
                assert.equal(i.environment, expected.environment);
                assert.equal(i.waitTimer, expected.waitTimer);
                assert.equal(i.preventSelfReview, true);
                assert.equal(i.canAdminsBypass, false);
                assert.deepEqual(i.deploymentBranchPolicy, { protectedBranches: false, customBranchPolicies: true });
                const listed = expected.reviewers.users.length + expected.reviewers.teams.length;
                assert.deepEqual(i.reviewers, listed > 0 ? [expected.reviewers] : []);
            }
            const policies = graph.ofType("github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy");
            assert.equal(policies.length, 2);
            for (const policy of policies) {
                const { repository, environment, ...pattern } = policy.inputs;
                assert.equal(environment, expected.environment);
                // The service's promotion runs from its branch map; this repository's deploys from main only.
                assert.deepEqual(pattern, repository === "supernova" ? expected.policy : { branchPattern: "main" });
            }
        });

        it("gives each repository's environment the variables and secrets its own jobs read, secrets encrypted", async () => {
            const variables = (repository: string) =>
                Object.fromEntries(
                    graph
                        .ofType("github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable")
                        .filter((v) => v.inputs.repository === repository)
                        .map((v) => [v.inputs.variableName, v.inputs.value]),
                );
            const platform = variables("platform");
            assert.deepEqual(Object.keys(platform).sort(), [
                "AWS_DEPLOYER_ROLE_ARN",
                "AWS_REGION",
                "AWS_ROLE_ARN",
                "CLUSTER_NAME",
                "NAMESPACE",
                "PLATFORM_DEPLOY_APP_ID",
                "PULUMI_ORGANIZATION",
                "PULUMI_STACK",
            ]);
            assert.equal(platform["PULUMI_STACK"], stack);
            assert.equal(platform["AWS_ROLE_ARN"], `arn:aws:iam::${expected.account}:role/platform-github-deploy`);
            assert.equal(platform["AWS_DEPLOYER_ROLE_ARN"], `arn:aws:iam::${expected.account}:role/platform-deployer`);
            assert.equal(platform["PULUMI_ORGANIZATION"], "collab");
            assert.deepEqual(variables("supernova"), {
                PLATFORM_REPOSITORY: "collab/platform",
                PLATFORM_ENVIRONMENT: stack,
                PLATFORM_PROMOTER_APP_ID: "1100003",
            });
            const secrets = graph.ofType("github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret");
            const names = (repository: string) =>
                secrets
                    .filter((x) => x.inputs.repository === repository)
                    .map((x) => x.inputs.secretName)
                    .sort();
            assert.deepEqual(names("platform"), ["GHCR_PAT", "PLATFORM_DEPLOY_APP_KEY"]);
            assert.deepEqual(names("supernova"), ["GHCR_PAT", "PLATFORM_PROMOTER_APP_KEY"], "no deploy key reaches the service repository");
            for (const secret of secrets) assert.ok(isSecretValue(secret.rawInputs["plaintextValue"]));
        });

        it("deploys keylessly: the workflow roles come from the bootstrap stack, the stack creates no role for GitHub and no key", async () => {
            const preview = graph.one("github:index/actionsVariable:ActionsVariable", "github-preview-role").inputs;
            assert.equal(preview.variableName, `AWS_PREVIEW_ROLE_ARN_${stack.toUpperCase()}`);
            assert.equal(preview.value, `arn:aws:iam::${expected.account}:role/platform-github-preview`);
            assert.deepEqual(
                graph.ofType("aws:iam/openIdConnectProvider:OpenIdConnectProvider").map((r) => r.name),
                ["cluster-oidc"],
                "the account's GitHub OIDC provider belongs to the bootstrap stack",
            );
            assert.deepEqual(
                graph.resources.filter((r) => r.type === "aws:iam/accessKey:AccessKey"),
                [],
                "no long-lived AWS keys",
            );
        });
    });
}

describe("repository settings (owned by the prod stack)", () => {
    it("protects each repository's branches with its own required checks: main with 2 signed approvals, develop with 1", async () => {
        const { graph } = await recordStack("prod");
        const rules = graph.ofType("github:index/branchProtection:BranchProtection").map((r) => r.inputs);
        assert.deepEqual(rules.map((r) => `${r.repositoryId} ${r.pattern} ${r.requiredStatusChecks[0].contexts.join(",")}`).sort(), [
            "R_collab_platform main ci",
            "R_collab_supernova develop docker-build-publish",
            "R_collab_supernova main docker-build-publish",
        ]);
        for (const rule of rules) {
            assert.equal(rule.allowsForcePushes, false);
            assert.equal(rule.allowsDeletions, false);
            assert.equal(rule.enforceAdmins, true);
            assert.equal(rule.requireConversationResolution, true);
            assert.equal(rule.requiredStatusChecks[0].strict, true);
            const approvals = rule.requiredPullRequestReviews[0].requiredApprovingReviewCount;
            assert.equal(approvals, rule.pattern === "main" ? 2 : 1, rule.pattern);
            assert.equal(rule.requireSignedCommits, rule.pattern === "main", rule.pattern);
        }
        const previewApp = graph.one("github:index/actionsSecret:ActionsSecret").inputs;
        assert.deepEqual([previewApp.repository, previewApp.secretName], ["platform", "PLATFORM_PREVIEW_APP_KEY"]);
        const security = graph.ofType("github:index/repository:Repository");
        assert.deepEqual(security.map((r) => r.inputs.name).sort(), ["platform", "supernova"]);
        for (const repo of security) {
            assert.equal(repo.inputs.vulnerabilityAlerts, true);
            assert.deepEqual(repo.inputs.securityAndAnalysis, {
                secretScanning: { status: "enabled" },
                secretScanningPushProtection: { status: "enabled" },
            });
            assert.equal(repo.protect, true, "never deleted");
            assert.equal(repo.retainOnDelete, true);
        }
    });

    it("is left alone by the other stacks", async () => {
        const { graph } = await recordStack("staging");
        assert.deepEqual(graph.ofType("github:index/branchProtection:BranchProtection"), []);
        assert.deepEqual(graph.ofType("github:index/repository:Repository"), []);
    });

    it("an existing cluster's kubeconfig stays an encrypted config secret: no workflow or repository gets a copy", async () => {
        const { graph } = await recordStack("staging", { edit: existingClusterVariant });
        const provider = graph.one("pulumi:providers:kubernetes", "cluster-k8s");
        assert.ok(isSecretValue(provider.rawInputs["kubeconfig"]));
        const secrets = graph.ofType("github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret").map((s) => s.inputs.secretName);
        assert.ok(
            !secrets.includes("KUBE_CONFIG_BASE64"),
            "a cluster-admin kubeconfig in the service repository would bypass the platform",
        );
    });
});

const WORKFLOWS = path.join(REPO_ROOT, ".github", "workflows");
const workflow = (name: string) => parse(fs.readFileSync(path.join(WORKFLOWS, `${name}.yml`), "utf8"));
const actionlint = (...args: string[]) => {
    const binary = path.join(REPO_ROOT, ".tools", "bin", "actionlint");
    assert.ok(fs.existsSync(binary), "run `bash scripts/install-tools.sh` (README set-up)");
    return spawnSync(binary, ["-no-color", ...args], { cwd: REPO_ROOT, encoding: "utf8" });
};

describe("workflows", () => {
    it("pass actionlint", () => {
        const result = actionlint();
        assert.equal(result.status, 0, result.stdout + result.stderr);
    });

    it("actionlint would catch a broken workflow", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "workflow-"));
        const file = path.join(dir, "broken.yml");
        fs.writeFileSync(file, "on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n");
        try {
            assert.notEqual(actionlint(file).status, 0);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("ci runs set-up, lint, type-check and tests on every push and pull request", () => {
        const ci = workflow("ci");
        assert.deepEqual(Object.keys(ci.on).sort(), ["pull_request", "push"]);
        const runs = ci.jobs.ci.steps.map((s: { run?: string }) => s.run).filter(Boolean);
        assert.deepEqual(runs, ["bash scripts/setup.sh", "npm run lint", "npm run typecheck", "npm test"]);
    });

    it("preview comments one diff per CI stack with the policy pack, with minimal permissions", () => {
        const preview = workflow("preview");
        assert.deepEqual(Object.keys(preview.on), ["pull_request"]);
        assert.deepEqual(preview.permissions, { contents: "read", "pull-requests": "write", "id-token": "write" });
        assert.equal(preview.jobs.preview.strategy.matrix.target, "${{ fromJSON(needs.plan.outputs.list) }}");
        const pulumi = preview.jobs.preview.steps.find((s: { uses?: string }) => s.uses?.startsWith("pulumi/actions"));
        assert.equal(pulumi.with.command, "preview");
        assert.equal(pulumi.with["stack-name"], "${{ matrix.target.pulumiOrganization }}/${{ matrix.target.stack }}");
        assert.equal(pulumi.with.policyPacks, "policies");
        assert.equal(pulumi.with["comment-on-pr"], true);
        assert.equal(pulumi.with["edit-pr-comment"], true);
    });

    it("deploy runs pulumi up in the stack's environment, one update per stack at a time, with no stored AWS key", () => {
        const job = workflow("deploy").jobs.up;
        assert.equal(job.environment, "${{ inputs.environment }}");
        assert.deepEqual(job.concurrency, { group: "deploy-${{ inputs.stack }}", "cancel-in-progress": false });
        assert.ok(job.steps.some((s: { run?: string }) => s.run?.includes("pulumi up --yes") && s.run.includes("--policy-pack policies")));
        for (const name of ["deploy", "release", "infra", "preview"]) {
            assert.doesNotMatch(JSON.stringify(workflow(name)), /AWS_SECRET_ACCESS_KEY|aws-access-key-id/, name);
        }
    });
});
