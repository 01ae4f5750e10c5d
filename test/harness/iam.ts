import { createValidatedPolicy, validateTrustPolicy } from "@cloud-copilot/iam-policy";
import { runSimulation, runUnsafeSimulation } from "@cloud-copilot/iam-simulate";
import { BOOTSTRAP_ROLES, GITHUB_OIDC_HOST, githubSubject, INFRASTRUCTURE_BRANCH, roleArn } from "../../config/delivery";
import type { Graph, RecordedResource } from "./graph";
import { recordStack, runBootstrap } from "./run-stack";

/**
 * The IAM check: the roles and policies recorded in an environment's graphs (its bootstrap stack and
 * its environment stack), evaluated by a real policy simulator (@cloud-copilot/iam-simulate) for the
 * actions a preview, a deploy and the runners may or may not take. `npm run iam -- <stack>` prints it.
 */

export interface Role {
    name: string;
    arn: string;
    trust: unknown;
    policies: { name: string; policy: unknown }[];
}

export interface Account {
    stack: string;
    accountId: string;
    region: string;
    /** The role by the name its graph gives it (bootstrap: fixed names; the runner's service role). */
    roles: Record<string, Role>;
    /** Resource policy of the secrets-provider key and its ARN. */
    secretsKey: { arn: string; policy: unknown };
}

export type Decision = "allowed" | "denied";

export interface Check {
    role: string;
    action: string;
    resource: string;
    /** Principal's account, when the caller is from another environment. */
    from?: string;
    decision: Decision;
}

const MOCK_ARN = /arn:aws:mock:[a-z0-9-]+:000000000000:[A-Za-z]+\/[\w.-]+/g;

/** The ARN AWS would give a recorded resource (the mocks return placeholders). */
function realArn(r: RecordedResource, accountId: string, region: string): string {
    switch (r.type) {
        case "aws:iam/role:Role":
            return roleArn(accountId, r.inputs.name ?? `${r.name}-physical`);
        case "aws:kms/key:Key":
            return `arn:aws:kms:${region}:${accountId}:key/${r.name}-key-id`;
        case "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
            return `arn:aws:iam::${accountId}:oidc-provider/${String(r.inputs.url).replace(/^https:\/\//, "")}`;
        default:
            return `arn:aws:${r.type.split(":")[1]!.split("/")[0]}:${region}:${accountId}:${r.name}`;
    }
}

function withRealArns(document: string, graphs: Graph[], accountId: string, region: string): unknown {
    const byMockArn = new Map<string, string>();
    for (const graph of graphs) {
        for (const r of graph.resources.filter((x) => x.type.startsWith("aws:"))) {
            byMockArn.set(`arn:aws:mock:${region}:000000000000:${r.type.split(":").pop()}/${r.name}`, realArn(r, accountId, region));
        }
    }
    return JSON.parse(document.replace(MOCK_ARN, (arn) => byMockArn.get(arn) ?? arn));
}

/** Roles and their inline policies as recorded, with ARNs as AWS would make them. */
export function accountOf(stack: string, accountId: string, region: string, graphs: Graph[]): Account {
    const roles: Record<string, Role> = {};
    const key = graphs.flatMap((g) => g.ofType("aws:kms/key:Key")).find((k) => k.name === "secrets-key");
    if (!key) throw new Error(`${stack}: the bootstrap graph has no secrets-provider key`);
    for (const graph of graphs) {
        const roleResources = graph.ofType("aws:iam/role:Role");
        for (const r of roleResources) {
            const name = r.inputs.name ?? r.name;
            roles[name] = {
                name,
                arn: realArn(r, accountId, region),
                trust: withRealArns(r.inputs.assumeRolePolicy, graphs, accountId, region),
                policies: graph
                    .ofType("aws:iam/rolePolicy:RolePolicy")
                    .filter((p) => p.inputs.role === `${r.name}-id`)
                    .map((p) => ({ name: p.name, policy: withRealArns(p.inputs.policy, graphs, accountId, region) })),
            };
        }
    }
    return {
        stack,
        accountId,
        region,
        roles,
        secretsKey: { arn: realArn(key, accountId, region), policy: JSON.parse(key.inputs.policy) },
    };
}

export async function recordAccount(stack: string): Promise<Account> {
    const { graph: bootstrap, config } = await runBootstrap(stack);
    if (!config) throw new Error(`bootstrap ${stack} did not run`);
    const { graph } = await recordStack(stack);
    return accountOf(stack, config.accountId, config.region, [bootstrap, graph]);
}

/** One request by a role of `caller` (its account) against `target`, through the simulator's validated path. */
export async function simulate(
    caller: Account,
    roleName: string,
    action: string,
    resource: string,
    target: Account = caller,
): Promise<Decision> {
    const role = caller.roles[roleName];
    if (!role) throw new Error(`no role ${roleName} in ${caller.stack}`);
    const resourcePolicy =
        action === "sts:AssumeRole"
            ? Object.values(target.roles).find((r) => r.arn === resource)?.trust
            : resource === target.secretsKey.arn
              ? target.secretsKey.policy
              : undefined;
    const result = await runSimulation(
        {
            request: { principal: role.arn, action, resource: { resource, accountId: target.accountId }, contextVariables: {} },
            identityPolicies: role.policies,
            serviceControlPolicies: [],
            resourceControlPolicies: [],
            resourcePolicy,
        },
        {},
    );
    if (result.resultType === "error") throw new Error(`${roleName} ${action} ${resource}: ${result.errors.message}`);
    return result.overallResult === "Allowed" ? "allowed" : "denied";
}

