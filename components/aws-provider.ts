import * as aws from "@pulumi/aws";
import type { StackConfig } from "../config/load";

export function defaultTags(environment: StackConfig["environment"]): Record<string, string> {
    return { environment: environment.name, project: environment.project, "managed-by": "pulumi" };
}

/**
 * The one AWS provider of a stack: it refuses to touch any account but the environment's own, and tags
 * everything it creates. Credentials come from the environment, not from provider inputs: a deploy runs
 * as the deployer role (aws.assumeRoleArn, chained from the GitHub deploy role), a preview as the
 * read-only preview role, with the same provider inputs, so a preview never shows a provider diff.
 */
export function createAwsProvider(name: string, awsConfig: NonNullable<StackConfig["aws"]>, environment: StackConfig["environment"]) {
    return new aws.Provider(name, {
        region: awsConfig.region as aws.Region,
        allowedAccountIds: [awsConfig.accountId],
        defaultTags: { tags: defaultTags(environment) },
    });
}
