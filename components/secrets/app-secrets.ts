import * as aws from "@pulumi/aws";
import { attachKeyPolicy, KEY_USE_ACTIONS, keyAdmins } from "../security/kms-policy";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as tls from "@pulumi/tls";
import type { StackConfig } from "../../config/load";
import { JWKS_PRIVATE_KEY, previousName } from "../../config/secret-names";
import { secretRecoveryWindowDays } from "../data/teardown";
import type { AddonNamespaceContext } from "../kubernetes/addon-namespace";
import { createExternalSecret, createServiceSecretStore, installExternalSecrets } from "./external-secrets";
import { checksum, generationSlot, jwksGenerations, publicJwk, RotationState, rotationState, secretPath, secretSlug } from "./rotation";

type SecretsConfig = StackConfig["secrets"];

export interface AppSecretsArgs {
    /** The stack's `secrets` section. */
    config: SecretsConfig;
    environment: StackConfig["environment"];
    /** Each service with the secrets it declares (`services[].secrets`); it gets those and no others. */
    services: { name: string; secrets: string[] }[];
    /** Connection settings from the data layer (DATABASE_URL, REDIS_*). */
    dataEnv: Record<string, pulumi.Output<string>>;
    namespace: pulumi.Input<string>;
    k8sProvider: k8s.Provider;
    /** How External Secrets' namespace is declared (Cluster.addonNamespaces). */
    addonNamespaces: AddonNamespaceContext;
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

/** What one service receives: env keys of its Secret, and whether it gets the JWKS signing key (as a file). */
export interface ServiceScope {
    service: string;
    envKeys: string[];
    signs: boolean;
}

/** A service's declared secrets, plus `<NAME>_PREVIOUS` of the rotating ones; the JWKS key goes to a file, not env. */
export function serviceScope(service: { name: string; secrets: string[] }, config: Pick<SecretsConfig, "overlapping">): ServiceScope {
    const declared = service.secrets.filter((name) => name !== JWKS_PRIVATE_KEY);
    const previous = declared.filter((name) => config.overlapping.includes(name)).map(previousName);
    return { service: service.name, envKeys: [...declared, ...previous].sort(), signs: service.secrets.includes(JWKS_PRIVATE_KEY) };
}

/** `<service>-secrets` (env) and `<service>-jwks` (the signing key as `<kid>.private.pem`). */
export const envSecretName = (service: string) => `${service}-secrets`;
export const jwksSecretName = (service: string) => `${service}-jwks`;
export const privateKeyFile = (kid: string) => `${kid}.private.pem`;
export const publicKeyFile = (kid: string) => `${kid}.public.pem`;

/**
 * The app's secrets: data-layer connection settings, generated secrets that rotate with an overlap,
 * humans' provided secrets and the JWKS signing key, each service getting only what it declares.
 * Stored in Secrets Manager and synced by External Secrets through a per-service SecretStore, or
 * (without AWS) written to Kubernetes Secrets. Values stay Pulumi secrets.
 */
export class AppSecrets extends pulumi.ComponentResource {
    /** Each service's env Secret, when it reads any secret from env. */
    public readonly secretNames: Record<string, string | undefined>;
    /** Each signing service's Secret holding `<kid>.private.pem`. */
    public readonly jwksSecretNames: Record<string, string | undefined>;
    public readonly scopes: ServiceScope[];
    /** The public JWKS document (current key, and the previous one during the overlap). Not secret. */
    public readonly jwks: pulumi.Output<string>;
    /** kid -> public PEM of every published key. Not secret. */
    public readonly jwksPublicKeys: pulumi.Output<Record<string, string>>;
    /** The kid of the current signing key. */
    public readonly signingKid: string;
    /** Per service, a hash of its secret values; a pod annotation, so pods roll when one changes. Not secret. */
    public readonly checksums: Record<string, pulumi.Output<string>>;
    /** Where rotation of generated secrets stands; the scheduled workflow compares it with the clock. */
    public readonly rotation: RotationState;
    /** The KMS key of the stack's Secrets Manager entries (backend aws-secrets-manager). */
    public keyArn?: pulumi.Output<string>;

