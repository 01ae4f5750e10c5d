import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { serviceAccountTrustPolicy } from "./eks";

/** What an IAM role for a Kubernetes service account needs from the cluster. */
export interface IrsaContext {
    oidcProviderArn: pulumi.Input<string>;
    oidcIssuerUrl: pulumi.Input<string>;
    provider: aws.Provider;
}

/** A role only `<namespace>/<serviceAccount>` of this cluster can assume, with one inline policy. */
export function irsaRole(
    name: string,
    context: IrsaContext,
    account: { namespace: string; serviceAccount: string },
    policy: pulumi.Input<Record<string, unknown>>,
    parent: pulumi.Resource,
): aws.iam.Role {
    const opts = { parent, provider: context.provider };
    const role = new aws.iam.Role(
        `${name}-role`,
        {
            assumeRolePolicy: pulumi
                .all([context.oidcProviderArn, context.oidcIssuerUrl])
                .apply(([arn, url]) => serviceAccountTrustPolicy(arn, url, account.namespace, account.serviceAccount)),
        },
        opts,
    );
    new aws.iam.RolePolicy(`${name}-policy`, { role: role.id, policy: pulumi.output(policy).apply((p) => JSON.stringify(p)) }, opts);
    return role;
}
