import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { ConfigError } from "../config/format";
import { dnsLabel, list, section, text } from "../config/primitives";

/** The bootstrap project's config namespace (its Pulumi.yaml name). */
export const BOOTSTRAP_NAMESPACE = "platform-bootstrap";

const roleArn = () => text({ pattern: /^arn:aws:iam::\d{12}:role\/[\w+=,.@/-]+$/, describe: "an IAM role ARN" });
const githubName = (what: string) => text({ pattern: /^[A-Za-z0-9][A-Za-z0-9._-]*$/, describe: what });

export const bootstrapSchema = section({
    environment: dnsLabel().describe("The environment this account hosts, as the environment stack names it (`environment.name`)."),
    accountId: text({ pattern: /^\d{12}$/, describe: "a 12-digit AWS account id" }),
    region: text({ pattern: /^[a-z]{2}(-gov)?-[a-z]+-\d$/, describe: "an AWS region such as eu-west-1" }),
    github: section({
        owner: githubName("a GitHub user or organization"),
        repository: githubName("a repository name").describe("This infrastructure repository, whose workflows assume the roles."),
        environment: githubName("a GitHub environment name").describe("The GitHub environment of the deploy jobs, e.g. `production`."),
    }),
    administratorRoleArns: list(roleArn(), { min: 1, what: "IAM role ARNs" }).describe(
        "Who else may assume the deployer role: the administrators who run the first `up` and break-glass changes.",
    ),
    pulumiOrganization: text({ describe: "a Pulumi Cloud organization" }).describe("Where the state of every stack lives (Pulumi Cloud)."),
});
export type BootstrapConfig = z.output<typeof bootstrapSchema>;

/** Reads `platform-bootstrap:*` of the running stack; a bad value fails before any resource is registered. */
export function loadBootstrapConfig(): BootstrapConfig {
    const config = new pulumi.Config(BOOTSTRAP_NAMESPACE);
    // The engine hands structured values over as JSON text and scalars as plain text.
    const decode = (value: string | undefined) => (value !== undefined && /^\s*[[{]/.test(value) ? JSON.parse(value) : value);
    const raw = Object.fromEntries(Object.keys(bootstrapSchema.shape).map((key) => [key, decode(config.get(key))]));
    const parsed = bootstrapSchema.safeParse(raw, { reportInput: true });
    if (!parsed.success) {
        throw new ConfigError(
            `bootstrap/Pulumi.${pulumi.getStack()}.yaml`,
            parsed.error.issues.map((issue) => ({ path: issue.path, message: issue.message, input: (issue as { input?: unknown }).input })),
        );
    }
    return parsed.data;
}
