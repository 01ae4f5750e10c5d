import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { Graph, isSecretValue } from "./harness/graph";
import { GITHUB_TEAMS, GITHUB_USERS } from "./harness/mocks";
import { recordStack } from "./harness/run-stack";
import { REPO_ROOT, secure, Sections } from "./harness/stack-file";

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
        it(`protects the ${expected.environment} environment in both repositories`, async () => {
            const { graph } = await recordStack(stack);
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
                const { repository: _repository, environment, ...pattern } = policy.inputs;
                assert.equal(environment, expected.environment);
                assert.deepEqual(pattern, expected.policy);
            }
        });

        it("gives the environment the deploy's variables and secrets, secrets encrypted", async () => {
            const { graph } = await recordStack(stack);
            const variables = Object.fromEntries(
                graph
                    .ofType("github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable")
                    .filter((v) => v.inputs.repository === "platform")
                    .map((v) => [v.inputs.variableName, v.inputs.value]),
            );
            assert.deepEqual(Object.keys(variables).sort(), ["AWS_REGION", "AWS_ROLE_ARN", "CLUSTER_NAME", "NAMESPACE", "PULUMI_STACK"]);
            assert.equal(variables["PULUMI_STACK"], stack);
            assert.equal(variables["AWS_ROLE_ARN"], "arn:aws:mock:eu-west-1:000000000000:Role/github-deploy-role");
            const secrets = graph.ofType("github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret");
            assert.deepEqual(secrets.map((s) => s.inputs.secretName).sort(), ["GHCR_PAT", "GHCR_PAT"]);
            for (const secret of secrets) assert.ok(isSecretValue(secret.rawInputs["plaintextValue"]));
        });

        it("deploys keylessly: the deploy role trusts only this repository's environment", async () => {
            const { graph } = await recordStack(stack);
            const oidc = graph.one("aws:iam/openIdConnectProvider:OpenIdConnectProvider", "github-actions-oidc").inputs;
            assert.equal(oidc.url, "https://token.actions.githubusercontent.com");
            assert.deepEqual(oidc.clientIdLists, ["sts.amazonaws.com"]);
            const trust = JSON.parse(graph.one("aws:iam/role:Role", "github-deploy-role").inputs.assumeRolePolicy);
            assert.deepEqual(trust.Statement[0].Condition.StringEquals, {
                "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                "token.actions.githubusercontent.com:sub": `repo:collab/platform:environment:${expected.environment}`,
            });
            const previewTrust = JSON.parse(graph.one("aws:iam/role:Role", "github-preview-role").inputs.assumeRolePolicy);
            assert.equal(
                previewTrust.Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"],
                "repo:collab/platform:pull_request",
            );
            const policy = JSON.parse(graph.one("aws:iam/rolePolicy:RolePolicy", "github-deploy-policy").inputs.policy);
            const actions: string[] = policy.Statement.flatMap((s: { Action: string[] }) => s.Action);
            assert.ok(
                actions.every((a) => !a.includes("*")),
                `no wildcard action: ${actions.join(", ")}`,
            );
            assert.deepEqual(policy.Statement[0].Resource, [`arn:aws:iam::${expected.account}:role/platform-deployer`]);
            assert.deepEqual(
                graph.resources.filter((r) => r.type === "aws:iam/accessKey:AccessKey"),
                [],
                "no long-lived AWS keys",
            );
        });
    });
}

describe("repository settings (owned by the prod stack)", () => {
    it("protects main with 2 signed, reviewed, checked approvals, and staging and develop with 1", async () => {
        const { graph } = await recordStack("prod");
        const rules = graph.ofType("github:index/branchProtection:BranchProtection").map((r) => r.inputs);
        assert.equal(rules.length, 6, "3 branches in each of 2 repositories");
        for (const rule of rules) {
            assert.match(rule.repositoryId, /^R_collab_(supernova|platform)$/);
            assert.equal(rule.allowsForcePushes, false);
            assert.equal(rule.allowsDeletions, false);
            assert.equal(rule.enforceAdmins, true);
            assert.equal(rule.requireConversationResolution, true);
            assert.deepEqual(rule.requiredStatusChecks, [{ strict: true, contexts: ["ci"] }]);
            const approvals = rule.requiredPullRequestReviews[0].requiredApprovingReviewCount;
            assert.equal(approvals, rule.pattern === "main" ? 2 : 1, rule.pattern);
            assert.equal(rule.requireSignedCommits, rule.pattern === "main", rule.pattern);
        }
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

    it("hands an existing cluster's kubeconfig to the environment as KUBE_CONFIG_BASE64, encrypted", async () => {
        const edit = (s: Sections) => {
            s["cluster"] = { mode: "existing", name: "shared", certManager: { email: "ops@supernova.com" } };
            s["database"] = { mode: "in-cluster", databaseName: "supernova" };
            s["redis"] = { mode: "in-cluster", topology: "single" };
            Object.assign(s["secrets"] as object, { backend: "kubernetes", kubeconfig: secure() });
        };
        const { graph } = await recordStack("staging", { edit });
        const secret = graph
            .ofType("github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret")
            .find((s) => s.inputs.secretName === "KUBE_CONFIG_BASE64");
        assert.ok(secret);
        assert.ok(isSecretValue(secret.rawInputs["plaintextValue"]));
        assert.equal(Buffer.from(secret.inputs.plaintextValue, "base64").toString(), "TEST-SECRET-VALUE-secrets.kubeconfig");
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

    it("preview comments one diff per stack with the policy pack, with minimal permissions", () => {
        const preview = workflow("preview");
        assert.deepEqual(Object.keys(preview.on), ["pull_request"]);
        assert.deepEqual(preview.permissions, { contents: "read", "pull-requests": "write", "id-token": "write" });
        assert.deepEqual(preview.jobs.preview.strategy.matrix.stack, ["dev", "staging", "prod"]);
        const pulumi = preview.jobs.preview.steps.find((s: { uses?: string }) => s.uses?.startsWith("pulumi/actions"));
        assert.equal(pulumi.with.command, "preview");
        assert.equal(pulumi.with.policyPacks, "policies");
        assert.equal(pulumi.with["comment-on-pr"], true);
        assert.equal(pulumi.with["edit-pr-comment"], true);
    });

    it("deploy maps develop, main and v* tags to their stacks, gated by the environment, one at a time", () => {
        const deploy = workflow("deploy");
        assert.deepEqual(deploy.on.push, { branches: ["develop", "main"], tags: ["v*"] });
        const pick: string = deploy.jobs.target.steps[0].run;
        assert.match(pick, /refs\/heads\/develop\) echo "stack=dev".*"tag=dev-\$short"/);
        assert.match(pick, /refs\/heads\/main\) echo "stack=staging".*"tag=staging-\$short"/);
        assert.match(pick, /refs\/tags\/v\*\) echo "stack=prod".*"environment=production".*"tag=\$REF_NAME"/);
        const job = deploy.jobs.deploy;
        assert.equal(job.environment, "${{ needs.target.outputs.environment }}");
        assert.deepEqual(job.concurrency, { group: "deploy-${{ needs.target.outputs.stack }}", "cancel-in-progress": false });
        assert.ok(job.steps.some((s: { run?: string }) => s.run?.includes("pulumi up --yes") && s.run.includes("--policy-pack policies")));
        assert.ok(
            job.steps.some((s: { with?: { "role-to-assume"?: string } }) => s.with?.["role-to-assume"] === "${{ vars.AWS_ROLE_ARN }}"),
        );
        assert.doesNotMatch(JSON.stringify(deploy), /AWS_SECRET_ACCESS_KEY|aws-access-key-id/);
    });
});
