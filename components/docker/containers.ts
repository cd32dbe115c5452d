// The local (docker) target's decisions, pure and without the Pulumi SDK: health checks and
// the durations Docker reads back, the run-once steps' scripts (setup, admin password, database
// password) and how their failures read. cluster.ts wires them into containers.
import { APP_PORT, DATABASE_USER, SETUP_DONE_MARKER, SUCCESS_MARKER, setupRequestBody } from "../environment";
import { PASSWORD_CHANGE_REQUEST, SETUP_ANSWER_SECONDS, SETUP_POLL_SECONDS, SETUP_REQUEST_SECONDS, loginRequest } from "../nodeContract";
import { SETUP_PASSWORD_PLACEHOLDER, ScriptParameters, renderScript } from "../scripts/render";
import { StopBudget } from "../stopBudget";
import { CacheEngine } from "../versions";

/** Container env lists are NAME=value strings. */
export function envList(environment: Record<string, string>): string[] {
    return Object.entries(environment).map(([name, value]) => `${name}=${value}`);
}

/** How long `pulumi up` waits for a container to turn healthy. */
export const WAIT_SECONDS = 300;
export const MYSQL_HOST = "mysql";
export const REDIS_HOST = "redis";
/** Docker's embedded DNS server, on every user-defined network. */
export const DOCKER_DNS = "127.0.0.11";

/**
 * Go's time.Duration String() of whole seconds ("5s", "1m0s", "1h0m0s"): the form the Docker
 * provider reads health check durations back in. Written any other way ("60s"), every
 * `pulumi up` shows an update on the container.
 */
export function goDuration(seconds: number): string {
    if (!Number.isInteger(seconds) || seconds < 0) {
        throw new Error(`not a whole, non-negative number of seconds: ${seconds}`);
    }
    const hours = Math.floor(seconds / 3600);
    const minutes = Math.floor((seconds % 3600) / 60);
    const rest = seconds % 60;
    return hours > 0 ? `${hours}h${minutes}m${rest}s` : minutes > 0 ? `${minutes}m${rest}s` : `${rest}s`;
}

/** A container health check, its durations in seconds. */
export function healthcheck(tests: string[], intervalSeconds: number, timeoutSeconds: number, retries: number, startPeriodSeconds = 0) {
    return {
        tests,
        interval: goDuration(intervalSeconds),
        timeout: goDuration(timeoutSeconds),
        retries,
        startPeriod: goDuration(startPeriodSeconds),
    };
}

/**
 * The cache's health check: its engine's CLI (valkey-cli, redis-cli), which takes the password
 * from REDISCLI_AUTH (valkey-cli too: its only name before Valkey 9.0, a kept fallback since).
 * The CLI exits 0 on an error reply too (NOAUTH with a wrong or missing password): only PONG
 * proves the server answers this password.
 */
export function cacheHealthCommand(engine: CacheEngine): string {
    return `${engine}-cli ping | grep -q PONG`;
}

/** The cache's server command and its config file, by engine: each image names its binaries after its engine. */
export function cacheServer(engine: CacheEngine): { command: string[]; configFile: string } {
    const configFile = `/usr/local/etc/${engine}/${engine}.conf`;
    return { command: [`${engine}-server`, configFile], configFile };
}

/** Where the image has New API's binary (its entrypoint). */
export const NEW_API_BINARY = "/new-api";

/** The parameters of local-node.sh (components/scripts), the shell New API runs under on the local target. */
export function localNodeParameters(stop: StopBudget, binary = NEW_API_BINARY): ScriptParameters {
    return { QUOTA_FLUSH_SECONDS: stop.quotaFlushSeconds, NEW_API: binary };
}

/**
 * A node container's entrypoint: the script, then `sh -c`'s $0; New API's own arguments follow
 * as the container's command.
 */
export function localNodeEntrypoint(stop: StopBudget): string[] {
    return ["/bin/sh", "-c", renderScript("local-node.sh", localNodeParameters(stop)), "new-api"];
}

/**
 * Docker's own copy of a container's output (`docker logs`), bounded: its "local" driver, 5
 * files of 20 MB at most (the driver's defaults, written out). Docker's default json-file
 * driver keeps everything, and New API's logs grow with every request.
 */
export const LOCAL_LOG_DRIVER = { logDriver: "local", logOpts: { "max-size": "20m", "max-file": "5" } };

