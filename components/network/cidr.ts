/** IPv4 CIDR arithmetic for NetworkPolicy ipBlocks and the security-group evaluator. */

export function ipToNumber(ip: string): number {
    const parts = ip.split(".").map(Number);
    if (parts.length !== 4 || parts.some((p) => !(Number.isInteger(p) && p >= 0 && p <= 255))) {
        throw new Error(`expected an IPv4 address, got ${ip}`);
    }
    return parts.reduce((n, p) => n * 256 + p, 0);
}

export function numberToIp(n: number): string {
    return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".");
}

/** First and last address of a block, as numbers. */
export function cidrRange(cidr: string): [number, number] {
    const [base, prefixText] = cidr.split("/");
    const prefix = Number(prefixText ?? "32");
    if (base === undefined || !(Number.isInteger(prefix) && prefix >= 0 && prefix <= 32))
        throw new Error(`expected an IPv4 CIDR, got ${cidr}`);
    const size = 2 ** (32 - prefix);
    const start = Math.floor(ipToNumber(base) / size) * size;
    return [start, start + size - 1];
}

export function cidrContainsIp(cidr: string, ip: string): boolean {
    const [start, end] = cidrRange(cidr);
    const n = ipToNumber(ip);
    return n >= start && n <= end;
}

/** True when `inner` lies wholly inside `outer`. */
export function cidrContains(outer: string, inner: string): boolean {
    const [os, oe] = cidrRange(outer);
    const [is, ie] = cidrRange(inner);
    return is >= os && ie <= oe;
}

/** The n-th address of a block (e.g. a host inside a subnet). */
export function hostInCidr(cidr: string, offset: number): string {
    const [start, end] = cidrRange(cidr);
    if (start + offset > end) throw new Error(`${cidr} has no address at offset ${offset}`);
    return numberToIp(start + offset);
}

/**
 * Never "external": private ranges (the VPC, pods, other networks), carrier-grade NAT, and link-local,
 * where the instance metadata endpoint 169.254.169.254 lives.
 */
export const NON_PUBLIC_CIDRS = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16"];
