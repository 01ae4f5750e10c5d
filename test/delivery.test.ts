import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { parse } from "yaml";
import {
    ACTIONS_VARIABLES,
    BOOTSTRAP_ROLES,
    DELIVERY_SECRETS,
    INFRASTRUCTURE_BRANCH,
    PROMOTION_INPUTS,
    PULUMI_TEAMS,
    RELEASES_OUTPUT,
    roleArn,
    secretsProviderUrl,
    UNSET_SECRET,
    WORKFLOW_FILES,
} from "../config/delivery";
import { ConfigError } from "../config/format";
import {
    ciStacks,
    committedImagePins,
    deployTargetOf,
    PromotionError,
    promotionCommands,
    unsetOperatorSecrets,
    unsetOperatorSecretsOf,
    validatePromotion,
} from "../config/promotion";
import { Graph } from "./harness/graph";
import { Account, accountOf, iamTable, simulate, webIdentityTable } from "./harness/iam";
import { recordStack, runBootstrap, runStack } from "./harness/run-stack";
import { readStackFile, readStackSections as readSections, REPO_ROOT, Sections } from "./harness/stack-file";
import { EXISTING_RUNNER_LABELS, existingClusterVariant } from "./harness/variants";
import { contextReads, expressions, Job, loadWorkflow, published, stepUsing, visibleTo } from "./harness/workflows";

const RUN = { id: "4242", attempt: "1" };
const readStackSections = (stack: string) => readSections(stack) as Record<string, any>;
const CI_STACKS = ["dev", "staging", "prod"];
const ACCOUNTS: Record<string, string> = { dev: "111111111111", staging: "222222222222", prod: "333333333333" };
const services = (s: Sections) => s["services"] as Record<string, any>[];
const releaseValues = (graph: Graph, name = "supernova-server") =>
    graph.ofType("kubernetes:helm.sh/v3:Release").find((r) => r.inputs.name === name)!.inputs.values;

// One evaluation per stack, shared by the contract's checks (each costs ~1-3 s under the mocks).
const graphs: Record<string, Graph> = {};
const variantSections: Sections = readStackSections("staging");
existingClusterVariant(variantSections);
const bootstraps: Record<string, Awaited<ReturnType<typeof runBootstrap>>> = {};
before(async () => {
    for (const stack of CI_STACKS) graphs[stack] = (await recordStack(stack)).graph;
    for (const stack of CI_STACKS) bootstraps[stack] = await runBootstrap(stack);
    graphs["existing"] = (await recordStack("staging", { edit: existingClusterVariant })).graph;
});

const deployJob = () => loadWorkflow(WORKFLOW_FILES.deploy).jobs["up"]!;
const previewJob = () => loadWorkflow(WORKFLOW_FILES.preview).jobs["preview"]!;
const driftJob = () => loadWorkflow(WORKFLOW_FILES.driftDetection).jobs["refresh"]!;
const promoteJob = () => loadWorkflow(WORKFLOW_FILES.service).jobs["promote"]!;

describe("the CI stacks", () => {
    it("are the stacks with a github section, in promotion order", () => {
        assert.deepEqual(ciStacks(REPO_ROOT), CI_STACKS);
    });
});

