import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as tls from "@pulumi/tls";
import { createAwsProvider } from "./components/aws-provider";
import { Cluster } from "./components/cluster/cluster";
import { ClusterAddons } from "./components/cluster-addons";
import { Postgres } from "./components/data/postgres";
import { Redis } from "./components/data/redis";
import { GitHubDelivery } from "./components/github/github-delivery";
import { Namespace } from "./components/namespace";
import { AppSecrets } from "./components/secrets/app-secrets";
import type { RotationState } from "./components/secrets/rotation";
import { ServiceRelease } from "./components/service-release/service-release";
import type { StackConfig } from "./config/load";

export interface StackOutputs {
    clusterName: pulumi.Output<string>;
    namespace: pulumi.Output<string>;
    kubeconfig?: pulumi.Output<string>;
    renderDirectory?: string;
    /** The data layer's connection env, as the app reads it; values with credentials are secrets. */
    dataEnv: Record<string, pulumi.Output<string>>;
    /** The public JWKS document the app serves. */
    jwks: pulumi.Output<string>;
    /** Per service, changes when one of its secret values changes (pods roll on it). */
    secretsChecksums: Record<string, pulumi.Output<string>>;
    /** Each service's env Secret name, when it reads secrets from env. */
    secretNames: Record<string, string | undefined>;
    /** Where rotation of generated secrets stands; .github/workflows/rotate-secrets.yml compares it with the clock. */
    rotation: RotationState;
    /** The image tag each service runs; a scheduled rotation redeploys the same tags. */
    imageTags: Record<string, string>;
}

export interface ComposeOptions {
    /** The clock secret rotation is computed from. Defaults to now. */
    now?: Date;
}

/** Composes the components of one stack from its validated config. */
export function composeStack(config: StackConfig, options: ComposeOptions = {}): StackOutputs {
    const awsProvider = config.aws ? createAwsProvider("aws", config.aws, config.environment) : undefined;
    const cluster = new Cluster("cluster", {
        config: config.cluster,
        aws: config.aws,
        awsProvider,
        kubeconfig: config.secrets.kubeconfig,
    });
    const addons =
        config.cluster.ingressNginx.enabled || config.cluster.certManager.enabled
            ? new ClusterAddons("cluster-addons", { config: config.cluster, provider: cluster.provider })
            : undefined;
    const namespace = new Namespace("app", { config: config.namespace, provider: cluster.provider });

    const data = {
        identifier: `${config.environment.project}-${config.environment.name}`,
        protect: config.environment.protectStatefulResources,
        namespace: namespace.name,
        k8sProvider: cluster.provider,
        aws: cluster.awsPlacement,
    };
    // random and tls need no settings; explicit providers still make every resource's provider visible.
    const generators = { providers: [new random.Provider("random"), new tls.Provider("tls")] };
    const postgres = new Postgres(
        "postgres",
        {
            ...data,
            config: config.database,
            externalUrl: config.secrets.databaseUrl,
            secretPrefix: `${config.environment.project}/${config.environment.name}`,
        },
        generators,
    );
    const redis = new Redis("redis", { ...data, config: config.redis, externalUrl: config.secrets.redisUrl }, generators);
    const dataEnv = { ...postgres.env, ...redis.env };

    const secrets = new AppSecrets(
        "app-secrets",
        {
            config: config.secrets,
            environment: config.environment,
            services: config.services.map((s) => ({ name: s.name, secrets: s.secrets })),
            dataEnv,
            namespace: namespace.name,
            k8sProvider: cluster.provider,
            aws:
                config.aws && awsProvider && cluster.oidcProviderArn && cluster.oidcIssuerUrl
                    ? {
                          config: config.aws,
                          provider: awsProvider,
                          oidcProviderArn: cluster.oidcProviderArn,
                          oidcIssuerUrl: cluster.oidcIssuerUrl,
                      }
                    : undefined,
            now: options.now,
        },
        generators,
    );

    for (const service of config.services) {
        new ServiceRelease(
            service.name,
            {
                service,
                context: {
                    secretName: secrets.secretNames[service.name] ?? "",
                    secretsChecksum: secrets.checksums[service.name]!,
                    jwks: secrets.jwks,
                    jwksFiles: {
                        directory: service.jwksDirectory,
                        publicKeys: secrets.jwksPublicKeys,
                        privateKeySecret: secrets.jwksSecretNames[service.name] ?? "",
                        signingKid: secrets.signingKid,
                    },
                    clusterIssuer: config.cluster.certManager.issuer,
                },
                namespace: namespace.name,
                provider: cluster.provider,
                mode: config.cluster.mode === "render" ? "render" : "release",
            },
            // Hooks need the database and the app's Secret; cluster add-ons serve the Ingress.
            { dependsOn: [postgres, redis, secrets, ...(addons ? [addons] : [])] },
        );
    }

    if (config.github) {
        new GitHubDelivery("github", {
            config: config.github,
            environment: config.environment,
            ciSecrets: config.secrets.ci,
            kubeconfig: config.cluster.mode === "existing" ? cluster.kubeconfig : undefined,
            variables: {
                PULUMI_STACK: pulumi.getStack(),
                CLUSTER_NAME: cluster.clusterName,
                NAMESPACE: namespace.name,
                ...(config.aws ? { AWS_REGION: config.aws.region } : {}),
            },
            aws: config.aws && awsProvider ? { config: config.aws, provider: awsProvider } : undefined,
        });
    }

    return {
        clusterName: cluster.clusterName,
        namespace: namespace.name,
        kubeconfig: cluster.kubeconfig,
        renderDirectory: cluster.renderDirectory,
        dataEnv,
        jwks: secrets.jwks,
        secretsChecksums: secrets.checksums,
        secretNames: secrets.secretNames,
        rotation: secrets.rotation,
        imageTags: Object.fromEntries(config.services.map((s) => [s.name, s.image.tag])),
    };
}
