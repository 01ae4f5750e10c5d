/**
 * The Pod Security Standard `restricted` profile, rule by rule, for a pod spec. Returns the rules a pod
 * breaks, named as in the Kubernetes documentation; empty means the pod would be admitted.
 */
export function restrictedViolations(pod: Record<string, any>): string[] {
    const violations: string[] = [];
    const podContext = pod["securityContext"] ?? {};
    const containers: Record<string, any>[] = [...(pod["initContainers"] ?? []), ...(pod["containers"] ?? [])];
    const check = (rule: string, ok: boolean) => {
        if (!ok) violations.push(rule);
    };

    check(
        "Host Namespaces: hostNetwork, hostPID and hostIPC must be unset or false",
        !pod["hostNetwork"] && !pod["hostPID"] && !pod["hostIPC"],
    );
    const volumeTypes = ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"];
    for (const volume of pod["volumes"] ?? []) {
        const kinds = Object.keys(volume).filter((k) => k !== "name");
        check(
            `Volume Types: volume ${volume.name} must use an allowed type (${kinds.join(",")})`,
            kinds.every((k) => volumeTypes.includes(k)),
        );
    }
    for (const c of containers) {
        const ctx = c["securityContext"] ?? {};
        const name = c["name"];
        check(`Privileged Containers: ${name} must not be privileged`, ctx.privileged !== true);
        check(
            `Host Ports: ${name} must not use hostPort`,
            (c["ports"] ?? []).every((p: Record<string, unknown>) => !p["hostPort"]),
        );
        check(`Privilege Escalation: ${name} must set allowPrivilegeEscalation: false`, ctx.allowPrivilegeEscalation === false);
        check(
            `Running as Non-root: ${name} must set runAsNonRoot: true (pod or container)`,
            ctx.runAsNonRoot === true || (podContext.runAsNonRoot === true && ctx.runAsNonRoot !== false),
        );
        check(
            `Running as Non-root user: ${name} must not run as uid 0`,
            ctx.runAsUser !== 0 && !(ctx.runAsUser === undefined && podContext.runAsUser === 0),
        );
        const seccomp = ctx.seccompProfile?.type ?? podContext.seccompProfile?.type;
        check(`Seccomp: ${name} must use RuntimeDefault or Localhost`, seccomp === "RuntimeDefault" || seccomp === "Localhost");
        const drops: string[] = ctx.capabilities?.drop ?? [];
        const adds: string[] = ctx.capabilities?.add ?? [];
        check(`Capabilities: ${name} must drop ALL`, drops.includes("ALL"));
        check(
            `Capabilities: ${name} may add only NET_BIND_SERVICE`,
            adds.every((cap) => cap === "NET_BIND_SERVICE"),
        );
    }
    return violations;
}
