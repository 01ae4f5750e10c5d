import * as fs from "fs";
import * as path from "path";
import { stringify } from "yaml";
import { Manifest, renderChart } from "../test/harness/helm";
import { recordStack, RunOptions } from "../test/harness/run-stack";
import { stackObjects, ThirdPartyRelease } from "../test/cluster/objects";

/** Every Kubernetes object one stack applies, as `npm run render` writes it and kube-score reads it. */
export interface RenderedStack {
    stack: string;
    /** The graph's objects, then each release of charts/api-service rendered with its computed values (hooks included). */
    objects: Manifest[];
    /** Third-party charts (External Secrets, the load balancer controller, ...): named, not rendered (no chart repository here). */
    thirdParty: ThirdPartyRelease[];
}

const REDACTED = "<redacted: rendered without cloud access; the real value stays a Pulumi secret>";

/** Secret values are never written out, even the placeholders the render evaluates with. */
export function redactSecrets(manifest: Manifest): Manifest {
    if (manifest.kind !== "Secret") return manifest;
    const redact = (data: Record<string, unknown> | undefined) =>
        data === undefined ? undefined : Object.fromEntries(Object.keys(data).map((key) => [key, REDACTED]));
    const { data, stringData, ...rest } = manifest;
    return { ...rest, ...(data ? { data: redact(data) } : {}), ...(stringData ? { stringData: redact(stringData) } : {}) } as Manifest;
}

/** Evaluates the stack's program (no cloud, no Pulumi CLI) and renders what it would apply. */
export async function renderStack(stack: string, options: RunOptions = {}): Promise<RenderedStack> {
    const { graph } = await recordStack(stack, options);
    // Remote YAML (the Gateway API and controller CRDs) is listed with the third-party charts: fetched at deploy time.
    const found = stackObjects(graph);
    // Helm installs a chart's namespaced objects into the release's namespace; the render says so, as the cluster would.
    const charts = found.charts.flatMap((release) =>
        renderChart(release.values, release.name, release.namespace).map((m) => ({
            ...m,
            metadata: { ...m.metadata, namespace: m.metadata.namespace ?? release.namespace },
        })),
    );
    const remote = found.remoteFiles.map(({ urn, file }) => ({ urn, chart: file, namespace: "" }));
    return { stack, objects: [...found.manifests, ...charts].map(redactSecrets), thirdParty: [...found.thirdParty, ...remote] };
}

const fileName = (m: Manifest, i: number) =>
    `${String(i).padStart(3, "0")}-${m.kind.toLowerCase()}-${String(m.metadata.name).replace(/[^A-Za-z0-9.-]/g, "_")}.yaml`;

/** One YAML file per object (in apply order) plus `third-party-releases.txt` (not an object: scorers skip it); returns the object files' paths. */
export function writeRendered(rendered: RenderedStack, dir: string): string[] {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    const files = rendered.objects.map((manifest, i) => {
        const file = path.join(dir, fileName(manifest, i));
        fs.writeFileSync(file, stringify(manifest, { lineWidth: 0 }));
        return file;
    });
    const releases = rendered.thirdParty.map(({ chart, version, repo, namespace }) => ({ chart, version, repo, namespace }));
    fs.writeFileSync(
        path.join(dir, "third-party-releases.txt"),
        `# Helm releases of third-party charts the stack installs (not rendered: no chart repository is reachable offline).\n${stringify(releases)}`,
    );
    return files;
}
