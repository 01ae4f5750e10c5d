/**
 * Changes that make the provider replace a stateful resource (delete and create, or create and
 * delete): the data it holds is gone or must be restored. The keys are input paths; a change at or
 * under one flags the resource. Source: the providers' schemas as their docs state them ("Changing
 * this forces a new resource" / "will trigger replacement" in pulumi-aws 7.x, bridged from the
 * Terraform AWS provider; random 4.x and tls 5.x, whose inputs all force a new value) and Kubernetes'
 * immutable fields (a Namespace's or a claim's name, a claim's storage class and access modes).
 * Small on purpose: only what loses data or credentials, not every ForceNew input.
 */
export interface ReplacementRule {
    keys: readonly string[];
    /** What a replacement loses, in the reviewer's words. */
    loses: string;
}

export const REPLACEMENT_KEYS: Readonly<Record<string, ReplacementRule>> = {
    "aws:rds/instance:Instance": {
        keys: ["identifier", "engine", "storageEncrypted", "kmsKeyId", "dbName", "username", "availabilityZone", "characterSetName"],
        loses: "the database: a new empty instance (restore from the final snapshot)",
    },
    "aws:elasticache/replicationGroup:ReplicationGroup": {
        keys: ["replicationGroupId", "atRestEncryptionEnabled", "kmsKeyId", "subnetGroupName", "port"],
        loses: "the cache's data (sessions, queues)",
    },
    "aws:eks/cluster:Cluster": {
        keys: ["name", "roleArn", "kubernetesNetworkConfig.serviceIpv4Cidr", "kubernetesNetworkConfig.ipFamily"],
        loses: "the cluster and every workload and volume in it",
    },
    "aws:ec2/vpc:Vpc": { keys: ["cidrBlock"], loses: "the network: every subnet, node, database and cache in it" },
    "aws:kms/key:Key": {
        keys: ["keySpec", "customerMasterKeySpec", "keyUsage", "multiRegion"],
        loses: "the key: what it encrypted cannot be decrypted once the old key is deleted",
    },
    "aws:secretsmanager/secret:Secret": {
        keys: ["name", "namePrefix"],
        loses: "the secret's value and versions: operator-provided values must be set again",
    },
    "aws:backup/vault:Vault": { keys: ["name", "kmsKeyArn"], loses: "the vault's recovery points" },
    "kubernetes:core/v1:Namespace": { keys: ["metadata.name"], loses: "everything in the namespace" },
    "kubernetes:core/v1:PersistentVolumeClaim": {
        keys: ["metadata.name", "metadata.namespace", "spec.storageClassName", "spec.accessModes", "spec.selector", "spec.volumeName"],
        loses: "the volume's data",
    },
    "random:index/randomPassword:RandomPassword": {
        keys: [
            "length",
            "special",
            "upper",
            "lower",
            "numeric",
            "overrideSpecial",
            "minLower",
            "minUpper",
            "minNumeric",
            "minSpecial",
            "keepers",
        ],
        loses: "the password: a new one is generated and every client's credential changes",
    },
    "tls:index/privateKey:PrivateKey": {
        keys: ["algorithm", "rsaBits", "ecdsaCurve"],
        loses: "the key: what was signed with it no longer verifies",
    },
};

/** Whether a changed input path is at or under a key (`spec.accessModes[0]` is under `spec.accessModes`). */
export const underKey = (path: string, key: string) => path === key || path.startsWith(`${key}.`) || path.startsWith(`${key}[`);

/** The keys among the changed paths that force replacement of a stateful resource of this type. */
export function replacementKeys(type: string, changedPaths: readonly string[]): string[] {
    const rule = REPLACEMENT_KEYS[type];
    if (!rule) return [];
    return rule.keys.filter((key) => changedPaths.some((path) => underKey(path, key)));
}
