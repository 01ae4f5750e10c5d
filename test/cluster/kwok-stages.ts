import { stringify } from "yaml";

/**
 * Pods carrying this annotation (or label: the chart passes `podLabels` to every pod, hooks included)
 * fail instead of completing: a hook forced to fail. Its value names the `app.kubernetes.io/component`
 * whose pods fail, so the app's own pods, which carry it too, are never affected.
 */
export const FAIL_POD_MARK = "cluster-suite.platform.test/fail-component";
const COMPONENT_LABEL = "app.kubernetes.io/component";

/** How long a pod "runs" before kwok marks it complete, so hook ordering has real time in it. */
const POD_RUN_MILLISECONDS = 1000;

type Expression = { key: string; operator: "In" | "NotIn" | "Exists" | "DoesNotExist"; values?: string[] };

function stage(name: string, kind: "Node" | "Pod", matchExpressions: Expression[], next: Record<string, unknown>, delayMs?: number) {
    return {
        apiVersion: "kwok.x-k8s.io/v1alpha1",
        kind: "Stage",
        metadata: { name },
        spec: {
            resourceRef: { apiGroup: "v1", kind },
            selector: { matchExpressions },
            ...(delayMs === undefined ? {} : { delay: { durationMilliseconds: delayMs } }),
            next,
        },
    };
}

const notDeleting: Expression = { key: ".metadata.deletionTimestamp", operator: "DoesNotExist" };
const phase = (...values: string[]): Expression => ({ key: ".status.phase", operator: "In", values });
const readyIs = (operator: "In" | "NotIn"): Expression => ({
    key: '.status.conditions.[] | select( .type == "Ready" ) | .status',
    operator,
    values: ["True"],
});
const ownedByJob = (operator: "In" | "NotIn"): Expression => ({ key: ".metadata.ownerReferences.[].kind", operator, values: ["Job"] });
const failMark = `(.metadata.annotations["${FAIL_POD_MARK}"] // .metadata.labels["${FAIL_POD_MARK}"])`;

const NODE_CONDITIONS = `{{ $now := Now }}
conditions:
{{ range NodeConditions }}
- lastHeartbeatTime: {{ $now | Quote }}
  lastTransitionTime: {{ or $.metadata.creationTimestamp $now | Quote }}
  message: {{ .message | Quote }}
  reason: {{ .reason | Quote }}
  status: {{ .status | Quote }}
  type: {{ .type | Quote }}
{{ end }}
addresses:
- address: {{ NodeIP | Quote }}
  type: InternalIP
- address: {{ .metadata.name | Quote }}
  type: Hostname
`;

const NODE_READY = `${NODE_CONDITIONS}
nodeInfo:
  architecture: amd64
  operatingSystem: linux
  kubeletVersion: {{ printf "kwok-%s" Version | Quote }}
  containerRuntimeVersion: {{ printf "kwok-%s" Version | Quote }}
phase: Running
`;

const containerStates = (state: string, ready: boolean) => `containerStatuses:
{{ range .spec.containers }}
- image: {{ .image | Quote }}
  name: {{ .name | Quote }}
  ready: ${ready}
  restartCount: 0
  started: ${ready}
  state:
${state}
{{ end }}`;

const POD_RUNNING = `{{ $now := Now }}
conditions:
- { type: Initialized, status: "True", lastTransitionTime: {{ $now | Quote }} }
- { type: ContainersReady, status: "True", lastTransitionTime: {{ $now | Quote }} }
- { type: Ready, status: "True", lastTransitionTime: {{ $now | Quote }} }
${containerStates("    running: { startedAt: {{ $now | Quote }} }", true)}
{{ with NodeIPWith .spec.nodeName }}
hostIP: {{ . | Quote }}
{{ end }}
{{ with PodIPWith .spec.nodeName false ( or .metadata.uid "" ) ( or .metadata.name "" ) ( or .metadata.namespace "" ) }}
podIP: {{ . | Quote }}
podIPs:
- ip: {{ . | Quote }}
{{ end }}
phase: Running
startTime: {{ $now | Quote }}
`;

/** A pod whose containers exited: Succeeded with exit code 0, Failed otherwise. */
const podFinished = (phase: "Succeeded" | "Failed", exitCode: number, reason: string) => `{{ $now := Now }}
conditions:
- { type: Ready, status: "False", reason: Pod${phase === "Succeeded" ? "Completed" : "Failed"}, lastTransitionTime: {{ $now | Quote }} }
- { type: ContainersReady, status: "False", reason: Pod${phase === "Succeeded" ? "Completed" : "Failed"}, lastTransitionTime: {{ $now | Quote }} }
${containerStates(`    terminated: { exitCode: ${exitCode}, reason: ${reason}, startedAt: {{ $now | Quote }}, finishedAt: {{ $now | Quote }} }`, false)}
phase: ${phase}
`;
const POD_SUCCEEDED = podFinished("Succeeded", 0, "Completed");
const POD_FAILED = podFinished("Failed", 1, "Error");

/**
 * The Stage objects kwok plays: nodes become Ready and keep a heartbeat; pods start Running and
 * Ready; a Job's pods then succeed, except those carrying FAIL_POD_MARK for their own
 * component, which fail; deleted pods go once no finalizer holds them.
 */
export function kwokStages() {
    const failing = (operator: "In" | "NotIn"): Expression[] => [
        { key: `${failMark} != null and ${failMark} == .metadata.labels["${COMPONENT_LABEL}"]`, operator, values: ["true"] },
    ];
    return [
        stage("node-ready", "Node", [readyIs("NotIn")], { statusTemplate: NODE_READY }),
        stage("node-heartbeat", "Node", [phase("Running"), readyIs("In")], { statusTemplate: NODE_CONDITIONS }, 20_000),
        stage("pod-running", "Pod", [notDeleting, phase("Pending"), { key: ".spec.nodeName", operator: "Exists" }], {
            statusTemplate: POD_RUNNING,
        }),
        stage(
            "job-pod-succeeded",
            "Pod",
            [notDeleting, phase("Running"), ownedByJob("In"), ...failing("NotIn")],
            { statusTemplate: POD_SUCCEEDED },
            POD_RUN_MILLISECONDS,
        ),
        stage(
            "job-pod-failed",
            "Pod",
            [notDeleting, phase("Running"), ownedByJob("In"), ...failing("In")],
            { statusTemplate: POD_FAILED },
            POD_RUN_MILLISECONDS,
        ),
        stage(
            "pod-deleted",
            "Pod",
            [
                { key: ".metadata.deletionTimestamp", operator: "Exists" },
                { key: ".metadata.finalizers", operator: "DoesNotExist" },
            ],
            {
                delete: true,
            },
        ),
    ];
}

/** kwok's --config file: the stages above, one YAML document each. */
export function kwokConfig(): string {
    return kwokStages()
        .map((s) => stringify(s))
        .join("---\n");
}
