// The order in which the slaves are replaced (an upgrade) or restarted (a secret rotation),
// after the master: in batches of a share of them, so that at most that share is booting or
// out of its target group at a time. Both targets use it.

/** Slaves at a time: `percent` of them, rounded down, and at least one. */
export function rolloutBatchSize(slaveCount: number, percent: number): number {
    return Math.max(1, Math.floor((slaveCount * percent) / 100));
}

/**
 * The slaves' indexes, batch by batch: consecutive indexes, which spread a batch across the
 * zones as the nodes are (nodeSubnetIndex). A slave's batch depends on its index and the batch
 * size only, so scaling out adds to the last batch or starts a new one.
 */
export function rolloutBatches(slaveCount: number, percent: number): number[][] {
    const size = rolloutBatchSize(slaveCount, percent);
    return Array.from({ length: Math.ceil(slaveCount / size) }, (_, batch) =>
        Array.from({ length: Math.min(size, slaveCount - batch * size) }, (_, i) => batch * size + i),
    );
}
