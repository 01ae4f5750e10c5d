import { secure, Sections } from "./stack-file";

/** Runner labels of the existing-cluster variant: runners the operator runs with access to that cluster's API. */
export const EXISTING_RUNNER_LABELS = ["platform-shared-cluster"];

/**
 * A stack on an existing cluster (its kubeconfig an operator secret), in-cluster data, and its own
 * self-hosted runners: the variant the delivery must serve besides EKS.
 */
export function existingClusterVariant(s: Sections): void {
    s["cluster"] = { mode: "existing", name: "shared", certManager: { email: "ops@supernova.com" } };
    s["database"] = { mode: "in-cluster", databaseName: "supernova" };
    s["redis"] = { mode: "in-cluster", topology: "single" };
    const secrets = s["secrets"] as Record<string, any>;
    Object.assign(secrets, { backend: "kubernetes", kubeconfig: secure() });
    delete secrets["ci"]["CODEBUILD_GITHUB_TOKEN"];
    (s["delivery"] as Record<string, any>)["runner"] = { type: "self-hosted", labels: EXISTING_RUNNER_LABELS };
}
