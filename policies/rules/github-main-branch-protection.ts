import { resourcePolicy } from "../lib";

export default resourcePolicy<{ branch: string; minimumApprovals: number }>({
    name: "github-main-branch-protection",
    description: "main needs 2 approvals and signed commits, and refuses force pushes and deletion.",
    enforcementLevel: "mandatory",
    config: { branch: { type: "string", default: "main" }, minimumApprovals: { type: "integer", default: 2, minimum: 1 } },
    types: ["github:index/branchProtection:BranchProtection"],
    validate: (props, { config, report, name }) => {
        if (props["pattern"] !== config.branch) return;
        const approvals = props["requiredPullRequestReviews"]?.[0]?.requiredApprovingReviewCount ?? 0;
        if (approvals < config.minimumApprovals)
            report(`${name}: ${config.branch} needs ${config.minimumApprovals} approvals, has ${approvals}.`);
        if (props["requireSignedCommits"] !== true) report(`${name}: ${config.branch} accepts unsigned commits.`);
        if (props["allowsForcePushes"] === true || props["allowsDeletions"] === true)
            report(`${name}: ${config.branch} can be force-pushed or deleted.`);
    },
});