describe("workflow contract: every variable and secret a job reads exists for its environment in the graph", () => {
    const cases = [...CI_STACKS.map((stack) => ({ stack, graph: () => graphs[stack]!, sections: () => readStackSections(stack) }))];
    cases.push({ stack: "existing", graph: () => graphs["existing"]!, sections: () => variantSections });
    for (const c of cases) {
        it(`${c.stack}: the deploy job (this repository's environment)`, () => {
            const s = c.sections();
            const github = s["github"];
            const visible = visibleTo(published([c.graph(), graphs["prod"]!]), github.infrastructureRepository, github.environment.name);
            const job = deployJob();
            const vars = contextReads(job, "vars");
            assert.deepEqual(vars.dynamic, []);
            assert.deepEqual(
                vars.names.filter((v) => !visible.variables.has(v)),
                [],
                `variables the deploy job reads that ${c.stack} does not publish`,
            );
            assert.deepEqual(
                contextReads(job, "secrets").names.filter((v) => !visible.secrets.has(v)),
                [],
                `secrets the deploy job reads that ${c.stack} does not publish`,
            );
            assert.equal(visible.variables.get(ACTIONS_VARIABLES.awsRoleArn), roleArn(s["aws"].accountId, BOOTSTRAP_ROLES.deploy));
            assert.equal(visible.variables.get(ACTIONS_VARIABLES.deployerRoleArn), roleArn(s["aws"].accountId, BOOTSTRAP_ROLES.deployer));
        });

        for (const [what, job] of [
            ["preview job", previewJob],
            ["drift detection's refresh job", driftJob],
        ] as const)
            it(`${c.stack}: the ${what} (repository level, its stack's role variable)`, () => {
                const s = c.sections();
                const visible = visibleTo(published([c.graph(), graphs["prod"]!]), s["github"].infrastructureRepository);
                const vars = contextReads(job(), "vars");
                assert.deepEqual(vars.dynamic, ["matrix.target.previewRoleVariable"]);
                const target = deployTargetOf(s, c.stack === "existing" ? "staging" : c.stack, RUN);
                const read = [...vars.names, target.previewRoleVariable];
                assert.deepEqual(
                    read.filter((v) => !visible.variables.has(v)),
                    [],
                );
                assert.equal(visible.variables.get(target.previewRoleVariable), roleArn(s["aws"].accountId, BOOTSTRAP_ROLES.preview));
                assert.deepEqual(
                    contextReads(job(), "secrets").names.filter((v) => !visible.secrets.has(v)),
                    [],
                );
            });

        it(`${c.stack}: the service repository's promote job (its environment)`, () => {
            const s = c.sections();
            const github = s["github"];
            const visible = visibleTo(published([c.graph()]), github.serviceRepository, github.environment.name);
            const job = promoteJob();
            assert.deepEqual(
                contextReads(job, "vars").names.filter((v) => !visible.variables.has(v)),
                [],
            );
            assert.deepEqual(
                contextReads(job, "secrets").names.filter((v) => !visible.secrets.has(v)),
                [],
            );
            assert.equal(visible.variables.get(ACTIONS_VARIABLES.platformEnvironment), s["environment"].name);
            assert.equal(visible.variables.get(ACTIONS_VARIABLES.platformRepository), `${github.owner}/${github.infrastructureRepository}`);
        });

        it(`${c.stack}: publishes no delivery secret that no workflow of its repository reads`, () => {
            const s = c.sections();
            const github = s["github"];
            const configured = new Set<string>(github.environmentSecrets);
            const readBy = (repository: string) =>
                repository === github.serviceRepository
                    ? contextReads(loadWorkflow(WORKFLOW_FILES.service), "secrets").names
                    : [deployJob(), previewJob(), driftJob()].flatMap((job) => contextReads(job, "secrets").names);
            const dead = c
                .graph()
                .ofType("github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret")
                .concat(c.graph().ofType("github:index/actionsSecret:ActionsSecret"))
                .filter((r) => !configured.has(r.inputs.secretName) && !readBy(r.inputs.repository).includes(r.inputs.secretName))
                .map((r) => `${r.inputs.repository}: ${r.inputs.secretName}`);
            assert.deepEqual(dead, [], "a secret nothing reads only widens who can leak it");
        });
    }
});

