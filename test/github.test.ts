import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { parse } from "yaml";
import { Graph, isSecretValue } from "./harness/graph";
import { GITHUB_TEAMS, GITHUB_USERS } from "./harness/mocks";
import { recordStack, runStack } from "./harness/run-stack";
import { ConfigError } from "../config/format";
import { REPO_ROOT } from "./harness/stack-file";
import { existingClusterVariant } from "./harness/variants";
import { contextReads, Step } from "./harness/workflows";
import {
    driftIssueBody,
    driftIssueTitle,
    driftOutcome,
    GITHUB_BODY_LIMIT,
    previewComment,
    readStepReport,
} from "../config/workflow-reports";
import {
    ACTIONS_VARIABLES,
    DELIVERY_SECRETS,
    DRIFT_ISSUE_LABEL,
    driftIssueMarker,
    PULUMI_TEAMS,
    reviewCommentMarker,
    REVIEW_TOOLS,
    REVIEW_COMMAND,
    WORKFLOW_FILES,
} from "../config/delivery";

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
            assert.equal(
                rule.requiredPullRequestReviews[0].requireCodeOwnerReviews,
                rule.pattern === "main",
                `${rule.pattern}: code owners`,
            );
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

    it("the code owners main requires exist in both repositories, cover every path, and are production's reviewers", async () => {
        const { graph } = await recordStack("prod");
        const reviewers = environmentsOf(graph)[0]!.inputs.reviewers[0].users as number[];
        for (const file of [".github/CODEOWNERS", "docs/service-repository/CODEOWNERS"]) {
            const rules = fs
                .readFileSync(path.join(REPO_ROOT, file), "utf8")
                .split("\n")
                .filter((l) => l.trim() && !l.startsWith("#"))
                .map((l) => l.trim().split(/\s+/));
            assert.deepEqual(
                rules.map((r) => r[0]),
                ["*"],
                `${file}: one rule for every path`,
            );
            const owners = rules[0]!.slice(1).map((o) => GITHUB_USERS[o.replace(/^@/, "")]);
            assert.deepEqual(owners.sort(), [...reviewers].sort(), file);
        }
    });

    it("protects the v* tags that deploy to production: a tag ruleset only the release team bypasses", async () => {
        const { graph } = await recordStack("prod");
        const rulesets = graph.ofType("github:index/repositoryRuleset:RepositoryRuleset");
        assert.deepEqual(
            rulesets.map((r) => r.name),
            ["github-supernova-release-tags"],
        );
        const ruleset = rulesets[0]!.inputs;
        assert.deepEqual(
            { ...ruleset, bypassActors: undefined },
            {
                name: "release-tags-v",
                repository: "supernova",
                target: "tag",
                enforcement: "active",
                conditions: { refName: { includes: ["refs/tags/v*"], excludes: [] } },
                rules: { creation: true, update: true, deletion: true },
                bypassActors: undefined,
            },
        );
        assert.deepEqual(ruleset.bypassActors, [{ actorId: GITHUB_TEAMS["supernova-release"], actorType: "Team", bypassMode: "always" }]);
        // The pattern is the one the service repository's production environment deploys from.
        const policy = graph
            .ofType("github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy")
            .find((p) => p.inputs.repository === "supernova")!;
        assert.deepEqual(ruleset.conditions.refName.includes, [`refs/tags/${policy.inputs.tagPattern}`]);
    });

    it("a stack that manages the repositories and deploys from tags must name the release team; the team needs those settings", async () => {
        const noTeam = await runStack("prod", { edit: (s) => delete (s["github"] as Record<string, any>)["releaseTags"] });
        assert.ok(noTeam.error instanceof ConfigError);
        assert.match(
            noTeam.error.message,
            /Pulumi\.prod\.yaml: github\.releaseTags\.team: expected the release team: the v\* tags that deploy prod get a ruleset only that team may bypass/,
        );
        assert.deepEqual(noTeam.graph.resources, []);
        const notOwner = await runStack("staging", {
            edit: (s) => ((s["github"] as Record<string, any>)["releaseTags"] = { team: "supernova-release" }),
        });
        assert.ok(notOwner.error instanceof ConfigError);
        assert.match(notOwner.error.message, /Pulumi\.staging\.yaml: github\.releaseTags: expected github\.manageRepositorySettings: true/);
        const fromBranch = await runStack("prod", {
            edit: (s) => ((s["environment"] as Record<string, any>)["deployFrom"] = { branch: "main" }),
        });
        assert.ok(fromBranch.error instanceof ConfigError);
        assert.match(
            fromBranch.error.message,
            /Pulumi\.prod\.yaml: github\.releaseTags: expected environment\.deployFrom\.tag \(the ruleset protects the tags this stack deploys from\), got branch main/,
        );
    });

    it("is left alone by the other stacks", async () => {
        const { graph } = await recordStack("staging");
        assert.deepEqual(graph.ofType("github:index/repositoryRuleset:RepositoryRuleset"), []);
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
            // ...and a run script's shell error: actionlint runs shellcheck when it is on the path (scripts/setup.sh).
            fs.writeFileSync(
                file,
                'on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: if [ -n $X ]; then echo "$X"; fi\n',
            );
            const shell = actionlint(file);
            assert.match(shell.stdout, /shellcheck reported issue in this script: SC2070/, shell.stdout + shell.stderr);
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

    it("preview: per stack, the review (no credential at all), the real preview (read-only), one comment (comment-only token)", () => {
        const preview = workflow("preview");
        assert.deepEqual(Object.keys(preview.on), ["pull_request"]);
        assert.deepEqual(preview.permissions, { contents: "read" });
        const { review, preview: pulumiJob, comment } = preview.jobs;
        for (const job of [review, pulumiJob, comment])
            assert.equal(job.strategy.matrix.target, "${{ fromJSON(needs.plan.outputs.list) }}");

        // The review evaluates head and base under mocks: no OIDC token, no variable, no secret, no credential step.
        assert.deepEqual(review.permissions, { contents: "read" });
        assert.deepEqual([...contextReads(review, "vars").names, ...contextReads(review, "secrets").names], []);
        assert.deepEqual(
            review.steps.filter((s: Step) => /aws-actions|auth-actions|create-github-app-token|pulumi\/actions/.test(String(s.uses))),
            [],
        );
        assert.equal(review.steps.find((s: Step) => String(s.uses).startsWith("actions/checkout")).with["fetch-depth"], 0);
        const reviewStep = review.steps.find((s: Step) => String(s.run ?? "").includes("review --"));
        // The review renders the chart (helm) and evaluates NetworkPolicies (cyclonus): both built before it runs.
        const tools = review.steps.findIndex((s: Step) => s.run === "bash scripts/install-tools.sh");
        assert.ok(tools >= 0 && tools < review.steps.indexOf(reviewStep), "the review's tools are built before the review");
        assert.deepEqual(review.steps[tools].env, { INSTALL_TOOLS_ONLY: REVIEW_TOOLS.join(" ") });
        assert.ok(reviewStep.run.includes(`${REVIEW_COMMAND('"$STACK"', '"origin/$BASE_REF"')} > report/review.md`), reviewStep.run);
        assert.deepEqual(reviewStep.env, { STACK: "${{ matrix.target.stack }}", BASE_REF: "${{ github.base_ref }}" });
        assert.match(reviewStep.run, /echo "\$\?" > report\/review\.exit/);

        // The real preview with the policy pack, the read-only roles of docs/delivery.md, no comment of its own.
        assert.deepEqual(pulumiJob.permissions, { contents: "read", "id-token": "write" });
        const run = pulumiJob.steps.find((s: Step) => String(s.run ?? "").includes("pulumi preview"));
        assert.match(
            run.run,
            /pulumi preview --diff --non-interactive --stack "\$STACK" --policy-pack policies > report\/preview\.txt 2>&1/,
        );
        assert.equal(run.env.STACK, "${{ matrix.target.pulumiOrganization }}/${{ matrix.target.stack }}");
        assert.ok(!JSON.stringify(pulumiJob).includes("comment-on-pr"), "one comment per stack, posted by the comment job");

        // The comment job: only a pull-request token, after both sides (also when one failed), edits by marker.
        assert.deepEqual(comment.permissions, { contents: "read", "pull-requests": "write" });
        assert.deepEqual(comment.needs, ["plan", "review", "preview"]);
        assert.equal(comment.if, "always() && needs.plan.result == 'success'");
        assert.deepEqual(contextReads(comment, "secrets").names, []);
        const uploads = [review, pulumiJob].map(
            (j) => j.steps.find((s: Step) => String(s.uses).startsWith("actions/upload-artifact")).with.name,
        );
        const downloads = comment.steps
            .filter((s: Step) => String(s.uses).startsWith("actions/download-artifact"))
            .map((s: Step) => s.with.name);
        assert.deepEqual(downloads, uploads);
        const compose = comment.steps.find((s: Step) => s.id === "compose");
        assert.equal(compose.run, 'npm run --silent delivery -- preview-comment "$STACK" report comment.md >> "$GITHUB_OUTPUT"');
        const post = comment.steps.find((s: Step) => String(s.run ?? "").includes("gh api"));
        assert.equal(post.env.GH_TOKEN, "${{ github.token }}");
        assert.match(post.run, /MARKER="\$\(head -n 1 comment\.md\)"/);
        assert.match(post.run, /--method PATCH "repos\/\$GITHUB_REPOSITORY\/issues\/comments\/\$id" -F body=@comment\.md/);
        assert.match(post.run, /--method POST "repos\/\$GITHUB_REPOSITORY\/issues\/\$PR\/comments" -F body=@comment\.md/);
        assert.equal(comment.steps.at(-1).if, "steps.compose.outputs.ok != 'true'");
    });

    it("drift detection: daily and on demand, a read-only refresh preview per stack, one issue per drifted stack", () => {
        const drift = parse(fs.readFileSync(path.join(REPO_ROOT, WORKFLOW_FILES.driftDetection), "utf8"));
        assert.deepEqual(Object.keys(drift.on).sort(), ["schedule", "workflow_dispatch"]);
        assert.equal(drift.on.schedule.length, 1);
        assert.deepEqual(drift.permissions, { contents: "read" });
        const { refresh, report } = drift.jobs;
        assert.equal(refresh["runs-on"], "${{ matrix.target.runsOn }}", "in-VPC runners: the API endpoint is private");
        assert.equal(refresh.environment, undefined, "outside any environment: no deploy role, no deploy App");
        assert.deepEqual(refresh.permissions, { contents: "read", "id-token": "write" });
        const aws = refresh.steps.find((s: Step) => String(s.uses).startsWith("aws-actions/configure-aws-credentials"));
        assert.equal(aws.with["role-to-assume"], "${{ vars[matrix.target.previewRoleVariable] }}");
        const reads = [...contextReads(refresh, "vars").names, ...contextReads(refresh, "secrets").names];
        assert.deepEqual(reads.sort(), [ACTIONS_VARIABLES.previewAppId, DELIVERY_SECRETS.previewAppKey].sort());
        const auth = refresh.steps.find((s: Step) => String(s.uses).startsWith("pulumi/auth-actions"));
        assert.equal(auth.with.scope, `team:${PULUMI_TEAMS.preview}`);
        const run = refresh.steps.find((s: Step) => String(s.run ?? "").includes("pulumi preview"));
        assert.match(
            run.run,
            /pulumi preview --refresh --expect-no-changes --diff --non-interactive --stack "\$STACK" > report\/preview\.txt 2>&1/,
        );
        assert.match(run.run, /echo "\$\?" > report\/preview\.exit/);

        assert.deepEqual(report.permissions, { contents: "read", issues: "write" });
        assert.deepEqual(report.needs, ["plan", "refresh"]);
        assert.equal(report.if, "always() && needs.plan.result == 'success'");
        const upload = refresh.steps.find((s: Step) => String(s.uses).startsWith("actions/upload-artifact")).with.name;
        assert.equal(report.steps.find((s: Step) => String(s.uses).startsWith("actions/download-artifact")).with.name, upload);
        const byName = (name: string) => report.steps.find((s: Step) => s.name === name);
        assert.equal(
            byName("Drift, none, or an error").run,
            'npm run --silent delivery -- drift-issue "$STACK" report issue.md >> "$GITHUB_OUTPUT"',
        );
        assert.match(
            byName("The stack's open drift issue (found by its marker, the body's first line)").run,
            new RegExp(`--label ${DRIFT_ISSUE_LABEL} --state open`),
        );
        const open = byName("Open or update the issue");
        assert.equal(open.if, "steps.drift.outputs.outcome == 'drift'");
        assert.match(
            open.run,
            new RegExp(
                `gh issue create --repo "\\$GITHUB_REPOSITORY" --label ${DRIFT_ISSUE_LABEL} --title "\\$TITLE" --body-file issue\\.md`,
            ),
        );
        assert.match(open.run, /gh issue edit "\$NUMBER" --repo "\$GITHUB_REPOSITORY" --body-file issue\.md/);
        const close = byName("Close the issue, the drift is gone");
        assert.equal(close.if, "steps.drift.outputs.outcome == 'clean' && steps.issue.outputs.number != ''");
        assert.equal(report.steps.at(-1).if, "steps.drift.outputs.outcome == 'error'");
    });

    it("deploy runs pulumi up in the stack's environment, one update per stack at a time, with no stored AWS key", () => {
        const job = workflow("deploy").jobs.up;
        assert.equal(job.environment, "${{ inputs.environment }}");
        assert.deepEqual(job.concurrency, { group: "deploy-${{ inputs.stack }}", "cancel-in-progress": false });
        assert.ok(job.steps.some((s: { run?: string }) => s.run?.includes("pulumi up --yes") && s.run.includes("--policy-pack policies")));
        for (const name of ["deploy", "release", "infra", "preview", "drift-detection"]) {
            assert.doesNotMatch(JSON.stringify(workflow(name)), /AWS_SECRET_ACCESS_KEY|aws-access-key-id/, name);
        }
    });
});

