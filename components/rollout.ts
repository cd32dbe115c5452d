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

/**
 * The model's assumptions, not measurements (nothing in this repository runs on AWS): how long
 * a new node takes from launch until New API answers (Docker's install and the image's pull:
 * docs/operations.md, 3-5 minutes), and a restarted container (secrets from SSM, New API's start).
 */
export const MODEL_START_SECONDS = { replace: 240, restart: 30 };

export interface RolloutModel {
    slaveCount: number;
    rolloutBatchPercent: number;
    /** The drain's wait and the node's stop (stopBudget.ts). */
    drainWaitSeconds: number;
    stopSeconds: number;
    /** From answering to healthy in its target group: the load balancer's healthy threshold x interval. */
    healthySeconds: number;
}

/**
 * The longest a rollout takes, step by step: the master, then each batch of slaves. A restart
 * (secret rotation) drains, stops, starts and turns healthy at every step. An upgrade replaces
 * the nodes: each step boots new nodes until healthy, and the old ones are drained and stopped
 * together at the end of the update.
 */
export function rolloutSeconds(model: RolloutModel, kind: "replace" | "restart"): number {
    const steps = 1 + rolloutBatches(model.slaveCount, model.rolloutBatchPercent).length;
    const leave = model.drainWaitSeconds + model.stopSeconds;
    const arrive = MODEL_START_SECONDS[kind] + model.healthySeconds;
    return kind === "restart" ? steps * (leave + arrive) : steps * arrive + leave;
}