describe("workflow contract: jobs that run pulumi run where the cluster's API is reachable", () => {
    it("the deploy and preview jobs take their runner from the plan, never a fixed GitHub-hosted label", () => {
        assert.equal(deployJob()["runs-on"], "${{ fromJSON(inputs.runs-on) }}");
        assert.equal(previewJob()["runs-on"], "${{ matrix.target.runsOn }}");
        assert.equal(previewJob()["strategy"].matrix.target, "${{ fromJSON(needs.plan.outputs.list) }}");
        const release = loadWorkflow(WORKFLOW_FILES.release);
        assert.equal(release.jobs["deploy"]!.with["runs-on"], "${{ needs.validate.outputs.runs-on }}");
        assert.equal(release.jobs["validate"]!.outputs["runs-on"], "${{ steps.promotion.outputs.runs-on }}");
        const infra = loadWorkflow(WORKFLOW_FILES.infra);
        for (const stack of CI_STACKS) {
            assert.equal(infra.jobs[stack]!.with["runs-on"], `\${{ toJSON(fromJSON(needs.plan.outputs.targets).${stack}.runsOn) }}`);
        }
    });

    for (const stack of CI_STACKS) {
        it(`${stack}: the private endpoint is reached from CodeBuild-hosted runners the graph creates in its private subnets`, () => {
            const graph = graphs[stack]!;
            assert.equal(graph.one("aws:eks/cluster:Cluster").inputs.vpcConfig.endpointPublicAccess, false);
            const [label] = deployTargetOf(readStackSections(stack), stack, RUN).runsOn;
            const project = graph.one("aws:codebuild/project:Project");
            assert.equal(label, `codebuild-${project.inputs.name}-${RUN.id}-${RUN.attempt}`);
            const privateSubnets = graph
                .ofType("aws:ec2/subnet:Subnet")
                .filter((s) => s.name.includes("-private-"))
                .map((s) => `${s.name}-id`);
            assert.deepEqual(project.inputs.vpcConfig.subnets, privateSubnets);
            const [runnerGroup] = project.inputs.vpcConfig.securityGroupIds;
            const clusterGroup = graph.one("aws:eks/cluster:Cluster").name.replace(/-eks$/, "");
            const ingress = graph.one("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "actions-runner-to-cluster-api").inputs;
            assert.deepEqual(
                { group: ingress.securityGroupId, from: ingress.referencedSecurityGroupId, port: [ingress.fromPort, ingress.toPort] },
                { group: `sg-${clusterGroup}-eks`, from: runnerGroup, port: [443, 443] },
                "the cluster security group admits the runners on 443",
            );
            const webhook = graph.one("aws:codebuild/webhook:Webhook").inputs;
            assert.deepEqual(webhook.filterGroups, [{ filters: [{ type: "EVENT", pattern: "WORKFLOW_JOB_QUEUED" }] }]);
            assert.equal(project.inputs.source.location, "https://github.com/collab/platform");
        });
    }

    it("existing cluster: the jobs run on the configured self-hosted runners; no CodeBuild, no AWS_ROLE_ARN gap", () => {
        assert.deepEqual(deployTargetOf(variantSections, "staging", RUN).runsOn, ["self-hosted", ...EXISTING_RUNNER_LABELS]);
        assert.deepEqual(graphs["existing"]!.ofType("aws:codebuild/project:Project"), []);
    });

    it("GitHub-hosted runners are refused for a private endpoint and accepted for a public, CIDR-restricted one", async () => {
        const githubHosted = (s: Sections) => ((s["delivery"] as Record<string, any>)["runner"] = { type: "github-hosted" });
        const { error } = await runStack("dev", { edit: githubHosted });
        assert.ok(error instanceof ConfigError);
        assert.match(
            error.message,
            /delivery\.runner\.type: expected "codebuild" or "self-hosted": GitHub-hosted runners reach only a public, CIDR-restricted EKS endpoint/,
        );
        const publicEndpoint = (s: Sections) => {
            githubHosted(s);
            delete (s["secrets"] as Record<string, any>)["ci"]["CODEBUILD_GITHUB_TOKEN"];
            (s["cluster"] as Record<string, any>)["endpoint"] = { publicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] };
        };
        const { graph } = await recordStack("dev", { edit: publicEndpoint });
        assert.deepEqual(graph.ofType("aws:codebuild/project:Project"), []);
        const sections = readStackSections("dev");
        publicEndpoint(sections);
        assert.deepEqual(deployTargetOf(sections, "dev", RUN).runsOn, ["ubuntu-latest"]);
    });
});

describe("workflow contract: the deployed tag comes from the promotion, never from this repository's push", () => {
    it("release.yml is dispatched with exactly the promotion inputs and validates them before deploying", () => {
        const release = loadWorkflow(WORKFLOW_FILES.release);
        assert.deepEqual(Object.keys(release.on), ["workflow_dispatch"]);
        assert.deepEqual(Object.keys(release.on["workflow_dispatch"].inputs), Object.values(PROMOTION_INPUTS));
        const validate = release.jobs["validate"]!.steps!.find((s) => s["id"] === "promotion")!;
        assert.match(validate["run"], /npm run --silent delivery -- promote/);
        assert.deepEqual(validate["env"], {
            SERVICE: "${{ inputs.service }}",
            ENVIRONMENT: "${{ inputs.environment }}",
            TAG: "${{ inputs.tag }}",
            DIGEST: "${{ inputs.digest }}",
            ROLLBACK: "${{ inputs.rollback }}",
        });
        const deploy = release.jobs["deploy"]!;
        assert.equal(deploy["uses"], `./${WORKFLOW_FILES.deploy}`);
        for (const input of Object.values(PROMOTION_INPUTS).filter((i) => i !== "environment")) {
            assert.equal(deploy["with"][input], `\${{ inputs.${input} }}`);
        }
    });

    it("the deploy job's tag is its promotion input; the infra path passes none and keeps the running tags", () => {
        const apply = deployJob().steps!.find((s) => String(s["run"]).includes("delivery -- apply"))!;
        assert.equal(apply["env"].TAG, "${{ inputs.tag }}");
        assert.equal(apply["env"].SERVICE, "${{ inputs.service }}");
        const infra = loadWorkflow(WORKFLOW_FILES.infra);
        assert.deepEqual(infra.on, { push: { branches: [INFRASTRUCTURE_BRANCH] } });
        for (const stack of CI_STACKS) assert.deepEqual(Object.keys(infra.jobs[stack]!.with).sort(), ["environment", "runs-on", "stack"]);
        assert.deepEqual(infra.jobs["staging"]!.needs, ["plan", "dev"]);
        assert.deepEqual(infra.jobs["prod"]!.needs, ["plan", "staging"]);
    });

    it("no deploying workflow derives anything from this repository's commit or ref", () => {
        for (const file of [WORKFLOW_FILES.release, WORKFLOW_FILES.infra, WORKFLOW_FILES.deploy, WORKFLOW_FILES.preview]) {
            const used = expressions(loadWorkflow(file)).filter((e) => /github\.(sha|ref_name|ref)\b/.test(e));
            assert.deepEqual(used, [], file);
        }
        assert.equal(fs.existsSync(path.join(REPO_ROOT, "scripts", "set-image-tag.mjs")), false);
    });

    it("the service's build promotes with the contract: release.yml, each input, its environment's names", () => {
        const job = promoteJob();
        assert.equal(job["if"], "github.event_name == 'push'");
        assert.equal(job["environment"], "${{ needs.docker-build-publish.outputs.environment }}");
        const run: string = job.steps!.find((s) => String(s["run"] ?? "").includes("gh workflow run"))!["run"];
        assert.match(
            run,
            new RegExp(
                `gh workflow run ${path.basename(WORKFLOW_FILES.release)} --repo "\\$PLATFORM_REPOSITORY" --ref ${INFRASTRUCTURE_BRANCH}`,
            ),
        );
        for (const input of ["service", "environment", "tag", "digest"] as const)
            assert.match(run, new RegExp(`-f ${PROMOTION_INPUTS[input]}=`));
        const token = stepUsing(job, "actions/create-github-app-token")[0]!;
        assert.equal(token["with"]["app-id"], `\${{ vars.${ACTIONS_VARIABLES.promoterAppId} }}`);
        assert.equal(token["with"]["private-key"], `\${{ secrets.${DELIVERY_SECRETS.promoterAppKey} }}`);
    });

    it("the service's build passes actionlint", () => {
        const binary = path.join(REPO_ROOT, ".tools", "bin", "actionlint");
        const result = spawnSync(binary, ["-no-color", WORKFLOW_FILES.service], { cwd: REPO_ROOT, encoding: "utf8" });
        assert.equal(result.status, 0, result.stdout + result.stderr);
    });
});

