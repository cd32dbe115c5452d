// The local target: the same topology on one Docker engine. MySQL and Redis containers,
// the master and slaveCount slaves (same image pinning, environment and secrets as on AWS),
// and nginx in front with the guide's weights, published on 127.0.0.1:localPort.
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { PASSWORD_CHANGE_REQUEST } from "../aws/rotation";
import { drainSeconds, loginRequest } from "../aws/userdata";
import { ClusterConfig, LOCAL_ADMIN_USERNAME } from "../config";
import {
    APP_PORT,
    DATABASE_NAME,
    DATABASE_USER,
    HEALTH_COMMAND,
    SETUP_DONE_MARKER,
    SUCCESS_MARKER,
    ServiceEndpoints,
    nodeEnvironment,
    secretEnvironment,
    setupRequestBody,
} from "../environment";
import { memoize } from "../memoize";
import { NodeRole, nodeName } from "../naming";
import { DeployedCluster, StackOutputs } from "../outputs";
import { SETUP_PASSWORD_PLACEHOLDER, ScriptParameters, renderScript } from "../scripts/render";
import { passwordArgs } from "../passwords";
import { GeneratedSecrets, secretOutputs, secretRotations } from "../secrets";
import { listenerWeights } from "../weights";
import { guideUpstreams, renderNginxConfig } from "./nginx";

export interface LocalClusterArgs {
    config: ClusterConfig;
}

/** Container env lists are NAME=value strings. */
export function envList(environment: Record<string, string>): string[] {
    return Object.entries(environment).map(([name, value]) => `${name}=${value}`);
}

/** How long `pulumi up` waits for a container to turn healthy. */
const WAIT_SECONDS = 300;
const MYSQL_HOST = "mysql";
const REDIS_HOST = "redis";
/** Docker's embedded DNS server, on every user-defined network. */
const DOCKER_DNS = "127.0.0.11";

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
function healthcheck(tests: string[], intervalSeconds: number, timeoutSeconds: number, retries: number, startPeriodSeconds = 0) {
    return {
        tests,
        interval: goDuration(intervalSeconds),
        timeout: goDuration(timeoutSeconds),
        retries,
        startPeriod: goDuration(startPeriodSeconds),
    };
}

/**
 * Redis's health check. redis-cli exits 0 on an error reply too (NOAUTH with a wrong or
 * missing password): only PONG proves the server answers this password.
 */
export const REDIS_HEALTH_COMMAND = "redis-cli ping | grep -q PONG";

/**
 * New API's stop signal: one it ignores (Go's default for SIGWINCH; it handles no signal
 * itself). New API does not flush its buffered quota updates on a signal, only every
 * BATCH_UPDATE_INTERVAL seconds: a stopping node keeps running for drainSeconds, as on AWS,
 * and only then is killed. On SIGTERM, Docker's default, it would exit at once and lose them.
 */
export const NODE_STOP_SIGNAL = "SIGWINCH";

/** MySQL's clean shutdown flushes InnoDB; killed, it crash-recovers at the next start. */
const MYSQL_STOP_SECONDS = 60;
/** Redis fsyncs its append-only file (and saves its snapshot) when it stops. */
const REDIS_STOP_SECONDS = 30;

/**
 * Bounds of the setup's wait for the master: 15 min, asking every 5 s, 10 s each at most; within
 * the provider's 20 min for creating a container (which waits for its end).
 */
const SETUP_ANSWER_SECONDS = 900;
const SETUP_POLL_SECONDS = 5;
const SETUP_REQUEST_SECONDS = 10;

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

export class LocalCluster extends pulumi.ComponentResource implements DeployedCluster {
    readonly stackOutputs: StackOutputs;

