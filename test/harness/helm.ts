import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import { CHART_DIRECTORY } from "../../components/service-release/service-release";
import { REPO_ROOT } from "./stack-file";

/** The helm the repo builds (scripts/install-tools.sh); the tests never use another. */
export function helmBinary(): string {
    const helm = path.join(REPO_ROOT, ".tools", "bin", "helm");
    if (!fs.existsSync(helm)) throw new Error(`${helm} is missing: run \`bash scripts/install-tools.sh\` (part of the README's set-up)`);
    return helm;
}

function withValuesFile<T>(values: unknown, use: (file: string) => T): T {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "values-"));
    const file = path.join(dir, "values.json");
    try {
        fs.writeFileSync(file, JSON.stringify(values));
        return use(file);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

export function helm(args: string[]): string {
    return execFileSync(helmBinary(), args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

export function lintChart(values: unknown): string {
    return withValuesFile(values, (file) => helm(["lint", "--strict", CHART_DIRECTORY, "-f", file]));
}

export type Manifest = Record<string, any> & { apiVersion: string; kind: string; metadata: Record<string, any> };

/** `helm template` with hooks, as Helm would install them; one object per document. */
export function renderChart(values: unknown, release: string, namespace: string): Manifest[] {
    const text = withValuesFile(values, (file) => helm(["template", release, CHART_DIRECTORY, "--namespace", namespace, "-f", file]));
    return parseAllDocuments(text)
        .map((doc) => doc.toJS() as Manifest | null)
        .filter((doc): doc is Manifest => doc !== null);
}

/** Validates an object against the Kubernetes OpenAPI schema of its kind (kubernetes-models, offline). */
export async function validateManifest(manifest: Manifest): Promise<void> {
    const gatewayApi = manifest.apiVersion.startsWith("gateway.networking.k8s.io/");
    const module = `${gatewayApi ? "@kubernetes-models/gateway-api" : "kubernetes-models"}/${manifest.apiVersion}/${manifest.kind}`;
    const models = await import(module);
    const Model = models[manifest.kind];
    if (typeof Model !== "function") throw new Error(`no schema for ${manifest.apiVersion} ${manifest.kind}`);
    new Model(manifest).validate();
}
