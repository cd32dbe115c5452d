import { MODEL_START_SECONDS, rolloutBatchSize, rolloutBatches, rolloutSeconds } from "../components/rollout";

describe("rollout batches", () => {
    test.each([
        [0, 25, []],
        [1, 25, [[0]]],
        [2, 25, [[0], [1]]],
        [5, 50, [[0, 1], [2, 3], [4]]],
        [8, 25, [[0, 1], [2, 3], [4, 5], [6, 7]]],
        [4, 100, [[0, 1, 2, 3]]],
    ])("%i slaves at %i %% go in the batches %j, after the master", (slaveCount, percent, batches) => {
        expect(rolloutBatches(slaveCount, percent)).toEqual(batches);
    });

    test("a batch is at most the share, rounded down, and at least one slave", () => {
        expect(rolloutBatchSize(3, 50)).toBe(1);
        expect(rolloutBatchSize(100, 1)).toBe(1);
        expect(rolloutBatchSize(100, 25)).toBe(25);
        expect(rolloutBatchSize(7, 99)).toBe(6);
    });

    test("every slave is in exactly one batch, in index order, whatever the count and share", () => {
        for (let slaves = 0; slaves <= 100; slaves += 7) {
            for (const percent of [1, 10, 25, 33, 50, 100]) {
                const batches = rolloutBatches(slaves, percent);
                expect(batches.flat()).toEqual(Array.from({ length: slaves }, (_, i) => i));
                expect(batches.every((b) => b.length >= 1 && b.length <= rolloutBatchSize(slaves, percent))).toBe(true);
            }
        }
    });

    test("scaling out never moves a slave to another batch", () => {
        const batchOf = (slaves: number) => new Map(rolloutBatches(slaves, 100).flatMap((b, n) => b.map((i) => [i, n])));
        // With a fixed batch size (100 %: one batch), and with one that grows: earlier slaves keep theirs at 1 %.
        expect([...batchOf(4).entries()].every(([i, n]) => batchOf(5).get(i) === n)).toBe(true);
        const small = new Map(rolloutBatches(50, 1).flatMap((b, n) => b.map((i) => [i, n])));
        const large = new Map(rolloutBatches(60, 1).flatMap((b, n) => b.map((i) => [i, n])));
        expect([...small.entries()].every(([i, n]) => large.get(i) === n)).toBe(true);
    });
});

describe("the rollout's modelled duration", () => {
    const model = { slaveCount: 10, rolloutBatchPercent: 25, drainWaitSeconds: 330, stopSeconds: 317, healthySeconds: 60 };

    test("a restart drains, stops, starts and turns healthy at every step: the master and each batch", () => {
        // 10 slaves at 25 %: batches of 2, five of them, and the master.
        expect(rolloutSeconds(model, "restart")).toBe(6 * (330 + 317 + MODEL_START_SECONDS.restart + 60));
    });

    test("an upgrade boots each step's new nodes until healthy, and stops the old ones once, at the end", () => {
        expect(rolloutSeconds(model, "replace")).toBe(6 * (MODEL_START_SECONDS.replace + 60) + 330 + 317);
        expect(rolloutSeconds({ ...model, slaveCount: 0 }, "replace")).toBe(MODEL_START_SECONDS.replace + 60 + 330 + 317);
    });
});