    constructor(name: string, args: LocalClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("new-api:docker:LocalCluster", name, {}, opts);
        const config = args.config;
        // Every name, of a resource in Pulumi and in AWS alike, comes from this one value.
        const clusterName = config.clusterName;
        const parent = { parent: this };
        // The quick start sets itself up; the config layer already defaults adminUsername here.
        const adminUsername = config.adminUsername ?? LOCAL_ADMIN_USERNAME;
        const labels = [{ label: "new-api.cluster", value: clusterName }];

        const generated = new GeneratedSecrets(
            clusterName,
            {
                adminPassword: true,
                carried: { sessionSecret: config.sessionSecret, cryptoSecret: config.cryptoSecret },
                rotations: secretRotations(config),
            },
            parent,
        );
        const secrets = generated.values;
        const network = new docker.Network(clusterName, { name: clusterName, driver: "bridge", labels }, parent);
        const volume = (volumeName: string) => new docker.Volume(volumeName, { name: volumeName, labels }, parent).name;
        const pulled = memoize(
            (reference) =>
                new docker.RemoteImage(
                    `${clusterName}-${reference.replace(/[^A-Za-z0-9.-]+/g, "-")}`,
                    { name: reference, keepLocally: true },
                    parent,
                ),
        );
        const image = (reference: string) => pulled(reference).imageId;
        const onNetwork = (alias: string) => [{ name: network.name, aliases: [alias] }];

        // MySQL's root, known to the stack: only root may give the app user a second password.
        const mysqlRootPassword = pulumi.secret(
            new random.RandomPassword(`${clusterName}-mysql-root-password`, passwordArgs("dbPassword"), parent).result,
        );
        const mysql = new docker.Container(
            `${clusterName}-mysql`,
            {
                name: `${clusterName}-mysql`,
                image: image(config.mysqlImage),
                envs: pulumi.all([secrets.dbPassword, mysqlRootPassword]).apply(([password, rootPassword]) => [
                        `MYSQL_DATABASE=${DATABASE_NAME}`,
                        `MYSQL_USER=${DATABASE_USER}`,
                        `MYSQL_PASSWORD=${password}`,
                        `MYSQL_ROOT_PASSWORD=${rootPassword}`,
                    ]),
                // New API panics at start-up unless the database is utf8mb4.
                command: [
                    "--character-set-server=utf8mb4",
                    "--collation-server=utf8mb4_unicode_ci",
                    `--max-connections=${config.dbMaxConnections}`,
                ],
                volumes: [{ volumeName: volume(`${clusterName}-mysql`), containerPath: "/var/lib/mysql" }],
                // Over TCP: the entrypoint's first, socket-only server must not count as ready.
                healthcheck: healthcheck(["CMD-SHELL", "mysqladmin ping -h 127.0.0.1 --silent"], 5, 5, 30, 30),
                networksAdvanced: onNetwork(MYSQL_HOST),
                restart: "unless-stopped",
                // On replace and destroy (destroyGraceSeconds), `docker stop` and Docker's own shutdown (stopTimeout).
                destroyGraceSeconds: MYSQL_STOP_SECONDS,
                stopTimeout: MYSQL_STOP_SECONDS,
                wait: true,
                waitTimeout: WAIT_SECONDS,
                labels,
            },
            // The image reads these only when it initializes an empty data volume: a change (a
            // rotated password) would only restart MySQL. The rotation steps below change the password.
            { parent: this, ignoreChanges: ["envs"] },
        );

        const redis = new docker.Container(
            `${clusterName}-redis`,
            {
                name: `${clusterName}-redis`,
                image: image(config.redisImage),
                command: ["redis-server", "/usr/local/etc/redis/redis.conf"],
                uploads: [
                    {
                        file: "/usr/local/etc/redis/redis.conf",
                        content: pulumi.interpolate`requirepass ${secrets.redisAuthToken}\nappendonly yes\n`,
                    },
                ],
                // redis-cli reads the password from REDISCLI_AUTH, not from its command line.
                envs: [pulumi.interpolate`REDISCLI_AUTH=${secrets.redisAuthToken}`],
                volumes: [{ volumeName: volume(`${clusterName}-redis`), containerPath: "/data" }],
                healthcheck: healthcheck(["CMD-SHELL", REDIS_HEALTH_COMMAND], 5, 5, 30),
                networksAdvanced: onNetwork(REDIS_HOST),
                restart: "unless-stopped",
                destroyGraceSeconds: REDIS_STOP_SECONDS,
                stopTimeout: REDIS_STOP_SECONDS,
                wait: true,
                waitTimeout: WAIT_SECONDS,
                labels,
            },
            parent,
        );

        const endpoints: ServiceEndpoints = { databaseHost: MYSQL_HOST, redisHost: REDIS_HOST, tls: false };
        // Between the stop signal and SIGKILL, on replace and destroy (destroyGraceSeconds), `docker
        // stop` and Docker's own shutdown (stopTimeout): one batch update interval and a margin.
        const stopSeconds = drainSeconds(config.batchUpdateInterval);
        const createNode = (role: NodeRole, index: number, dependsOn: pulumi.Input<pulumi.Resource[]>) => {
            const containerName = nodeName(clusterName, role, index);
            const environment = nodeEnvironment(role, containerName, config);
            return new docker.Container(
                containerName,
                {
                    name: containerName,
                    image: image(role === "master" ? config.image : config.slaveImage),
                    command: ["--log-dir", "/app/logs"],
                    envs: pulumi
                        .all(secrets)
                        .apply((values) => envList({ ...environment, ...secretEnvironment(values, endpoints) })),
                    volumes: [
                        { volumeName: volume(`${containerName}-data`), containerPath: "/data" },
                        { volumeName: volume(`${containerName}-logs`), containerPath: "/app/logs" },
                    ],
                    healthcheck: healthcheck(["CMD-SHELL", HEALTH_COMMAND], 10, 10, 3, 60),
                    networksAdvanced: onNetwork(containerName),
                    restart: "unless-stopped",
                    stopSignal: NODE_STOP_SIGNAL,
                    destroyGraceSeconds: stopSeconds,
                    stopTimeout: stopSeconds,
                    wait: true,
                    waitTimeout: WAIT_SECONDS,
                    labels: [...labels, { label: "new-api.role", value: role }],
                },
                { parent: this, dependsOn },
            );
        };

        /**
         * A container that runs `script` once (`shell`, sh unless said) and exits: `pulumi up`
         * waits for it (attach) and keeps its output (logs). The provider records its exit code
         * but does not fail on it: what this returns (the container, to depend on) fails the
         * update on a non-zero one.
         */
        const runOnce = (
            stepName: string,
            args: {
                image: string;
                script: string;
                shell?: string;
                envs: pulumi.Input<pulumi.Input<string>[]>;
                volumes?: docker.types.input.ContainerVolume[];
                after: pulumi.Input<pulumi.Resource[]>;
                failure: (code: number, logs: string, urn: string) => string | undefined;
            },
        ) => {
            const container = new docker.Container(
                stepName,
                {
                    name: stepName,
                    image: image(args.image),
                    entrypoints: [args.shell ?? "/bin/sh", "-c"],
                    command: [args.script],
                    envs: args.envs,
                    ...(args.volumes === undefined ? {} : { volumes: args.volumes }),
                    networksAdvanced: [{ name: network.name }],
                    attach: true,
                    mustRun: false,
                    restart: "no",
                    logs: true,
                    labels,
                },
                { parent: this, dependsOn: args.after },
            );
            return pulumi.all([container.exitCode, container.containerLogs, container.urn]).apply(([code, logs, urn]) => {
                const failure = args.failure(code, logs, urn);
                if (failure !== undefined) {
                    throw new pulumi.ResourceError(failure, container);
                }
                return [container];
            });
        };
        const dbPasswordStep = (step: DbPasswordStep, after: pulumi.Resource[], consequence: string) =>
            runOnce(`${clusterName}-db-password-${step}`, {
                image: config.mysqlImage,
                script: dbPasswordScript(step),
                envs: [
                    pulumi.interpolate`ROOT_PASSWORD=${mysqlRootPassword}`,
                    pulumi.interpolate`DB_PASSWORD=${secrets.dbPassword}`,
                    // A new generation is a new container: the step runs again.
                    `DB_PASSWORD_ROTATION=${config.dbPasswordRotation}`,
                ],
                after,
                failure: (code, logs, urn) =>
                    runOnceFailure(`the database password's ${step} step`, consequence, "it redoes nothing already done", code, logs, urn),
            });

        // A rotated database password: the app user takes it, keeping the current one, before any
        // node is replaced with it (their environment holds it); generation 0 has nothing to rotate.
        const rotatesDbPassword = config.dbPasswordRotation > 0;
        const dataTier: pulumi.Input<pulumi.Resource[]> = rotatesDbPassword
            ? dbPasswordStep("retain", [mysql, redis], "the update stops before the nodes, which keep the current password").apply((retain) => [mysql, redis, ...retain])
            : [mysql, redis];
        // As on AWS: the master first; slaves only once it is healthy and set up (New API #942).
        const master = createNode("master", 0, dataTier);
        const setupSucceeded = runOnce(`${clusterName}-setup`, {
            image: config.image,
            script: localSetupScript(nodeName(clusterName, "master"), adminUsername),
            envs: [pulumi.interpolate`ADMIN_PASSWORD=${generated.adminPassword}`],
            after: [master],
            failure: setupFailure,
        }).apply((setup) => [mysql, redis, master, ...setup]);
        // The root user's password: its copy kept after the setup, and changed when its generation is.
        runOnce(`${clusterName}-admin-password`, {
            image: config.image,
            script: localAdminPasswordScript(nodeName(clusterName, "master"), adminUsername),
            shell: "/bin/bash",
            envs: [
                pulumi.interpolate`ADMIN_PASSWORD=${generated.adminPassword}`,
                `ADMIN_PASSWORD_ROTATION=${config.adminPasswordRotation}`,
            ],
            volumes: [{ volumeName: volume(`${clusterName}-admin`), containerPath: LOCAL_ADMIN_COPY_FOLDER }],
            after: setupSucceeded,
            failure: (code, logs, urn) =>
                runOnceFailure("the admin password step", "the root user's password and its copy are unchanged", "it redoes nothing already done", code, logs, urn),
        });
        const slaves = Array.from({ length: config.slaveCount }, (_, index) => createNode("slave", index, setupSucceeded));

        const nodes = [master, ...slaves];
        // Every node runs with the new password now (Pulumi deleted each old one before its
        // replacement): the old one goes.
        if (rotatesDbPassword) {
            dbPasswordStep("discard", [mysql, ...nodes], "the old password still works beside the new one");
        }
        const nginxConfig = renderNginxConfig({
            listenPort: 80,
            resolver: DOCKER_DNS,
            upstreams: guideUpstreams(
                `${nodeName(clusterName, "master")}:${APP_PORT}`,
                slaves.map((_, i) => `${nodeName(clusterName, "slave", i)}:${APP_PORT}`),
                config.masterWeight,
                config.slaveWeight,
            ),
        });
        new docker.Container(
            `${clusterName}-nginx`,
            {
                name: `${clusterName}-nginx`,
                image: image(config.nginxImage),
                uploads: [{ file: "/etc/nginx/nginx.conf", content: nginxConfig }],
                ports: [{ internal: 80, external: config.localPort, ip: "127.0.0.1" }],
                networksAdvanced: onNetwork("nginx"),
                restart: "unless-stopped",
                // A label that names every node container replaces nginx with any node: Pulumi
                // deletes nginx first, so the replaced node drains (stopSeconds) without
                // new requests.
                labels: [...labels, { label: "new-api.upstreams", value: pulumi.all(nodes.map((n) => n.id)).apply((ids) => ids.join(",")) }],
            },
            { parent: this, dependsOn: nodes },
        );

        const url = `http://127.0.0.1:${config.localPort}`;
        this.stackOutputs = {
            target: "docker",
            url,
            listenerWeights: listenerWeights(config.masterWeight, config.slaveWeight, config.slaveCount),
            masterContainer: nodeName(clusterName, "master"),
            slaveContainers: slaves.map((_, i) => nodeName(clusterName, "slave", i)),
            mysqlRootPassword,
            ...secretOutputs(generated, endpoints),
            adminUsername,
            adminPassword: generated.adminPassword,
        };
        this.registerOutputs({ url });
    }
}
