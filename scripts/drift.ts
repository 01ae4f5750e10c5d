import { execFileSync } from "child_process";
import { parseAllDocuments } from "yaml";
import { deploymentDrift, driftReport, KubeObject, resetPatch } from "../drift/deployment-drift";

/**
 * `npm run drift -- <namespace> [release...] [--reset]`: lists what differs between the live Deployments of
 * each Helm release (default: every release in the namespace) and what Helm last applied (emergency
 * `kubectl set env` and the like); with `--reset`, puts the chart's values back. Exit code 3 when drift
 * is found and not reset. Uses the current kubeconfig, `helm` and `kubectl` (docs/runbooks/emergency-change.md).
 */
const run = (command: string, args: string[]) => execFileSync(command, args, { encoding: "utf8" });

function releaseDrift(namespace: string, release: string, reset: boolean): boolean {
    const applied = parseAllDocuments(run("helm", ["get", "manifest", release, "-n", namespace]))
        .map((d) => d.toJS() as KubeObject | null)
        .filter((d): d is KubeObject => d !== null);
    const selector = `app.kubernetes.io/instance=${release}`;
    const live = (
        JSON.parse(run("kubectl", ["get", "deployments", "-n", namespace, "-l", selector, "-o", "json"])) as { items: KubeObject[] }
    ).items.map((d) => ({ ...d, kind: "Deployment" }));
    const items = deploymentDrift(applied, live);
    console.log(`release ${release}: ${driftReport(items)}`);
    if (items.length === 0 || !reset) return items.length > 0;
    for (const deployment of live) {
        const chart = applied.find((a) => a.kind === "Deployment" && a.metadata.name === deployment.metadata.name);
        const patch = chart ? resetPatch(chart, deployment) : [];
        if (patch.length === 0) continue;
        run("kubectl", ["patch", "deployment", deployment.metadata.name, "-n", namespace, "--type=json", "-p", JSON.stringify(patch)]);
        console.log(`reset deployment/${deployment.metadata.name} to the chart's pod template`);
    }
    return false;
}

function main(argv: string[]): number {
    const reset = argv.includes("--reset");
    const [namespace, ...named] = argv.filter((a) => a !== "--reset");
    if (!namespace) {
        console.error("usage: npm run drift -- <namespace> [release...] [--reset]");
        return 2;
    }
    const releases = named.length > 0 ? named : run("helm", ["list", "-q", "-n", namespace]).split("\n").filter(Boolean);
    const drifted = releases.map((release) => releaseDrift(namespace, release, reset));
    return drifted.some(Boolean) ? 3 : 0;
}

process.exitCode = main(process.argv.slice(2));
