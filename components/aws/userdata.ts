// Rendering of a node's cloud-config. EC2 shows userData in clear text, so it carries only
// SSM parameter names, never a secret: the start script reads the secrets at every start.
import * as YAML from "yaml";
import type { ClusterConfig } from "../config";
import {
    APP_PORT,
    FrontDoor,
    HEALTH_COMMAND,
    MYSQL_PORT,
    SETUP_DONE_MARKER,
    SUCCESS_MARKER,
    nodeEnvironment,
    secretEnvironment,
    setupRequestBody,
} from "../environment";
import { ecrRegistry, imageDigest, pinnedImage } from "../images";
import { SECRET_SHAPE, SETUP_ANSWER_SECONDS, SETUP_POLL_SECONDS, loginRequest } from "../nodeContract";
import { SETUP_PASSWORD_PLACEHOLDER, ScriptParameters, renderScript } from "../scripts/render";
import { StopBudget, stopBudget } from "../stopBudget";
import { NodeRole, SECRET_PARAMETERS, SecretName, clusterParameterNames, logGroupName, nodeName } from "../naming";

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
    /** How long its stop may take (stopBudget.ts). */
    stop: StopBudget;
    /** Slaves: where to find the master, and how long to wait for its setup before starting anyway. */
    masterSetupWait?: { masterAddressParameter: string; slaveSetupTimeout: number };
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
    /** What the environment takes from the load balancer: its address blocks, the https origins. */
    frontDoor: FrontDoor;
}

/** The boot spec of one node of the cluster: every node of a role differs only in its name. */
export function nodeBootSpec(config: ClusterConfig, role: NodeRole, index: number, placement: NodeBootPlacement): NodeBootSpec {
    const name = nodeName(config.clusterName, role, index);
    const parameters = clusterParameterNames(config.clusterName);
    const { frontDoor, ...where } = placement;
    return {
        ...where,
        role,
        nodeName: name,
        environment: nodeEnvironment(role, name, config, frontDoor),
        secretParameters: parameters.secrets,
        logGroup: logGroupName(config.clusterName),
        stop: stopBudget(config),
        masterSetupWait:
            role === "slave"
                ? {
                      masterAddressParameter: parameters.masterAddress,
                      slaveSetupTimeout: config.slaveSetupTimeout,
                  }
                : undefined,
        adminSetup:
            role === "master" && config.adminUsername !== undefined
                ? { username: config.adminUsername, passwordParameter: parameters.adminPassword }
                : undefined,
    };
}

/** EC2 RunInstances: userData may hold at most 16 KB before base64 encoding. */
export const USER_DATA_MAX_BYTES = 16384;

/** A host name of DNS's maximum length (253), so that no real endpoint renders longer. */
const LONGEST_HOST = Array.from({ length: 4 }, () => "h".repeat(62)).join(".").slice(0, 253);
/** The longest IPv4 address block. */
const LONGEST_CIDR = "255.255.255.255/32";

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
        frontDoor: {
            trustedProxies: Array.from({ length: publicSubnetCount(config) }, () => LONGEST_CIDR),
            httpsOrigins: config.https === undefined ? [] : httpsOrigins(config, LONGEST_HOST),
        },
    });
    const nodes = [nodeBootSpec(config, "master", 0, placement(config.image))];
    if (config.slaveCount > 0) {
        nodes.push(nodeBootSpec(config, "slave", config.slaveCount - 1, placement(config.slaveImage)));
    }
    return Math.max(...nodes.map((spec) => Buffer.byteLength(renderNodeUserData(spec), "utf8")));
}

/** The load balancer's subnets, one address block each in TRUSTED_PROXIES. */
function publicSubnetCount(config: ClusterConfig): number {
    return config.network.kind === "new" ? config.network.azCount : config.network.publicSubnetIds.length;
}

/**
 * The https origins a cluster served over HTTPS is reached at: its domain, and the load
 * balancer's own name (DNS names are case-insensitive; New API compares them in lower case).
 */
export function httpsOrigins(config: Pick<ClusterConfig, "domainName">, loadBalancerDnsName: string): string[] {
    return [...(config.domainName === undefined ? [] : [config.domainName]), loadBalancerDnsName.toLowerCase()].map((host) => `https://${host}`);
}

export const CONTAINER_NAME = "new-api";
export const ENV_DIR = "/etc/new-api";
export const START_SCRIPT = "/usr/local/sbin/new-api-start";
export const STOP_SCRIPT = "/usr/local/sbin/new-api-stop";
export const UNIT_PATH = "/etc/systemd/system/new-api.service";
export const SETUP_SCRIPT = "/usr/local/sbin/new-api-setup";
export const WAIT_SCRIPT = "/usr/local/sbin/new-api-wait-for-master";
export const SETUP_UNIT_PATH = "/etc/systemd/system/new-api-setup.service";
export const STATE_DIR = "/var/lib/new-api";
/** The master's root-only copy of the root user's password it last set: what a rotation logs in with. */
export const ADMIN_PASSWORD_COPY = `${STATE_DIR}/admin-password`;

function assertHostname(what: string, host: string): void {
    if (!/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(host)) {
        throw new Error(`${what} ${JSON.stringify(host)} is not a host name`);
    }
}

/** The placeholder of a secret in the start script's SECRETS_ENV, filled in from SSM at every start. */
function secretPlaceholder(secret: SecretName): string {
    return SECRET_PARAMETERS[secret].replace(/-/g, "_");
}

/** Seconds a waiting slave sleeps between two looks at the master. */
const MASTER_POLL_SECONDS = 10;


