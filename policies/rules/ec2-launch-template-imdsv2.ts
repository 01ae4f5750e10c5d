import { resourcePolicy } from "../lib";

export default resourcePolicy<{ maximumHopLimit: number }>({
    name: "ec2-launch-template-imdsv2",
    description:
        "FSBP EC2.170 / CIS EKS 4.x: node launch templates require IMDSv2 with a hop limit that keeps pods away from the node role's credentials.",
    enforcementLevel: "mandatory",
    config: { maximumHopLimit: { type: "integer", default: 1, minimum: 1, maximum: 64 } },
    types: ["aws:ec2/launchTemplate:LaunchTemplate"],
    validate: (props, { name, config, report }) => {
        const options = props["metadataOptions"] ?? {};
        if (options.httpEndpoint === "disabled") return;
        if (options.httpTokens !== "required")
            report(`Launch template ${name} does not require IMDSv2 (httpTokens: ${options.httpTokens ?? "optional"}).`);
        const hops = options.httpPutResponseHopLimit;
        if (typeof hops !== "number" || hops > config.maximumHopLimit)
            report(
                `Launch template ${name} lets IMDS replies travel ${hops ?? "an unset number of"} hop(s); at most ${config.maximumHopLimit}.`,
            );
    },
});
