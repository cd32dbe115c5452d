import { MAX_ALB_WEIGHT, gcd, listenerWeights } from "../components/weights";

const share = (w: { master: number; slaves: number }) => w.master / (w.master + w.slaves);

describe("listenerWeights", () => {
    test("no slaves: everything to the master group, nothing to the empty slaves group", () => {
        expect(listenerWeights(3, 5, 0)).toEqual({ master: 1, slaves: 0 });
        expect(listenerWeights(999, 1, 0)).toEqual({ master: 1, slaves: 0 });
    });

    test.each([
        [1, { master: 3, slaves: 5 }],
        [2, { master: 3, slaves: 10 }],
        [4, { master: 3, slaves: 20 }],
        [199, { master: 3, slaves: 995 }],
    ])("the guide's 3 : 5 x N with N = %i is exact", (slaves, expected) => {
        expect(listenerWeights(3, 5, slaves)).toEqual(expected);
    });

    test("weights are reduced by their gcd", () => {
        expect(listenerWeights(5, 5, 4)).toEqual({ master: 1, slaves: 4 });
        expect(listenerWeights(6, 4, 3)).toEqual({ master: 1, slaves: 2 });
        expect(listenerWeights(10, 10, 1)).toEqual({ master: 1, slaves: 1 });
    });

    test("N = 200 exceeds 999 and is scaled keeping the ratio as closely as possible", () => {
        const w = listenerWeights(3, 5, 200); // exact 3 : 1000
        expect(w.master).toBeLessThanOrEqual(MAX_ALB_WEIGHT);
        expect(w.slaves).toBeLessThanOrEqual(MAX_ALB_WEIGHT);
        // 2 : 667 (share 0.0029895) beats the naive clamp 3 : 997 (0.0030000); exact is 0.0029910.
        expect(w).toEqual({ master: 2, slaves: 667 });
        expect(Math.abs(share(w) - 3 / 1003)).toBeLessThan(1e-5);
    });

    test.each([
        [999, 999, 1000],
        [1, 999, 1000],
        [999, 1, 1000],
        [7, 13, 100],
        [998, 997, 2],
        [1, 1, 1000],
    ])("extremes masterWeight %i, slaveWeight %i, N %i stay in range and near the exact share", (m, s, n) => {
        const w = listenerWeights(m, s, n);
        expect(Number.isInteger(w.master) && Number.isInteger(w.slaves)).toBe(true);
        for (const value of [w.master, w.slaves]) {
            expect(value).toBeGreaterThanOrEqual(1);
            expect(value).toBeLessThanOrEqual(MAX_ALB_WEIGHT);
        }
        const exact = m / (m + s * n);
        // No pair within 1..999 does better than the one chosen. For each a, a/(a+b) falls as b
        // grows, so the best b is one of the two integers around the exact a(1-exact)/exact.
        let best = Infinity;
        for (let a = 1; a <= MAX_ALB_WEIGHT; a++) {
            const exactB = (a * (1 - exact)) / exact;
            for (const b of [Math.floor(exactB), Math.ceil(exactB)].map((v) => Math.min(MAX_ALB_WEIGHT, Math.max(1, v)))) {
                best = Math.min(best, Math.abs(a / (a + b) - exact));
            }
        }
        expect(Math.abs(share(w) - exact)).toBeLessThanOrEqual(best + 1e-12);
    });

    test("a master weight beyond 999 (outside the config's range, inside the function's) is scaled too", () => {
        expect(listenerWeights(5000, 1, 1)).toEqual({ master: 999, slaves: 1 });
    });

    test("of pairs equally close to the exact share, the smallest is chosen", () => {
        // exact 1000 : 1999; 1 : 2, 2 : 4 ... 499 : 998 all give a share of 1/3, the closest in range.
        expect(listenerWeights(1000, 1999, 1)).toEqual({ master: 1, slaves: 2 });
    });

    test("invalid inputs are refused", () => {
        expect(() => listenerWeights(0, 5, 1)).toThrow(/masterWeight/);
        expect(() => listenerWeights(3, 1.5, 1)).toThrow(/slaveWeight/);
        expect(() => listenerWeights(3, 5, -1)).toThrow(/slaveCount/);
    });

    test("gcd", () => {
        expect(gcd(12, 18)).toBe(6);
        expect(gcd(3, 1000)).toBe(1);
        expect(gcd(5, 0)).toBe(5);
    });
});
