import { z } from "zod";
import { CONFIG_NAMESPACE, stackConfigSchema } from "./load";
import { SECRET_META_KEY } from "./primitives";

export const SCHEMA_FILE = "config/stack-config.schema.json";

type JsonSchema = Record<string, unknown> & { properties?: Record<string, unknown>; required?: string[] };

/** JSON Schema of a whole `Pulumi.<stack>.yaml`, for editors; generated from the zod schema. */
export function stackFileJsonSchema(): JsonSchema {
    const configSchema = z.toJSONSchema(stackConfigSchema, {
        io: "input",
        override: (ctx) => {
            const node = ctx.jsonSchema as Record<string, unknown>;
            if (node[SECRET_META_KEY] !== true) return;
            for (const key of Object.keys(node)) delete node[key];
            Object.assign(node, {
                description: "Encrypted: set with `pulumi config set --secret --path ...`.",
                type: "object",
                properties: { secure: { type: "string" } },
                required: ["secure"],
                additionalProperties: false,
            });
        },
    }) as JsonSchema;

    const prefixed = (name: string) => `${CONFIG_NAMESPACE}:${name}`;
    return {
        $schema: "https://json-schema.org/draft/2020-12/schema",
        title: "Pulumi stack file of the platform project",
        description: "Generated from config/schema.ts by `npm run schema`; do not edit by hand.",
        type: "object",
        properties: {
            secretsprovider: { type: "string" },
            encryptedkey: { type: "string" },
            encryptionsalt: { type: "string" },
            config: {
                type: "object",
                properties: Object.fromEntries(Object.entries(configSchema.properties ?? {}).map(([k, v]) => [prefixed(k), v])),
                required: (configSchema.required ?? []).map(prefixed),
                // Other namespaces (provider settings such as aws:region) are not ours to check.
                patternProperties: { [`^(?!${CONFIG_NAMESPACE}:)[^:]+:`]: {} },
                additionalProperties: false,
            },
        },
        required: ["config"],
    };
}

export function stackFileJsonSchemaText(): string {
    return `${JSON.stringify(stackFileJsonSchema(), null, 2)}\n`;
}
