import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { serviceAccountTrustPolicy } from "../cluster/eks";
import { pinnedRelease } from "../kubernetes/pinned-release";
import { secretPath } from "./rotation";

export const SECRET_STORE_NAME = "aws-secrets-manager";
const ESO_NAMESPACE = "external-secrets";
const ESO_SERVICE_ACCOUNT = "external-secrets";

export interface EsoAccess {
    region: string;
    accountId: string;
    project: string;
    environment: string;
    keyArn: pulumi.Input<string>;
}

/** Read-only access to this environment's secrets and their key: nothing else, no wildcard resource. */
export function esoPolicy(access: EsoAccess & { keyArn: string }): Record<string, unknown> {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
                Resource: [`arn:aws:secretsmanager:${access.region}:${access.accountId}:secret:${access.project}/${access.environment}/*`],
            },
            { Effect: "Allow", Action: ["kms:Decrypt"], Resource: [access.keyArn] },
        ],
    };
}

export interface ExternalSecretsArgs {
    access: EsoAccess;
    chartVersion: string;
    oidcProviderArn: pulumi.Input<string>;
    oidcIssuerUrl: pulumi.Input<string>;
    namespace: pulumi.Input<string>;
    awsProvider: aws.Provider;
    k8sProvider: k8s.Provider;
}

/** External Secrets Operator with an IRSA role, and the namespace's SecretStore `aws-secrets-manager`. */
export function createExternalSecretsOperator(name: string, args: ExternalSecretsArgs, parent: pulumi.Resource) {
    const awsOpts = { parent, provider: args.awsProvider };
    const k8sOpts = { parent, provider: args.k8sProvider };
    const role = new aws.iam.Role(
        `${name}-eso-role`,
        {
            assumeRolePolicy: pulumi
                .all([args.oidcProviderArn, args.oidcIssuerUrl])
                .apply(([arn, url]) => serviceAccountTrustPolicy(arn, url, ESO_NAMESPACE, ESO_SERVICE_ACCOUNT)),
        },
        awsOpts,
    );
    new aws.iam.RolePolicy(
        `${name}-eso-read`,
        {
            role: role.id,
            policy: pulumi.output(args.access.keyArn).apply((keyArn) => JSON.stringify(esoPolicy({ ...args.access, keyArn }))),
        },
        awsOpts,
    );
    const release = pinnedRelease(
        `${name}-external-secrets`,
        {
            chart: "external-secrets",
            version: args.chartVersion,
            repo: "https://charts.external-secrets.io",
            namespace: ESO_NAMESPACE,
            values: {
                installCRDs: true,
                serviceAccount: { name: ESO_SERVICE_ACCOUNT, annotations: { "eks.amazonaws.com/role-arn": role.arn } },
            },
        },
        k8sOpts,
    );
    const store = new k8s.apiextensions.CustomResource(
        `${name}-store`,
        {
            apiVersion: "external-secrets.io/v1",
            kind: "SecretStore",
            metadata: { name: SECRET_STORE_NAME, namespace: args.namespace },
            spec: { provider: { aws: { service: "SecretsManager", region: args.access.region } } },
        },
        { ...k8sOpts, dependsOn: [release] },
    );
    return { store, roleArn: role.arn };
}

/** The ExternalSecret of one service: every key, from `<project>/<env>/<key>`, into the app's Secret. */
export function externalSecretSpec(args: {
    project: string;
    environment: string;
    keys: string[];
    targetName: string;
    refreshInterval: string;
}) {
    return {
        refreshInterval: args.refreshInterval,
        secretStoreRef: { name: SECRET_STORE_NAME, kind: "SecretStore" },
        target: { name: args.targetName, creationPolicy: "Owner" },
        data: args.keys.map((key) => ({ secretKey: key, remoteRef: { key: secretPath(args.project, args.environment, key) } })),
    };
}
