// The local target: the same topology on one Docker engine. MySQL and Redis containers,
// the master and slaveCount slaves (same image pinning, environment and secrets as on AWS),
// and nginx in front with the guide's weights, published on 127.0.0.1:localPort.
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
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
import { GeneratedSecrets, SecretOutputs, secretOutputs } from "../secrets";
import { ListenerWeights, listenerWeights } from "../weights";
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

/**
 * The one-shot setup: waits for the master to answer, then completes New API's setup wizard
 * (POST /api/setup) unless it is done. POSIX sh and GNU wget, as the New API image has them.
 */
export function localSetupScript(masterHost: string, username: string): string {
    const status = `http://${masterHost}:${APP_PORT}/api/status`;
    return [
        "set -eu",
        "tries=0",
        `until status="$(wget -q -O - ${status})"; do`,
        "  tries=$((tries + 1))",
        `  [ "$tries" -lt 60 ] || { echo "new-api-setup: the master did not answer on ${status}" >&2; exit 1; }`,
        "  sleep 5",
        "done",
        'case "$status" in',
        `  *'${SETUP_DONE_MARKER}'*) echo "new-api-setup: already set up"; exit 0 ;;`,
        "esac",
        "umask 077",
        // The password comes from the environment and goes through a file, not the command line.
        "cat > /tmp/setup.json <<EOF",
        setupRequestBody(username, "${ADMIN_PASSWORD}"),
        "EOF",
        `response="$(wget -q -O - --header 'Content-Type: application/json' --post-file=/tmp/setup.json http://${masterHost}:${APP_PORT}/api/setup)"`,
        'case "$response" in',
        `  *'${SUCCESS_MARKER}'*) echo "new-api-setup: created the root user ${username}" ;;`,
        '  *) echo "new-api-setup: POST /api/setup failed: $response" >&2; exit 1 ;;',
        "esac",
    ].join("\n");
}

export class LocalCluster extends pulumi.ComponentResource {
    readonly url: string;
    readonly listenerWeights: ListenerWeights;
    readonly masterContainer: string;
    readonly slaveContainers: string[];
    readonly adminUsername: string;
    readonly adminPassword: pulumi.Output<string>;
    /** Each of these is a Pulumi secret. */
    readonly secrets: SecretOutputs;

