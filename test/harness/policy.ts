import type { Policy, PolicyConfigSchema, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import * as policyProxy from "@pulumi/policy/proxy";
import type { Graph } from "./graph";

/*
 * The direct path: policies called in this process, imitating the analyzer. The pack's tests run
 * through the SDK's analyzer server instead (`policy-pack/`); this stays to show both paths agree.
 */

// The SDK's analyzer wraps props in this proxy; its helpers exist at run time but are untyped.
const sdk = policyProxy as unknown as {
    unknownCheckingProxy<T>(value: T): T;
    UnknownValueError: new (...args: never[]) => Error;
};

export interface PolicyResource {
    type: string;
    props: Record<string, any>;
    urn: string;
    name: string;
    /** The `protect` resource option, as the engine hands it to policies. Defaults to false. */
    protect?: boolean;
}

export interface Violation {
    policy: string;
    enforcementLevel: string;
    message: string;
    urn?: string;
}

/** The recorded graph as the policy engine would present it: every custom resource with its inputs. */
export function policyResources(graph: Graph): PolicyResource[] {
    return graph.resources
        .filter((r) => r.custom)
        .map((r) => ({ type: r.type, props: r.inputs, urn: r.urn, name: r.name, protect: r.protect }));
}

/** Policy config as the engine hands it over: the schema's defaults, then the pack config. */
function configOf(schema: PolicyConfigSchema | undefined, overrides: Record<string, unknown> = {}): Record<string, unknown> {
    const defaults = Object.entries(schema?.properties ?? {})
        .filter(([, property]) => property !== null && typeof property === "object" && "default" in property)
        .map(([key, property]) => [key, (property as { default: unknown }).default]);
    return { ...Object.fromEntries(defaults), ...overrides };
}

function resourceArgs(resource: PolicyResource, config: Record<string, unknown>) {
    return {
        ...resource,
        props: sdk.unknownCheckingProxy(resource.props),
        opts: { protect: resource.protect ?? false, ignoreChanges: [], aliases: [], customTimeouts: {}, additionalSecretOutputs: [] },
        stackTags: new Map<string, string>(),
        getConfig: () => config,
        isType: () => false,
        asType: () => undefined,
        notApplicable: (reason?: string): never => {
            throw new Error(`not applicable: ${reason}`);
        },
    };
}

/** Runs one policy like the SDK's analyzer: an unknown value (preview) yields no violation, only `unknown`. */
export function runPolicy(
    policy: Policy,
    resources: PolicyResource[],
    config: Record<string, unknown> = {},
): { messages: string[]; unknown: boolean } {
    const messages: string[] = [];
    const report = (message: string) => void messages.push(message);
    const effective = configOf(policy.configSchema, config);
    try {
        const validateResource = (policy as ResourceValidationPolicy).validateResource;
        if (validateResource) {
            const validations = [validateResource].flat();
            for (const resource of resources) {
                for (const validate of validations) void validate(resourceArgs(resource, effective) as never, report);
            }
        } else {
            void (policy as StackValidationPolicy).validateStack(
                { resources: resources.map((r) => resourceArgs(r, effective)), getConfig: () => effective } as never,
                report,
            );
        }
    } catch (error) {
        if (error instanceof sdk.UnknownValueError) return { messages, unknown: true };
        throw error;
    }
    return { messages, unknown: false };
}

/** Every policy of the pack over a set of resources; violations with their enforcement level. */
export function runPack(
    policies: Policy[],
    resources: PolicyResource[],
    config: Record<string, Record<string, unknown>> = {},
): Violation[] {
    return policies.flatMap((policy) =>
        runPolicy(policy, resources, config[policy.name]).messages.map((message) => ({
            policy: policy.name,
            enforcementLevel: String(config[policy.name]?.["enforcementLevel"] ?? policy.enforcementLevel ?? "advisory"),
            message,
        })),
    );
}
