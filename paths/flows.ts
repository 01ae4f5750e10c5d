/**
 * The flow tables every stack is checked against: what must be open and what must stay closed, at the
 * security-group level (AWS) and the NetworkPolicy level (Kubernetes). Data only, so a review tool can
 * diff them; the evaluators are security-groups.ts and network-policies.ts.
 */

/** Who talks, at the AWS level: each is found in the graph by the resource that uses its groups (entities.ts). */
export type SgPeer =
    | "internet"
    | "load-balancer"
    | "nodes"
    | "eks-control-plane"
    | "postgres"
    | "postgres-proxy"
    | "redis"
    /** The delivery issue's in-VPC runners: a security group tagged `platform:flow-role: ci-runner`. */
    | "ci-runner";

export interface SgFlow {
    from: SgPeer;
    to: SgPeer;
    /** A port number, or `app` for each exposed service's container port. */
    port: number | "app";
    why: string;
    /** Only checked when these peers exist in the stack (e.g. the proxy with pooling). */
    whenPresent?: SgPeer[];
    /** Not checked when these peers exist. */
    unlessPresent?: SgPeer[];
}

export const REQUIRED_SG_FLOWS: readonly SgFlow[] = [
    { from: "internet", to: "load-balancer", port: 443, why: "users reach the HTTPS listener" },
    { from: "internet", to: "load-balancer", port: 80, why: "plain HTTP reaches the redirect" },
    { from: "load-balancer", to: "nodes", port: "app", why: "the ALB sends requests and health checks to the pods (target type ip)" },
    {
        from: "nodes",
        to: "postgres-proxy",
        port: 5432,
        why: "the app and its hooks connect through RDS Proxy",
        whenPresent: ["postgres-proxy"],
    },
    {
        from: "postgres-proxy",
        to: "postgres",
        port: 5432,
        why: "the proxy opens pooled connections to the instance",
        whenPresent: ["postgres-proxy"],
    },
    { from: "nodes", to: "postgres", port: 5432, why: "the app connects to the instance directly", unlessPresent: ["postgres-proxy"] },
    { from: "nodes", to: "redis", port: 6379, why: "the app connects to ElastiCache" },
    { from: "eks-control-plane", to: "nodes", port: 10250, why: "the API server reaches the kubelets (logs, exec, metrics)" },
    { from: "eks-control-plane", to: "nodes", port: 443, why: "the API server calls admission webhooks on the nodes" },
    { from: "nodes", to: "eks-control-plane", port: 443, why: "kubelets and pods reach the API server" },
    {
        from: "ci-runner",
        to: "eks-control-plane",
        port: 443,
        why: "the deploy runner reaches the private EKS API",
        whenPresent: ["ci-runner"],
    },
];

export const FORBIDDEN_SG_FLOWS: readonly SgFlow[] = [
    { from: "internet", to: "postgres", port: 5432, why: "the database is never reachable from the internet" },
    { from: "internet", to: "postgres-proxy", port: 5432, why: "nor is its proxy" },
    { from: "internet", to: "redis", port: 6379, why: "nor is the cache" },
    { from: "internet", to: "nodes", port: "app", why: "users go through the load balancer only" },
    { from: "load-balancer", to: "postgres", port: 5432, why: "the load balancer reaches only the app's port" },
    {
        from: "nodes",
        to: "postgres",
        port: 5432,
        why: "with pooling, every connection goes through the proxy",
        whenPresent: ["postgres-proxy"],
    },
];

/** Who talks, at the Kubernetes level: pods by their rendered labels, or addresses outside the cluster. */
export type NpPeer =
    | "gateway"
    | "internet"
    | "app"
    | "migrate-hook"
    | "seed-hook"
    | "smoke-test"
    | "dns"
    | "postgres"
    | "redis"
    | "external-https"
    | "instance-metadata"
    | "other-namespace"
    | "add-on-namespaces"
    /** Prometheus of the monitoring add-on (components/monitoring/monitoring.ts PROMETHEUS_POD_LABELS), when monitoring is on. */
    | "prometheus"
    | "vpc-host"
    | "public-host"
    /** The add-ons' pods in their declared namespaces (EKS stacks): components/kubernetes/addon-namespace.ts. */
    | "external-secrets"
    | "external-secrets-webhook"
    | "external-dns"
    | "prometheus-operator"
    | "alertmanager"
    | "grafana"
    /** The API server's network interfaces in the cluster's private subnets: its endpoint, and the caller of webhooks. */
    | "eks-control-plane"
    /** A node's address: the kubelet, and node-exporter on the host network. */
    | "node"
    /** An AWS API's public address (STS, Secrets Manager, Route 53). */
    | "aws-api";

/** Peers that exist only where the program installs the add-ons (EKS stacks); a render stack has none. */
export const ADDON_NP_PEERS: readonly NpPeer[] = [
    "external-secrets",
    "external-secrets-webhook",
    "external-dns",
    "prometheus-operator",
    "alertmanager",
    "grafana",
    "eks-control-plane",
    "node",
    "aws-api",
];

export interface NpFlow {
    from: NpPeer;
    to: NpPeer;
    port: number | "app";
    protocol?: "TCP" | "UDP";
    why: string;
    /** Only checked when this peer exists (e.g. the monitoring namespace is the program's, not the target cluster's). */
    onlyWith?: NpPeer;
}

