// Rendering of a node's cloud-config. EC2 shows userData in clear text, so it carries only
// SSM parameter names, never a secret: the start script reads the secrets at every start.
import * as YAML from "yaml";
import type { ClusterConfig } from "../config";
import {
    APP_PORT,
    HEALTH_COMMAND,
    MYSQL_PORT,
    SETUP_DONE_MARKER,
    SUCCESS_MARKER,
    nodeEnvironment,
    secretEnvironment,
    setupRequestBody,
} from "../environment";
import { ecrRegistry, imageDigest, pinnedImage } from "../images";
import {
    ADMIN_PASSWORD_PARAMETER,
    MASTER_ADDRESS_PARAMETER,
    NodeRole,
    SECRET_PARAMETERS,
    SecretName,
    clusterParameterName,
    logGroupName,
    nodeName,
    secretParameterName,
} from "../naming";

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
    /** The separate log database (LOG_SQL_DSN), when there is one. */
    logDatabaseHost?: string;
    /** The CloudWatch log group the container logs to, in a stream named after the node. */
    logGroup: string;
    /** BATCH_UPDATE_INTERVAL: how long buffered quota updates may wait before they are written. */
    batchUpdateInterval: number;
    /** Slaves: where to find the master, and how long to wait for its setup before starting anyway. */
    masterSetupWait?: { masterAddressParameter: string; timeoutSeconds: number };
    /** Master with automatic setup: the root user and the SSM parameter of its password. */
    adminSetup?: { username: string; passwordParameter: string };
}

/** What a node's userData needs that only exists once other resources do. */
export interface NodeBootPlacement {
    region: string;
    /** The pinned image of the node's role. */
    image: string;
    databaseHost: string;
    redisHost: string;
    logDatabaseHost?: string;
}

/** The boot spec of one node of the cluster: every node of a role differs only in its name. */
export function nodeBootSpec(config: ClusterConfig, role: NodeRole, index: number, placement: NodeBootPlacement): NodeBootSpec {
    const name = nodeName(config.clusterName, role, index);
    const secrets = Object.keys(SECRET_PARAMETERS) as SecretName[];
    return {
        ...placement,
        role,
        nodeName: name,
        environment: nodeEnvironment(role, name, config),
        secretParameters: Object.fromEntries(secrets.map((s) => [s, secretParameterName(config.clusterName, s)])) as Record<SecretName, string>,
        logGroup: logGroupName(config.clusterName),
        batchUpdateInterval: config.batchUpdateInterval,
        masterSetupWait:
            role === "slave"
                ? {
                      masterAddressParameter: clusterParameterName(config.clusterName, MASTER_ADDRESS_PARAMETER),
                      timeoutSeconds: config.slaveSetupTimeout,
                  }
                : undefined,
        adminSetup:
            role === "master" && config.adminUsername !== undefined
                ? { username: config.adminUsername, passwordParameter: clusterParameterName(config.clusterName, ADMIN_PASSWORD_PARAMETER) }
                : undefined,
    };
}

/** EC2 RunInstances: userData may hold at most 16 KB before base64 encoding. */
export const USER_DATA_MAX_BYTES = 16384;

/** A host name of DNS's maximum length (253), so that no real endpoint renders longer. */
const LONGEST_HOST = Array.from({ length: 4 }, () => "h".repeat(62)).join(".").slice(0, 253);

/**
 * The most bytes any node's userData can take for this config, whatever the endpoints, region
 * and digests turn out to be: the master and the highest-numbered slave rendered with the
 * longest values those can have. Checked when config is read, before anything is created.
 */
export function largestUserDataBytes(config: ClusterConfig): number {
    const digest = `sha256:${"0".repeat(64)}`;
    const placement = (image: string): NodeBootPlacement => ({
        region: "xx-xxxxxxxxxxxxxxx-99",
        image: imageDigest(image) === undefined ? pinnedImage(image, digest) : image,
        databaseHost: LONGEST_HOST,
        redisHost: LONGEST_HOST,
        logDatabaseHost: config.logDatabase ? LONGEST_HOST : undefined,
    });
    const nodes = [nodeBootSpec(config, "master", 0, placement(config.image))];
    if (config.slaveCount > 0) {
        nodes.push(nodeBootSpec(config, "slave", config.slaveCount - 1, placement(config.slaveImage)));
    }
    return Math.max(...nodes.map((spec) => Buffer.byteLength(renderNodeUserData(spec), "utf8")));
}

