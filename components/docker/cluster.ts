// The local target: the same topology on one Docker engine. MySQL and cache (Valkey) containers,
// the master and slaveCount slaves (same image pinning, environment and secrets as on AWS),
// and nginx in front with the guide's weights, published on 127.0.0.1:localPort.
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ClusterConfig, LOCAL_ADMIN_USERNAME } from "../config";
import {
    APP_PORT,
    DATABASE_NAME,
    DATABASE_USER,
    HEALTH_COMMAND,
    ServiceEndpoints,
    nodeEnvironment,
    secretEnvironment,
} from "../environment";
import { memoize } from "../memoize";
import { NodeRole, nodeName } from "../naming";
import { DeployedCluster, StackOutputs } from "../outputs";
import { passwordArgs } from "../passwords";
import { rolloutBatches } from "../rollout";
import { GeneratedSecrets, secretOutputs, secretRotations } from "../secrets";
import { stopBudget } from "../stopBudget";
import { listenerWeights } from "../weights";
import {
    DOCKER_DNS,
    DbPasswordStep,
    LOCAL_ADMIN_COPY_FOLDER,
    LOCAL_LOG_DRIVER,
    MYSQL_HOST,
    MYSQL_STOP_SECONDS,
    REDIS_HOST,
    REDIS_STOP_SECONDS,
    WAIT_SECONDS,
    cacheHealthCommand,
    cacheServer,
    dbPasswordScript,
    envList,
    healthcheck,
    localAdminPasswordScript,
    localNodeEntrypoint,
    localSetupScript,
    runOnceFailure,
    setupFailure,
} from "./containers";
import { guideUpstreams, renderNginxConfig } from "./nginx";

export interface LocalClusterArgs {
    config: ClusterConfig;
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

        // The cache keeps its names from when it ran Redis: the volume, and the data in it, stay.
        const server = cacheServer(config.cacheEngine);
        const redis = new docker.Container(
            `${clusterName}-redis`,
            {
                name: `${clusterName}-redis`,
                image: image(config.cacheImage),
                command: server.command,
                uploads: [
                    {
                        file: server.configFile,
                        content: pulumi.interpolate`requirepass ${secrets.redisAuthToken}\nappendonly yes\n`,
                    },
                ],
                // The CLI reads the password from REDISCLI_AUTH, not from its command line.
                envs: [pulumi.interpolate`REDISCLI_AUTH=${secrets.redisAuthToken}`],
                volumes: [{ volumeName: volume(`${clusterName}-redis`), containerPath: "/data" }],
                healthcheck: healthcheck(["CMD-SHELL", cacheHealthCommand(config.cacheEngine)], 5, 5, 30),
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
        // nginx is removed before a node it sends to is stopped (its label below), so there is no
        // drain: on replace and destroy (destroyGraceSeconds), `docker stop` and Docker's own
        // shutdown (stopTimeout), the node gets the rest of the stop budget.
        const stop = stopBudget({ ...config, deregistrationDelay: 0 });
        // New API trusts X-Forwarded-For only from the cluster's network, where nginx is.
        const frontDoor = network.ipamConfigs.apply((configs) => ({
            trustedProxies: (configs ?? []).flatMap((c) => (c.subnet === undefined ? [] : [c.subnet])),
            httpsOrigins: [],
        }));
        const createNode = (role: NodeRole, index: number, dependsOn: pulumi.Input<pulumi.Input<pulumi.Resource>[]>) => {
            const containerName = nodeName(clusterName, role, index);
            return new docker.Container(
                containerName,
                {
                    name: containerName,
                    image: image(role === "master" ? config.image : config.slaveImage),
                    entrypoints: localNodeEntrypoint(stop),
                    // No log files (New API never deletes them): its stdout is Docker's log, bounded.
                    command: ["--log-dir="],
                    envs: pulumi
                        .all([secrets, frontDoor])
                        .apply(([values, door]) =>
                            envList({ ...nodeEnvironment(role, containerName, config, door), ...secretEnvironment(values, endpoints) }),
                        ),
                    volumes: [{ volumeName: volume(`${containerName}-data`), containerPath: "/data" }],
                    healthcheck: healthcheck(["CMD-SHELL", HEALTH_COMMAND], 10, 10, 3, 60),
                    networksAdvanced: onNetwork(containerName),
                    restart: "unless-stopped",
                    destroyGraceSeconds: stop.stopSeconds,
                    stopTimeout: stop.stopSeconds,
                    ...LOCAL_LOG_DRIVER,
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
        // Then the slaves, a batch at a time, each once the one before it is healthy (as on AWS).
        const slaves: docker.Container[] = [];
        let previous: pulumi.Input<pulumi.Input<pulumi.Resource>[]> = setupSucceeded;
        for (const batch of rolloutBatches(config.slaveCount, config.rolloutBatchPercent)) {
            const created = batch.map((index) => createNode("slave", index, previous));
            slaves.push(...created);
            previous = created;
        }

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