    constructor(name: string, args: AppSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:secrets:AppSecrets", name, {}, opts);
        const { config } = args;
        const now = args.now ?? new Date();
        this.rotation = rotationState(now, config.rotationDays, config.overlapDays);

        const signing = signingKeys(name, config, now, this);
        const values: Record<string, pulumi.Output<string>> = { ...args.dataEnv, ...generateSecrets(name, config, this.rotation, this) };
        for (const [key, value] of Object.entries(config.provided)) values[key] = value;
        for (const key of Object.keys(values)) values[key] = pulumi.secret(values[key]!);

        this.scopes = args.services.map((service) => serviceScope(service, config));
        this.secretNames = Object.fromEntries(
            this.scopes.map((s) => [s.service, s.envKeys.length > 0 ? envSecretName(s.service) : undefined]),
        );
        this.jwksSecretNames = Object.fromEntries(this.scopes.map((s) => [s.service, s.signs ? jwksSecretName(s.service) : undefined]));
        this.jwks = signing.jwks;
        this.jwksPublicKeys = signing.publicKeys;
        this.signingKid = signing.kid;
        const filesOf = (scope: ServiceScope) => (scope.signs ? { [privateKeyFile(signing.kid)]: signing.privateKey } : {});
        const envOf = (scope: ServiceScope) => Object.fromEntries(scope.envKeys.map((key) => [key, values[key]!]));
        // A one-way hash of high-entropy values reveals none of them, so it may be stored in plain text.
        this.checksums = Object.fromEntries(
            this.scopes.map((s) => [s.service, pulumi.unsecret(pulumi.all({ ...envOf(s), ...filesOf(s) }).apply(checksum))]),
        );

        if (config.backend === "aws-secrets-manager") {
            if (args.aws === undefined) throw new Error("AppSecrets: backend aws-secrets-manager needs args.aws");
            this.storeInSecretsManager(name, args, { ...values, [JWKS_PRIVATE_KEY]: signing.privateKey }, args.aws);
        } else {
            const k8sOpts = { parent: this, provider: args.k8sProvider };
            for (const scope of this.scopes) {
                if (scope.envKeys.length > 0) {
                    new k8s.core.v1.Secret(
                        `${name}-${scope.service}`,
                        {
                            metadata: { name: envSecretName(scope.service), namespace: args.namespace },
                            type: "Opaque",
                            stringData: envOf(scope),
                        },
                        k8sOpts,
                    );
                }
                if (scope.signs) {
                    new k8s.core.v1.Secret(
                        `${name}-${scope.service}-jwks`,
                        {
                            metadata: { name: jwksSecretName(scope.service), namespace: args.namespace },
                            type: "Opaque",
                            stringData: filesOf(scope),
                        },
                        k8sOpts,
                    );
                }
            }
        }
        this.registerOutputs({ jwks: this.jwks, checksums: this.checksums, rotation: this.rotation });
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
            { ...awsOpts, protect: args.environment.protectStatefulResources },
        );
        this.keyArn = key.arn;
        new aws.kms.Alias(`${name}-key-alias`, { name: `alias/${project}-${env}-secrets`, targetKeyId: key.keyId }, awsOpts);
        const used = [...new Set(this.scopes.flatMap((s) => [...s.envKeys, ...(s.signs ? [JWKS_PRIVATE_KEY] : [])]))].sort();
        const stored = Object.fromEntries(
            used.map((secretKey) => {
                const slug = secretSlug(secretKey);
                const entry = new aws.secretsmanager.Secret(
                    `${name}-${slug}`,
                    {
                        name: secretPath(project, env, secretKey),
                        kmsKeyId: key.arn,
                        recoveryWindowInDays: secretRecoveryWindowDays(args.environment.protectStatefulResources),
                    },
                    awsOpts,
                );
                const version = new aws.secretsmanager.SecretVersion(
                    `${name}-${slug}`,
                    { secretId: entry.id, secretString: values[secretKey]! },
                    awsOpts,
                );
                return [secretKey, { entry, version }];
            }),
        );
        installExternalSecrets(
            name,
            {
                chartVersion: args.config.externalSecretsChartVersion,
                k8sProvider: args.k8sProvider,
                addonNamespaces: args.addonNamespaces,
            },
            this,
        );
        const k8sOpts = { parent: this, provider: args.k8sProvider };
        const readers: pulumi.Output<string>[] = [];
        for (const scope of this.scopes) {
            const keys = [...scope.envKeys, ...(scope.signs ? [JWKS_PRIVATE_KEY] : [])];
            if (keys.length === 0) continue;
            const { store, roleArn: readerArn } = createServiceSecretStore(
                `${name}-${scope.service}`,
                {
                    service: scope.service,
                    namespace: args.namespace,
                    region: awsArgs.config.region,
                    keyArn: key.arn,
                    secretArns: keys.map((k) => stored[k]!.entry.arn),
                    oidcProviderArn: awsArgs.oidcProviderArn,
                    oidcIssuerUrl: awsArgs.oidcIssuerUrl,
                    awsProvider: awsArgs.provider,
                    k8sProvider: args.k8sProvider,
                    dependsOn: [],
                },
                this,
            );
            readers.push(readerArn);
            const common = {
                namespace: args.namespace,
                service: scope.service,
                refreshInterval: args.config.refreshInterval,
                forceSync: this.checksums[scope.service]!,
            };
            const dependsOn = (ks: string[]) => [store, ...ks.map((k) => stored[k]!.version)];
            const remote = (k: string) => secretPath(project, env, k);
            if (scope.envKeys.length > 0) {
                createExternalSecret(
                    `${name}-${scope.service}`,
                    {
                        ...common,
                        targetName: envSecretName(scope.service),
                        data: Object.fromEntries(scope.envKeys.map((k) => [k, remote(k)])),
                    },
                    { ...k8sOpts, dependsOn: dependsOn(scope.envKeys) },
                );
            }
            if (scope.signs) {
                createExternalSecret(
                    `${name}-${scope.service}-jwks`,
                    {
                        ...common,
                        targetName: jwksSecretName(scope.service),
                        data: { [privateKeyFile(this.signingKid)]: remote(JWKS_PRIVATE_KEY) },
                    },
                    { ...k8sOpts, dependsOn: dependsOn([JWKS_PRIVATE_KEY]) },
                );
            }
        }
        const secretsManager = `secretsmanager.${awsArgs.config.region}.amazonaws.com`;
        const admins = keyAdmins(awsArgs.config);
        attachKeyPolicy(
            `${name}-key`,
            key,
            {
                accountId: awsArgs.config.accountId,
                admins,
                uses: [
                    // The deployer writes the values (pulumi up, the rotation workflow); each service's reader only decrypts.
                    { sid: "WriteThroughSecretsManager", roles: admins, actions: KEY_USE_ACTIONS, viaService: secretsManager },
                    ...(readers.length > 0
                        ? [{ sid: "ServiceReadersDecrypt", roles: readers, actions: ["kms:Decrypt"], viaService: secretsManager }]
                        : []),
                ],
            },
            awsOpts,
        );
    }
}

