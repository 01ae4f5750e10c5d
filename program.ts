import * as pulumi from "@pulumi/pulumi";
import { EKS_ADDON_BUILDS } from "./config/eks-versions";
import * as random from "@pulumi/random";
import * as tls from "@pulumi/tls";
import { Alerts } from "./components/alerts";
import { createAwsProvider } from "./components/aws-provider";
import { Capacity } from "./components/capacity";
import { Cluster } from "./components/cluster/cluster";
import { ClusterAddons } from "./components/cluster-addons";
import { dataEgressRules } from "./components/data/egress";
import { Postgres } from "./components/data/postgres";
import { entryContext } from "./components/gateway/entry-context";
import { EntryPoint } from "./components/gateway/entry-point";
import { Redis } from "./components/data/redis";
import { ActionsRunner } from "./components/delivery/actions-runner";
import { ArgoRollouts } from "./components/delivery/argo-rollouts";
import { isProgressive } from "./config/delivery-strategy";
import { GitHubDelivery } from "./components/github/github-delivery";
import { Monitoring } from "./components/monitoring/monitoring";
import { AwsAlarms, cacheAlarmSpecs, nodeAlarmSpecs } from "./components/operations/aws-alarms";
import { DatabaseBackups } from "./components/operations/backups";
import { ContainerLogs, withLogLevel } from "./components/operations/logs";
import { PostgresDump } from "./components/operations/postgres-dump";
import { Namespace } from "./components/namespace";
import { pullSecretsFor, RegistryPullSecrets } from "./components/registry/pull-secrets";
import { AppSecrets } from "./components/secrets/app-secrets";
import type { RotationState } from "./components/secrets/rotation";
import { ServiceRelease } from "./components/service-release/service-release";
import { ACTIONS_VARIABLES, DELIVERY_SECRETS, runnerProjectName } from "./config/delivery";
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
    /** Per service, changes when one of its secret values changes (pods roll on it). */
    secretsChecksums: Record<string, pulumi.Output<string>>;
    /** Each service's env Secret name, when it reads secrets from env. */
    secretNames: Record<string, string | undefined>;
    /** Where rotation of generated secrets stands; .github/workflows/rotate-secrets.yml compares it with the clock. */
    rotation: RotationState;
    /** The SNS topic every alarm notifies (EKS stacks). */
    alertsTopicArn?: pulumi.Output<string>;
    /** What runs after this update (service -> image tag and digest); the next update keeps it unless it promotes. */
    releases: Releases;
}

/** EKS only: the Gateway entry point (ALB, DNS, TLS), capacity add-ons, and the alerts topic. */
function eksTraffic(config: StackConfig, cluster: Cluster, identifier: string) {
    if (config.cluster.mode !== "eks" || !config.aws || !cluster.awsPlacement || !cluster.oidcProviderArn || !cluster.oidcIssuerUrl) {
        return undefined;
    }
    const irsa = {
        oidcProviderArn: cluster.oidcProviderArn,
        oidcIssuerUrl: cluster.oidcIssuerUrl,
        provider: cluster.awsPlacement.provider,
    };
    const exposed = config.services.filter((s) => s.expose);
    const entryPoint = new EntryPoint("entry-point", {
        config: config.entryPoint,
        versions: config.cluster.addons,
        hosts: exposed.flatMap((s) => (s.ingress ? [s.ingress.host] : [])),
        appPorts: [...new Set(exposed.filter((s) => s.ingress).map((s) => s.port))],
        cluster: {
            name: cluster.clusterName,
            region: config.aws.region,
            vpcId: cluster.awsPlacement.vpcId,
            nodeSecurityGroupId: cluster.awsPlacement.nodeSecurityGroupId,
            irsa,
        },
        ownerId: identifier,
        k8sProvider: cluster.provider,
        addonNamespaces: cluster.addonNamespaces,
    });
    const capacity = new Capacity("capacity", { cluster: config.cluster, region: config.aws.region, irsa, k8sProvider: cluster.provider });
    const alerts = new Alerts("alerts", { config: config.alerts, identifier, provider: cluster.awsPlacement.provider });
    return { entryPoint, capacity, alerts };
}

