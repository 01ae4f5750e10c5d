import { isServiceRelease, RELEASE_TYPES, releaseValues, resourcePolicy } from "../lib";

export default resourcePolicy<{ maximumSeconds: number }>({
    name: "migration-hook-deadline",
    description: "Migration and seed hook Jobs have a deadline, so a stuck migration cannot hold a deploy forever.",
    enforcementLevel: "mandatory",
    config: { maximumSeconds: { type: "integer", default: 3600, minimum: 1 } },
    types: RELEASE_TYPES,
    appliesTo: isServiceRelease,
    validate: (props, { config, report }) => {
        for (const hook of ["migrations", "seeds"]) {
            const job = releaseValues(props)[hook];
            if (!job?.enabled) continue;
            const deadline = job.activeDeadlineSeconds;
            if (!(deadline > 0 && deadline <= config.maximumSeconds)) {
                report(`${props["name"]}: ${hook}.activeDeadlineSeconds is ${deadline}; expected 1 to ${config.maximumSeconds}.`);
            }
        }
    },
});