/**
 * 64 random characters per generated secret, in two slots that alternate by rotation window: the
 * previous generation's value stays in state, so during the overlap the app gets it as <NAME>_PREVIOUS.
 */
function generateSecrets(name: string, config: SecretsConfig, rotation: RotationState, parent: pulumi.Resource) {
    const generation = (key: string, window: number) =>
        pulumi.secret(
            new random.RandomPassword(
                `${name}-${secretSlug(key)}${generationSlot(window)}`,
                { length: 64, special: false, keepers: { rotationWindow: String(window) } },
                { parent },
            ).result,
        );
    const values: Record<string, pulumi.Output<string>> = {};
    for (const key of config.generated) {
        const current = generation(key, rotation.current.window);
        values[key] = current;
        if (!config.overlapping.includes(key)) continue;
        // Both slots always exist; outside the overlap the previous value is the current one.
        const other = generation(key, rotation.current.window - 1);
        values[previousName(key)] = rotation.previous ? other : current;
    }
    return values;
}

/** One RSA key per rotation window; the previous window's key stays (public only) during the overlap. */
function signingKeys(name: string, config: SecretsConfig, now: Date, parent: pulumi.Resource) {
    const generations = jwksGenerations(now, config.rotationDays, config.jwksOverlapDays);
    const keys = generations.map((g) => ({
        ...g,
        key: new tls.PrivateKey(`${name}-jwks-${g.kid}`, { algorithm: "RSA", rsaBits: 2048 }, { parent }),
    }));
    const current = keys.find((k) => k.current)!;
    const pems = pulumi.all(keys.map((k) => k.key.publicKeyPem));
    const jwks = pems.apply((list) => JSON.stringify({ keys: list.map((pem, i) => publicJwk(pem, keys[i]!.kid)) }));
    const publicKeys = pems.apply((list) => Object.fromEntries(list.map((pem, i) => [keys[i]!.kid, pem])));
    return {
        kid: current.kid,
        privateKey: pulumi.secret(current.key.privateKeyPem),
        jwks: pulumi.unsecret(jwks),
        publicKeys: pulumi.unsecret(publicKeys),
    };
}
