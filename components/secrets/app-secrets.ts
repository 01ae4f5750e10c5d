import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as tls from "@pulumi/tls";
import type { StackConfig } from "../../config/load";
import { createExternalSecretsOperator, externalSecretSpec } from "./external-secrets";
import { checksum, jwksGenerations, publicJwk, rotationWindow, secretPath, secretSlug } from "./rotation";

export interface AppSecretsArgs {
    /** The stack's `secrets` section. */
    config: StackConfig["secrets"];
    environment: StackConfig["environment"];
    /** Services that each get the app Secret `<service>-secrets`. */
    services: string[];
    /** Connection settings from the data layer (DATABASE_URL, REDIS_*). */
    dataEnv: Record<string, pulumi.Output<string>>;
    namespace: pulumi.Input<string>;
    k8sProvider: k8s.Provider;
    /** Required when the backend is `aws-secrets-manager`. */
    aws?: {
        config: NonNullable<StackConfig["aws"]>;
        provider: aws.Provider;
        oidcProviderArn: pulumi.Input<string>;
        oidcIssuerUrl: pulumi.Input<string>;
    };
    /** The clock rotation is computed from. Defaults to now. */
    now?: Date;
}

/**
 * Every secret the app reads, in one place: data-layer connection settings, generated secrets that
 * rotate, humans' provided secrets and the JWKS signing key. Stored in Secrets Manager and synced by
 * External Secrets, or (without AWS) written to a Kubernetes Secret. Values stay Pulumi secrets.
 */
export class AppSecrets extends pulumi.ComponentResource {
    /** Name of each service's Kubernetes Secret (`<service>-secrets`), by service. */
    public readonly secretNames: Record<string, string>;
    /** Every key the app's Secret holds. */
    public readonly keys: string[];
    /** The public JWKS document (current key, and the previous one during the overlap). Not secret. */
    public readonly jwks: pulumi.Output<string>;
    /** Changes whenever any secret value changes; a pod annotation, so pods roll. Not secret. */
    public readonly checksum: pulumi.Output<string>;

    constructor(name: string, args: AppSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:secrets:AppSecrets", name, {}, opts);
        const { config } = args;
        const now = args.now ?? new Date();

        const generated = generateSecrets(name, config, now, this);
        const signing = signingKeys(name, config, now, this);
        const values: Record<string, pulumi.Output<string>> = {
            ...args.dataEnv,
            ...generated,
            ...config.provided,
            JWKS_PRIVATE_KEY: signing.privateKey,
            JWKS_KID: pulumi.output(signing.kid),
        };
        for (const key of Object.keys(values)) values[key] = pulumi.secret(values[key]!);
        this.keys = Object.keys(values).sort();
        this.secretNames = Object.fromEntries(args.services.map((service) => [service, `${service}-secrets`]));
        this.jwks = signing.jwks;
        // A one-way hash of high-entropy values reveals none of them, so it may be stored in plain text.
        this.checksum = pulumi.unsecret(pulumi.all(values).apply(checksum));

        if (config.backend === "aws-secrets-manager") {
            if (args.aws === undefined) throw new Error("AppSecrets: backend aws-secrets-manager needs args.aws");
            this.storeInSecretsManager(name, args, values, args.aws);
        } else {
            for (const service of args.services) {
                new k8s.core.v1.Secret(
                    `${name}-${service}`,
                    { metadata: { name: this.secretNames[service], namespace: args.namespace }, type: "Opaque", stringData: values },
                    { parent: this, provider: args.k8sProvider },
                );
            }
        }
        this.registerOutputs({ keys: this.keys, jwks: this.jwks, checksum: this.checksum });
    }

