// How long a node's stop may take, decided once for both targets. A stop goes in this order:
// the load balancer drains the node (AWS: deregistrationDelay; docker: nginx is removed
// first), the node waits one more batch interval so that New API's buffered quota updates are
// written (it does not flush them on SIGTERM), then New API gets SIGTERM and lets requests in
// flight finish for up to SHUTDOWN_TIMEOUT_SECONDS, and only after that is it killed.
// `docker stop --time`, systemd's TimeoutStopSec, the docker target's stop timeout, the drain
// and the restart steps' deadlines all come from here.

/** Between two writes of the quota buffer and the signal: the batch updater's tick may lag a little. */
export const QUOTA_FLUSH_MARGIN_SECONDS = 2;
/** Between the end of New API's own window and SIGKILL: its last write (the quota dashboard) and exit. */
export const KILL_MARGIN_SECONDS = 10;
/** systemd's TimeoutStopSec over the stop script's own bound: the Docker CLI and the unit's teardown. */
export const SYSTEMD_STOP_MARGIN_SECONDS = 30;
/** The drain's wait over deregistrationDelay: ELB reports `unused` a little after the delay ends. */
export const DRAIN_MARGIN_SECONDS = 30;

export interface StopSettings {
    /** BATCH_UPDATE_INTERVAL: how long buffered quota updates may wait before they are written. */
    batchUpdateInterval: number;
    /** SHUTDOWN_TIMEOUT_SECONDS: New API's graceful window for requests in flight. */
    shutdownTimeout: number;
    /** The load balancer's drain of a leaving node (AWS); the docker target has none (0). */
    deregistrationDelay: number;
}

export interface StopBudget {
    /** The load balancer's drain; the drain step waits at most drainWaitSeconds for it. */
    drainSeconds: number;
    drainWaitSeconds: number;
    /** After the drain, before SIGTERM: one batch interval and a margin. */
    quotaFlushSeconds: number;
    /** New API's own window (SHUTDOWN_TIMEOUT_SECONDS). */
    shutdownSeconds: number;
    /** `docker stop --time`: SIGTERM to SIGKILL. */
    killAfterSeconds: number;
    /** The node's stop once drained: the flush wait, then SIGTERM to SIGKILL (the docker target's stop timeout). */
    stopSeconds: number;
    /** systemd's TimeoutStopSec for the unit whose ExecStop is the stop script. */
    systemdStopSeconds: number;
    /** The whole stop, drain included, at most. */
    totalSeconds: number;
}

export function stopBudget(settings: StopSettings): StopBudget {
    const quotaFlushSeconds = settings.batchUpdateInterval + QUOTA_FLUSH_MARGIN_SECONDS;
    const killAfterSeconds = settings.shutdownTimeout + KILL_MARGIN_SECONDS;
    const stopSeconds = quotaFlushSeconds + killAfterSeconds;
    return {
        drainSeconds: settings.deregistrationDelay,
        drainWaitSeconds: settings.deregistrationDelay + DRAIN_MARGIN_SECONDS,
        quotaFlushSeconds,
        shutdownSeconds: settings.shutdownTimeout,
        killAfterSeconds,
        stopSeconds,
        systemdStopSeconds: stopSeconds + SYSTEMD_STOP_MARGIN_SECONDS,
        totalSeconds: settings.deregistrationDelay + DRAIN_MARGIN_SECONDS + stopSeconds,
    };
}

/**
 * Why the load balancer's drain is too short for New API's window, or undefined. ELB completes
 * a deregistration when the delay ends (ALB User Guide, "Deregistration delay"), and the node
 * is stopped right after: a stream New API would still let finish must fit in the drain.
 */
export function drainProblem(deregistrationDelay: number, shutdownTimeout: number): string | undefined {
    return deregistrationDelay >= shutdownTimeout
        ? undefined
        : `is shorter than shutdownTimeout (${shutdownTimeout} s): the load balancer would cut off requests that New API still lets finish; ` +
              "raise deregistrationDelay, or lower shutdownTimeout";
}