export const CONTAINER_NAME = "new-api";
export const ENV_DIR = "/etc/new-api";
export const START_SCRIPT = "/usr/local/sbin/new-api-start";
export const STOP_SCRIPT = "/usr/local/sbin/new-api-stop";
export const UNIT_PATH = "/etc/systemd/system/new-api.service";
export const SETUP_SCRIPT = "/usr/local/sbin/new-api-setup";
export const SETUP_UNIT_PATH = "/etc/systemd/system/new-api-setup.service";
export const STATE_DIR = "/var/lib/new-api";
const DATA_DIR = `${STATE_DIR}/data`;
const STATUS_URL = `http://127.0.0.1:${APP_PORT}/api/status`;
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
    const secrets = Object.keys(SECRET_PARAMETERS) as SecretName[];
    const variables = Object.fromEntries(secrets.map((s) => [s, `\${${secretVariable(s)}}`])) as Record<SecretName, string>;
    return Object.entries(
        secretEnvironment(variables, {
            databaseHost: spec.databaseHost,
            redisHost: spec.redisHost,
            tls: true,
            logDatabaseHost: spec.logDatabaseHost,
        }),
    );
}

/** How often read_parameter tries, backing off 5, 10, … seconds (about 75 s in all). */
const READ_ATTEMPTS = 5;

/**
 * Shell functions every script shares. read_parameter prints an SSM parameter's (decrypted)
 * value, retrying while the instance profile's credentials appear after boot. require_value
 * refuses a value the scripts would splice into a DSN, a URL or JSON unless it has the shape
 * the stack generates: an empty or odd value would otherwise start a broken container.
 */
const SHARED_FUNCTIONS = [
    "read_parameter() {",
    "  local attempt",
    `  for attempt in $(seq 1 ${READ_ATTEMPTS}); do`,
    '    if aws ssm get-parameter --region "$region" --with-decryption --name "$1" \\',
    "        --query Parameter.Value --output text; then",
    "      return 0",
    "    fi",
    '    echo "new-api: reading $1 from SSM failed (attempt $attempt)" >&2',
    "    sleep $((attempt * 5))",
    "  done",
    '  echo "new-api: could not read $1 from SSM; not starting (README, Troubleshooting)" >&2',
    "  return 1",
    "}",
    "",
    "# require_value NAME VALUE REGEX WHAT",
    "require_value() {",
    '  if [[ ! "$2" =~ $3 ]]; then',
    '    echo "new-api: $1 is empty or not $4; not starting (README, Troubleshooting)" >&2',
    "    exit 1",
    "  fi",
    "}",
];

/** The shapes the stack generates (secrets.ts): letters and digits, as long as AWS allows. */
export const SECRET_SHAPE = { regex: "^[A-Za-z0-9]{16,128}$", what: "16-128 letters and digits" };
const ADMIN_PASSWORD_SHAPE = { regex: "^[A-Za-z0-9]{8,20}$", what: "8-20 letters and digits" };
const ADDRESS_SHAPE = { regex: "^[0-9]{1,3}([.][0-9]{1,3}){3}$", what: "an IPv4 address" };

/** A script line that reads a parameter into a variable and checks its shape. */
function readChecked(variable: string, parameter: string, shape: { regex: string; what: string }): string[] {
    return [
        `${variable}="$(read_parameter ${shellQuote(parameter)})"`,
        `require_value ${shellQuote(parameter)} "$${variable}" ${shellQuote(shape.regex)} ${shellQuote(shape.what)}`,
    ];
}

/** Seconds a waiting slave sleeps between two looks at the master, and between two log lines. */
export const MASTER_POLL_SECONDS = 10;
const WAIT_LOG_SECONDS = 60;

/**
 * New API issue #942: a slave that starts before the master has finished setup keeps
 * showing the setup wizard until it is restarted. So a slave waits, once per instance and
 * at most timeoutSeconds, until the master reports setup: true. It then starts anyway, and
 * never waits again (a master outage must never keep a slave down for good).
 */
