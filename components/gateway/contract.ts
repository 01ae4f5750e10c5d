/**
 * Names shared by the entry point (the Gateway the program creates or expects), the app chart's routes
 * and NetworkPolicies, and the path checks. Both sides import them from here.
 */

/** Listener names of the Gateway: plain HTTP only redirects; routes attach to `https`. */
export const LISTENERS = { http: "http", https: "https" } as const;

/** Namespaces whose routes the Gateway accepts carry this label. */
export const GATEWAY_ACCESS_LABEL = { "platform.supernova.dev/gateway-routes": "allowed" } as const;

/** The AWS Load Balancer Controller injects its pod readiness gate in namespaces with this label (no 5xx on rollouts). */
export const READINESS_GATE_LABEL = { "elbv2.k8s.aws/pod-readiness-gate-inject": "enabled" } as const;

/** Tag on security groups naming their role in the flow tables (paths/flows.ts). Other components tag their groups too. */
export const FLOW_ROLE_TAG = "platform:flow-role";

export type FlowRole = "nodes" | "load-balancer" | "postgres" | "postgres-proxy" | "redis" | "ci-runner";

export function flowRoleTags(role: FlowRole): Record<string, string> {
    return { [FLOW_ROLE_TAG]: role };
}

export interface GatewayRef {
    name: string;
    namespace: string;
}

/** The GatewayClass of the AWS Load Balancer Controller's ALB implementation. */
export const ALB_GATEWAY_CLASS = "aws-alb";
export const ALB_CONTROLLER_NAME = "gateway.k8s.aws/alb";