describe("promotion contract: validated before any credential is handed out", () => {
    const ok = { service: "supernova-server", environment: "prod", tag: "v1.2.4" };
    const digest = `sha256:${"ab".repeat(32)}`;

    it("accepts a valid promotion and names the stack and service", () => {
        assert.deepEqual(validatePromotion(REPO_ROOT, { ...ok, digest }), { stack: "prod", serviceIndex: 0 });
        assert.deepEqual(validatePromotion(REPO_ROOT, { ...ok, environment: "dev", tag: "dev-0123abc" }), {
            stack: "dev",
            serviceIndex: 0,
        });
    });

    const refused: [string, Partial<typeof ok> & { digest?: string }, string][] = [
        ["an unknown environment", { environment: "qa" }, 'environment: expected one of dev, staging, prod, got "qa"'],
        ["an unknown service", { service: "supernova" }, 'service: expected a service of prod (supernova-server), got "supernova"'],
        [
            "a tag of the wrong format",
            { tag: "staging-e4f5a6b" },
            'tag: expected an immutable release tag vX.Y.Z in prod, got "staging-e4f5a6b"',
        ],
        [
            "another environment's sha tag",
            { environment: "dev", tag: "staging-e4f5a6b" },
            "tag: expected an immutable tag dev-<git sha> in dev",
        ],
        ["a malformed digest", { digest: "sha256:xyz" }, 'digest: expected sha256:<64 hex digits>, got "sha256:xyz"'],
    ];
    for (const [title, change, message] of refused) {
        it(`refuses ${title}`, () => {
            assert.throws(
                () => validatePromotion(REPO_ROOT, { ...ok, ...change }),
                (e: unknown) => e instanceof PromotionError && e.problems.some((p) => p.startsWith(message)),
            );
        });
    }

    it("writes the tag, digest and rollback into the stack config at the contract's paths", () => {
        assert.deepEqual(promotionCommands("prod", 0, { ...ok, digest, rollback: true }), [
            ["config", "set", "--stack", "prod", "--path", "platform:services[0].image.tag", "v1.2.4"],
            ["config", "set", "--stack", "prod", "--path", "platform:services[0].image.digest", digest],
            ["config", "set", "--stack", "prod", "--path", "platform:services[0].image.allowRollback", "true"],
        ]);
    });
});

