import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import type { EgressRule } from "../data/egress";
import { createServiceAccount } from "./identity";
import { appEgressSpec } from "./network";
import { chartValues, releaseTimeoutSeconds, ServiceConfig, ValuesContext } from "./values";

function dependencies(dependsOn: pulumi.ComponentResourceOptions["dependsOn"]): pulumi.Input<pulumi.Resource>[] {
    if (dependsOn === undefined) return [];
    return Array.isArray(dependsOn) ? dependsOn : [dependsOn as pulumi.Input<pulumi.Resource>];
}

/**
 * The chart every service is deployed with, relative to the project root (where `pulumi` runs the
 * program): the release's inputs are the same from every checkout, so a deploy from another directory
 * shows no diff and does not re-run the migration hook. Tools that run elsewhere use CHART_DIRECTORY.
 */
export const CHART_PATH = "./charts/api-service";
/** The same chart as an absolute path of this checkout, for tools (helm lint/template in tests). */
export const CHART_DIRECTORY = path.join(__dirname, "..", "..", "charts", "api-service");

export interface ServiceReleaseArgs {
    /** One entry of the stack's `services`. */
    service: ServiceConfig;
    /** Secret name, secrets checksum, JWKS and issuer. */
    context: ValuesContext;
    namespace: pulumi.Input<string>;
    provider: k8s.Provider;
    /** `release`: a real Helm release with hooks, atomic. `render`: manifests only (local stack), hooks included. */
    mode: "release" | "render";
    /** Where the service's pods may reach their data services (components/data/egress.ts). */
    dataEgress: EgressRule[];
}

/** One service of the stack, deployed from charts/api-service with values computed from its config. */
export class ServiceRelease extends pulumi.ComponentResource {
    public readonly values: ReturnType<typeof chartValues>;
    public readonly timeoutSeconds: number;

    constructor(name: string, args: ServiceReleaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:app:ServiceRelease", name, {}, opts);
        const { service } = args;
        const childOpts = { parent: this, provider: args.provider };
        this.values = chartValues(service, args.context);
        this.timeoutSeconds = releaseTimeoutSeconds(service);

        // Outside the release: it exists before a pre-install hook (migrations) needs the database.
        const egress = new k8s.networking.v1.NetworkPolicy(
            `${name}-egress`,
            { metadata: { name: `${service.name}-egress`, namespace: args.namespace }, spec: appEgressSpec(service, args.dataEgress) },
            childOpts,
        );
        // Its own identity, before any pod (hooks included) runs as it; no API token is mounted.
        const account = createServiceAccount(`${name}-account`, service.name, args.namespace, childOpts);
        // A component's dependsOn does not reach its children: the release itself must wait for them.
        const afterEgress = { ...childOpts, dependsOn: [egress, account, ...dependencies(opts?.dependsOn)] };

        if (args.mode === "release") {
            new k8s.helm.v3.Release(
                `${name}-release`,
                {
                    name: service.name,
                    chart: CHART_PATH,
                    namespace: args.namespace,
                    values: this.values,
                    atomic: true,
                    cleanupOnFail: true,
                    waitForJobs: true,
                    timeout: this.timeoutSeconds,
                    maxHistory: 10,
                },
                afterEgress,
            );
        } else {
            new k8s.helm.v4.Chart(
                `${name}-chart`,
                { name: service.name, chart: CHART_PATH, namespace: args.namespace, values: this.values, includeHooks: true },
                afterEgress,
            );
        }
        this.registerOutputs({ timeoutSeconds: this.timeoutSeconds });
    }
}
