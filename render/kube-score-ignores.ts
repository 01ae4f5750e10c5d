import { EXTERNAL_DNS_NAMESPACE } from "../components/gateway/entry-point";
import { NODE_EXPORTER_NAMESPACE } from "../components/monitoring/monitoring";
import { ESO_NAMESPACE } from "../components/secrets/external-secrets";
import { MONITORING_NAMESPACE } from "../config/observability";

/**
 * The kube-score checks the suite does not count, each once, with why (docs/kube-score.md). `objects`
 * narrows an ignore to those objects (`<Kind>/<name>`), `namespaces` to objects in those namespaces;
 * without either the check is ignored everywhere.
 */
export interface KubeScoreIgnore {
    check: string;
    reason: string;
    objects?: string[];
    namespaces?: string[];
}

export const KUBE_SCORE_IGNORES: KubeScoreIgnore[] = [
    {
        check: "container-image-pull-policy",
        reason: "Moot for pinned images: staging and prod run repository@sha256 digests (config/releases.ts, policy image-digest-in-production), dev and local immutable tags (image-tag-immutable). `Always` would only add a registry round trip to every pod start and stop pods from restarting during a registry outage.",
    },
    {
        check: "pod-probes-identical",
        reason: "Supernova has a single health endpoint, /healthz (seed 001, 'Health checks'); readiness and liveness both use it, with different delays and periods.",
    },
    {
        check: "container-security-context-user-group-id",
        objects: ["StatefulSet/postgres"],
        reason: "In-cluster Postgres (local stack only) runs as the official image's postgres user (70): initdb refuses a UID without a passwd entry and the alpine image ships no nss_wrapper. Its pod still runs non-root, read-only, with all capabilities dropped.",
    },
    {
        check: "networkpolicy-targets-pod",
        namespaces: [ESO_NAMESPACE, EXTERNAL_DNS_NAMESPACE, MONITORING_NAMESPACE, NODE_EXPORTER_NAMESPACE],
        reason: "The add-on namespaces' pods come from third-party charts that the render lists (thirdParty) but cannot template offline, so kube-score sees their policies and not their pods. Those policies' selectors are proven against the add-ons' pods by cyclonus (paths/flows.ts, npm run test:paths) and the cluster suite instead.",
    },
];