describe("running tags: infra-only updates keep what runs; a prod deploy never rolls back silently", () => {
    it("the committed CI stack files pin no image tag or digest", () => {
        for (const stack of CI_STACKS) assert.deepEqual(committedImagePins(REPO_ROOT, stack), [], stack);
    });

    it("an infra-only update of prod deploys the running tag and digest, and exports them for the next update", async () => {
        const digest = `sha256:${"cd".repeat(32)}`;
        const { graph } = await recordStack("prod", { running: { "supernova-server": { tag: "v1.4.0", digest } } });
        assert.equal(releaseValues(graph).image.tag, "v1.4.0");
        assert.deepEqual(graph.outputs[RELEASES_OUTPUT], { "supernova-server": { tag: "v1.4.0", digest } });
    });

    it("a promotion changes the tag (the preview shows it) and records the new digest", async () => {
        const digest = `sha256:${"ef".repeat(32)}`;
        const promote = (s: Sections) => Object.assign(services(s)[0]!["image"], { tag: "v1.5.0", digest });
        const { graph } = await recordStack("prod", { edit: promote, running: { "supernova-server": { tag: "v1.4.0" } } });
        assert.equal(releaseValues(graph).image.tag, "v1.5.0");
        assert.deepEqual(graph.outputs[RELEASES_OUTPUT], { "supernova-server": { tag: "v1.5.0", digest } });
    });

    it("refuses an older release tag in prod unless the promotion asks for a rollback", async () => {
        const older = (s: Sections) => (services(s)[0]!["image"].tag = "v1.3.9");
        const running = { "supernova-server": { tag: "v1.4.0" } };
        const { error, graph } = await runStack("prod", { edit: older, running });
        assert.ok(error instanceof ConfigError);
        assert.match(
            error.message,
            /Pulumi\.prod\.yaml: services\[0\]\.image\.tag: expected a tag not older than the running v1\.4\.0: a rollback must be explicit .*, got "v1\.3\.9"/,
        );
        assert.equal(graph.resources.length, 0, "nothing registers");
        // A prod promotion carries the image's digest (prod runs images by digest).
        const digest = `sha256:${"ab".repeat(32)}`;
        const rollback = (s: Sections) => Object.assign(services(s)[0]!["image"], { tag: "v1.3.9", allowRollback: true, digest });
        assert.equal(releaseValues((await recordStack("prod", { edit: rollback, running })).graph).image.tag, "v1.3.9");
    });

    it("a first deploy with nothing running and no promotion says how to promote", async () => {
        const { error } = await runStack("staging", { running: {} });
        assert.ok(error instanceof ConfigError);
        assert.match(
            error.message,
            /services\[0\]\.image\.tag: expected a tag: no release of supernova-server runs in staging yet; promote one \(gh workflow run release\.yml -f service=supernova-server -f environment=staging -f tag=<tag>\)/,
        );
    });
});

