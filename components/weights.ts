// The guide's nginx weights (master 3, each slave 5) translated to an ALB forward action,
// which weights target groups, not targets: master group m, slaves group s x N.

/** ALB accepts 0-999 per target group. */
export const MAX_ALB_WEIGHT = 999;

export interface ListenerWeights {
    master: number;
    /**
     * 0 when there are no slaves: the empty group gets no traffic (it would answer 503), but
     * stays in the listener, so that ALB health-checks a slave added later before it gets any.
     */
    slaves: number;
}

export function gcd(a: number, b: number): number {
    while (b !== 0) {
        [a, b] = [b, a % b];
    }
    return a;
}

/**
 * The weights for the master and the slaves' target groups: masterWeight : slaveWeight x N
 * reduced by their gcd, and, when that exceeds 999, the pair within 1-999 whose master share
 * is closest to the exact one (ties go to the smaller pair).
 */
export function listenerWeights(masterWeight: number, slaveWeight: number, slaveCount: number): ListenerWeights {
    for (const [name, value, min] of [
        ["masterWeight", masterWeight, 1],
        ["slaveWeight", slaveWeight, 1],
        ["slaveCount", slaveCount, 0],
    ] as const) {
        if (!Number.isSafeInteger(value) || value < min) {
            throw new RangeError(`${name} must be a whole number of at least ${min}, got ${value}`);
        }
    }
    if (slaveCount === 0) {
        return { master: 1, slaves: 0 };
    }
    const slaveTotal = slaveWeight * slaveCount;
    const divisor = gcd(masterWeight, slaveTotal);
    const master = masterWeight / divisor;
    const slaves = slaveTotal / divisor;
    if (master <= MAX_ALB_WEIGHT && slaves <= MAX_ALB_WEIGHT) {
        return { master, slaves };
    }
    const total = master + slaves;
    let best = { master: 1, slaves: MAX_ALB_WEIGHT };
    let bestError = Infinity;
    for (let m = 1; m <= MAX_ALB_WEIGHT; m++) {
        const s = Math.min(MAX_ALB_WEIGHT, Math.max(1, Math.round((m * slaves) / master)));
        // |m/(m+s) - master/total|, times the constant total
        const error = Math.abs(m * total - master * (m + s)) / (m + s);
        if (error < bestError) {
            best = { master: m, slaves: s };
            bestError = error;
        }
    }
    return best;
}
