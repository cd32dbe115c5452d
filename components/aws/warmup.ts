// The warm-up `pulumi up` runs on the operator's machine after a node is registered with its
// target group (components/scripts/warmup.sh): it waits until the load balancer finds the node
// healthy, so that new weights (and the removal of the nodes it replaces) wait exactly as long
// as they must.
import { APP_PORT } from "../environment";
import { renderScript } from "../scripts/render";
import { StopBudget } from "../stopBudget";

/** Seconds between two looks at the target's health. */
export const WARMUP_POLL_SECONDS = 5;

/** Seconds between two progress lines of a long wait on the operator's machine, at most. */
export const PROGRESS_SECONDS = 30;

export interface WarmupOptions {
    /** At most this long. */
    nodeWarmup: number;
    /**
     * False for a slave whose cluster is set up by hand: it cannot turn healthy before the
     * operator has run the setup wizard, which a first `pulumi up` must not wait for.
     */
    mustTurnHealthy: boolean;
}

/**
 * The warm-up command: POSIX sh, reading NODE, TARGET_GROUP_ARN, INSTANCE_ID and the AWS CLI's
 * environment (localCommands.ts) from the command's environment.
 */
export function warmupScript(options: WarmupOptions): string {
    return renderScript("warmup.sh", {
        TIMEOUT_SECONDS: options.nodeWarmup,
        POLL_SECONDS: WARMUP_POLL_SECONDS,
        MUST_TURN_HEALTHY: String(options.mustTurnHealthy),
        PROGRESS_SECONDS,
        APP_PORT,
    });
}

/**
 * The drain, the warm-up's counterpart when a node leaves (components/scripts/drain.sh): POSIX
 * sh, reading NODE, TARGET_GROUP_ARN, INSTANCE_ID and the AWS CLI's environment from the command's
 * environment; it waits as long as the stop budget's drain, at most.
 */
export function drainScript(budget: Pick<StopBudget, "drainSeconds" | "drainWaitSeconds">): string {
    return renderScript("drain.sh", {
        DRAIN_SECONDS: budget.drainSeconds,
        WAIT_SECONDS: budget.drainWaitSeconds,
        POLL_SECONDS: WARMUP_POLL_SECONDS,
        PROGRESS_SECONDS,
        APP_PORT,
    });
}