describe("least privilege per phase: credentials from the environment, read-only previews", () => {
    it("the deploy job hands pulumi the deploy App's token and chains the GitHub deploy role into the deployer", () => {
        const job = deployJob();
        const app = job.steps!.find((s) => s["id"] === "github-app")!;
        assert.equal(app["uses"], "actions/create-github-app-token@v2");
        assert.equal(app["with"]["app-id"], `\${{ vars.${ACTIONS_VARIABLES.deployAppId} }}`);
        assert.equal(app["with"]["private-key"], `\${{ secrets.${DELIVERY_SECRETS.deployAppKey} }}`);
        const pulumiSteps = job.steps!.filter((s) => /^pulumi (preview|up)/.test(String(s["run"] ?? "")));
        assert.equal(pulumiSteps.length, 2);
        for (const step of pulumiSteps) assert.equal(step["env"].GITHUB_TOKEN, "${{ steps.github-app.outputs.token }}");
        const [deployRole, deployer] = stepUsing(job, "aws-actions/configure-aws-credentials");
        assert.equal(deployRole!["with"]["role-to-assume"], `\${{ vars.${ACTIONS_VARIABLES.awsRoleArn} }}`);
        assert.equal(deployer!["with"]["role-to-assume"], `\${{ vars.${ACTIONS_VARIABLES.deployerRoleArn} }}`);
        assert.equal(deployer!["with"]["role-chaining"], true);
        assert.match(String(job["environment"]), /inputs\.environment/);
    });

    it("the preview job gets the read-only App and preview role, outside any environment, and nothing for forks", () => {
        const preview = loadWorkflow(WORKFLOW_FILES.preview);
        assert.equal(preview.jobs["plan"]!["if"], "github.event.pull_request.head.repo.full_name == github.repository");
        const job = previewJob();
        assert.equal(job["environment"], undefined);
        const app = stepUsing(job, "actions/create-github-app-token")[0]!;
        assert.equal(app["with"]["app-id"], `\${{ vars.${ACTIONS_VARIABLES.previewAppId} }}`);
        assert.equal(app["with"]["private-key"], `\${{ secrets.${DELIVERY_SECRETS.previewAppKey} }}`);
        const pulumiRun = job.steps!.find((s) => String(s["run"] ?? "").includes("pulumi preview"))!;
        assert.equal(pulumiRun["env"].GITHUB_TOKEN, "${{ steps.github-app.outputs.token }}");
        const reads = [...contextReads(job, "vars").names, ...contextReads(job, "secrets").names];
        for (const deployOnly of [ACTIONS_VARIABLES.awsRoleArn, ACTIONS_VARIABLES.deployerRoleArn, DELIVERY_SECRETS.deployAppKey]) {
            assert.ok(!reads.includes(deployOnly), `a preview never reads ${deployOnly}`);
        }
    });

    it("Pulumi Cloud access is an OIDC token exchange per phase, no stored access token", () => {
        for (const [job, team] of [
            [deployJob(), PULUMI_TEAMS.deploy],
            [previewJob(), PULUMI_TEAMS.preview],
            [driftJob(), PULUMI_TEAMS.preview],
        ] as [Job, string][]) {
            const auth = stepUsing(job, "pulumi/auth-actions")[0]!;
            assert.equal(auth["with"]["requested-token-type"], "urn:pulumi:token-type:access_token:team");
            assert.equal(auth["with"].scope, `team:${team}`);
        }
        for (const file of Object.values(WORKFLOW_FILES)) {
            assert.ok(!contextReads(loadWorkflow(file), "secrets").names.includes("PULUMI_ACCESS_TOKEN"), file);
        }
        const issuer = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "bootstrap", "pulumi-oidc-issuer.json"), "utf8"));
        const policies = issuer.policies as { tokenType: string; teamName: string; rules: Record<string, string> }[];
        assert.deepEqual(
            policies.map((p) => [p.teamName, p.rules["sub"]]),
            [
                [PULUMI_TEAMS.preview, "repo:collab/platform:pull_request"],
                // The scheduled secret-rotation check reads stack outputs from main: read-only too.
                [PULUMI_TEAMS.preview, "repo:collab/platform:ref:refs/heads/main"],
                [PULUMI_TEAMS.deploy, "repo:collab/platform:environment:*"],
            ],
        );
    });

    for (const stack of CI_STACKS) {
        it(`${stack}: provider inputs are the same in preview and deploy: no role, token or role-arn`, () => {
            const graph = graphs[stack]!;
            const aws = graph.one("pulumi:providers:aws", "aws").inputs;
            assert.equal(aws.assumeRoles, undefined);
            assert.equal(graph.one("pulumi:providers:github").inputs.token, undefined);
            const kubeconfig = JSON.parse(graph.one("pulumi:providers:kubernetes", "cluster-k8s").inputs.kubeconfig);
            assert.ok(!kubeconfig.users[0].user.exec.args.includes("--role-arn"));
            const view = graph.one("aws:eks/accessPolicyAssociation:AccessPolicyAssociation", "cluster-access-preview-view").inputs;
            assert.equal(view.principalArn, roleArn(ACCOUNTS[stack]!, BOOTSTRAP_ROLES.preview));
            assert.equal(view.policyArn, "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy");
        });
    }
});

describe("IAM, evaluated by a policy simulator over the recorded policies", () => {
    const accounts: Record<string, Account> = {};
    before(async () => {
        for (const stack of ["dev", "prod"]) {
            const { graph, config } = bootstraps[stack]!;
            accounts[stack] = accountOf(stack, config!.accountId, config!.region, [graph, graphs[stack]!]);
        }
    });

    const WRITES = ["ec2:CreateVpc", "rds:ModifyDBInstance", "iam:PassRole", "secretsmanager:PutSecretValue", "eks:UpdateClusterConfig"];
    const READS = ["ec2:DescribeVpcs", "eks:DescribeCluster", "rds:DescribeDBInstances", "kms:Decrypt"];
    it("prod: the preview role is denied every write and the deployer role, and allowed its reads; the runner gets nothing", async () => {
        const table = await iamTable(accounts["prod"]!, "actions-runner-role");
        const decision = (role: string, action: string) => table.find((c) => c.role === role && c.action === action)?.decision;
        for (const action of [...WRITES, "sts:AssumeRole"])
            assert.equal(decision(BOOTSTRAP_ROLES.preview, action), "denied", `preview ${action}`);
        for (const action of READS) assert.equal(decision(BOOTSTRAP_ROLES.preview, action), "allowed", `preview ${action}`);
        for (const action of [...WRITES, ...READS]) {
            assert.equal(decision(BOOTSTRAP_ROLES.deploy, action), "denied", `deploy role ${action}: it only assumes the deployer`);
            assert.equal(decision(BOOTSTRAP_ROLES.deployer, action), "allowed", `deployer ${action}`);
        }
        assert.equal(decision(BOOTSTRAP_ROLES.deploy, "sts:AssumeRole"), "allowed");
        for (const action of [...WRITES, "sts:AssumeRole", "kms:Decrypt", "eks:DescribeCluster"]) {
            assert.equal(decision("actions-runner-role", action), "denied", `runner ${action}`);
        }
    });

    it("the deploy role may assume the deployer only in its own environment, and only a deploy job of that environment gets it", async () => {
        const prodDeployer = roleArn(ACCOUNTS["prod"]!, BOOTSTRAP_ROLES.deployer);
        assert.equal(await simulate(accounts["prod"]!, BOOTSTRAP_ROLES.deploy, "sts:AssumeRole", prodDeployer), "allowed");
        assert.equal(await simulate(accounts["dev"]!, BOOTSTRAP_ROLES.deploy, "sts:AssumeRole", prodDeployer, accounts["prod"]), "denied");
        const tokens = webIdentityTable(accounts["prod"]!, "collab", "platform", ["production", "dev"]);
        assert.deepEqual(
            tokens.map((c) => `${c.role} ${c.resource} ${c.decision}`),
            [
                "platform-github-deploy repo:collab/platform:environment:production allowed",
                "platform-github-deploy repo:collab/platform:environment:dev denied",
                "platform-github-deploy repo:collab/platform:pull_request denied",
                "platform-github-deploy repo:collab/platform:ref:refs/heads/main denied",
                "platform-github-deploy repo:collab/platform:ref:refs/heads/feature denied",
                "platform-github-preview repo:collab/platform:environment:production denied",
                "platform-github-preview repo:collab/platform:environment:dev denied",
                "platform-github-preview repo:collab/platform:pull_request allowed",
                // The drift detection runs on main with the read-only role; a pushed branch gets nothing.
                "platform-github-preview repo:collab/platform:ref:refs/heads/main allowed",
                "platform-github-preview repo:collab/platform:ref:refs/heads/feature denied",
            ],
        );
    });
});

