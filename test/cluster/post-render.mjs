#!/usr/bin/env node
// A Helm post-renderer for the cluster suite's broken cases: changes what the chart rendered in ways
// no chart value allows (the chart hard-codes its security context, and its values schema requires
// resource limits), then prints it back.
// Usage: helm install ... --post-renderer test/cluster/post-render.mjs --post-renderer-args <patch>
import { readFileSync } from "node:fs";
import { parseAllDocuments, stringify } from "yaml";

const PATCHES = {
    // Every container of the app's pods asks for a privileged, escalating process.
    privileged: (doc) => {
        if (doc.kind !== "Deployment") return;
        for (const container of doc.spec.template.spec.containers) {
            container.securityContext = { ...container.securityContext, privileged: true, allowPrivilegeEscalation: true };
        }
    },
    // The app's containers lose their resource limits (the namespace's LimitRange default applies).
    "no-limits": (doc) => {
        if (doc.kind !== "Deployment") return;
        for (const container of doc.spec.template.spec.containers) delete container.resources?.limits;
    },
};

const patch = PATCHES[process.argv[2]];
if (!patch) {
    console.error(`post-render: unknown patch ${process.argv[2]}; known: ${Object.keys(PATCHES).join(", ")}`);
    process.exit(2);
}
const docs = parseAllDocuments(readFileSync(0, "utf8"))
    .map((d) => d.toJS())
    .filter((d) => d);
for (const doc of docs) patch(doc);
process.stdout.write(docs.map((d) => stringify(d)).join("---\n"));
