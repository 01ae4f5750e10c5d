export interface EksKubeconfigArgs {
    clusterName: string;
    endpoint: string;
    certificateAuthority: string;
    region: string;
}

/**
 * A kubeconfig (JSON is valid YAML) that authenticates with short-lived tokens, no static credentials.
 * The token is for whoever runs Pulumi (the environment's credentials): the deployer in a deploy, the
 * read-only preview role in a preview, the same kubeconfig in both, so a preview shows no provider diff.
 */
export function eksKubeconfig(args: EksKubeconfigArgs): string {
    const name = args.clusterName;
    return JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name, cluster: { server: args.endpoint, "certificate-authority-data": args.certificateAuthority } }],
        contexts: [{ name, context: { cluster: name, user: name } }],
        "current-context": name,
        users: [
            {
                name,
                user: {
                    exec: {
                        apiVersion: "client.authentication.k8s.io/v1beta1",
                        command: "aws",
                        args: ["eks", "get-token", "--cluster-name", name, "--region", args.region],
                        interactiveMode: "Never",
                    },
                },
            },
        ],
    });
}
