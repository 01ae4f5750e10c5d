import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as tls from "@pulumi/tls";
import { createAwsProvider } from "./components/aws-provider";
import { Cluster } from "./components/cluster/cluster";
import { ClusterAddons } from "./components/cluster-addons";
import { ActionsRunner } from "./components/delivery/actions-runner";
import { Postgres } from "./components/data/postgres";
import { Redis } from "./components/data/redis";
import { GitHubDelivery } from "./components/github/github-delivery";
import { Namespace } from "./components/namespace";
import { AppSecrets } from "./components/secrets/app-secrets";
import { ServiceRelease } from "./components/service-release/service-release";
import { DELIVERY_SECRETS, runnerProjectName } from "./config/delivery";
import type { StackConfig } from "./config/load";
import { Releases, releasesOf } from "./config/releases";

export interface StackOutputs {
    clusterName: pulumi.Output<string>;
    namespace: pulumi.Output<string>;
    kubeconfig?: pulumi.Output<string>;
    renderDirectory?: string;
    /** The data layer's connection env, as the app reads it; values with credentials are secrets. */
    dataEnv: Record<string, pulumi.Output<string>>;
    /** The public JWKS document the app serves. */
    jwks: pulumi.Output<string>;
    /** Changes when any secret value changes (pods roll on it). */
    secretsChecksum: pulumi.Output<string>;
    /** Each service's Kubernetes Secret name. */
    secretNames: Record<string, string>;
    /** What runs after this update (service -> image tag and digest); the next update keeps it unless it promotes. */
    releases: Releases;
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
    const postgres = new Postgres("postgres", { ...data, config: config.database, externalUrl: config.secrets.databaseUrl }, generators);
    const redis = new Redis("redis", { ...data, config: config.redis, externalUrl: config.secrets.redisUrl }, generators);
    const dataEnv = { ...postgres.env, ...redis.env };

    const secrets = new AppSecrets(
        "app-secrets",
        {
            config: config.secrets,
            environment: config.environment,
            services: config.services.map((s) => s.name),
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
                    secretName: secrets.secretNames[service.name]!,
                    secretsChecksum: secrets.checksum,
                    jwks: secrets.jwks,
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

    if (config.github && config.delivery && config.aws) {
        const { github, delivery, aws } = config;
        if (delivery.runner.type === "codebuild" && awsProvider && cluster.awsPlacement) {
            const placement = cluster.awsPlacement;
            new ActionsRunner("actions-runner", {
                runner: delivery.runner,
                projectName: runnerProjectName(config.environment.project, config.environment.name),
                repositoryUrl: `https://github.com/${github.owner}/${github.infrastructureRepository}`,
                githubToken: config.secrets.ci[DELIVERY_SECRETS.runnerToken]!,
                vpcId: placement.vpcId,
                privateSubnetIds: placement.privateSubnetIds,
                clusterSecurityGroupId: placement.nodeSecurityGroupId,
                region: aws.region,
                accountId: aws.accountId,
                provider: awsProvider,
            });
        }
        new GitHubDelivery("github", {
            config: github,
            environment: config.environment,
            delivery,
            ciSecrets: config.secrets.ci,
            variables: { PULUMI_STACK: pulumi.getStack(), CLUSTER_NAME: cluster.clusterName, NAMESPACE: namespace.name },
            aws,
        });
    }

    return {
        clusterName: cluster.clusterName,
        namespace: namespace.name,
        kubeconfig: cluster.kubeconfig,
        renderDirectory: cluster.renderDirectory,
        dataEnv,
        jwks: secrets.jwks,
        secretsChecksum: secrets.checksum,
        secretNames: secrets.secretNames,
        releases: releasesOf(config),
    };
}
