import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../../config/load";
import { IrsaContext, irsaRole } from "../cluster/irsa";
import { podSecurityLabels } from "../namespace";
import { AddonNamespaceContext, AddonNamespaceSpec, addonNamespace, httpsEgress } from "../kubernetes/addon-namespace";
import { pinnedRelease } from "../kubernetes/pinned-release";
import { ALB_CONTROLLER_NAME, ALB_GATEWAY_CLASS, flowRoleTags, GATEWAY_ACCESS_LABEL, LISTENERS } from "./contract";
import { externalDnsPolicy, loadBalancerControllerPolicy } from "./iam";
import { ALB_DEREGISTRATION_DELAY_SECONDS } from "../../config/workloads";

export type EntryPointConfig = StackConfig["entryPoint"];
type EksAddons = Extract<StackConfig["cluster"], { mode: "eks" }>["addons"];

export const LBC_NAMESPACE = "kube-system";
export const LBC_SERVICE_ACCOUNT = "aws-load-balancer-controller";
export const EXTERNAL_DNS_NAMESPACE = "external-dns";
export const EXTERNAL_DNS_SERVICE_ACCOUNT = "external-dns";
/** Labels of external-dns's pod (chart templates, app.kubernetes.io/name). */
export const EXTERNAL_DNS_POD_LABELS = { "app.kubernetes.io/name": "external-dns" } as const;

/**
 * external-dns's namespace: `restricted` (the chart runs it non-root, read-only, no capabilities, RuntimeDefault
 * seccomp). It watches the API server and calls STS and Route 53 over HTTPS; nothing calls it.
 */
export function externalDnsNamespace(): AddonNamespaceSpec {
    return { name: EXTERNAL_DNS_NAMESPACE, level: "restricted", policies: { "https-egress": httpsEgress(EXTERNAL_DNS_POD_LABELS) } };
}
/** The ALB's listeners; the security group admits exactly these from `entryPoint.sourceCidrs`. */
export const LB_PORTS = { http: 80, https: 443 } as const;

export interface EntryPointArgs {
    config: EntryPointConfig;
    versions: EksAddons;
    /** Public hosts of the stack's services (each gets a record and is on the certificate). */
    hosts: string[];
    /** Container ports the load balancer sends traffic to (ALB target type `ip`). */
    appPorts: number[];
    cluster: {
        name: pulumi.Input<string>;
        region: string;
        vpcId: pulumi.Input<string>;
        nodeSecurityGroupId: pulumi.Input<string>;
        irsa: IrsaContext;
    };
    /** TXT owner id of external-dns: one per stack, so stacks sharing a zone never touch each other's records. */
    ownerId: string;
    k8sProvider: k8s.Provider;
    /** How external-dns's namespace is declared (Cluster.addonNamespaces). */
    addonNamespaces: AddonNamespaceContext;
}

/**
 * The stack's entry point on Gateway API: the AWS Load Balancer Controller (HA, IRSA) provisions an
 * internet-facing ALB for the Gateway; TLS ends there with an ACM certificate validated by DNS; HTTP
 * only redirects to HTTPS; external-dns publishes each HTTPRoute's host in the stack's zone.
 */
export class EntryPoint extends pulumi.ComponentResource {
    public readonly gatewayNamespace: pulumi.Output<string>;
    public readonly loadBalancerSecurityGroupId: pulumi.Output<string>;
    public readonly certificateArn?: pulumi.Output<string>;

