import * as analyzer from "@pulumi/pulumi/proto/analyzer_pb";
import { JavaScriptValue, Struct } from "google-protobuf/google/protobuf/struct_pb";
import type { Violation } from "../policy";
import type { AnalyzerInfo, EnforcementLevel, PolicyConfig } from "./config";
import type { PackResource } from "./resources";

const LEVELS: Record<EnforcementLevel, analyzer.EnforcementLevel> = {
    advisory: analyzer.EnforcementLevel.ADVISORY,
    mandatory: analyzer.EnforcementLevel.MANDATORY,
    remediate: analyzer.EnforcementLevel.REMEDIATE,
    disabled: analyzer.EnforcementLevel.DISABLED,
};
export const levelName = (level: analyzer.EnforcementLevel): EnforcementLevel =>
    (Object.keys(LEVELS) as EnforcementLevel[]).find((name) => LEVELS[name] === level)!;

export const struct = (value: Record<string, unknown>) => Struct.fromJavaScript(value as Record<string, JavaScriptValue>);

function options(resource: PackResource, withParent: boolean): analyzer.AnalyzerResourceOptions {
    const o = resource.options;
    const timeouts = new analyzer.AnalyzerResourceOptions.CustomTimeouts()
        .setCreate(o.customTimeouts.create)
        .setUpdate(o.customTimeouts.update)
        .setDelete(o.customTimeouts.delete);
    return new analyzer.AnalyzerResourceOptions()
        .setProtect(o.protect)
        .setIgnorechangesList(o.ignoreChanges)
        .setDeletebeforereplace(o.deleteBeforeReplace ?? false)
        .setDeletebeforereplacedefined(o.deleteBeforeReplace !== undefined)
        .setAdditionalsecretoutputsList(o.additionalSecretOutputs)
        .setAliasesList(o.aliases)
        .setCustomtimeouts(timeouts)
        .setParent(withParent ? (resource.parent ?? "") : "");
}

function provider(resource: PackResource): analyzer.AnalyzerProviderResource | undefined {
    const p = resource.provider;
    return p && new analyzer.AnalyzerProviderResource().setUrn(p.urn).setType(p.type).setName(p.name).setProperties(struct(p.inputs));
}

/** `Analyze` (and `Remediate`): one resource's inputs before it is operated on, its parent among the options. */
export function analyzeRequest(resource: PackResource, inputs = resource.inputs): analyzer.AnalyzeRequest {
    return new analyzer.AnalyzeRequest()
        .setUrn(resource.urn)
        .setType(resource.type)
        .setName(resource.name)
        .setProperties(struct(inputs))
        .setOptions(options(resource, true))
        .setProvider(provider(resource));
}

/** `AnalyzeStack`: every resource's outputs after the update, with parent and dependencies. */
export function analyzeStackRequest(resources: readonly PackResource[]): analyzer.AnalyzeStackRequest {
    return new analyzer.AnalyzeStackRequest().setResourcesList(
        resources.map((r) => {
            const resource = new analyzer.AnalyzerResource()
                .setUrn(r.urn)
                .setType(r.type)
                .setName(r.name)
                .setProperties(struct(r.outputs))
                .setOptions(options(r, false))
                .setProvider(provider(r))
                .setParent(r.parent ?? "")
                .setDependenciesList(r.dependencies);
            for (const [key, urns] of Object.entries(r.propertyDependencies)) {
                if (urns.length > 0)
                    resource.getPropertydependenciesMap().set(key, new analyzer.AnalyzerPropertyDependencies().setUrnsList(urns));
            }
            return resource;
        }),
    );
}

export function configureRequest(config: Record<string, PolicyConfig>): analyzer.ConfigureAnalyzerRequest {
    const request = new analyzer.ConfigureAnalyzerRequest();
    for (const [name, c] of Object.entries(config)) {
        request
            .getPolicyconfigMap()
            .set(name, new analyzer.PolicyConfig().setEnforcementlevel(LEVELS[c.enforcementLevel]).setProperties(struct(c.properties)));
    }
    return request;
}

export function analyzerInfo(response: analyzer.AnalyzerInfo, projectVersion?: string): AnalyzerInfo {
    const initialConfig: AnalyzerInfo["initialConfig"] = {};
    response.getInitialconfigMap().forEach((c, name) => {
        initialConfig[name] = { enforcementLevel: levelName(c.getEnforcementlevel()), properties: c.getProperties()?.toJavaScript() };
    });
    return {
        name: response.getName(),
        version: projectVersion ?? response.getVersion(),
        supportsConfig: response.getSupportsconfig(),
        policies: response
            .getPoliciesList()
            .map((p) => {
                const schema = p.getConfigschema();
                return {
                    name: p.getName(),
                    description: p.getDescription(),
                    enforcementLevel: levelName(p.getEnforcementlevel()),
                    configSchema: schema && {
                        properties: (schema.getProperties()?.toJavaScript() ?? {}) as Record<string, Record<string, unknown>>,
                        required: schema.getRequiredList(),
                    },
                };
            })
            .sort((a, b) => a.name.localeCompare(b.name)),
        initialConfig,
    };
}

/**
 * A diagnostic as a violation. The SDK sends `<description>\n<message>`; the violation keeps the
 * policy's own message. A `remediate` level is reported as `mandatory`, as the engine does.
 */
export function violation(d: analyzer.AnalyzeDiagnostic, urn: string | undefined): Violation {
    const level = levelName(d.getEnforcementlevel());
    const prefix = `${d.getDescription()}\n`;
    const message = d.getMessage().startsWith(prefix) ? d.getMessage().slice(prefix.length) : d.getMessage();
    return { policy: d.getPolicyname(), enforcementLevel: level === "remediate" ? "mandatory" : level, message, ...(urn ? { urn } : {}) };
}
