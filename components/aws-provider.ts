import * as aws from "@pulumi/aws";
import type { StackConfig } from "../config/load";

export function defaultTags(environment: StackConfig["environment"]): Record<string, string> {
    return { environment: environment.name, project: environment.project, "managed-by": "pulumi" };
}

/**
 * The one AWS provider of a stack: it assumes the environment's deploy role in the environment's own
 * account, refuses to touch any other account, and tags everything it creates.
 */
export function createAwsProvider(name: string, awsConfig: NonNullable<StackConfig["aws"]>, environment: StackConfig["environment"]) {
    return new aws.Provider(name, {
        region: awsConfig.region as aws.Region,
        allowedAccountIds: [awsConfig.accountId],
        assumeRoles: [{ roleArn: awsConfig.assumeRoleArn, sessionName: `pulumi-${environment.project}-${environment.name}` }],
        defaultTags: { tags: defaultTags(environment) },
    });
}