    constructor(name: string, args: EntryPointArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:gateway:EntryPoint", name, {}, opts);
        const { config, versions } = args;
        const awsOpts = { parent: this, provider: args.cluster.irsa.provider };
        const k8sOpts = { parent: this, provider: args.k8sProvider };

        const crds = [
            new k8s.yaml.v2.ConfigFile(`${name}-gateway-api-crds`, { file: gatewayApiCrdsUrl(versions.gatewayApi) }, k8sOpts),
            new k8s.yaml.v2.ConfigFile(
                `${name}-lbc-gateway-crds`,
                { file: lbcGatewayCrdsUrl(versions.awsLoadBalancerController) },
                k8sOpts,
            ),
        ];

        const lbSecurityGroup = new aws.ec2.SecurityGroup(
            `${name}-lb-sg`,
            {
                vpcId: args.cluster.vpcId,
                description: "Internet-facing ALB of the Gateway: HTTP and HTTPS in, the app's ports on the nodes out",
                ingress: Object.values(LB_PORTS).map((port) => ({
                    protocol: "tcp",
                    fromPort: port,
                    toPort: port,
                    cidrBlocks: config.sourceCidrs,
                })),
                egress: args.appPorts.map((port) => ({
                    protocol: "tcp",
                    fromPort: port,
                    toPort: port,
                    securityGroups: [args.cluster.nodeSecurityGroupId],
                })),
                tags: { Name: `${name}-lb`, ...flowRoleTags("load-balancer") },
            },
            awsOpts,
        );
        for (const port of args.appPorts) {
            new aws.vpc.SecurityGroupIngressRule(
                `${name}-nodes-from-lb-${port}`,
                {
                    securityGroupId: args.cluster.nodeSecurityGroupId,
                    referencedSecurityGroupId: lbSecurityGroup.id,
                    ipProtocol: "tcp",
                    fromPort: port,
                    toPort: port,
                    description: "The Gateway's ALB reaches the app's pods (target type ip)",
                },
                awsOpts,
            );
        }

        const certificateArn = args.hosts.length > 0 ? this.certificate(name, args, awsOpts) : undefined;

        const lbcRole = irsaRole(
            `${name}-lbc`,
            args.cluster.irsa,
            { namespace: LBC_NAMESPACE, serviceAccount: LBC_SERVICE_ACCOUNT },
            pulumi
                .all([args.cluster.name, certificateArn ?? ""])
                .apply(([cluster, cert]) => loadBalancerControllerPolicy(cluster, cert ? [cert] : [])),
            this,
        );
        const controller = pinnedRelease(
            `${name}-aws-load-balancer-controller`,
            {
                chart: "aws-load-balancer-controller",
                version: versions.awsLoadBalancerController,
                repo: "https://aws.github.io/eks-charts",
                namespace: LBC_NAMESPACE,
                values: loadBalancerControllerValues({
                    clusterName: args.cluster.name,
                    region: args.cluster.region,
                    vpcId: args.cluster.vpcId,
                    roleArn: lbcRole.arn,
                }),
            },
            { ...k8sOpts, dependsOn: crds },
        );

        const namespace = new k8s.core.v1.Namespace(
            `${name}-namespace`,
            // Holds only Gateway API objects; no pod may run here.
            { metadata: { name: config.gateway.namespace, labels: { ...podSecurityLabels(), "app.kubernetes.io/managed-by": "pulumi" } } },
            k8sOpts,
        );
        this.gatewayNamespace = namespace.metadata.name;
        const ready = { ...k8sOpts, dependsOn: [controller, ...crds] };
        const gatewayClass = new k8s.apiextensions.CustomResource(
            `${name}-gateway-class`,
            {
                apiVersion: "gateway.networking.k8s.io/v1",
                kind: "GatewayClass",
                metadata: { name: ALB_GATEWAY_CLASS },
                spec: { controllerName: ALB_CONTROLLER_NAME },
            },
            ready,
        );
        const defaults = new k8s.apiextensions.CustomResource(
            `${name}-target-defaults`,
            {
                apiVersion: "gateway.k8s.aws/v1beta1",
                kind: "TargetGroupConfiguration",
                metadata: { name: "target-defaults", namespace: this.gatewayNamespace },
                spec: { defaultConfiguration: targetGroupDefaults() },
            },
            ready,
        );
        const lbConfig = new k8s.apiextensions.CustomResource(
            `${name}-lb-config`,
            {
                apiVersion: "gateway.k8s.aws/v1beta1",
                kind: "LoadBalancerConfiguration",
                metadata: { name: config.gateway.name, namespace: this.gatewayNamespace },
                spec: loadBalancerConfigurationSpec({
                    securityGroupId: lbSecurityGroup.id,
                    certificateArn,
                    sslPolicy: config.sslPolicy,
                    targetDefaults: "target-defaults",
                }),
            },
            { ...ready, dependsOn: [controller, ...crds, defaults] },
        );
        const gateway = new k8s.apiextensions.CustomResource(
            `${name}-gateway`,
            {
                apiVersion: "gateway.networking.k8s.io/v1",
                kind: "Gateway",
                metadata: { name: config.gateway.name, namespace: this.gatewayNamespace },
                spec: gatewaySpec(config.gateway.name, certificateArn !== undefined),
            },
            { ...ready, dependsOn: [controller, ...crds, gatewayClass, lbConfig] },
        );
        new k8s.apiextensions.CustomResource(
            `${name}-https-redirect`,
            {
                apiVersion: "gateway.networking.k8s.io/v1",
                kind: "HTTPRoute",
                metadata: { name: "https-redirect", namespace: this.gatewayNamespace },
                spec: httpsRedirectSpec(config.gateway.name),
            },
            { ...ready, dependsOn: [gateway] },
        );

        if (config.hostedZone && args.hosts.length > 0) {
            const dnsRole = irsaRole(
                `${name}-external-dns`,
                args.cluster.irsa,
                { namespace: EXTERNAL_DNS_NAMESPACE, serviceAccount: EXTERNAL_DNS_SERVICE_ACCOUNT },
                externalDnsPolicy(config.hostedZone.id),
                this,
            );
            const dnsNamespace = addonNamespace(`${name}-external-dns`, externalDnsNamespace(), args.addonNamespaces, this);
            pinnedRelease(
                `${name}-external-dns`,
                {
                    chart: "external-dns",
                    version: versions.externalDns,
                    repo: "https://kubernetes-sigs.github.io/external-dns/",
                    namespace: EXTERNAL_DNS_NAMESPACE,
                    values: externalDnsValues({
                        zone: config.hostedZone,
                        policy: config.dnsPolicy,
                        ownerId: args.ownerId,
                        region: args.cluster.region,
                        roleArn: dnsRole.arn,
                    }),
                },
                { ...k8sOpts, dependsOn: [...crds, ...dnsNamespace] },
            );
        }

        this.loadBalancerSecurityGroupId = lbSecurityGroup.id;
        this.certificateArn = certificateArn;
        this.registerOutputs({ gatewayNamespace: this.gatewayNamespace, certificateArn });
    }