    constructor(name: string, args: LocalClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("new-api:docker:LocalCluster", name, {}, opts);
        const config = args.config;
        const parent = { parent: this };
        // The quick start sets itself up; the config layer already defaults adminUsername here.
        const adminUsername = config.adminUsername ?? LOCAL_ADMIN_USERNAME;
        const labels = [{ label: "new-api.cluster", value: config.clusterName }];

        const generated = new GeneratedSecrets(name, { adminPassword: true }, parent);
        const secrets = generated.values;
        const network = new docker.Network(name, { name, driver: "bridge", labels }, parent);
        const volume = (volumeName: string) => new docker.Volume(volumeName, { name: volumeName, labels }, parent).name;
        const pulled = memoize(
            (reference) =>
                new docker.RemoteImage(
                    `${name}-${reference.replace(/[^A-Za-z0-9.-]+/g, "-")}`,
                    { name: reference, keepLocally: true },
                    parent,
                ),
        );
        const image = (reference: string) => pulled(reference).imageId;
        const onNetwork = (alias: string) => [{ name: network.name, aliases: [alias] }];

        const mysql = new docker.Container(
            `${name}-mysql`,
            {
                name: `${name}-mysql`,
                image: image(config.local.mysqlImage),
                envs: secrets.dbPassword.apply((password) => [
                        `MYSQL_DATABASE=${DATABASE_NAME}`,
                        `MYSQL_USER=${DATABASE_USER}`,
                        `MYSQL_PASSWORD=${password}`,
                        "MYSQL_RANDOM_ROOT_PASSWORD=yes",
                    ]),
                // New API panics at start-up unless the database is utf8mb4.
                command: [
                    "--character-set-server=utf8mb4",
                    "--collation-server=utf8mb4_unicode_ci",
                    `--max-connections=${config.database.maxConnections}`,
                ],
                volumes: [{ volumeName: volume(`${name}-mysql`), containerPath: "/var/lib/mysql" }],
                // Over TCP: the entrypoint's first, socket-only server must not count as ready.
                healthcheck: {
                    tests: ["CMD-SHELL", "mysqladmin ping -h 127.0.0.1 --silent"],
                    interval: "5s",
                    timeout: "5s",
                    retries: 30,
                    startPeriod: "30s",
                },
                networksAdvanced: onNetwork(MYSQL_HOST),
                restart: "unless-stopped",
                wait: true,
                waitTimeout: WAIT_SECONDS,
                labels,
            },
            parent,
        );

        const redis = new docker.Container(
            `${name}-redis`,
            {
                name: `${name}-redis`,
                image: image(config.local.redisImage),
                command: ["redis-server", "/usr/local/etc/redis/redis.conf"],
                uploads: [
                    {
                        file: "/usr/local/etc/redis/redis.conf",
                        content: pulumi.interpolate`requirepass ${secrets.redisAuthToken}\nappendonly yes\n`,
                    },
                ],
                // redis-cli reads the password from REDISCLI_AUTH, not from its command line.
                envs: [pulumi.interpolate`REDISCLI_AUTH=${secrets.redisAuthToken}`],
                volumes: [{ volumeName: volume(`${name}-redis`), containerPath: "/data" }],
                healthcheck: { tests: ["CMD", "redis-cli", "ping"], interval: "5s", timeout: "5s", retries: 30 },
                networksAdvanced: onNetwork(REDIS_HOST),
                restart: "unless-stopped",
                wait: true,
                waitTimeout: WAIT_SECONDS,
                labels,
            },
            parent,
        );

        const endpoints: ServiceEndpoints = { databaseHost: MYSQL_HOST, redisHost: REDIS_HOST, redisTls: false };
        const createNode = (role: NodeRole, index: number, dependsOn: pulumi.Resource[]) => {
            const containerName = nodeName(config.clusterName, role, index);
            const environment = nodeEnvironment(role, containerName, config.node);
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
                    healthcheck: {
                        tests: ["CMD-SHELL", HEALTH_COMMAND],
                        interval: "10s",
                        timeout: "10s",
                        retries: 3,
                        startPeriod: "60s",
                    },
                    networksAdvanced: onNetwork(containerName),
                    restart: "unless-stopped",
                    wait: true,
                    waitTimeout: WAIT_SECONDS,
                    labels: [...labels, { label: "new-api.role", value: role }],
                },
                { parent: this, dependsOn },
            );
        };

        // As on AWS: the master first; slaves only once it is healthy and set up (New API #942).
        const master = createNode("master", 0, [mysql, redis]);
        const setup = new docker.Container(
            `${name}-setup`,
            {
                name: `${name}-setup`,
                image: image(config.image),
                entrypoints: ["/bin/sh", "-c"],
                command: [localSetupScript(nodeName(config.clusterName, "master"), adminUsername)],
                envs: [pulumi.interpolate`ADMIN_PASSWORD=${generated.adminPassword}`],
                networksAdvanced: [{ name: network.name }],
                // Runs once: `pulumi up` waits for it to exit and fails if it fails.
                attach: true,
                mustRun: false,
                restart: "no",
                logs: true,
                labels,
            },
            { parent: this, dependsOn: [master] },
        );
        const slaves = Array.from({ length: config.slaveCount }, (_, index) =>
            createNode("slave", index, [mysql, redis, master, setup]),
        );

        const nodes = [master, ...slaves];
        const nginxConfig = renderNginxConfig({
            listenPort: 80,
            upstreams: guideUpstreams(
                `${nodeName(config.clusterName, "master")}:${APP_PORT}`,
                slaves.map((_, i) => `${nodeName(config.clusterName, "slave", i)}:${APP_PORT}`),
                config.masterWeight,
                config.slaveWeight,
            ),
        });
        new docker.Container(
            `${name}-nginx`,
            {
                name: `${name}-nginx`,
                image: image(config.local.nginxImage),
                uploads: [{ file: "/etc/nginx/nginx.conf", content: nginxConfig }],
                ports: [{ internal: 80, external: config.local.port, ip: "127.0.0.1" }],
                networksAdvanced: onNetwork("nginx"),
                restart: "unless-stopped",
                // nginx resolves the nodes' names once, at start: a replaced node (new address)
                // must restart it, and a label that names every node container does.
                labels: [...labels, { label: "new-api.upstreams", value: pulumi.all(nodes.map((n) => n.id)).apply((ids) => ids.join(",")) }],
            },
            { parent: this, dependsOn: nodes },
        );

        this.url = `http://127.0.0.1:${config.local.port}`;
        this.listenerWeights = listenerWeights(config.masterWeight, config.slaveWeight, config.slaveCount);
        this.masterContainer = nodeName(config.clusterName, "master");
        this.slaveContainers = slaves.map((_, i) => nodeName(config.clusterName, "slave", i));
        this.adminUsername = adminUsername;
        this.adminPassword = generated.adminPassword as pulumi.Output<string>;
        this.secrets = secretOutputs(generated, endpoints);
        this.registerOutputs({ url: this.url });
    }
}