describe("what the preview and drift workflows post", () => {
    const ok = (text: string) => ({ exitCode: 0, text });
    const base = { headSha: "0123456789abcdef0123", runUrl: "https://github.com/collab/platform/actions/runs/7" };

    it("one comment per stack: its marker first, the review section, then the preview folded; ok only when both succeeded", () => {
        const review = "### Resources\n| added | aws:rds/instance:Instance | db |\n";
        const preview =
            "Previewing update (collab/prod)\n ~ aws:rds/instance:Instance db update [diff: ~instanceClass]\nResources:\n    ~ 1 to update\n";
        const { body, ok: passed } = previewComment({ stack: "prod", review: ok(review), preview: ok(preview), ...base });
        const lines = body.split("\n");
        assert.equal(lines[0], reviewCommentMarker("prod"));
        assert.notEqual(reviewCommentMarker("prod"), reviewCommentMarker("staging"));
        assert.equal(lines[1], "## Review of `prod`");
        assert.ok(body.includes(review.trim()));
        assert.ok(body.includes("<details><summary><code>pulumi preview</code> of <code>prod</code>: ok</summary>"));
        assert.ok(body.includes("```text\n" + preview.trim() + "\n```"));
        assert.ok(body.includes("_Head 0123456789ab, run https://github.com/collab/platform/actions/runs/7_"));
        assert.equal(passed, true);

        const failed = previewComment({
            stack: "dev",
            review: { exitCode: 1, text: "" },
            preview: { exitCode: undefined, text: "" },
            ...base,
        });
        assert.equal(failed.ok, false);
        assert.match(failed.body, /\*\*The review of `dev` could not be computed \(failed \(exit 1\)\)\.\*\*/);
        assert.match(failed.body, /<code>dev<\/code>: did not report<\/summary>/);
    });

    it("a huge preview stays within GitHub's body limit and keeps its end (the summary); backticks cannot close the fence", () => {
        const preview = `${"x".repeat(200_000)}\n\`\`\`\nResources:\n    ~ 3 to update\n`;
        const { body } = previewComment({ stack: "prod", review: ok("r"), preview: ok(preview), ...base });
        assert.ok(body.length <= GITHUB_BODY_LIMIT, `${body.length}`);
        assert.match(body, /\[\d+ characters cut: the full output is in the run's log\]/);
        assert.ok(body.includes("Resources:\n    ~ 3 to update\n````"), "the summary survives, inside a 4-backtick fence");
        assert.ok(body.includes("````text\n"));
    });

    it("reads what a job left: exit code and output, a missing report as never reported", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "report-"));
        try {
            fs.writeFileSync(path.join(dir, "preview.exit"), "255\n");
            fs.writeFileSync(path.join(dir, "preview.txt"), "error: no changes were expected but changes were proposed\n");
            assert.deepEqual(readStepReport(dir, "preview", "txt"), {
                exitCode: 255,
                text: "error: no changes were expected but changes were proposed\n",
            });
            assert.deepEqual(readStepReport(dir, "review", "md"), { exitCode: undefined, text: "" });
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("drift only on the CLI's no-changes-expected failure; any other failure or a missing report is an error, never 'clean'", () => {
        const cases: [number | undefined, string, string][] = [
            [0, "Resources:\n    42 unchanged\n", "clean"],
            [255, "    ~ 1 to update\nerror: no changes were expected but changes were proposed\n", "drift"],
            [255, "error: no changes were expected but changes occurred\n", "drift"],
            [255, "error: no changes were expected for preview but changes were proposed\n", "drift"],
            [255, "error: AccessDenied: User: arn:aws:sts::1:assumed-role/platform-github-preview is not authorized\n", "error"],
            [1, "", "error"],
            [undefined, "", "error"],
        ];
        assert.deepEqual(
            cases.map(([exitCode, text]) => driftOutcome({ exitCode, text })),
            cases.map(([, , outcome]) => outcome),
        );
        const body = driftIssueBody("staging", { exitCode: 255, text: "~ aws:ec2/securityGroup:SecurityGroup app update\n" }, base.runUrl);
        assert.equal(body.split("\n")[0], driftIssueMarker("staging"));
        assert.ok(body.includes("```text\n~ aws:ec2/securityGroup:SecurityGroup app update\n```"));
        assert.ok(body.includes(base.runUrl));
        assert.equal(driftIssueTitle("staging"), "Drift in the staging stack");
    });
});
