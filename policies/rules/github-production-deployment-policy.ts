import type { StackValidationPolicy } from "@pulumi/policy";

const ENVIRONMENT = "github:index/repositoryEnvironment:RepositoryEnvironment";
const POLICY = "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy";

const policy: StackValidationPolicy = {
    name: "github-production-deployment-policy",
    description: "The production environment accepts deployments only from listed tags or branches.",
    enforcementLevel: "mandatory",
    configSchema: { properties: { environments: { type: "array", items: { type: "string" }, default: ["production"] } } },
    validateStack: (args, report) => {
        const { environments } = args.getConfig<{ environments: string[] }>();
        const policies = args.resources.filter((r) => r.type === POLICY).map((r) => r.props);
        for (const env of args.resources.filter((r) => r.type === ENVIRONMENT && environments.includes(r.props["environment"]))) {
            const { repository, environment, deploymentBranchPolicy } = env.props;
            const patterns = policies.filter(
                (p) => p["repository"] === repository && p["environment"] === environment && (p["tagPattern"] || p["branchPattern"]),
            );
            if (deploymentBranchPolicy?.customBranchPolicies !== true || patterns.length === 0) {
                report(`${repository}/${environment} accepts deployments from any ref: add a tag or branch policy.`, env.urn);
            }
        }
    },
};
export default policy;
