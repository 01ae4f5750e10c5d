import { ChildProcess, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as https from "https";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { REPO_ROOT } from "../harness/stack-file";
import { kwokConfig } from "./kwok-stages";

/** The binaries scripts/install-tools.sh builds; the suite never uses others from PATH. */
export const TOOLS_BIN = path.join(REPO_ROOT, ".tools", "bin");
export const CONTROL_PLANE_TOOLS = ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl", "kwok", "helm"];

export function toolPath(name: string): string {
    const file = path.join(TOOLS_BIN, name);
    if (!fs.existsSync(file)) throw new Error(`${file} is missing: run \`bash scripts/install-tools.sh\` (part of the README's set-up)`);
    return file;
}

/** The fake nodes kwok manages, one per zone so topology spread constraints can be met. */
export const FAKE_NODES = ["eu-west-1a", "eu-west-1b", "eu-west-1c"].map((zone, i) => ({ name: `kwok-node-${i}`, zone }));
const KWOK_NODE_ANNOTATION = "kwok.x-k8s.io/node";

export interface ControlPlane {
    dir: string;
    kubeconfig: string;
    server: string;
    /** Environment for kubectl and helm: KUBECONFIG and Helm's state, all inside `dir`. */
    env: NodeJS.ProcessEnv;
    timings: Record<string, number>;
    /** Sum over the control-plane processes of each one's peak resident memory (VmHWM), in bytes. */
    peakMemoryBytes(): number;
    stop(): Promise<void>;
}

interface Managed {
    name: string;
    child: ChildProcess;
    log: string;
    peakBytes: number;
}

async function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.unref();
        server.on("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const { port } = server.address() as net.AddressInfo;
            server.close(() => resolve(port));
        });
    });
}

function openssl(args: string[], cwd: string): void {
    execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
}

/** A throwaway CA, the API server's serving certificate, an admin client certificate and the service-account key. */
function generateCertificates(dir: string): void {
    const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1"];
    openssl(["req", "-x509", ...ec, "-keyout", "ca.key", "-out", "ca.crt", "-subj", "/CN=cluster-suite-ca"], dir);
    const signed = (name: string, subject: string, extensions: string[]) =>
        openssl(
            ["req", "-x509", ...ec, "-CA", "ca.crt", "-CAkey", "ca.key", "-keyout", `${name}.key`, "-out", `${name}.crt`, "-subj", subject]
                .concat(extensions.flatMap((e) => ["-addext", e]))
                .concat(["-addext", "basicConstraints=critical,CA:FALSE"]),
            dir,
        );
    signed("apiserver", "/CN=kube-apiserver", [
        "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default.svc",
        "extendedKeyUsage=serverAuth",
    ]);
    signed("admin", "/O=system:masters/CN=cluster-suite-admin", ["extendedKeyUsage=clientAuth"]);
    openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-out", "sa.key"], dir);
    openssl(["pkey", "-in", "sa.key", "-pubout", "-out", "sa.pub"], dir);
}

function writeKubeconfig(dir: string, server: string): string {
    const file = path.join(dir, "admin.kubeconfig");
    const b64 = (name: string) => fs.readFileSync(path.join(dir, name)).toString("base64");
    const config = {
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: "suite", cluster: { server, "certificate-authority-data": b64("ca.crt") } }],
        users: [{ name: "admin", user: { "client-certificate-data": b64("admin.crt"), "client-key-data": b64("admin.key") } }],
        contexts: [{ name: "suite", context: { cluster: "suite", user: "admin" } }],
        "current-context": "suite",
    };
    fs.writeFileSync(file, JSON.stringify(config), { mode: 0o600 });
    return file;
}

function peakResidentBytes(pid: number | undefined): number {
    if (pid === undefined) return 0;
    try {
        const match = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
        return match ? Number(match[1]) * 1024 : 0;
    } catch {
        return 0;
    }
}

