import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export const CLUSTER_VIEW_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy";
export const CLUSTER_EDIT_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy";
export const CLUSTER_ADMIN_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy";

export interface ViewOptions {
    /** Namespaces where the principal may also edit (restart, scale, delete pods): the on-call role's app namespaces. */
    editNamespaces?: string[];
}

/**
 * Read-only access to the cluster's Kubernetes API for a principal (the preview role, on-call): an access entry
 * with the EKS view policy, cluster-wide. Reads Secrets? No: AmazonEKSViewPolicy excludes them. With
 * `editNamespaces`, also AmazonEKSEditPolicy scoped to those namespaces (`<name>-edit`).
 */
export function grantClusterView(
    name: string,
    clusterName: pulumi.Input<string>,
    principalArn: string,
    opts: pulumi.CustomResourceOptions,
    options: ViewOptions = {},
): aws.eks.AccessPolicyAssociation {
    const entry = new aws.eks.AccessEntry(`${name}-entry`, { clusterName, principalArn, type: "STANDARD" }, opts);
    const view = new aws.eks.AccessPolicyAssociation(
        `${name}-view`,
        { clusterName, principalArn, policyArn: CLUSTER_VIEW_POLICY, accessScope: { type: "cluster" } },
        { ...opts, dependsOn: [entry] },
    );
    const editNamespaces = options.editNamespaces ?? [];
    if (editNamespaces.length > 0) {
        new aws.eks.AccessPolicyAssociation(
            `${name}-edit`,
            { clusterName, principalArn, policyArn: CLUSTER_EDIT_POLICY, accessScope: { type: "namespace", namespaces: editNamespaces } },
            { ...opts, dependsOn: [entry] },
        );
    }
    return view;
}

export interface AdminOptions {
    /** The cluster was created with the creator's implicit admin: import the entry and association EKS made for it. */
    adoptFrom?: string;
}

/** Cluster admin for a principal through an access entry (`<name>`) and the admin policy (`<name>-admin`). */
export function grantClusterAdmin(
    name: string,
    clusterName: pulumi.Input<string>,
    principalArn: string,
    opts: pulumi.CustomResourceOptions,
    options: AdminOptions = {},
): aws.eks.AccessPolicyAssociation {
    const adopt = options.adoptFrom;
    const entry = new aws.eks.AccessEntry(
        name,
        { clusterName, principalArn, type: "STANDARD" },
        { ...opts, ...(adopt ? { import: `${adopt}:${principalArn}` } : {}) },
    );
    return new aws.eks.AccessPolicyAssociation(
        `${name}-admin`,
        { clusterName, principalArn, policyArn: CLUSTER_ADMIN_POLICY, accessScope: { type: "cluster" } },
        { ...opts, dependsOn: [entry], ...(adopt ? { import: `${adopt}#${principalArn}#${CLUSTER_ADMIN_POLICY}` } : {}) },
    );
}
