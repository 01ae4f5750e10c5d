import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { serviceAccountTrustPolicy } from "../cluster/eks";
import { AddonNamespaceContext, AddonNamespaceSpec, addonNamespace, httpsEgress, webhookIngress } from "../kubernetes/addon-namespace";
import { pinnedRelease } from "../kubernetes/pinned-release";

export const ESO_NAMESPACE = "external-secrets";
/** Labels of the pods of the chart's controller and webhook (chart templates, app.kubernetes.io/name). */
export const ESO_CONTROLLER_POD_LABELS = { "app.kubernetes.io/name": "external-secrets" } as const;
export const ESO_WEBHOOK_POD_LABELS = { "app.kubernetes.io/name": "external-secrets-webhook" } as const;
/** The webhook's container port (chart value webhook.port); its Service's 443 targets it. */
export const ESO_WEBHOOK_PORT = 10250;

/**
 * External Secrets' namespace: `restricted` (the chart's pods run non-root, no privilege escalation, all
 * capabilities dropped, RuntimeDefault seccomp). The controller, webhook and cert-controller reach the API
 * server and AWS (STS, Secrets Manager) over HTTPS; the API server calls the webhook; nothing else.
 */
export function externalSecretsNamespace(controlPlaneCidrs: string[]): AddonNamespaceSpec {
    return {
        name: ESO_NAMESPACE,
        level: "restricted",
        policies: {
            "https-egress": httpsEgress(),
            "webhook-ingress": webhookIngress(ESO_WEBHOOK_POD_LABELS, ESO_WEBHOOK_PORT, controlPlaneCidrs),
        },
    };
}

/**
 * Chart values of the External Secrets Operator. The controller has no AWS identity of its own: each
 * SecretStore authenticates as its service's ServiceAccount. Nobody gets SecretStore/ExternalSecret
 * rights through `edit`/`view`, and cluster-wide stores and pushes are not processed.
 */
export const ESO_CHART_VALUES = {
    installCRDs: true,
    serviceAccount: { annotations: {} },
    rbac: { aggregateToEdit: false, aggregateToView: false },
    processClusterStore: false,
    processClusterExternalSecret: false,
    processClusterPushSecret: false,
    processPushSecret: false,
};

/** The External Secrets Operator, pinned, in its declared namespace; it holds no AWS role. */
export function installExternalSecrets(
    name: string,
    args: { chartVersion: string; k8sProvider: k8s.Provider; addonNamespaces: AddonNamespaceContext },
    parent: pulumi.Resource,
) {
    const namespace = addonNamespace(
        `${name}-eso`,
        externalSecretsNamespace(args.addonNamespaces.controlPlaneCidrs),
        args.addonNamespaces,
        parent,
    );
    return pinnedRelease(
        `${name}-external-secrets`,
        {
            chart: "external-secrets",
            version: args.chartVersion,
            repo: "https://charts.external-secrets.io",
            namespace: ESO_NAMESPACE,
            values: ESO_CHART_VALUES,
        },
        { parent, provider: args.k8sProvider, dependsOn: namespace },
    );
}

