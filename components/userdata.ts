// Rendering of a node's cloud-config. EC2 shows userData in clear text, so it carries only
// SSM parameter names, never a secret: the start script reads the secrets at every start.
import * as YAML from "yaml";
import { APP_PORT, redisConnectionString, sqlDsn } from "./environment";
import { NodeRole, SECRET_PARAMETERS, SecretName } from "./naming";

export interface NodeBootSpec {
    role: NodeRole;
    nodeName: string;
    image: string;
    region: string;
    /** The non-secret environment (see nodeEnvironment). */
    environment: Record<string, string>;
    /** SSM parameter names of the cluster's secrets. */
    secretParameters: Record<SecretName, string>;
    databaseHost: string;
    redisHost: string;
    /** BATCH_UPDATE_INTERVAL: how long buffered quota updates may wait before they are written. */
    batchUpdateInterval: number;
}

export const CONTAINER_NAME = "new-api";
export const ENV_DIR = "/etc/new-api";
export const START_SCRIPT = "/usr/local/sbin/new-api-start";
export const STOP_SCRIPT = "/usr/local/sbin/new-api-stop";
export const UNIT_PATH = "/etc/systemd/system/new-api.service";
const DATA_DIR = "/var/lib/new-api/data";
const LOG_DIR = "/var/log/new-api";

/** Single-quotes a value for bash. */
export function shellQuote(value: string): string {
    return `'${value.replace(/'/g, `'\\''`)}'`;
}

function assertHostname(what: string, host: string): void {
    if (!/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(host)) {
        throw new Error(`${what} ${JSON.stringify(host)} is not a host name`);
    }
}

/** Shell variable that holds a secret while the start script runs. */
function secretVariable(secret: SecretName): string {
    return SECRET_PARAMETERS[secret].replace(/-/g, "_");
}

/** The env file lines (name, shell expression) the start script writes from the secrets. */
function secretEnvironmentLines(spec: NodeBootSpec): [string, string][] {
    const v = (secret: SecretName) => `\${${secretVariable(secret)}}`;
    return [
        ["SESSION_SECRET", v("sessionSecret")],
        ["CRYPTO_SECRET", v("cryptoSecret")],
        ["SQL_DSN", sqlDsn(v("dbPassword"), spec.databaseHost)],
        ["REDIS_CONN_STRING", redisConnectionString(v("redisAuthToken"), spec.redisHost)],
    ];
}

/** The script systemd runs: secrets from SSM into a root-only env file, then the container. */
export function renderStartScript(spec: NodeBootSpec): string {
    assertHostname("database host", spec.databaseHost);
    assertHostname("redis host", spec.redisHost);
    const secrets = Object.keys(SECRET_PARAMETERS) as SecretName[];
    const healthCommand = `wget -q -O - http://127.0.0.1:${APP_PORT}/api/status | grep -q '"success":true'`;
    return [
        "#!/bin/bash",
        "# Reads the cluster's secrets from SSM Parameter Store into a root-only env file,",
        "# then runs the pinned New API image in the foreground for systemd.",
        "set -euo pipefail",
        "umask 077",
        "",
        `region=${shellQuote(spec.region)}`,
        `image=${shellQuote(spec.image)}`,
        "",
        "# The instance profile's credentials can take a moment to appear after boot.",
        "read_parameter() {",
        "  local attempt",
        "  for attempt in 1 2 3 4 5 6; do",
        '    if aws ssm get-parameter --region "$region" --with-decryption --name "$1" \\',
        "        --query Parameter.Value --output text; then",
        "      return 0",
        "    fi",
        '    echo "new-api: reading $1 from SSM failed (attempt $attempt)" >&2',
        "    sleep $((attempt * 5))",
        "  done",
        "  return 1",
        "}",
        "",
        ...secrets.map(
            (secret) => `${secretVariable(secret)}="$(read_parameter ${shellQuote(spec.secretParameters[secret])})"`,
        ),
        "",
        `secrets_file=${ENV_DIR}/secrets.env`,
        'tmp_file="$(mktemp "${secrets_file}.XXXXXX")"',
        "{",
        ...secretEnvironmentLines(spec).map(([name, expression]) => `  printf '%s\\n' "${name}=${expression}"`),
        '} > "$tmp_file"',
        'mv -f "$tmp_file" "$secrets_file"',
        "",
        'docker pull "$image"',
        `docker rm -f ${CONTAINER_NAME} >/dev/null 2>&1 || true`,
        `exec docker run --rm --name ${CONTAINER_NAME} \\`,
        `  --env-file ${ENV_DIR}/node.env --env-file "$secrets_file" \\`,
        `  -p ${APP_PORT}:${APP_PORT} \\`,
        `  -v ${DATA_DIR}:/data -v ${LOG_DIR}:/app/logs \\`,
        `  --health-cmd ${shellQuote(healthCommand)} \\`,
        "  --health-interval 30s --health-timeout 10s --health-retries 3 --health-start-period 60s \\",
        "  --log-opt max-size=50m --log-opt max-file=5 \\",
        '  "$image" --log-dir /app/logs',
        "",
    ].join("\n");
}

