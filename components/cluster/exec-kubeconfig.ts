export interface EksKubeconfigArgs {
    clusterName: string;
    endpoint: string;
    certificateAuthority: string;
    region: string;
    /** Role the `aws eks get-token` call assumes; the same role Pulumi uses for AWS. */
    roleArn: string;
}

/** A kubeconfig (JSON is valid YAML) that authenticates with short-lived tokens, no static credentials. */
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
                        args: ["eks", "get-token", "--cluster-name", name, "--region", args.region, "--role-arn", args.roleArn],
                        interactiveMode: "Never",
                    },
                },
            },
        ],
    });
}
