import { resourcePolicy } from "../lib";

const REQUIRED = ["environment", "project", "managed-by"];

export default resourcePolicy({
    name: "aws-provider-default-tags",
    description: "The AWS provider tags everything it creates with environment, project and managed-by.",
    enforcementLevel: "advisory",
    types: ["pulumi:providers:aws"],
    validate: (props, { name, report }) => {
        const raw = props["defaultTags"];
        const tags = (typeof raw === "string" ? JSON.parse(raw) : raw)?.tags ?? {};
        const missing = REQUIRED.filter((tag) => !tags[tag]);
        if (missing.length > 0) report(`AWS provider ${name} does not tag resources with ${missing.join(", ")}.`);
    },
});