/** Seconds the stop script waits before stopping the container (see renderStopScript). */
export function drainSeconds(batchUpdateInterval: number): number {
    return batchUpdateInterval + 2;
}

/**
 * New API does not flush its buffered quota updates on SIGTERM; its batch updater writes
 * them every BATCH_UPDATE_INTERVAL seconds. By the time systemd stops the service on a
 * replaced node, the ALB has drained it, so one interval more lets the last batch land.
 */
export function renderStopScript(spec: NodeBootSpec): string {
    return [
        "#!/bin/bash",
        "# Lets New API write its last buffered quota updates before its container stops:",
        "# it does not flush them on SIGTERM, only every BATCH_UPDATE_INTERVAL seconds.",
        "set -euo pipefail",
        `sleep ${drainSeconds(spec.batchUpdateInterval)}`,
        `docker stop --time 10 ${CONTAINER_NAME} || true`,
        "",
    ].join("\n");
}

export function renderUnit(spec: NodeBootSpec): string {
    return [
        "[Unit]",
        `Description=New API ${spec.role} node ${spec.nodeName}`,
        "Wants=network-online.target",
        "After=network-online.target docker.service",
        "Requires=docker.service",
        "",
        "[Service]",
        "Type=simple",
        `ExecStart=${START_SCRIPT}`,
        `ExecStop=${STOP_SCRIPT}`,
        "Restart=always",
        "RestartSec=10",
        // The first start pulls the image; don't let systemd give up on a slow registry.
        "TimeoutStartSec=15min",
        `TimeoutStopSec=${drainSeconds(spec.batchUpdateInterval) + 30}`,
        "",
        "[Install]",
        "WantedBy=multi-user.target",
        "",
    ].join("\n");
}

/** The env file of the non-secret environment, one NAME=value a line as docker --env-file reads it. */
export function renderEnvFile(environment: Record<string, string>): string {
    return Object.entries(environment)
        .map(([name, value]) => {
            if (/[\r\n]/.test(value)) {
                throw new Error(`environment variable ${name} has a line break`);
            }
            return `${name}=${value}\n`;
        })
        .join("");
}

/** The whole cloud-config given to the instance as userData. */
export function renderNodeUserData(spec: NodeBootSpec): string {
    const document = {
        packages: ["docker"],
        write_files: [
            { path: `${ENV_DIR}/node.env`, owner: "root:root", permissions: "0600", content: renderEnvFile(spec.environment) },
            { path: START_SCRIPT, owner: "root:root", permissions: "0700", content: renderStartScript(spec) },
            { path: STOP_SCRIPT, owner: "root:root", permissions: "0700", content: renderStopScript(spec) },
            { path: UNIT_PATH, owner: "root:root", permissions: "0644", content: renderUnit(spec) },
        ],
        runcmd: [
            ["systemctl", "daemon-reload"],
            ["systemctl", "enable", "--now", "docker.service"],
            ["systemctl", "enable", "--now", "new-api.service"],
        ],
    };
    return `#cloud-config\n${YAML.stringify(document, { lineWidth: 0 })}`;
}
