import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import { chartValues, releaseTimeoutSeconds, ServiceConfig, ValuesContext } from "./values";

/** The chart every service is deployed with. */
export const CHART_PATH = path.join(__dirname, "..", "..", "charts", "api-service");

export interface ServiceReleaseArgs {
    /** One entry of the stack's `services`. */
    service: ServiceConfig;
    /** Secret name, secrets checksum, JWKS and issuer. */
    context: ValuesContext;
    namespace: pulumi.Input<string>;
    provider: k8s.Provider;
    /** `release`: a real Helm release with hooks, atomic. `render`: manifests only (local stack), hooks included. */
    mode: "release" | "render";
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
                childOpts,
            );
        } else {
            new k8s.helm.v4.Chart(
                `${name}-chart`,
                { name: service.name, chart: CHART_PATH, namespace: args.namespace, values: this.values, includeHooks: true },
                childOpts,
            );
        }
        this.registerOutputs({ timeoutSeconds: this.timeoutSeconds });
    }
}
