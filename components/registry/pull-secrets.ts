import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { pullSecretName, RegistryConfig, registryHost } from "../../config/workloads";
import { createExternalSecret, createServiceSecretStore } from "../secrets/external-secrets";
import { checksum } from "../secrets/rotation";
import { secretRecoveryWindowDays } from "../data/teardown";

/** The SecretStore (and its reader) of registry tokens: `registry-secrets`, reading only those. */
export const REGISTRY_STORE_OWNER = "registry";

/** Registries whose pulls need a Secret: auth `token`. */
export const tokenRegistries = (registries: RegistryConfig[]) => registries.filter((r) => r.auth === "token");

/** The pull Secrets a pod running `image` references: its registry's, when that registry needs a token. */
export function pullSecretsFor(image: string, registries: RegistryConfig[]): string[] {
    const host = registryHost(image);
    return tokenRegistries(registries).some((r) => r.server === host) ? [pullSecretName(host)] : [];
}

const username = (registry: RegistryConfig) => registry.username ?? "token";

/** A dockerconfigjson document for one registry (what `kubectl create secret docker-registry` writes). */
export function dockerConfigJson(server: string, user: string, token: string): string {
    const auth = Buffer.from(`${user}:${token}`).toString("base64");
    return JSON.stringify({ auths: { [server]: { username: user, password: token, auth } } });
}

/** External Secrets' template of the same document, from the `token` key read from Secrets Manager. */
export function dockerConfigTemplate(server: string, user: string): Record<string, unknown> {
    const auth = `{{ printf "%s:%s" ${JSON.stringify(user)} .token | b64enc }}`;
    return {
        type: "kubernetes.io/dockerconfigjson",
        engineVersion: "v2",
        data: { ".dockerconfigjson": `{"auths":{"${server}":{"username":"${user}","password":"{{ .token }}","auth":"${auth}"}}}` },
    };
}

/** `<project>/<environment>/registries/<server>` in Secrets Manager. */
export const registrySecretPath = (project: string, environment: string, server: string) =>
    `${project}/${environment}/registries/${server}`;

export interface RegistryPullSecretsArgs {
    registries: RegistryConfig[];
    namespace: pulumi.Input<string>;
    k8sProvider: k8s.Provider;
    /** Where unprotected (dev), a deleted token can be re-created at once (components/data/teardown.ts). */
    environment: { project: string; name: string; protectStatefulResources: boolean };
    refreshInterval: string;
    /** With AWS: the token lives in Secrets Manager (the app secrets' key) and External Secrets writes the Secret. */
    aws?: {
        region: string;
        keyArn: pulumi.Input<string>;
        provider: aws.Provider;
        oidcProviderArn: pulumi.Input<string>;
        oidcIssuerUrl: pulumi.Input<string>;
    };
}

/**
 * One `kubernetes.io/dockerconfigjson` Secret per registry that needs a token, in the app namespace:
 * synced by External Secrets from Secrets Manager on AWS, a plain Secret elsewhere. ECR needs none
 * (the nodes' role pulls); workloads reference them through pullSecretsFor.
 */
export class RegistryPullSecrets extends pulumi.ComponentResource {
    public readonly secretNames: string[];

    constructor(name: string, args: RegistryPullSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:registry:RegistryPullSecrets", name, {}, opts);
        const registries = tokenRegistries(args.registries);
        this.secretNames = registries.map((r) => pullSecretName(r.server));
        const k8sOpts = { parent: this, provider: args.k8sProvider };
        if (registries.length > 0 && args.aws) {
            const awsArgs = args.aws;
            const awsOpts = { parent: this, provider: awsArgs.provider };
            const stored = registries.map((registry) => {
                const slug = pullSecretName(registry.server);
                const entry = new aws.secretsmanager.Secret(
                    `${name}-${slug}`,
                    {
                        name: registrySecretPath(args.environment.project, args.environment.name, registry.server),
                        kmsKeyId: awsArgs.keyArn,
                        recoveryWindowInDays: secretRecoveryWindowDays(args.environment.protectStatefulResources),
                    },
                    awsOpts,
                );
                const version = new aws.secretsmanager.SecretVersion(
                    `${name}-${slug}`,
                    { secretId: entry.id, secretString: pulumi.secret(registry.token!) },
                    awsOpts,
                );
                return { registry, entry, version };
            });
            const { store } = createServiceSecretStore(
                `${name}-store`,
                {
                    service: REGISTRY_STORE_OWNER,
                    namespace: args.namespace,
                    region: awsArgs.region,
                    keyArn: awsArgs.keyArn,
                    secretArns: stored.map((s) => s.entry.arn),
                    oidcProviderArn: awsArgs.oidcProviderArn,
                    oidcIssuerUrl: awsArgs.oidcIssuerUrl,
                    awsProvider: awsArgs.provider,
                    k8sProvider: args.k8sProvider,
                    dependsOn: [],
                },
                this,
            );
            for (const { registry, version } of stored) {
                createExternalSecret(
                    `${name}-${pullSecretName(registry.server)}`,
                    {
                        namespace: args.namespace,
                        service: REGISTRY_STORE_OWNER,
                        targetName: pullSecretName(registry.server),
                        data: { token: registrySecretPath(args.environment.project, args.environment.name, registry.server) },
                        refreshInterval: args.refreshInterval,
                        // A one-way hash of the token: External Secrets syncs at once when it changes.
                        forceSync: pulumi.unsecret(pulumi.secret(registry.token!).apply((token) => checksum({ token }))),
                        template: dockerConfigTemplate(registry.server, username(registry)),
                    },
                    { ...k8sOpts, dependsOn: [store, version] },
                );
            }
        } else {
            for (const registry of registries) {
                new k8s.core.v1.Secret(
                    `${name}-${pullSecretName(registry.server)}`,
                    {
                        metadata: { name: pullSecretName(registry.server), namespace: args.namespace },
                        type: "kubernetes.io/dockerconfigjson",
                        stringData: {
                            ".dockerconfigjson": pulumi
                                .secret(registry.token!)
                                .apply((token) => dockerConfigJson(registry.server, username(registry), token)),
                        },
                    },
                    k8sOpts,
                );
            }
        }
        this.registerOutputs({ secretNames: this.secretNames });
    }
}
