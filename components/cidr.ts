// IPv4 CIDR arithmetic: validation of operator-given blocks and the new VPC's subnet plan.

export type ParsedCidr = { ok: true; base: number; prefix: number } | { ok: false; problem: string };

function formatAddress(address: number): string {
    return [24, 16, 8, 0].map((shift) => (address >>> shift) & 255).join(".");
}

/** Parses "a.b.c.d/p"; refuses host bits, because AWS would either reject or silently widen them. */
export function parseCidr(cidr: string): ParsedCidr {
    const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
    if (!match) {
        return { ok: false, problem: "is not an IPv4 CIDR block such as 10.0.0.0/16" };
    }
    const octets = match.slice(1, 5).map(Number);
    const prefix = Number(match[5]);
    if (octets.some((o) => o > 255) || prefix > 32) {
        return { ok: false, problem: "is not an IPv4 CIDR block (octets 0-255, prefix 0-32)" };
    }
    const base = octets.reduce((acc, o) => acc * 256 + o, 0);
    const size = 2 ** (32 - prefix);
    if (base % size !== 0) {
        const canonical = `${formatAddress(base - (base % size))}/${prefix}`;
        return { ok: false, problem: `has host bits set; did you mean ${canonical}?` };
    }
    return { ok: true, base, prefix };
}

export interface SubnetPlan {
    publicCidrs: string[];
    privateCidrs: string[];
}

/**
 * Splits the VPC block into sixteen equal subnets: public subnets take the first ones
 * and private subnets start half way, so growing azCount never renumbers a subnet.
 */
export function planSubnets(vpcCidr: string, azCount: number): SubnetPlan {
    const parsed = parseCidr(vpcCidr);
    if (!parsed.ok) {
        throw new Error(`vpcCidr ${vpcCidr} ${parsed.problem}`);
    }
    const prefix = parsed.prefix + 4;
    const size = 2 ** (32 - prefix);
    const subnet = (index: number) => `${formatAddress(parsed.base + index * size)}/${prefix}`;
    const indexes = Array.from({ length: azCount }, (_, i) => i);
    return {
        publicCidrs: indexes.map((i) => subnet(i)),
        privateCidrs: indexes.map((i) => subnet(8 + i)),
    };
}