    /** An ACM certificate for every host, validated by DNS records in the stack's zone: no challenge reaches the cluster. */
    private certificate(name: string, args: EntryPointArgs, opts: pulumi.CustomResourceOptions): pulumi.Output<string> {
        const zone = args.config.hostedZone;
        if (zone === undefined) throw new Error("EntryPoint: hosts need entryPoint.hostedZone (the config rules check this)");
        const [first, ...rest] = args.hosts;
        const certificate = new aws.acm.Certificate(
            `${name}-certificate`,
            { domainName: first!, subjectAlternativeNames: rest, validationMethod: "DNS", keyAlgorithm: "EC_prime256v1" },
            opts,
        );
        const records = args.hosts.map((host) => {
            const option = certificate.domainValidationOptions.apply((options) => {
                const found = options.find((o) => o.domainName === host);
                if (found === undefined) throw new Error(`ACM returned no validation record for ${host}`);
                return found;
            });
            return new aws.route53.Record(
                `${name}-validation-${host}`,
                {
                    zoneId: zone.id,
                    name: option.apply((o) => o.resourceRecordName!),
                    type: option.apply((o) => o.resourceRecordType!),
                    records: [option.apply((o) => o.resourceRecordValue!)],
                    ttl: 300,
                    allowOverwrite: true,
                },
                opts,
            );
        });
        const validation = new aws.acm.CertificateValidation(
            `${name}-certificate-validation`,
            { certificateArn: certificate.arn, validationRecordFqdns: records.map((r) => r.fqdn) },
            opts,
        );
        return validation.certificateArn;
    }
}

export function gatewayApiCrdsUrl(version: string): string {
    return `https://github.com/kubernetes-sigs/gateway-api/releases/download/${version}/standard-install.yaml`;
}

/** The controller's own Gateway CRDs (LoadBalancerConfiguration, ...), which its chart does not ship, at the chart's version. */
export function lbcGatewayCrdsUrl(chartVersion: string): string {
    return `https://raw.githubusercontent.com/kubernetes-sigs/aws-load-balancer-controller/v${chartVersion}/config/crd/gateway/gateway-crds.yaml`;
}

