import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { hostInCidr } from "../components/network/cidr";
import { FORBIDDEN_NP_FLOWS, NpFlow, NpPeer, REQUIRED_NP_FLOWS } from "./flows";

/** A pod as cyclonus sees it, or an address outside the cluster (no namespace). */
export interface NpEndpoint {
    /** Shown after the peer's role when a role has several endpoints, e.g. the add-on namespace. */
    detail?: string;
    namespace?: string;
    namespaceLabels?: Record<string, string>;
    podLabels?: Record<string, string>;
    ip: string;
}

/** Everything the NetworkPolicy check needs from a stack: its policies and its peers. */
export interface NpModel {
    policies: Record<string, any>[];
    peers: Partial<Record<NpPeer, NpEndpoint[]>>;
    appPort: number;
}

export interface NpRow {
    flow: string;
    port: number;
    protocol: string;
    expected: "allow" | "deny";
    allowed: boolean;
    ok: boolean;
}

interface CyclonusPeer {
    Internal?: { PodLabels: Record<string, string>; NamespaceLabels: Record<string, string>; Namespace: string };
    IP: string;
}

const toCyclonus = (e: NpEndpoint): CyclonusPeer =>
    e.namespace === undefined
        ? { IP: e.ip }
        : { Internal: { PodLabels: e.podLabels ?? {}, NamespaceLabels: e.namespaceLabels ?? {}, Namespace: e.namespace }, IP: e.ip };

export const namespaceLabels = (name: string, labels: Record<string, string> = {}) => ({ ...labels, "kubernetes.io/metadata.name": name });

/** Addresses outside the cluster used as peers; TEST-NET ranges, never routed. */
export const ADDRESSES = {
    internet: "203.0.113.10",
    publicHost: "198.51.100.20",
    awsApi: "198.51.100.30",
    instanceMetadata: "169.254.169.254",
};

/** A pod's address in a subnet (VPC CNI gives pods VPC addresses), or in a generic pod range. */
export const podAddress = (subnetCidr: string | undefined, offset: number) => hostInCidr(subnetCidr ?? "10.244.0.0/16", offset);

interface Case {
    flow: NpFlow;
    expected: "allow" | "deny";
    from: NpEndpoint;
    to: NpEndpoint;
    port: number;
    protocol: string;
}

function cases(model: NpModel): Case[] {
    const out: Case[] = [];
    for (const [flows, expected] of [
        [REQUIRED_NP_FLOWS, "allow"],
        [FORBIDDEN_NP_FLOWS, "deny"],
    ] as const) {
        for (const flow of flows) {
            if (flow.onlyWith !== undefined && (model.peers[flow.onlyWith] ?? []).length === 0) continue;
            const sources = model.peers[flow.from] ?? [];
            const targets = model.peers[flow.to] ?? [];
            for (const from of sources) {
                for (const to of targets) {
                    const port = flow.port === "app" ? model.appPort : flow.port;
                    out.push({ flow, expected, from, to, port, protocol: flow.protocol ?? "TCP" });
                }
            }
        }
    }
    return out;
}

/** The cyclonus the repo builds (scripts/install-tools.sh). */
export function cyclonusBinary(repoRoot: string): string {
    const binary = path.join(repoRoot, ".tools", "bin", "cyclonus");
    if (!fs.existsSync(binary))
        throw new Error(`${binary} is missing: run \`bash scripts/install-tools.sh\` (part of the README's set-up)`);
    return binary;
}

/**
 * Evaluates each flow of the tables that applies to the stack with cyclonus (a NetworkPolicy engine
 * that implements the Kubernetes semantics, including ipBlock/except and namespace selectors).
 */
export function networkPolicyTable(model: NpModel, binary: string): NpRow[] {
    const all = cases(model);
    if (all.length === 0) return [];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "netpol-"));
    try {
        fs.mkdirSync(path.join(dir, "policies"));
        const policies = model.policies.map(({ apiVersion, kind, metadata, spec }) => ({
            apiVersion,
            kind,
            metadata: { name: metadata.name, namespace: metadata.namespace },
            spec,
        }));
        fs.writeFileSync(path.join(dir, "policies", "all.json"), JSON.stringify({ apiVersion: "v1", kind: "List", items: policies }));
        const traffic = all.map((c) => ({
            Source: toCyclonus(c.from),
            Destination: toCyclonus(c.to),
            Protocol: c.protocol,
            ResolvedPort: c.port,
            ResolvedPortName: "",
        }));
        fs.writeFileSync(path.join(dir, "traffic.json"), JSON.stringify(traffic));
        const output = execFileSync(
            binary,
            [
                "analyze",
                "--mode",
                "query-traffic",
                "--policy-path",
                path.join(dir, "policies"),
                "--traffic-path",
                path.join(dir, "traffic.json"),
            ],
            { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
        );
        const verdicts = [...output.matchAll(/IS ALLOWED\?\s*\|\s*(TRUE|FALSE)/g)].map((m) => m[1] === "TRUE");
        if (verdicts.length !== all.length) throw new Error(`cyclonus answered ${verdicts.length} of ${all.length} queries:\n${output}`);
        return all.map((c, i) => ({
            flow: `${c.flow.from}${c.from.detail ? ` (${c.from.detail})` : ""} -> ${c.flow.to}${c.to.detail ? ` (${c.to.detail})` : ""}`,
            port: c.port,
            protocol: c.protocol,
            expected: c.expected,
            allowed: verdicts[i]!,
            ok: verdicts[i] === (c.expected === "allow"),
        }));
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}