    private storeInSecretsManager(
        name: string,
        args: AppSecretsArgs,
        values: Record<string, pulumi.Output<string>>,
        awsArgs: NonNullable<AppSecretsArgs["aws"]>,
    ): void {
        const { project, name: env } = args.environment;
        const awsOpts = { parent: this, provider: awsArgs.provider };
        const key = new aws.kms.Key(
            `${name}-key`,
            { description: `${project}/${env} application secrets`, enableKeyRotation: true, deletionWindowInDays: 30 },
            awsOpts,
        );
        new aws.kms.Alias(`${name}-key-alias`, { name: `alias/${project}-${env}-secrets`, targetKeyId: key.keyId }, awsOpts);
        const versions = Object.entries(values).map(([secretKey, value]) => {
            const slug = secretSlug(secretKey);
            const entry = new aws.secretsmanager.Secret(
                `${name}-${slug}`,
                { name: secretPath(project, env, secretKey), kmsKeyId: key.arn, recoveryWindowInDays: 7 },
                awsOpts,
            );
            return new aws.secretsmanager.SecretVersion(`${name}-${slug}`, { secretId: entry.id, secretString: value }, awsOpts);
        });
        const { store } = createExternalSecretsOperator(
            name,
            {
                access: { region: awsArgs.config.region, accountId: awsArgs.config.accountId, project, environment: env, keyArn: key.arn },
                chartVersion: args.config.externalSecretsChartVersion,
                oidcProviderArn: awsArgs.oidcProviderArn,
                oidcIssuerUrl: awsArgs.oidcIssuerUrl,
                namespace: args.namespace,
                awsProvider: awsArgs.provider,
                k8sProvider: args.k8sProvider,
            },
            this,
        );
        for (const service of args.services) {
            new k8s.apiextensions.CustomResource(
                `${name}-${service}`,
                {
                    apiVersion: "external-secrets.io/v1",
                    kind: "ExternalSecret",
                    metadata: {
                        name: this.secretNames[service],
                        namespace: args.namespace,
                        // A new value makes External Secrets sync at once instead of at the next refresh, so
                        // pods that roll on the same checksum start with the new secrets.
                        annotations: { "force-sync": this.checksum },
                    },
                    spec: externalSecretSpec({
                        project,
                        environment: env,
                        keys: this.keys,
                        targetName: this.secretNames[service]!,
                        refreshInterval: args.config.refreshInterval,
                    }),
                },
                { parent: this, provider: args.k8sProvider, dependsOn: [store, ...versions] },
            );
        }
    }
}

/** 64 random characters per generated secret; a new rotation window changes the keeper, so the value. */
function generateSecrets(
    name: string,
    config: StackConfig["secrets"],
    now: Date,
    parent: pulumi.Resource,
): Record<string, pulumi.Output<string>> {
    const window = String(rotationWindow(now, config.rotationDays));
    return Object.fromEntries(
        config.generated.map((key) => {
            const password = new random.RandomPassword(
                `${name}-${secretSlug(key)}`,
                { length: 64, special: false, keepers: { rotationWindow: window } },
                { parent },
            );
            return [key, pulumi.secret(password.result)];
        }),
    );
}

/** One RSA key per rotation window; the previous window's key stays (public only) during the overlap. */
function signingKeys(name: string, config: StackConfig["secrets"], now: Date, parent: pulumi.Resource) {
    const generations = jwksGenerations(now, config.rotationDays, config.jwksOverlapDays);
    const keys = generations.map((g) => ({
        ...g,
        key: new tls.PrivateKey(`${name}-jwks-${g.kid}`, { algorithm: "RSA", rsaBits: 2048 }, { parent }),
    }));
    const current = keys.find((k) => k.current)!;
    const jwks = pulumi
        .all(keys.map((k) => k.key.publicKeyPem))
        .apply((pems) => JSON.stringify({ keys: pems.map((pem, i) => publicJwk(pem, keys[i]!.kid)) }));
    return { kid: current.kid, privateKey: pulumi.secret(current.key.privateKeyPem), jwks: pulumi.unsecret(jwks) };
}