/** Two replicas in different zones, a disruption budget, no AWS resource it was not asked for. */
export function loadBalancerControllerValues(args: {
    clusterName: pulumi.Input<string>;
    region: string;
    vpcId: pulumi.Input<string>;
    roleArn: pulumi.Input<string>;
}) {
    const selector = { "app.kubernetes.io/name": "aws-load-balancer-controller" };
    return {
        clusterName: args.clusterName,
        region: args.region,
        // Given explicitly, so the controller never needs the instance metadata endpoint.
        vpcId: args.vpcId,
        replicaCount: 2,
        topologySpreadConstraints: [
            {
                maxSkew: 1,
                topologyKey: "topology.kubernetes.io/zone",
                whenUnsatisfiable: "DoNotSchedule",
                labelSelector: { matchLabels: selector },
            },
        ],
        podDisruptionBudget: { maxUnavailable: 1 },
        serviceAccount: { create: true, name: LBC_SERVICE_ACCOUNT, annotations: { "eks.amazonaws.com/role-arn": args.roleArn } },
        // The program gives the ALB its security group and writes the node rule itself (paths/flows.ts checks both).
        enableBackendSecurityGroup: false,
        enableShield: false,
        enableWaf: false,
        enableWafv2: false,
        defaultTargetType: "ip",
        controllerConfig: { featureGates: { ALBGatewayAPI: true, NLBGatewayAPI: false } },
    };
}

/** Pods as targets (no NodePort hop), connections drained on deregistration (the app's preStop outlasts it). */
export function targetGroupDefaults() {
    return {
        targetType: "ip",
        targetGroupAttributes: [{ key: "deregistration_delay.timeout_seconds", value: String(ALB_DEREGISTRATION_DELAY_SECONDS) }],
    };
}

export function loadBalancerConfigurationSpec(args: {
    securityGroupId: pulumi.Input<string>;
    certificateArn?: pulumi.Input<string>;
    sslPolicy: string;
    targetDefaults: string;
}) {
    return {
        scheme: "internet-facing",
        ipAddressType: "ipv4",
        securityGroups: [args.securityGroupId],
        manageBackendSecurityGroupRules: false,
        defaultTargetGroupConfiguration: { name: args.targetDefaults },
        listenerConfigurations: args.certificateArn
            ? [{ protocolPort: `HTTPS:${LB_PORTS.https}`, defaultCertificate: args.certificateArn, sslPolicy: args.sslPolicy }]
            : [],
        loadBalancerAttributes: [
            // The client's address reaches the app in X-Forwarded-For (the ALB appends it), with malformed headers dropped.
            { key: "routing.http.xff_header_processing.mode", value: "append" },
            { key: "routing.http.drop_invalid_header_fields.enabled", value: "true" },
        ],
    };
}

/** HTTP only for the redirect route in the Gateway's own namespace; HTTPS for routes of namespaces with the access label. */
export function gatewaySpec(lbConfigName: string, https: boolean) {
    const listeners: Record<string, unknown>[] = [
        { name: LISTENERS.http, protocol: "HTTP", port: LB_PORTS.http, allowedRoutes: { namespaces: { from: "Same" } } },
    ];
    if (https) {
        listeners.push({
            name: LISTENERS.https,
            protocol: "HTTPS",
            port: LB_PORTS.https,
            allowedRoutes: { namespaces: { from: "Selector", selector: { matchLabels: GATEWAY_ACCESS_LABEL } } },
        });
    }
    return {
        gatewayClassName: ALB_GATEWAY_CLASS,
        infrastructure: { parametersRef: { group: "gateway.k8s.aws", kind: "LoadBalancerConfiguration", name: lbConfigName } },
        listeners,
    };
}

export function httpsRedirectSpec(gatewayName: string) {
    return {
        parentRefs: [{ name: gatewayName, sectionName: LISTENERS.http }],
        rules: [{ filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } }] }],
    };
}

/** Records for HTTPRoute hosts in one zone, owned by this stack (TXT registry); `upsert-only` never deletes. */
export function externalDnsValues(args: {
    zone: { id: string; name: string };
    policy: EntryPointConfig["dnsPolicy"];
    ownerId: string;
    region: string;
    roleArn: pulumi.Input<string>;
}) {
    return {
        provider: { name: "aws" },
        sources: ["gateway-httproute"],
        domainFilters: [args.zone.name],
        policy: args.policy,
        registry: "txt",
        txtOwnerId: args.ownerId,
        extraArgs: [`--zone-id-filter=${args.zone.id}`, `--aws-zone-type=public`],
        env: [{ name: "AWS_DEFAULT_REGION", value: args.region }],
        serviceAccount: { create: true, name: EXTERNAL_DNS_SERVICE_ACCOUNT, annotations: { "eks.amazonaws.com/role-arn": args.roleArn } },
    };
}