function masterSetupWaitLines(wait: NonNullable<NodeBootSpec["masterSetupWait"]>): string[] {
    const timeout = wait.timeoutSeconds;
    return [
        "",
        'setup_marker="$state_dir/master-setup-waited"',
        "wait_for_master_setup() {",
        `  local deadline=$(( $(date +%s) + ${timeout} )) next_log=0 master status`,
        "  while true; do",
        ...readChecked("master", wait.masterAddressParameter, ADDRESS_SHAPE).map((line) => `    ${line}`),
        // Quiet: a master that is still booting is expected; one line a minute says so.
        `    if status="$(curl -fs --max-time 5 "http://\${master}:${APP_PORT}/api/status")" \\`,
        `        && [[ "$status" == *'${SETUP_DONE_MARKER}'* ]]; then`,
        '      echo "new-api: master ${master} has finished setup"',
        "      return 0",
        "    fi",
        '    if (( $(date +%s) >= deadline )); then',
        `      echo "new-api: master \${master} not set up after ${timeout} s; starting anyway (restart this node once setup is done)" >&2`,
        "      return 0",
        "    fi",
        '    if (( $(date +%s) >= next_log )); then',
        `      echo "new-api: waiting for master \${master} to finish setup (at most ${timeout} s)"`,
        `      next_log=$(( $(date +%s) + ${WAIT_LOG_SECONDS} ))`,
        "    fi",
        `    sleep ${MASTER_POLL_SECONDS}`,
        "  done",
        "}",
        'if [[ ! -e "$setup_marker" ]]; then',
        "  wait_for_master_setup",
        '  mkdir -p "$state_dir" && touch "$setup_marker"',
        "fi",
    ];
}

/**
 * A pinned image that is on disk is exactly the image: starting it again needs no registry.
 * Docker Hub limits anonymous pulls per address (every node shares the NAT's), so a crash
 * loop or a Hub outage must not depend on it. ECR registries need a login, which the
 * instance role grants.
 */
function pullLines(spec: NodeBootSpec): string[] {
    const ecr = ecrRegistry(spec.image);
    return [
        'if ! docker image inspect "$image" >/dev/null 2>&1; then',
        ...(ecr
            ? [
                  `  aws ecr get-login-password --region ${shellQuote(ecr.region)} \\`,
                  `    | docker login --username AWS --password-stdin ${shellQuote(ecr.host)} >/dev/null`,
              ]
            : []),
        '  if ! docker pull "$image"; then',
        '    echo "new-api: pulling $image failed; not starting (README, Troubleshooting)" >&2',
        "    exit 1",
        "  fi",
        "fi",
    ];
}

/** Amazon Linux 2023's bundle of the CAs it trusts. */
const SYSTEM_CA_BUNDLE = "/etc/pki/tls/certs/ca-bundle.crt";
/** Where the container finds them and RDS's: Go's crypto/x509 reads SSL_CERT_FILE. */
const CONTAINER_CA_BUNDLE = "/etc/new-api/ca-bundle.pem";

/**
 * MySQL is spoken to over TLS (tls=true in the DSN), verified against RDS's CAs: the
 * region's bundle from AWS's public trust store, fetched once per instance, beside the
 * system's CAs (which New API's calls to model providers need). At every start the bundle
 * must verify each database's certificate by its name, or the node does not start.
 */
function databaseCaLines(spec: NodeBootSpec): string[] {
    const hosts = [spec.databaseHost, ...(spec.logDatabaseHost === undefined ? [] : [spec.logDatabaseHost])];
    return [
        'rds_ca="$state_dir/rds-ca.pem"',
        'if [[ ! -s "$rds_ca" ]]; then',
        '  mkdir -p "$state_dir"',
        '  if ! curl -fsS --max-time 30 -o "$rds_ca.tmp" "https://truststore.pki.rds.amazonaws.com/${region}/${region}-bundle.pem"; then',
        '    echo "new-api: downloading the RDS CA bundle for $region failed; not starting (README, Troubleshooting)" >&2',
        "    exit 1",
        "  fi",
        '  mv -f "$rds_ca.tmp" "$rds_ca"',
        "fi",
        "verify_database_tls() {",
        `  if ! openssl s_client -starttls mysql -connect "$1:${MYSQL_PORT}" -servername "$1" -verify_hostname "$1" \\`,
        '      -CAfile "$rds_ca" -verify_return_error </dev/null >/dev/null 2>&1; then',
        '    echo "new-api: could not verify the TLS certificate of MySQL at $1 with the RDS CA bundle (unreachable, or not RDS); not starting" >&2',
        "    exit 1",
        "  fi",
        "}",
        ...hosts.map((host) => `verify_database_tls ${shellQuote(host)}`),
        'cat "$system_cas" "$rds_ca" > "$env_dir/ca-bundle.pem"',
    ];
}

