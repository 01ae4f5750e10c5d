import { ALB_DEREGISTRATION_DELAY_SECONDS, ECR_HOST, registryHost } from "../workloads";
import type { Issue, Parsed } from "./types";

const UNITS: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30 };
const bytes = (quantity: string) => Number(/^\d+/.exec(quantity)![0]) * UNITS[quantity.replace(/^\d+/, "")]!;

const setToken = (i: number) => `pulumi config set --secret --path 'platform:registries[${i}].token' <read-only token>`;

/** Every service image's registry is listed, and a listed registry has what its auth needs. */
export function registryIssues({ services, registries }: Parsed): Issue[] {
    const issues: Issue[] = [];
    const seen = new Set<string>();
    registries.forEach((registry, i) => {
        if (seen.has(registry.server)) {
            issues.push({ path: ["registries", i, "server"], message: "expected each registry once", input: registry.server });
        }
        seen.add(registry.server);
        if (registry.auth === "token" && registry.token === undefined) {
            issues.push({
                path: ["registries", i, "token"],
                message: `expected a read-only token for ${registry.server} (auth: token): ${setToken(i)}`,
            });
        }
        if (registry.auth === "node-role" && !ECR_HOST.test(registry.server)) {
            issues.push({
                path: ["registries", i, "auth"],
                message: `expected "token" or "public": only ECR (<account>.dkr.ecr.<region>.amazonaws.com) is pulled with the nodes' role`,
                input: registry.auth,
            });
        }
    });
    services.forEach((service, i) => {
        const host = registryHost(service.image.repository);
        if (ECR_HOST.test(host) || seen.has(host)) return;
        issues.push({
            path: ["services", i, "image", "repository"],
            message:
                `expected the registry ${host} in platform:registries: its images need pull credentials ` +
                `(add {server: ${host}, auth: token} and ${setToken(registries.length)}), or auth: public for a public image`,
            input: service.image.repository,
        });
    });
    return issues;
}

/** Shutdown outlasts the load balancer's deregistration, and the grace period outlasts the preStop delay; /tmp fits the storage limit. */
export function podProfileIssues({ services }: Parsed): Issue[] {
    return services.flatMap((service, i) => {
        const { pod } = service;
        const at = (...keys: string[]) => ["services", i, "pod", ...keys];
        const issues: Issue[] = [];
        if (service.expose && pod.preStopSeconds <= ALB_DEREGISTRATION_DELAY_SECONDS) {
            issues.push({
                path: at("preStopSeconds"),
                message: `expected more than the load balancer's deregistration delay (${ALB_DEREGISTRATION_DELAY_SECONDS} s): the pod would stop while still receiving requests`,
                input: pod.preStopSeconds,
            });
        }
        if (pod.terminationGracePeriodSeconds <= pod.preStopSeconds) {
            issues.push({
                path: at("terminationGracePeriodSeconds"),
                message: `expected more than preStopSeconds (${pod.preStopSeconds}): the app needs time after SIGTERM to finish its requests`,
                input: pod.terminationGracePeriodSeconds,
            });
        }
        if (bytes(pod.ephemeralStorage.request) > bytes(pod.ephemeralStorage.limit)) {
            issues.push({
                path: at("ephemeralStorage", "request"),
                message: `expected at most the limit ${pod.ephemeralStorage.limit}`,
                input: pod.ephemeralStorage.request,
            });
        }
        if (bytes(pod.tmpSizeLimit) > bytes(pod.ephemeralStorage.limit)) {
            issues.push({
                path: at("tmpSizeLimit"),
                message: `expected at most the ephemeral-storage limit ${pod.ephemeralStorage.limit}`,
                input: pod.tmpSizeLimit,
            });
        }
        return issues;
    });
}