describe("bootstrap: what the environment stacks need exists before their first update", () => {
    for (const stack of CI_STACKS) {
        it(`${stack}: fixed-name roles with their trust, the secrets-provider key the stack file names, all protected`, async () => {
            const { graph, config, error } = bootstraps[stack]!;
            assert.equal(error, undefined);
            const account = config!.accountId;
            assert.equal(account, ACCOUNTS[stack]);
            const roles = Object.fromEntries(graph.ofType("aws:iam/role:Role").map((r) => [r.inputs.name, r]));
            assert.deepEqual(Object.keys(roles).sort(), Object.values(BOOTSTRAP_ROLES).sort());
            const githubEnvironment = readStackSections(stack)["github"].environment.name;
            const sub = (role: string) =>
                JSON.parse(roles[role]!.inputs.assumeRolePolicy).Statement[0].Condition.StringEquals[
                    "token.actions.githubusercontent.com:sub"
                ];
            assert.equal(sub(BOOTSTRAP_ROLES.deploy), `repo:collab/platform:environment:${githubEnvironment}`);
            // Pull requests, and the scheduled drift detection on main (drift-detection.yml): both read-only.
            assert.deepEqual(sub(BOOTSTRAP_ROLES.preview), [
                "repo:collab/platform:pull_request",
                "repo:collab/platform:ref:refs/heads/main",
            ]);
            const deployerTrust = JSON.parse(roles[BOOTSTRAP_ROLES.deployer]!.inputs.assumeRolePolicy);
            assert.deepEqual(deployerTrust.Statement[0].Principal.AWS, [
                "arn:aws:mock:eu-west-1:000000000000:Role/deploy-role",
                `arn:aws:iam::${account}:role/platform-administrators`,
            ]);
            assert.equal(graph.one("aws:kms/alias:Alias").inputs.name, `alias/platform-${stack}`);
            assert.equal(graph.outputs["secretsProvider"], readStackFile(stack).secretsprovider);
            assert.equal(graph.outputs["secretsProvider"], secretsProviderUrl(stack, "eu-west-1"));
            const oidc = graph.one("aws:iam/openIdConnectProvider:OpenIdConnectProvider").inputs;
            assert.equal(oidc.url, "https://token.actions.githubusercontent.com");
            for (const r of graph.resources.filter((x) => x.custom && !x.type.startsWith("pulumi:providers:")))
                assert.equal(r.protect, true, `${r.name} is protected`);
            // The environment stack reads what the bootstrap made, by its fixed names; and creates no role for GitHub itself.
            const env = graphs[stack]!;
            assert.deepEqual(
                env.ofType("aws:iam/openIdConnectProvider:OpenIdConnectProvider").map((r) => r.name),
                ["cluster-oidc"],
            );
            assert.equal(readStackSections(stack)["aws"].assumeRoleArn, roleArn(account, BOOTSTRAP_ROLES.deployer));
        });
    }

    it("a bad bootstrap config fails before anything is registered, naming the file and key", async () => {
        const { error, graph } = await runBootstrap("prod", (s) => (s["accountId"] = "3333"));
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, /bootstrap\/Pulumi\.prod\.yaml: accountId: expected a 12-digit AWS account id, got "3333"/);
        assert.deepEqual(graph.resources, []);
    });
});

