import { resourcePolicy } from "../lib";

interface Config {
    environments: string[];
    minimumReviewers: number;
    minimumWaitMinutes: number;
}

export default resourcePolicy<Config>({
    name: "github-production-environment-protection",
    description: "The production environment needs 2 reviewers, a 5-minute wait, no self-review and no admin bypass.",
    enforcementLevel: "mandatory",
    config: {
        environments: { type: "array", items: { type: "string" }, default: ["production"] },
        minimumReviewers: { type: "integer", default: 2, minimum: 1, maximum: 6 },
        minimumWaitMinutes: { type: "integer", default: 5, minimum: 0 },
    },
    types: ["github:index/repositoryEnvironment:RepositoryEnvironment"],
    validate: (props, { config, report }) => {
        if (!config.environments.includes(props["environment"])) return;
        const where = `${props["repository"]}/${props["environment"]}`;
        const reviewers = (props["reviewers"] ?? []).reduce(
            (n: number, r: { users?: unknown[]; teams?: unknown[] }) => n + (r.users?.length ?? 0) + (r.teams?.length ?? 0),
            0,
        );
        if (reviewers < config.minimumReviewers)
            report(`${where} lists ${reviewers} reviewer(s); at least ${config.minimumReviewers} are required.`);
        if (!((props["waitTimer"] ?? 0) >= config.minimumWaitMinutes)) {
            report(
                `${where} waits ${props["waitTimer"] ?? 0} minute(s) before deploying; at least ${config.minimumWaitMinutes} are required.`,
            );
        }
        if (props["canAdminsBypass"] !== false) report(`${where} lets admins bypass its protection rules.`);
        if (props["preventSelfReview"] !== true) report(`${where} lets the author of a deployment approve it.`);
    },
});