/** EKS: app and node logs with the stack's retention; RDS: AWS Backup and the pre-deploy snapshot (docs/operations.md). */
function operations(
    config: StackConfig,
    cluster: Cluster,
    postgres: Postgres,
    alertsTopicArn?: pulumi.Output<string>,
): DatabaseBackups | undefined {
    const placement = cluster.awsPlacement;
    if (config.cluster.mode !== "eks" || !placement || !cluster.oidcProviderArn || !cluster.oidcIssuerUrl) return undefined;
    const identifier = `${config.environment.project}-${config.environment.name}`;
    if (alertsTopicArn) {
        const specs = [
            ...nodeAlarmSpecs(config.cluster.name, config.cluster.nodeGroup.instanceType),
            ...(config.redis.mode === "elasticache" ? cacheAlarmSpecs(`${identifier}-redis`, config.redis) : []),
        ];
        new AwsAlarms("alarms", { specs, topicArn: alertsTopicArn, provider: placement.provider });
    }
    new ContainerLogs("container-logs", {
        clusterName: cluster.clusterName,
        retentionDays: Number(config.logs.retentionDays),
        addonVersion: EKS_ADDON_BUILDS[config.cluster.kubernetesVersion]?.["amazon-cloudwatch-observability"],
        oidcProviderArn: cluster.oidcProviderArn,
        oidcIssuerUrl: cluster.oidcIssuerUrl,
        provider: placement.provider,
    });
    if (!postgres.rdsInstance || !(config.backup.awsBackup || config.backup.snapshotBeforeDeploy)) return undefined;
    return new DatabaseBackups("database-backups", {
        config: config.backup,
        identifier,
        instance: postgres.rdsInstance,
        dbIdentifier: `${identifier}-postgres`,
        releases: releasesOf(config),
        keys: placement.keys,
        provider: placement.provider,
    });
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
        appNamespaces: [config.namespace.name],
        logRetentionDays: Number(config.logs.retentionDays),
    });
    const addons =
        config.cluster.ingressNginx.enabled || config.cluster.certManager.enabled
            ? new ClusterAddons("cluster-addons", {
                  config: config.cluster,
                  provider: cluster.provider,
                  addonNamespaces: cluster.addonNamespaces,
              })
            : undefined;
    const namespace = new Namespace("app", { config: config.namespace, provider: cluster.provider });
    const identifier = `${config.environment.project}-${config.environment.name}`;
    const traffic = eksTraffic(config, cluster, identifier);

    const data = {
        identifier,
        protect: config.environment.protectStatefulResources,
        namespace: namespace.name,
        k8sProvider: cluster.provider,
        aws: cluster.awsPlacement,
        registries: config.registries,
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
            alarmTopicArn: traffic?.alerts.topicArn,
        },
        generators,
    );
    const redis = new Redis("redis", { ...data, config: config.redis, externalUrl: config.secrets.redisUrl }, generators);
    const dataEnv = { ...postgres.env, ...redis.env };
    const backups = operations(config, cluster, postgres, traffic?.alerts.topicArn);
    if (config.database.mode === "in-cluster" && postgres.inCluster) {
        new PostgresDump("postgres-dump", {
            config: config.backup.dump,
            namespace: namespace.name,
            ...postgres.inCluster,
            username: config.database.username,
            database: config.database.databaseName,
            image: config.database.image,
            provider: cluster.provider,
        });
    }

    const secrets = new AppSecrets(
        "app-secrets",
        {
            config: config.secrets,
            environment: config.environment,
            services: config.services.map((s) => ({ name: s.name, secrets: s.secrets })),
            dataEnv,
            namespace: namespace.name,
            k8sProvider: cluster.provider,
            addonNamespaces: cluster.addonNamespaces,
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

    const pullSecrets = new RegistryPullSecrets(
        "registries",
        {
            registries: config.registries,
            namespace: namespace.name,
            k8sProvider: cluster.provider,
            environment: config.environment,
            refreshInterval: config.secrets.refreshInterval,
            aws:
                config.aws && awsProvider && secrets.keyArn && cluster.oidcProviderArn && cluster.oidcIssuerUrl
                    ? {
                          region: config.aws.region,
                          keyArn: secrets.keyArn,
                          provider: awsProvider,
                          oidcProviderArn: cluster.oidcProviderArn,
                          oidcIssuerUrl: cluster.oidcIssuerUrl,
                      }
                    : undefined,
        },
        { dependsOn: [secrets] },
    );

    // Rendered manifests (local) need no controller; a real cluster gets it before any Rollout.
    const rollouts =
        config.cluster.mode !== "render" && config.services.some((s) => isProgressive(s.strategy))
            ? new ArgoRollouts("argo-rollouts", {
                  prometheusAddresses: config.services.flatMap((s) =>
                      isProgressive(s.strategy) && s.strategy.analysis.prometheusAddress ? [s.strategy.analysis.prometheusAddress] : [],
                  ),
                  provider: cluster.provider,
              })
            : undefined;
    const entry = entryContext(config, cluster.subnetCidrs?.public);
    const dataEgress = dataEgressRules(config.database, config.redis, cluster.subnetCidrs?.private);
    for (const service of config.services.map((s) => withLogLevel(s, config.logs.level))) {
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
                    entry,
                    imagePullSecrets: pullSecretsFor(service.image.repository, config.registries),
                    spread: config.workloads.spread,
                    databaseTls: postgres.clientTls,
                },
                namespace: namespace.name,
                provider: cluster.provider,
                mode: config.cluster.mode === "render" ? "render" : "release",
                dataEgress,
            },
            // Hooks need the database and the app's Secret; the Gateway (and its CRDs) serves the route, metrics-server the HPA.
            {
                dependsOn: [
                    postgres,
                    redis,
                    secrets,
                    pullSecrets,
                    ...(addons ? [addons] : []),
                    ...(rollouts ? [rollouts] : []),
                    ...(traffic ? [traffic.entryPoint, traffic.capacity] : []),
                    ...(backups?.preDeploySnapshot ? [backups.preDeploySnapshot] : []),
                ],
            },
        );
    }

    if (config.monitoring.enabled) {
        new Monitoring("monitoring", {
            config: config.monitoring,
            environment: config.environment.name,
            services: config.services,
            namespace: namespace.name,
            // Existing clusters bring their own add-ons (and monitoring stack): only the per-service objects.
            mode: config.cluster.mode === "eks" ? "release" : "render",
            provider: cluster.provider,
            addonNamespaces: cluster.addonNamespaces,
        });
    }

    if (config.github && config.delivery && config.aws) {
        const { github, delivery, aws } = config;
        if (delivery.runner.type === "codebuild" && awsProvider && cluster.awsPlacement && cluster.clusterSecurityGroupId) {
            const placement = cluster.awsPlacement;
            new ActionsRunner("actions-runner", {
                runner: delivery.runner,
                projectName: runnerProjectName(config.environment.project, config.environment.name),
                repositoryUrl: `https://github.com/${github.owner}/${github.infrastructureRepository}`,
                githubToken: config.secrets.ci[DELIVERY_SECRETS.runnerToken]!,
                vpcId: placement.vpcId,
                privateSubnetIds: placement.privateSubnetIds,
                clusterSecurityGroupId: cluster.clusterSecurityGroupId,
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
            variables: {
                [ACTIONS_VARIABLES.pulumiStack]: pulumi.getStack(),
                [ACTIONS_VARIABLES.clusterName]: cluster.clusterName,
                [ACTIONS_VARIABLES.namespace]: namespace.name,
            },
            aws,
        });
    }

    return {
        clusterName: cluster.clusterName,
        ...(traffic ? { alertsTopicArn: traffic.alerts.topicArn } : {}),
        namespace: namespace.name,
        kubeconfig: cluster.kubeconfig,
        renderDirectory: cluster.renderDirectory,
        dataEnv,
        jwks: secrets.jwks,
        secretsChecksums: secrets.checksums,
        secretNames: secrets.secretNames,
        releases: releasesOf(config),
        rotation: secrets.rotation,
    };
}