/** The script systemd runs: secrets from SSM into a root-only env file, then the container. */
export function renderStartScript(spec: NodeBootSpec): string {
    assertHostname("database host", spec.databaseHost);
    assertHostname("redis host", spec.redisHost);
    if (spec.logDatabaseHost !== undefined) {
        assertHostname("log database host", spec.logDatabaseHost);
    }
    const secrets = Object.keys(SECRET_PARAMETERS) as SecretName[];
    return [
        "#!/bin/bash",
        "# Reads the cluster's secrets from SSM Parameter Store into a root-only env file,",
        "# then runs the pinned New API image in the foreground for systemd.",
        "set -euo pipefail",
        "umask 077",
        "",
        `region=${shellQuote(spec.region)}`,
        `image=${shellQuote(spec.image)}`,
        `env_dir=${ENV_DIR}`,
        `state_dir=${STATE_DIR}`,
        `system_cas=${SYSTEM_CA_BUNDLE}`,
        "",
        ...SHARED_FUNCTIONS,
        "",
        ...secrets.flatMap((secret) => readChecked(secretVariable(secret), spec.secretParameters[secret], SECRET_SHAPE)),
        "",
        'secrets_file="$env_dir/secrets.env"',
        'tmp_file="$(mktemp "${secrets_file}.XXXXXX")"',
        "{",
        ...secretEnvironmentLines(spec).map(([name, expression]) => `  printf '%s\\n' "${name}=${expression}"`),
        '} > "$tmp_file"',
        'mv -f "$tmp_file" "$secrets_file"',
        "",
        ...pullLines(spec),
        ...databaseCaLines(spec),
        ...(spec.masterSetupWait ? masterSetupWaitLines(spec.masterSetupWait) : []),
        "",
        `docker rm -f ${CONTAINER_NAME} >/dev/null 2>&1 || true`,
        `exec docker run --rm --name ${CONTAINER_NAME} \\`,
        '  --env-file "$env_dir/node.env" --env-file "$secrets_file" \\',
        `  -v "$env_dir/ca-bundle.pem:${CONTAINER_CA_BUNDLE}:ro" -e SSL_CERT_FILE=${CONTAINER_CA_BUNDLE} \\`,
        `  -p ${APP_PORT}:${APP_PORT} \\`,
        `  -v ${DATA_DIR}:/data -v ${LOG_DIR}:/app/logs \\`,
        `  --health-cmd ${shellQuote(HEALTH_COMMAND)} \\`,
        "  --health-interval 30s --health-timeout 10s --health-retries 3 --health-start-period 60s \\",
        // Docker keeps a local copy too, so `docker logs` still works. Non-blocking: a slow
        // CloudWatch must never stall New API's writes (and its requests); a full buffer drops lines.
        `  --log-driver awslogs --log-opt awslogs-region="$region" --log-opt awslogs-group=${shellQuote(spec.logGroup)} \\`,
        `  --log-opt awslogs-stream=${shellQuote(spec.nodeName)} --log-opt mode=non-blocking --log-opt max-buffer-size=${LOG_BUFFER} \\`,
        '  "$image" --log-dir /app/logs',
        "",
    ].join("\n");
}

/** The awslogs driver's buffer in non-blocking mode: a few minutes of New API's logs. */
const LOG_BUFFER = "8m";

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
        // `docker stop` ends the container with SIGTERM: docker run exits 143, a clean stop.
        "SuccessExitStatus=143",
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

/** Seconds the setup script waits for New API to answer on the master. */
export const SETUP_ANSWER_SECONDS = 900;

