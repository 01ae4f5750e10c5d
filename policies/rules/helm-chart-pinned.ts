import { resourcePolicy } from "../lib";

export default resourcePolicy({
    name: "helm-chart-pinned",
    description: "Charts from a repository are pinned to an exact version.",
    enforcementLevel: "advisory",
    types: ["kubernetes:helm.sh/v3:Release", "kubernetes:helm.sh/v4:Chart"],
    validate: (props, { report }) => {
        if (props["repositoryOpts"]?.repo && !/^v?\d+\.\d+\.\d+$/.test(String(props["version"] ?? ""))) {
            report(`${props["chart"]} from ${props["repositoryOpts"].repo} is not pinned to a version X.Y.Z.`);
        }
    },
});
