/**
 * Splits a VPC CIDR into one private and one public subnet per availability zone. Private subnets
 * take the first eighths of the range (pods get VPC addresses, so they need room); public subnets
 * share the last eighth.
 */
export function carveSubnets(vpcCidr: string, zoneCount: number): { private: string[]; public: string[] } {
    if (zoneCount < 1 || zoneCount > 7) throw new Error(`expected 1 to 7 availability zones, got ${zoneCount}`);
    const [base, prefixText] = vpcCidr.split("/");
    const prefix = Number(prefixText);
    if (base === undefined || !(prefix >= 8 && prefix <= 22)) throw new Error(`expected a VPC CIDR from /8 to /22, got ${vpcCidr}`);
    const start = ipToNumber(base);
    const privatePrefix = prefix + 3;
    const publicPrefix = prefix + 6;
    const block = (offset: number, size: number) => `${numberToIp(start + offset)}/${size}`;
    const privateSize = 2 ** (32 - privatePrefix);
    const publicSize = 2 ** (32 - publicPrefix);
    const range = Array.from({ length: zoneCount }, (_, i) => i);
    return {
        private: range.map((i) => block(i * privateSize, privatePrefix)),
        public: range.map((i) => block(7 * privateSize + i * publicSize, publicPrefix)),
    };
}

function ipToNumber(ip: string): number {
    const parts = ip.split(".").map(Number);
    if (parts.length !== 4 || parts.some((p) => !(p >= 0 && p <= 255))) throw new Error(`expected an IPv4 address, got ${ip}`);
    return parts.reduce((n, p) => n * 256 + p, 0);
}

function numberToIp(n: number): string {
    return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".");
}