/** Read-only access to exactly these secrets, and decryption with their key only through Secrets Manager. */
export function secretsReaderPolicy(a: { secretArns: string[]; keyArn: string; region: string }): Record<string, unknown> {
    return {
        Version: "2012-10-17",
        Statement: [
            { Effect: "Allow", Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], Resource: a.secretArns },
            {
                Effect: "Allow",
                Action: ["kms:Decrypt"],
                Resource: [a.keyArn],
                Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${a.region}.amazonaws.com` } },
            },
        ],
    };
}

/** The SecretStore of one service: named after it, so its ExternalSecrets reference it. */
export const secretStoreName = (service: string) => `${service}-secrets`;
/** The ServiceAccount a service's SecretStore authenticates as (IRSA); no pod runs as it. */
export const secretsReaderAccount = (service: string) => `${service}-secrets-reader`;

export interface ServiceSecretStoreArgs {
    service: string;
    namespace: pulumi.Input<string>;
    region: string;
    keyArn: pulumi.Input<string>;
    /** The Secrets Manager secrets this service reads; nothing else is readable. */
    secretArns: pulumi.Input<string>[];
    oidcProviderArn: pulumi.Input<string>;
    oidcIssuerUrl: pulumi.Input<string>;
    awsProvider: aws.Provider;
    k8sProvider: k8s.Provider;
    dependsOn: pulumi.Input<pulumi.Resource>[];
}

/** A ServiceAccount whose IRSA role reads only this service's secrets, and the SecretStore that uses it. */
export function createServiceSecretStore(name: string, args: ServiceSecretStoreArgs, parent: pulumi.Resource) {
    const awsOpts = { parent, provider: args.awsProvider };
    const k8sOpts = { parent, provider: args.k8sProvider };
    const account = secretsReaderAccount(args.service);
    const role = new aws.iam.Role(
        `${name}-role`,
        {
            assumeRolePolicy: pulumi
                .all([args.oidcProviderArn, args.oidcIssuerUrl, args.namespace])
                .apply(([arn, url, namespace]) => serviceAccountTrustPolicy(arn, url, namespace, account)),
        },
        awsOpts,
    );
    new aws.iam.RolePolicy(
        `${name}-read`,
        {
            role: role.id,
            policy: pulumi
                .all([pulumi.all(args.secretArns), args.keyArn])
                .apply(([secretArns, keyArn]) => JSON.stringify(secretsReaderPolicy({ secretArns, keyArn, region: args.region }))),
        },
        awsOpts,
    );
    const serviceAccount = new k8s.core.v1.ServiceAccount(
        `${name}-account`,
        {
            metadata: { name: account, namespace: args.namespace, annotations: { "eks.amazonaws.com/role-arn": role.arn } },
            automountServiceAccountToken: false,
        },
        k8sOpts,
    );
    const store = new k8s.apiextensions.CustomResource(
        `${name}-store`,
        {
            apiVersion: "external-secrets.io/v1",
            kind: "SecretStore",
            metadata: { name: secretStoreName(args.service), namespace: args.namespace },
            spec: {
                provider: {
                    aws: { service: "SecretsManager", region: args.region, auth: { jwt: { serviceAccountRef: { name: account } } } },
                },
            },
        },
        { ...k8sOpts, dependsOn: [serviceAccount, ...args.dependsOn] },
    );
    return { store, roleArn: role.arn };
}

export interface ExternalSecretArgs {
    namespace: pulumi.Input<string>;
    /** The service whose SecretStore reads the values. */
    service: string;
    /** The Kubernetes Secret written. */
    targetName: string;
    /** Secret key -> Secrets Manager name. */
    data: Record<string, pulumi.Input<string>>;
    refreshInterval: string;
    /** Changes when a value changes, so External Secrets syncs at once instead of at the next refresh. */
    forceSync: pulumi.Input<string>;
    /** A `target.template` (e.g. a dockerconfigjson Secret); defaults to an Opaque Secret of the data. */
    template?: Record<string, unknown>;
}

/** One ExternalSecret: named keys from Secrets Manager into one Kubernetes Secret. */
export function createExternalSecret(name: string, args: ExternalSecretArgs, opts: pulumi.CustomResourceOptions) {
    return new k8s.apiextensions.CustomResource(
        name,
        {
            apiVersion: "external-secrets.io/v1",
            kind: "ExternalSecret",
            metadata: { name: args.targetName, namespace: args.namespace, annotations: { "force-sync": args.forceSync } },
            spec: {
                refreshInterval: args.refreshInterval,
                secretStoreRef: { name: secretStoreName(args.service), kind: "SecretStore" },
                target: { name: args.targetName, creationPolicy: "Owner", ...(args.template ? { template: args.template } : {}) },
                data: Object.entries(args.data).map(([secretKey, key]) => ({ secretKey, remoteRef: { key } })),
            },
        },
        opts,
    );
}