/** MySQL's clean shutdown flushes InnoDB; killed, it crash-recovers at the next start. */
export const MYSQL_STOP_SECONDS = 60;
/** The cache fsyncs its append-only file (and saves its snapshot) when it stops. */
export const REDIS_STOP_SECONDS = 30;

/** The parameters of local-setup.sh (components/scripts). */
export function localSetupParameters(masterHost: string, username: string): ScriptParameters {
    return {
        STATUS_URL: `http://${masterHost}:${APP_PORT}/api/status`,
        SETUP_URL: `http://${masterHost}:${APP_PORT}/api/setup`,
        ADMIN_USERNAME: username,
        SETUP_REQUEST: setupRequestBody(username, SETUP_PASSWORD_PLACEHOLDER),
        ANSWER_SECONDS: SETUP_ANSWER_SECONDS,
        POLL_SECONDS: SETUP_POLL_SECONDS,
        REQUEST_SECONDS: SETUP_REQUEST_SECONDS,
        SETUP_DONE_MARKER,
        SUCCESS_MARKER,
    };
}

/**
 * The one-shot setup: waits for the master to answer, then completes New API's setup wizard
 * unless it is done. Reads ADMIN_PASSWORD from its environment.
 */
export function localSetupScript(masterHost: string, username: string): string {
    return renderScript("local-setup.sh", localSetupParameters(masterHost, username));
}

/**
 * Why a run-once container (`what`) failed, from what Docker reports once it has exited (its
 * exit code and logs), or undefined if it succeeded. The provider waits for it (attach) but
 * ignores its exit code; this makes the update fail instead, saying what that leaves undone
 * (`consequence`) and why running it again is safe (`again`).
 */
export function runOnceFailure(what: string, consequence: string, again: string, exitCode: number, logs: string, urn: string): string | undefined {
    if (exitCode === 0) {
        return undefined;
    }
    return [
        `${what} exited with code ${exitCode}; ${consequence}. Its output:`,
        logs.trim() === "" ? "(none)" : logs.trimEnd(),
        // Its state keeps the exit code: only a new container runs it again.
        `Once the cause is fixed, run it again (${again}): pulumi up --replace '${urn}'`,
    ].join("\n");
}

/** Why the setup container failed (runOnceFailure), or undefined if it succeeded. */
export function setupFailure(exitCode: number, logs: string, urn: string): string | undefined {
    return runOnceFailure("the setup container", "the update stops before the slaves", "it does nothing if the setup is done", exitCode, logs, urn);
}

/** Where the admin password step keeps its copy of the root user's password: a volume of its own. */
export const LOCAL_ADMIN_COPY_FOLDER = "/admin";

/** How long the admin password step waits for the master (healthy and set up by then: it should answer at once). */
export const LOCAL_ADMIN_ANSWER_SECONDS = 60;

/**
 * The admin password step (components/scripts/local-admin-password.sh), bash in a run-once
 * container of the New API image: keeps a copy of the root user's password and changes the
 * password to ADMIN_PASSWORD (its environment) when it is new, logged in with the copy.
 */
export function localAdminPasswordScript(masterHost: string, username: string): string {
    return renderScript("local-admin-password.sh", {
        ADMIN_USERNAME: username,
        ADMIN_PASSWORD_COPY: `${LOCAL_ADMIN_COPY_FOLDER}/admin-password`,
        API_URL: `http://${masterHost}:${APP_PORT}`,
        LOGIN_REQUEST: loginRequest(username),
        PASSWORD_CHANGE_REQUEST,
        SUCCESS_MARKER,
        ANSWER_SECONDS: LOCAL_ADMIN_ANSWER_SECONDS,
        POLL_SECONDS: SETUP_POLL_SECONDS,
    });
}

/** How long a database password step waits for MySQL to answer (it is running and healthy: it should at once). */
export const DB_ANSWER_SECONDS = 60;

/** The two steps of a database password rotation (db-password.sh): before the nodes are replaced, and after. */
export type DbPasswordStep = "retain" | "discard";

/**
 * A database password step (components/scripts/db-password.sh), POSIX sh in a run-once
 * container of the MySQL image. Reads ROOT_PASSWORD and DB_PASSWORD from its environment.
 */
export function dbPasswordScript(step: DbPasswordStep): string {
    return renderScript("db-password.sh", {
        STEP: step,
        MYSQL_HOST,
        DATABASE_USER,
        ANSWER_SECONDS: DB_ANSWER_SECONDS,
        POLL_SECONDS: SETUP_POLL_SECONDS,
    });
}