/** The parameters of start.sh (components/scripts): what systemd runs to start a node. */
export function startParameters(spec: NodeBootSpec): ScriptParameters {
    assertHostname("database host", spec.databaseHost);
    assertHostname("redis host", spec.redisHost);
    if (spec.logDatabaseHost !== undefined) {
        assertHostname("log database host", spec.logDatabaseHost);
    }
    const secrets = Object.keys(SECRET_PARAMETERS) as SecretName[];
    const placeholders = Object.fromEntries(secrets.map((s) => [s, `{{${secretPlaceholder(s)}}}`])) as Record<SecretName, string>;
    const secretEnv = secretEnvironment(placeholders, {
        databaseHost: spec.databaseHost,
        redisHost: spec.redisHost,
        tls: true,
        logDatabaseHost: spec.logDatabaseHost,
    });
    const ecr = ecrRegistry(spec.image);
    return {
        REGION: spec.region,
        IMAGE: spec.image,
        NODE_NAME: spec.nodeName,
        ENV_DIR,
        STATE_DIR,
        // Amazon Linux 2023's bundle of the CAs it trusts.
        SYSTEM_CAS: "/etc/pki/tls/certs/ca-bundle.crt",
        SECRET_PARAMETERS: secrets.map((s) => `${secretPlaceholder(s)} ${spec.secretParameters[s]}`).join("\n"),
        SECRET_REGEX: SECRET_SHAPE.regex,
        SECRET_SHAPE: SECRET_SHAPE.what,
        SECRETS_ENV: Object.entries(secretEnv).map(([name, value]) => `${name}=${value}`).join("\n"),
        ECR_REGION: ecr?.region ?? "",
        ECR_HOST: ecr?.host ?? "",
        DATABASE_HOSTS: [spec.databaseHost, ...(spec.logDatabaseHost === undefined ? [] : [spec.logDatabaseHost])].join(" "),
        MYSQL_PORT,
        WAIT_FOR_MASTER: spec.masterSetupWait === undefined ? "" : WAIT_SCRIPT,
        APP_PORT,
        CONTAINER_NAME,
        HEALTH_COMMAND,
        LOG_GROUP: spec.logGroup,
    };
}

/** The script systemd runs: secrets from SSM into a root-only env file, then the container. */
export function renderStartScript(spec: NodeBootSpec): string {
    return renderScript("start.sh", startParameters(spec));
}

/** The parameters of wait-for-master.sh (components/scripts), which a slave's start script runs. */
export function waitParameters(spec: NodeBootSpec): ScriptParameters {
    if (!spec.masterSetupWait) {
        throw new Error("renderWaitScript needs masterSetupWait");
    }
    return {
        REGION: spec.region,
        IMAGE: spec.image,
        STATE_DIR,
        MASTER_ADDRESS_PARAMETER: spec.masterSetupWait.masterAddressParameter,
        MASTER_WAIT_SECONDS: spec.masterSetupWait.slaveSetupTimeout,
        POLL_SECONDS: MASTER_POLL_SECONDS,
        APP_PORT,
        SETUP_DONE_MARKER,
    };
}

function renderWaitScript(spec: NodeBootSpec): string {
    return renderScript("wait-for-master.sh", waitParameters(spec));
}

export function renderStopScript(spec: NodeBootSpec): string {
    return renderScript("stop.sh", { QUOTA_FLUSH_SECONDS: spec.stop.quotaFlushSeconds, KILL_AFTER_SECONDS: spec.stop.killAfterSeconds, CONTAINER_NAME });
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
        `TimeoutStopSec=${spec.stop.systemdStopSeconds}`,
        "",
        "[Install]",
        "WantedBy=multi-user.target",
        "",
    ].join("\n");
}

/**
 * The parameters of the master's scripts that log in as the root user (admin-session.sh): its
 * password's SSM parameter and copy, New API's login request.
 */
export function adminSessionParameters(region: string, adminSetup: { username: string; passwordParameter: string }): ScriptParameters {
    const { username, passwordParameter } = adminSetup;
    if (!/^[A-Za-z0-9_.-]{1,12}$/.test(username)) {
        throw new Error(`admin username ${JSON.stringify(username)} is not 1-12 safe characters`);
    }
    return {
        REGION: region,
        ADMIN_USERNAME: username,
        ADMIN_PASSWORD_PARAMETER: passwordParameter,
        ADMIN_PASSWORD_COPY,
        API_URL: `http://127.0.0.1:${APP_PORT}`,
        LOGIN_REQUEST: loginRequest(username),
        SUCCESS_MARKER,
    };
}

/** The parameters of setup.sh (components/scripts), which completes New API's setup wizard on the master. */
export function setupParameters(spec: NodeBootSpec): ScriptParameters {
    if (!spec.adminSetup) {
        throw new Error("renderSetupScript needs adminSetup");
    }
    const { username } = spec.adminSetup;
    return {
        ...adminSessionParameters(spec.region, spec.adminSetup),
        SETUP_REQUEST: setupRequestBody(username, SETUP_PASSWORD_PLACEHOLDER),
        STATUS_URL: `http://127.0.0.1:${APP_PORT}/api/status`,
        SETUP_URL: `http://127.0.0.1:${APP_PORT}/api/setup`,
        ANSWER_SECONDS: SETUP_ANSWER_SECONDS,
        POLL_SECONDS: SETUP_POLL_SECONDS,
        SETUP_DONE_MARKER,
    };
}

export function renderSetupScript(spec: NodeBootSpec): string {
    return renderScript("setup.sh", setupParameters(spec));
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
            ...(spec.masterSetupWait ? [file(WAIT_SCRIPT, "0700", renderWaitScript(spec))] : []),
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
    // indentSeq false: two spaces less on every line of every script, in 16 KB.
    return `#cloud-config\n${YAML.stringify(document, { lineWidth: 0, indentSeq: false })}`;
}
