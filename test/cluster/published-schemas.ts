import type { Manifest } from "../harness/helm";
import { apiGroup } from "./objects";

/**
 * API groups whose CRDs come with charts the suite cannot download, and the npm package that publishes
 * their schemas (generated from the projects' CRDs). Objects of these groups are validated offline
 * instead of by the API server; a group in neither place fails the suite.
 */
export const PUBLISHED_SCHEMAS: Record<string, string> = {
    "cert-manager.io": "@kubernetes-models/cert-manager",
    "acme.cert-manager.io": "@kubernetes-models/cert-manager",
    "external-secrets.io": "@kubernetes-models/external-secrets",
    "generators.external-secrets.io": "@kubernetes-models/external-secrets",
    "monitoring.coreos.com": "@kubernetes-models/prometheus-operator",
    "argoproj.io": "@kubernetes-models/argo-rollouts",
};

/**
 * API groups with neither: the AWS Load Balancer Controller's CRDs ship in its GitHub repository only
 * (the Go module proxy serves no v3 version, npm no schema package). The suite serves their kinds with
 * stand-in CRDs that accept any spec, so releases that hold them install; test/traffic.test.ts checks
 * these objects field by field, and the suite names each one it applies unvalidated.
 */
export const STAND_IN_GROUPS: Record<string, { version: string; kinds: string[]; why: string }> = {
    "gateway.k8s.aws": {
        version: "v1beta1",
        kinds: ["LoadBalancerConfiguration", "TargetGroupConfiguration", "ListenerRuleConfiguration"],
        why: "no CRD or schema package of the AWS Load Balancer Controller can be had here; test/traffic.test.ts checks its fields",
    },
};

/** A namespaced CRD serving `kind` with any spec: a stand-in, never a description of the real schema. */
export function standInCrd(group: string, version: string, kind: string): Manifest {
    const plural = `${kind.toLowerCase()}s`;
    return {
        apiVersion: "apiextensions.k8s.io/v1",
        kind: "CustomResourceDefinition",
        metadata: { name: `${plural}.${group}`, annotations: { "platform.test/stand-in": "accepts any spec" } },
        spec: {
            group,
            scope: "Namespaced",
            names: { kind, plural, singular: kind.toLowerCase(), listKind: `${kind}List` },
            versions: [
                {
                    name: version,
                    served: true,
                    storage: true,
                    schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
                },
            ],
        },
    };
}

export function standInCrds(): Manifest[] {
    return Object.entries(STAND_IN_GROUPS).flatMap(([group, { version, kinds }]) => kinds.map((kind) => standInCrd(group, version, kind)));
}

/** Validates a custom resource against its published schema; says what it checked it against (or why not). */
export async function validatePublished(manifest: Manifest): Promise<string> {
    const group = apiGroup(manifest.apiVersion);
    const pkg = PUBLISHED_SCHEMAS[group];
    if (pkg === undefined) {
        throw new Error(
            `${manifest.kind} ${manifest.metadata.name} (${manifest.apiVersion}): no CRD in the test API server and no published ` +
                `schema known for ${group}: install its CRDs in the suite or add its @kubernetes-models package to PUBLISHED_SCHEMAS`,
        );
    }
    let models: Record<string, unknown>;
    try {
        models = await import(`${pkg}/${manifest.apiVersion}/${manifest.kind}`);
    } catch (error) {
        throw new Error(`${pkg} has no schema for ${manifest.apiVersion} ${manifest.kind}: ${(error as Error).message}`);
    }
    const Model = models[manifest.kind] as (new (data: unknown) => { validate(): void }) | undefined;
    if (typeof Model !== "function") throw new Error(`${pkg} has no model ${manifest.kind}`);
    try {
        new Model(manifest).validate();
    } catch (error) {
        throw new Error(`${manifest.kind} ${manifest.metadata.name} fails ${pkg}'s schema: ${(error as Error).message}`);
    }
    return `valid against ${pkg}'s published schema`;
}