/**
 * Completes New API's setup wizard on the master, as an operator would in the browser:
 * POST /api/setup with the configured root user and the generated password from SSM.
 * Does nothing when the database is already set up (a replaced master, a reboot); New API
 * creates its root user at the first setup only, so a different adminUsername then is
 * said loudly rather than silently ignored.
 */
export function renderSetupScript(spec: NodeBootSpec): string {
    if (!spec.adminSetup) {
        throw new Error("renderSetupScript needs adminSetup");
    }
    const { username, passwordParameter } = spec.adminSetup;
    if (!/^[A-Za-z0-9_.-]{1,12}$/.test(username)) {
        throw new Error(`admin username ${JSON.stringify(username)} is not 1-12 safe characters`);
    }
    return [
        "#!/bin/bash",
        "# Completes New API's setup wizard once: creates the root user with the generated password.",
        "set -euo pipefail",
        "umask 077",
        "",
        `region=${shellQuote(spec.region)}`,
        `answer_timeout=${SETUP_ANSWER_SECONDS}`,
        "",
        ...SHARED_FUNCTIONS,
        "",
        "deadline=$(( $(date +%s) + answer_timeout ))",
        `until status="$(curl -fs --max-time 5 ${STATUS_URL})"; do`,
        '  if (( $(date +%s) >= deadline )); then',
        `    echo "new-api-setup: New API did not answer on ${STATUS_URL} within $answer_timeout s" >&2`,
        "    exit 1",
        "  fi",
        "  sleep 5",
        "done",
        `if [[ "$status" == *'${SETUP_DONE_MARKER}'* ]]; then`,
        `  echo "new-api-setup: already set up. New API creates its root user at the first setup only: if that was not ${username}, no user ${username} exists (README, First run)" >&2`,
        "  exit 0",
        "fi",
        "",
        ...readChecked("admin_password", passwordParameter, ADMIN_PASSWORD_SHAPE),
        "# The password goes through stdin, never the command line.",
        `if ! response="$(curl -fsS --max-time 30 -H 'Content-Type: application/json' --data-binary @- http://127.0.0.1:${APP_PORT}/api/setup <<EOF`,
        setupRequestBody(username, "${admin_password}"),
        "EOF",
        ')"; then',
        '  echo "new-api-setup: POST /api/setup did not answer" >&2',
        "  exit 1",
        "fi",
        `if [[ "$response" != *'${SUCCESS_MARKER}'* ]]; then`,
        '  echo "new-api-setup: POST /api/setup failed: ${response}" >&2',
        "  exit 1",
        "fi",
        `echo "new-api-setup: created the root user ${username}"`,
        "",
    ].join("\n");
}

function renderSetupUnit(): string {
    return [
        "[Unit]",
        "Description=Complete New API's setup wizard on the master",
        "Wants=new-api.service",
        "After=new-api.service",
        "",
        "[Service]",
        "Type=oneshot",
        `ExecStart=${SETUP_SCRIPT}`,
        "Restart=on-failure",
        "RestartSec=30",
        "TimeoutStartSec=20min",
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
    const file = (path: string, permissions: string, content: string) => ({ path, owner: "root:root", permissions, content });
    const setup = spec.adminSetup !== undefined;
    const document = {
        packages: ["docker"],
        write_files: [
            file(`${ENV_DIR}/node.env`, "0600", renderEnvFile(spec.environment)),
            file(START_SCRIPT, "0700", renderStartScript(spec)),
            file(STOP_SCRIPT, "0700", renderStopScript(spec)),
            file(UNIT_PATH, "0644", renderUnit(spec)),
            ...(setup ? [file(SETUP_SCRIPT, "0700", renderSetupScript(spec)), file(SETUP_UNIT_PATH, "0644", renderSetupUnit())] : []),
        ],
        runcmd: [
            ["systemctl", "daemon-reload"],
            ["systemctl", "enable", "--now", "docker.service"],
            ["systemctl", "enable", "--now", "new-api.service"],
            // --no-block: the setup waits for New API to answer; cloud-init need not wait with it.
            ...(setup ? [["systemctl", "enable", "--now", "--no-block", "new-api-setup.service"]] : []),
        ],
    };
    return `#cloud-config\n${YAML.stringify(document, { lineWidth: 0 })}`;
}
