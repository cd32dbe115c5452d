// The scripts of secret rotation on AWS and their timing, rendered from components/scripts/
// (restart, Redis token SET, admin password): pure, without the Pulumi SDK. The steps that run
// them are wired in rotation.ts.
import { APP_PORT } from "../environment";
import { PASSWORD_CHANGE_REQUEST } from "../nodeContract";
import { renderScript } from "../scripts/render";
import { StopSettings, stopBudget } from "../stopBudget";
import { UNIT_PATH, adminSessionParameters } from "./userdata";
import { PROGRESS_SECONDS } from "./warmup";

/** Seconds between two looks at a target, a Run Command invocation or the replication group. */
export const ROTATION_POLL_SECONDS = 5;

/** How long the SET step waits for ElastiCache to drop the old token (the provider allows 40 min for an update). */
export const TOKEN_SET_TIMEOUT_SECONDS = 1800;

const UNIT_NAME = UNIT_PATH.slice(UNIT_PATH.lastIndexOf("/") + 1);

/**
 * The most one node's restart may take: its drain, its stop (stopBudget.ts) and its warm-up.
 * Past it the restart step fails naming the node.
 */
export function restartTimeoutSeconds(settings: StopSettings & { nodeWarmup: number }): number {
    const stop = stopBudget(settings);
    return stop.drainWaitSeconds + stop.systemdStopSeconds + settings.nodeWarmup;
}

/** What a node's restart step does on creation: a new node reads the current secrets at boot. */
export const NOTHING_TO_RESTART = 'echo "new-api-cluster: $NODE reads its secrets when it starts; nothing to restart"';

/** What the SET step does on creation: a new replication group has only the token it was created with. */
export const NOTHING_TO_SET = 'echo "new-api-cluster: the Redis AUTH token has not been rotated; nothing to set"';

/**
 * A node's restart step (components/scripts/restart.sh), POSIX sh on the operator's machine:
 * takes the node out of its target group (a healthy node of the other group standing in when
 * it is its group's only one), restarts New API through SSM Run Command so that it reads the
 * rotated secrets, and brings it back healthy, all within timeoutSeconds. Reads NODE,
 * INSTANCE_ID, TARGET_GROUP_ARN, OTHER_TARGET_GROUP_ARN and the AWS CLI's environment (localCommands.ts) from its own.
 */
export function restartScript(timeoutSeconds: number): string {
    return renderScript("restart.sh", { TIMEOUT_SECONDS: timeoutSeconds, POLL_SECONDS: ROTATION_POLL_SECONDS, PROGRESS_SECONDS, APP_PORT, UNIT_NAME });
}

/**
 * The SET step (components/scripts/token-set.sh), POSIX sh on the operator's machine, once
 * every node has restarted: only the new Redis AUTH token ($AUTH_TOKEN) is accepted after it.
 * Reads REPLICATION_GROUP_ID, AUTH_TOKEN and the AWS CLI's environment (localCommands.ts) from its own.
 */
export function tokenSetScript(timeoutSeconds: number): string {
    return renderScript("token-set.sh", { TIMEOUT_SECONDS: timeoutSeconds, POLL_SECONDS: ROTATION_POLL_SECONDS, PROGRESS_SECONDS });
}

/** What the master's admin password step does on creation: a new master keeps the password it sets up with. */
export const NOTHING_TO_CHANGE = 'echo "new-api-cluster: the admin password has not been rotated; nothing to change"';

/** How long the master's admin-password.sh waits for New API to answer (it is not restarted: it should at once). */
export const ADMIN_ANSWER_SECONDS = 60;

/** How long the admin password step waits for the master's script, its wait for New API included. */
export const ADMIN_ROTATE_TIMEOUT_SECONDS = 300;

/** The root user's password on the master: its username and SSM parameter, and its generation (adminPasswordRotation). */
export interface AdminPasswordRotation {
    username: string;
    passwordParameter: string;
    generation: number;
}

/**
 * The master's script (components/scripts/admin-password.sh), bash run as root through SSM
 * Run Command: changes the root user's password to the one in SSM, logged in with its copy.
 */
export function adminPasswordScript(region: string, admin: AdminPasswordRotation): string {
    return renderScript("admin-password.sh", {
        ...adminSessionParameters(region, admin),
        PASSWORD_CHANGE_REQUEST,
        ANSWER_SECONDS: ADMIN_ANSWER_SECONDS,
        POLL_SECONDS: ROTATION_POLL_SECONDS,
    });
}

/**
 * The admin password step (components/scripts/admin-rotate.sh), POSIX sh on the operator's
 * machine: runs MASTER_SCRIPT (adminPasswordScript, base64) on INSTANCE_ID and waits for it.
 */
export function adminRotateScript(): string {
    return renderScript("admin-rotate.sh", { TIMEOUT_SECONDS: ADMIN_ROTATE_TIMEOUT_SECONDS, POLL_SECONDS: ROTATION_POLL_SECONDS, PROGRESS_SECONDS });
}