describe("operator secrets CI can read: committed encrypted, never filled in by the tests", () => {
    it("every CI stack file holds each operator secret as a secure value", () => {
        for (const stack of CI_STACKS) {
            const secrets = readStackSections(stack)["secrets"] as Record<string, any>;
            const names = [
                ...secrets["required"].map((n: string) => ["provided", n]),
                ...readStackSections(stack)["github"].environmentSecrets.map((n: string) => ["ci", n]),
                ["ci", DELIVERY_SECRETS.deployAppKey],
                ["ci", DELIVERY_SECRETS.promoterAppKey],
                ["ci", DELIVERY_SECRETS.runnerToken],
            ];
            for (const [map, name] of names)
                assert.equal(typeof secrets[map]?.[name]?.secure, "string", `${stack}: secrets.${map}.${name}`);
        }
    });

    it("the pre-deploy check names each secret still unset, with the command that sets it", () => {
        const unset = unsetOperatorSecrets(REPO_ROOT, "prod");
        assert.ok(
            unset.includes(
                "secrets.provided.SENTRY_DSN is not set: pulumi config set -s prod --secret --path 'platform:secrets.provided.SENTRY_DSN' <value>, then commit Pulumi.prod.yaml",
            ),
        );
        assert.equal(unset.length, 9, unset.join("\n"));
        const sections = readStackSections("prod");
        const secrets = sections["secrets"] as Record<string, Record<string, unknown>>;
        for (const map of ["provided", "ci"])
            for (const name of Object.keys(secrets[map]!)) secrets[map]![name] = { secure: "v1:Zm9v:YmFy" };
        assert.deepEqual(unsetOperatorSecretsOf(sections, "prod"), []);
        delete secrets["ci"]![DELIVERY_SECRETS.deployAppKey];
        assert.deepEqual(unsetOperatorSecretsOf(sections, "prod"), [
            "secrets.ci.PLATFORM_DEPLOY_APP_KEY is not set: pulumi config set -s prod --secret --path 'platform:secrets.ci.PLATFORM_DEPLOY_APP_KEY' <value>, then commit Pulumi.prod.yaml",
        ]);
        assert.equal(UNSET_SECRET, JSON.parse(JSON.stringify(readStackSections("prod")["secrets"])).provided.SENTRY_DSN.secure);
    });

    it("the deploy job checks them before any credential, and the program refuses a missing one", async () => {
        const steps = deployJob().steps!;
        const check = steps.findIndex((s) => String(s["run"] ?? "").includes("delivery -- check-secrets"));
        const firstCredential = steps.findIndex((s) => String(s["uses"] ?? "").startsWith("aws-actions/"));
        assert.ok(check >= 0 && check < firstCredential);
        const { error } = await runStack("dev", { edit: (s) => delete (s["secrets"] as any)["ci"][DELIVERY_SECRETS.deployAppKey] });
        assert.ok(error instanceof ConfigError);
        assert.match(
            error.message,
            /secrets\.ci\.PLATFORM_DEPLOY_APP_KEY: expected a value for PLATFORM_DEPLOY_APP_KEY: pulumi config set --secret --path 'platform:secrets\.ci\.PLATFORM_DEPLOY_APP_KEY'/,
        );
    });
});

describe("required status checks per repository", () => {
    const jobsOnPullRequests = (file: string) => {
        const workflow = parse(fs.readFileSync(path.join(REPO_ROOT, file), "utf8"));
        return "pull_request" in workflow.on ? Object.entries(workflow.jobs).map(([id, job]: [string, any]) => job.name ?? id) : [];
    };

    it("each repository requires only checks its own workflows report on pull requests", () => {
        const rules = graphs["prod"]!.ofType("github:index/branchProtection:BranchProtection").map((r) => r.inputs);
        const checks = (repository: string) =>
            rules.filter((r) => r.repositoryId === `R_collab_${repository}`).flatMap((r) => r.requiredStatusChecks[0].contexts);
        const platformJobs = fs
            .readdirSync(path.join(REPO_ROOT, ".github", "workflows"))
            .flatMap((f) => jobsOnPullRequests(`.github/workflows/${f}`));
        const serviceJobs = jobsOnPullRequests(WORKFLOW_FILES.service);
        assert.deepEqual(checks("platform"), ["ci"]);
        assert.deepEqual(checks("supernova"), ["docker-build-publish", "docker-build-publish"]);
        for (const check of checks("platform")) assert.ok(platformJobs.includes(check), `platform requires ${check}`);
        for (const check of checks("supernova"))
            assert.ok(serviceJobs.includes(check), `supernova requires ${check}, which its build reports`);
    });
});