/**
 * A GitHub job's OIDC token exchanged for a role (sts:AssumeRoleWithWebIdentity) against its trust
 * policy. The simulator's validated path knows no per-provider OIDC keys (token.actions...:sub), so
 * this one request uses its unvalidated engine with the keys GitHub puts in the token.
 */
export function simulateWebIdentity(account: Account, roleName: string, subject: string): Decision {
    const role = account.roles[roleName];
    if (!role) throw new Error(`no role ${roleName} in ${account.stack}`);
    // Validated here instead (as a trust policy), and named, as the engine's explain needs.
    const trust = createValidatedPolicy(role.trust, validateTrustPolicy, { name: `${roleName}-trust` });
    const errors = trust.errors;
    if (errors.length > 0) throw new Error(`${roleName} trust policy: ${JSON.stringify(errors)}`);
    const result = runUnsafeSimulation(
        {
            request: {
                principal: `arn:aws:iam::${account.accountId}:oidc-provider/${GITHUB_OIDC_HOST}`,
                action: "sts:AssumeRoleWithWebIdentity",
                resource: { resource: role.arn, accountId: account.accountId },
                contextVariables: { [`${GITHUB_OIDC_HOST}:sub`]: subject, [`${GITHUB_OIDC_HOST}:aud`]: "sts.amazonaws.com" },
            },
            identityPolicies: [],
            serviceControlPolicies: [],
            resourceControlPolicies: [],
            resourcePolicy: trust,
        },
        {},
    );
    return result === "Allowed" ? "allowed" : "denied";
}

/** Write actions the program's resources need (the issue's sample), each on a resource of the account. */
export function writeActions(a: Account): [string, string][] {
    const { accountId: acct, region } = a;
    return [
        ["ec2:CreateVpc", `arn:aws:ec2:${region}:${acct}:vpc/*`],
        ["rds:ModifyDBInstance", `arn:aws:rds:${region}:${acct}:db:supernova-${a.stack}`],
        ["iam:PassRole", roleArn(acct, "cluster-role")],
        ["secretsmanager:PutSecretValue", `arn:aws:secretsmanager:${region}:${acct}:secret:supernova/${a.stack}/SENTRY_DSN-AbCdEf`],
        ["eks:UpdateClusterConfig", `arn:aws:eks:${region}:${acct}:cluster/supernova-${a.stack}`],
        ["sts:AssumeRole", roleArn(acct, BOOTSTRAP_ROLES.deployer)],
    ];
}

/** Reads a preview needs. */
export function readActions(a: Account): [string, string][] {
    const { accountId: acct, region } = a;
    return [
        ["ec2:DescribeVpcs", "*"],
        ["eks:DescribeCluster", `arn:aws:eks:${region}:${acct}:cluster/supernova-${a.stack}`],
        ["rds:DescribeDBInstances", `arn:aws:rds:${region}:${acct}:db:supernova-${a.stack}`],
        ["kms:Decrypt", a.secretsKey.arn],
    ];
}

/** The role × action table of one environment: every row simulated, none hard-coded. */
export async function iamTable(a: Account, runnerRole: string): Promise<Check[]> {
    const checks: Check[] = [];
    for (const role of [BOOTSTRAP_ROLES.preview, BOOTSTRAP_ROLES.deploy, BOOTSTRAP_ROLES.deployer, runnerRole]) {
        for (const [action, resource] of [...writeActions(a), ...readActions(a)]) {
            if (role === BOOTSTRAP_ROLES.deployer && action === "sts:AssumeRole") continue;
            checks.push({ role, action, resource, decision: await simulate(a, role, action, resource) });
        }
    }
    return checks;
}

/** Who may obtain each bootstrap role from a GitHub token: the subject decides. */
export function webIdentityTable(a: Account, owner: string, repository: string, environments: string[]): Check[] {
    const subjects = [
        ...environments.map((e) => githubSubject.environment(owner, repository, e)),
        githubSubject.pullRequest(owner, repository),
        githubSubject.branch(owner, repository, INFRASTRUCTURE_BRANCH),
        githubSubject.branch(owner, repository, "feature"),
    ];
    return [BOOTSTRAP_ROLES.deploy, BOOTSTRAP_ROLES.preview].flatMap((role) =>
        subjects.map((subject) => ({
            role,
            action: "sts:AssumeRoleWithWebIdentity",
            resource: subject,
            decision: simulateWebIdentity(a, role, subject),
        })),
    );
}

export function formatTable(checks: Check[]): string {
    const width = Math.max(...checks.map((c) => c.role.length), 4);
    const actionWidth = Math.max(...checks.map((c) => c.action.length), 6);
    return checks
        .map(
            (c) =>
                `${c.role.padEnd(width)}  ${c.action.padEnd(actionWidth)}  ${c.decision.padEnd(7)}  ${c.from ? `from ${c.from}: ` : ""}${c.resource}`,
        )
        .join("\n");
}