export const REQUIRED_NP_FLOWS: readonly NpFlow[] = [
    { from: "gateway", to: "app", port: "app", why: "the Gateway's load balancer or proxy reaches the app's port" },
    { from: "app", to: "dns", port: 53, protocol: "UDP", why: "the app resolves names" },
    { from: "app", to: "dns", port: 53, protocol: "TCP", why: "large DNS answers" },
    { from: "app", to: "postgres", port: 5432, why: "the app reaches Postgres (or its proxy)" },
    { from: "migrate-hook", to: "postgres", port: 5432, why: "migrations reach Postgres, on first install too" },
    { from: "seed-hook", to: "postgres", port: 5432, why: "seeds reach Postgres" },
    { from: "app", to: "redis", port: 6379, why: "the app reaches Redis" },
    { from: "migrate-hook", to: "dns", port: 53, protocol: "UDP", why: "hooks resolve the database's name" },
    { from: "app", to: "external-https", port: 443, why: "the service's configured external APIs (services[].egress)" },
    { from: "smoke-test", to: "app", port: "app", why: "the Helm smoke test GETs the health paths through the Service" },
    { from: "smoke-test", to: "dns", port: 53, protocol: "UDP", why: "the smoke test resolves the Service's name" },
    { from: "prometheus", to: "app", port: "app", why: "Prometheus scrapes the app's /metrics (the alerts and dashboards read it)" },
    { from: "eks-control-plane", to: "external-secrets-webhook", port: 10250, why: "the API server calls ESO's validating webhook" },
    { from: "external-secrets", to: "eks-control-plane", port: 443, why: "ESO watches ExternalSecrets and writes Secrets" },
    { from: "external-secrets", to: "aws-api", port: 443, why: "ESO calls STS (web identity) and Secrets Manager" },
    { from: "external-secrets", to: "dns", port: 53, protocol: "UDP", why: "ESO resolves the AWS endpoints" },
    { from: "external-secrets-webhook", to: "eks-control-plane", port: 443, why: "the webhook reads its certificate and the stores" },
    { from: "external-dns", to: "eks-control-plane", port: 443, why: "external-dns watches HTTPRoutes" },
    { from: "external-dns", to: "aws-api", port: 443, why: "external-dns calls STS and Route 53" },
    { from: "eks-control-plane", to: "prometheus-operator", port: 10250, why: "the API server calls the operator's rule webhook" },
    { from: "prometheus-operator", to: "eks-control-plane", port: 443, why: "the operator reconciles Prometheus and its monitors" },
    { from: "prometheus", to: "eks-control-plane", port: 443, why: "Prometheus discovers its targets" },
    { from: "prometheus", to: "node", port: 10250, why: "Prometheus scrapes the kubelets and cAdvisor" },
    { from: "prometheus", to: "node", port: 9100, why: "Prometheus scrapes node-exporter on the host network" },
    { from: "prometheus", to: "alertmanager", port: 9093, why: "Prometheus sends alerts" },
    { from: "grafana", to: "prometheus", port: 9090, why: "the dashboards query Prometheus" },
    { from: "alertmanager", to: "public-host", port: 443, why: "Alertmanager posts to Slack and PagerDuty" },
];

export const FORBIDDEN_NP_FLOWS: readonly NpFlow[] = [
    { from: "other-namespace", to: "app", port: "app", why: "no other workload reaches the app" },
    { from: "add-on-namespaces", to: "app", port: "app", why: "nor do the cluster add-ons" },
    { from: "internet", to: "app", port: "app", why: "only the load balancer's addresses reach the pods" },
    { from: "app", to: "instance-metadata", port: 80, why: "pods never read the node's credentials" },
    { from: "migrate-hook", to: "instance-metadata", port: 80, why: "nor do hooks" },
    { from: "app", to: "vpc-host", port: 22, why: "no other port in the VPC" },
    { from: "app", to: "vpc-host", port: 443, why: "no other service in the VPC" },
    { from: "app", to: "public-host", port: 5432, why: "no database outside the stack" },
    { from: "app", to: "public-host", port: 80, why: "no unlisted port on the internet" },
    { from: "app", to: "other-namespace", port: "app", why: "no other namespace's pods" },
    { from: "smoke-test", to: "postgres", port: 5432, why: "the smoke test reaches the app only" },
    { from: "app", to: "external-secrets-webhook", port: 10250, why: "app pods never reach ESO's webhook" },
    { from: "app", to: "external-secrets", port: 8080, why: "nor its controller" },
    { from: "other-namespace", to: "external-secrets", port: 8080, why: "nothing calls the ESO controller" },
    { from: "external-secrets", to: "instance-metadata", port: 80, why: "ESO never reads the node's credentials" },
    { from: "external-dns", to: "instance-metadata", port: 80, why: "nor does external-dns" },
    { from: "external-secrets", to: "postgres", port: 5432, why: "ESO reaches no data service" },
    { from: "external-dns", to: "app", port: "app", why: "external-dns reaches no app" },
    { from: "app", to: "prometheus", port: 9090, why: "app pods do not query Prometheus" },
    {
        from: "other-namespace",
        to: "prometheus",
        port: 9090,
        why: "only Grafana and Argo Rollouts' analyses query Prometheus",
        onlyWith: "alertmanager",
    },
    { from: "other-namespace", to: "alertmanager", port: 9093, why: "nobody else sends alerts" },
    {
        from: "prometheus",
        to: "instance-metadata",
        port: 80,
        why: "Prometheus never reads the node's credentials",
        onlyWith: "alertmanager",
    },
    { from: "alertmanager", to: "vpc-host", port: 5432, why: "Alertmanager reaches only HTTPS" },
];
