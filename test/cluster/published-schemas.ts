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
 * (the Go module proxy serves no v3 version, npm no schema package). test/traffic.test.ts checks these
 * objects field by field; the suite names each one it could not validate.
 */
export const UNVALIDATED_GROUPS: Record<string, string> = {
    "gateway.k8s.aws":
        "no CRD or schema package of the AWS Load Balancer Controller can be had here; test/traffic.test.ts checks its fields",
};

/** Validates a custom resource against its published schema; says what it checked it against (or why not). */
export async function validatePublished(manifest: Manifest): Promise<string> {
    const group = apiGroup(manifest.apiVersion);
    const unvalidated = UNVALIDATED_GROUPS[group];
    if (unvalidated !== undefined) return `NOT VALIDATED (${unvalidated})`;
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