function getStatus(url: string, dir: string): Promise<number> {
    return new Promise((resolve) => {
        const request = https.get(
            url,
            {
                ca: fs.readFileSync(path.join(dir, "ca.crt")),
                cert: fs.readFileSync(path.join(dir, "admin.crt")),
                key: fs.readFileSync(path.join(dir, "admin.key")),
                timeout: 2000,
            },
            (response) => {
                response.resume();
                resolve(response.statusCode ?? 0);
            },
        );
        request.on("error", () => resolve(0));
        request.on("timeout", () => request.destroy());
    });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs: number, processes: Managed[]): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
        const dead = processes.find((p) => p.child.exitCode !== null || p.child.signalCode !== null);
        if (dead) throw new Error(`${dead.name} exited (${dead.child.exitCode ?? dead.child.signalCode}):\n${tail(dead.log)}`);
        if (await check()) return;
        await sleep(200);
    }
    throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}\n${processes.map((p) => `--- ${p.name}\n${tail(p.log)}`).join("\n")}`,
    );
}

function tail(file: string, lines = 15): string {
    try {
        return fs.readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
    } catch {
        return "(no log)";
    }
}

const running = new Set<ChildProcess>();
const directories = new Set<string>();
// A crash or Ctrl-C must not leave servers or files behind: kill whatever still runs, synchronously.
function killEverything(): void {
    for (const child of running) child.kill("SIGKILL");
    for (const dir of directories) fs.rmSync(dir, { recursive: true, force: true });
}
process.on("exit", killEverything);
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
        killEverything();
        process.exit(130);
    });
}

function fakeNode(node: (typeof FAKE_NODES)[number]) {
    return {
        apiVersion: "v1",
        kind: "Node",
        metadata: {
            name: node.name,
            annotations: { [KWOK_NODE_ANNOTATION]: "fake", "node.alpha.kubernetes.io/ttl": "0" },
            labels: {
                "kubernetes.io/hostname": node.name,
                "kubernetes.io/os": "linux",
                "kubernetes.io/arch": "amd64",
                "topology.kubernetes.io/zone": node.zone,
                "topology.kubernetes.io/region": "eu-west-1",
                type: "kwok",
            },
        },
        status: {
            allocatable: { cpu: "32", memory: "128Gi", pods: "110", "ephemeral-storage": "100Gi" },
            capacity: { cpu: "32", memory: "128Gi", pods: "110", "ephemeral-storage": "100Gi" },
        },
    };
}

/**
 * Starts etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok (with fake nodes) on
 * loopback, on free ports, in a temporary directory that `stop()` removes with every process.
 */
export async function startControlPlane(): Promise<ControlPlane> {
    const started = Date.now();
    const timings: Record<string, number> = {};
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "control-plane-"));
    directories.add(dir);
    const processes: Managed[] = [];
    const launch = (name: string, args: string[]) => {
        const log = path.join(dir, `${name}.log`);
        const fd = fs.openSync(log, "a");
        const child = spawn(toolPath(name), args, { cwd: dir, stdio: ["ignore", fd, fd] });
        fs.closeSync(fd);
        running.add(child);
        child.on("exit", () => running.delete(child));
        processes.push({ name, child, log, peakBytes: 0 });
    };
    const samplePeaks = () => {
        for (const p of processes) p.peakBytes = Math.max(p.peakBytes, peakResidentBytes(p.child.pid));
    };
    const sampler = setInterval(samplePeaks, 1000);
    sampler.unref();

    let stopped = false;
    const stop = async () => {
        if (stopped) return;
        stopped = true;
        clearInterval(sampler);
        samplePeaks();
        for (const p of [...processes].reverse()) await stopProcess(p.child);
        fs.rmSync(dir, { recursive: true, force: true });
        directories.delete(dir);
    };

    try {
        generateCertificates(dir);
        const [etcdClient, etcdPeer, apiPort] = [await freePort(), await freePort(), await freePort()];
        const server = `https://127.0.0.1:${apiPort}`;
        const kubeconfig = writeKubeconfig(dir, server);
        timings["certificates"] = Date.now() - started;

        launch("etcd", [
            "--name=suite",
            `--data-dir=${path.join(dir, "etcd")}`,
            `--listen-client-urls=http://127.0.0.1:${etcdClient}`,
            `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
            `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
            `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
            `--initial-cluster=suite=http://127.0.0.1:${etcdPeer}`,
            "--unsafe-no-fsync",
            "--log-level=warn",
        ]);
        launch("kube-apiserver", [
            `--etcd-servers=http://127.0.0.1:${etcdClient}`,
            "--bind-address=127.0.0.1",
            "--advertise-address=127.0.0.1",
            `--secure-port=${apiPort}`,
            `--cert-dir=${dir}`,
            "--tls-cert-file=apiserver.crt",
            "--tls-private-key-file=apiserver.key",
            "--client-ca-file=ca.crt",
            "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
            "--service-account-key-file=sa.pub",
            "--service-account-signing-key-file=sa.key",
            "--service-cluster-ip-range=10.96.0.0/16",
            "--authorization-mode=RBAC",
            // As on EKS (its own DaemonSets run privileged): Pod Security admission is what keeps app pods out.
            "--allow-privileged=true",
            // The default reconciler publishes the advertise address as the kubernetes Service's
            // endpoint, and loopback is not a valid endpoint.
            "--endpoint-reconciler-type=none",
            "--enable-priority-and-fairness=false",
            "--profiling=false",
            "--kubelet-preferred-address-types=InternalIP",
        ]);
        await waitFor("kube-apiserver /readyz", async () => (await getStatus(`${server}/readyz`, dir)) === 200, 120_000, processes);
        timings["apiserver ready"] = Date.now() - started;

        // Both talk to the API server as the admin, serve nothing themselves and run alone (no election).
        const component = (name: string, flags: string[]) =>
            launch(name, [
                ...["", "authentication-", "authorization-"].map((prefix) => `--${prefix}kubeconfig=${kubeconfig}`),
                "--secure-port=0",
                "--leader-elect=false",
                ...flags,
            ]);
        component("kube-controller-manager", [
            "--use-service-account-credentials=true",
            "--service-account-private-key-file=sa.key",
            "--root-ca-file=ca.crt",
            "--concurrent-job-syncs=10",
        ]);
        component("kube-scheduler", []);
        const kwokConfigFile = path.join(dir, "kwok.yaml");
        fs.writeFileSync(kwokConfigFile, kwokConfig());
        launch("kwok", [
            `--kubeconfig=${kubeconfig}`,
            `--config=${kwokConfigFile}`,
            "--manage-all-nodes=false",
            `--manage-nodes-with-annotation-selector=${KWOK_NODE_ANNOTATION}=fake`,
            "--node-ip=127.0.0.1",
            "--cidr=10.244.0.1/16",
            "--node-lease-duration-seconds=40",
        ]);

        const env = {
            ...process.env,
            KUBECONFIG: kubeconfig,
            HELM_CACHE_HOME: path.join(dir, "helm", "cache"),
            HELM_CONFIG_HOME: path.join(dir, "helm", "config"),
            HELM_DATA_HOME: path.join(dir, "helm", "data"),
        };
        const kubectl = (args: string[], input?: string) =>
            execFileSync(toolPath("kubectl"), args, { env, input, encoding: "utf8", stdio: ["pipe", "pipe", "pipe"] });
        for (const node of FAKE_NODES) kubectl(["create", "-f", "-"], JSON.stringify(fakeNode(node)));
        await waitFor(
            "the fake nodes to be Ready and untainted, and the default ServiceAccount",
            () => {
                const nodes = JSON.parse(kubectl(["get", "nodes", "-o", "json"])).items as any[];
                const ready = nodes.filter(
                    (n) =>
                        (n.spec.taints ?? []).length === 0 &&
                        n.status.conditions?.some((c: any) => c.type === "Ready" && c.status === "True"),
                );
                if (ready.length < FAKE_NODES.length) return false;
                return kubectl(["get", "serviceaccounts", "-n", "default", "-o", "name"]).includes("serviceaccount/default");
            },
            120_000,
            processes,
        );
        timings["nodes ready"] = Date.now() - started;
        return {
            dir,
            kubeconfig,
            server,
            env,
            timings,
            peakMemoryBytes: () => {
                samplePeaks();
                return processes.reduce((sum, p) => sum + p.peakBytes, 0);
            },
            stop,
        };
    } catch (error) {
        await stop();
        throw error;
    }
}

/** SIGTERM, then SIGKILL if the process has not exited within a few seconds. */
async function stopProcess(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
}

/** Pids of live processes started from the suite's tools: used to prove that nothing is left behind. */
export function leftoverProcesses(dir: string): string[] {
    const out = execFileSync("ps", ["-eo", "pid,args"], { encoding: "utf8" });
    return out
        .split("\n")
        .filter((line) => line.includes(dir) || (line.includes(TOOLS_BIN) && CONTROL_PLANE_TOOLS.some((t) => line.includes(`/${t} `))))
        .map((line) => line.trim());
}
