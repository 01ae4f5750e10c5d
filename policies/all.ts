import type { Policies } from "@pulumi/policy";
import awsProviderDefaultTags from "./rules/aws-provider-default-tags";
import configmapNoSecretKeys from "./rules/configmap-no-secret-keys";
import devAuthOpenOnlyInDev from "./rules/dev-auth-open-only-in-dev";
import eksControlPlaneLogs from "./rules/eks-control-plane-logs";
import eksEndpointRestricted from "./rules/eks-endpoint-restricted";
import eksSecretsEncryption from "./rules/eks-secrets-encryption";
import elasticacheAuthToken from "./rules/elasticache-auth-token";
import elasticacheEncryption from "./rules/elasticache-encryption";
import elasticacheFailoverInProduction from "./rules/elasticache-failover-in-production";
import emergencyChangeOverride from "./rules/emergency-change-override";
import githubMainBranchProtection from "./rules/github-main-branch-protection";
import githubProductionDeploymentPolicy from "./rules/github-production-deployment-policy";
import githubProductionEnvironmentProtection from "./rules/github-production-environment-protection";
import helmChartPinned from "./rules/helm-chart-pinned";
import iapSandboxNotInProduction from "./rules/iap-sandbox-not-in-production";
import imageTagTraceable from "./rules/image-tag-traceable";
import statefulResourcesProtected from "./rules/stateful-resources-protected";
import trustedCertificateIssuerInProduction from "./rules/trusted-certificate-issuer-in-production";
import iamNoWildcardActions from "./rules/iam-no-wildcard-actions";
import imageTagImmutable from "./rules/image-tag-immutable";
import imageDigestInProduction from "./rules/image-digest-in-production";
import migrationHookDeadline from "./rules/migration-hook-deadline";
import namespaceDefaultDeny from "./rules/namespace-default-deny";
import namespacePodSecurityRestricted from "./rules/namespace-pod-security-restricted";
import prodDeploymentWindow from "./rules/prod-deployment-window";
import rdsBackupRetention from "./rules/rds-backup-retention";
import rdsDeletionProtectionInProduction from "./rules/rds-deletion-protection-in-production";
import rdsEngineVersion from "./rules/rds-engine-version";
import rdsMultiAzInProduction from "./rules/rds-multi-az-in-production";
import rdsNotPublic from "./rules/rds-not-public";
import rdsStorageEncrypted from "./rules/rds-storage-encrypted";
import releaseValuesNoSecretKeys from "./rules/release-values-no-secret-keys";
import secretsmanagerKmsKey from "./rules/secretsmanager-kms-key";
import serviceMinimumReplicas from "./rules/service-minimum-replicas";
import serviceResourcesAndProbes from "./rules/service-resources-and-probes";
import eksVersionSupported from "./rules/eks-version-supported";
import eksAddonVersionPinned from "./rules/eks-addon-version-pinned";
import ec2LaunchTemplateImdsv2 from "./rules/ec2-launch-template-imdsv2";
import eksVpcCniIrsa from "./rules/eks-vpc-cni-irsa";
import eksNodeRoleMinimal from "./rules/eks-node-role-minimal";
import eksNoImplicitAdmin from "./rules/eks-no-implicit-admin";
import iamTrustPolicyScoped from "./rules/iam-trust-policy-scoped";
import iamNoWildcardResources from "./rules/iam-no-wildcard-resources";
import iamNoAdminPolicyAttachment from "./rules/iam-no-admin-policy-attachment";
import rdsAutoMinorVersionUpgrade from "./rules/rds-auto-minor-version-upgrade";
import rdsEnhancedMonitoring from "./rules/rds-enhanced-monitoring";
import rdsCaCertificatePinned from "./rules/rds-ca-certificate-pinned";
import elasticacheBackupEnabled from "./rules/elasticache-backup-enabled";
import kmsKeyRotation from "./rules/kms-key-rotation";
import kmsKeyPolicyExplicit from "./rules/kms-key-policy-explicit";
import securityGroupNoPublicIngress from "./rules/security-group-no-public-ingress";
import vpcFlowLogsEnabled from "./rules/vpc-flow-logs-enabled";
import vpcDefaultSecurityGroupClosed from "./rules/vpc-default-security-group-closed";
import serviceOwnServiceAccount from "./rules/service-own-service-account";

/** Every policy of the pack; index.ts serves them, the tests run them directly. */
export const POLICIES: Policies = [
    namespacePodSecurityRestricted,
    namespaceDefaultDeny,
    serviceMinimumReplicas,
    devAuthOpenOnlyInDev,
    imageTagImmutable,
    imageDigestInProduction,
    serviceResourcesAndProbes,
    migrationHookDeadline,
    configmapNoSecretKeys,
    releaseValuesNoSecretKeys,
    rdsStorageEncrypted,
    rdsNotPublic,
    rdsBackupRetention,
    rdsMultiAzInProduction,
    rdsDeletionProtectionInProduction,
    rdsEngineVersion,
    elasticacheEncryption,
    elasticacheAuthToken,
    elasticacheFailoverInProduction,
    eksEndpointRestricted,
    eksSecretsEncryption,
    eksControlPlaneLogs,
    secretsmanagerKmsKey,
    iamNoWildcardActions,
    githubProductionEnvironmentProtection,
    githubProductionDeploymentPolicy,
    githubMainBranchProtection,
    prodDeploymentWindow,
    emergencyChangeOverride,
    awsProviderDefaultTags,
    helmChartPinned,
    imageTagTraceable,
    iapSandboxNotInProduction,
    trustedCertificateIssuerInProduction,
    statefulResourcesProtected,
    eksVersionSupported,
    eksAddonVersionPinned,
    ec2LaunchTemplateImdsv2,
    eksVpcCniIrsa,
    eksNodeRoleMinimal,
    eksNoImplicitAdmin,
    iamTrustPolicyScoped,
    iamNoWildcardResources,
    iamNoAdminPolicyAttachment,
    rdsAutoMinorVersionUpgrade,
    rdsEnhancedMonitoring,
    rdsCaCertificatePinned,
    elasticacheBackupEnabled,
    kmsKeyRotation,
    kmsKeyPolicyExplicit,
    securityGroupNoPublicIngress,
    vpcFlowLogsEnabled,
    vpcDefaultSecurityGroupClosed,
    serviceOwnServiceAccount,
];
