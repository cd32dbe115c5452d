// Checks of single values, and the constants they rest on. A check returns why a value is
// refused (the text after "KEY = VALUE: "), or undefined when it is allowed.
import { parseCidr } from "../cidr";
import { NEW_API_IMAGE } from "../versions";

export type Check = (value: string) => string | undefined;

/** A check that the whole value matches `pattern`; `description` says in words what it allows. */
export function matches(pattern: RegExp, description: string): Check {
    return (value) => (pattern.test(value) ? undefined : description);
}

/** The image the stack runs unless `image` is set: a pinned release, never `latest`. */
export const DEFAULT_IMAGE = NEW_API_IMAGE;

/** The root user the local target's setup creates unless adminUsername says otherwise. */
export const LOCAL_ADMIN_USERNAME = "admin";

/** CloudWatch Logs' allowed retention periods, in days. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

/**
 * The load balancer's security group takes one rule per CIDR and port (80, and 443 with HTTPS);
 * EC2 allows 60 inbound rules per group by default ("Inbound or outbound rules per security group").
 */
export const MAX_ALLOWED_CIDRS = 30;

/** ACM RequestCertificate: the Common Name (the first domain name) is at most 64 octets. */
export const ACM_COMMON_NAME_MAX = 64;

/**
 * Environment variables the stack sets itself. `extraEnv` may not override them,
 * because a second value would silently win or lose depending on env-file order.
 */
export const MANAGED_ENV_NAMES: readonly string[] = [
    "PORT",
    "NODE_TYPE",
    "NODE_NAME",
    "SQL_DSN",
    "REDIS_CONN_STRING",
    "SESSION_SECRET",
    "CRYPTO_SECRET",
    "SYNC_FREQUENCY",
    "BATCH_UPDATE_ENABLED",
    "BATCH_UPDATE_INTERVAL",
    "TZ",
    "LOG_SQL_DSN",
    "REDIS_POOL_SIZE",
    "SQL_MAX_OPEN_CONNS",
    "SQL_MAX_IDLE_CONNS",
    "SSL_CERT_FILE",
    "SHUTDOWN_TIMEOUT_SECONDS",
    "TRUSTED_PROXIES",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_TRUSTED_URL",
];

/** CloudWatch alarm thresholds. */
export interface AlarmThresholds {
    /** ALB 5xx responses (its own and the targets') as a percentage of requests, over 5 minutes. */
    http5xxPercent: number;
    /** p90 target response time in seconds, over 5 minutes (time to the first response byte). */
    responseTimeSeconds: number;
    dbCpuPercent: number;
    dbFreeStorageGb: number;
    /** Database connections as a percentage of dbMaxConnections. */
    dbConnectionsPercent: number;
    cacheMemoryPercent: number;
    cacheCpuPercent: number;
}

export const DEFAULT_ALARM_THRESHOLDS: AlarmThresholds = {
    http5xxPercent: 5,
    responseTimeSeconds: 30,
    dbCpuPercent: 80,
    dbFreeStorageGb: 2,
    dbConnectionsPercent: 80,
    cacheMemoryPercent: 80,
    cacheCpuPercent: 80,
};

/** A docker image reference that names a tag or digest, and never the moving `latest` tag. */
export const imageCheck: Check = (image) => {
    const allowed =
        "must be an image reference with a pinned tag or digest, e.g. calciumion/new-api:v0.13.2 (never latest)";
    const match =
        /^[a-z0-9][a-z0-9._-]*(?::[0-9]+)?(?:\/[a-z0-9][a-z0-9._-]*)*(?::([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@(sha256:[a-f0-9]{64}))?$/.exec(
            image,
        );
    if (!match) {
        return allowed;
    }
    const [, tag, digest] = match;
    if (digest === undefined && (tag === undefined || tag === "latest")) {
        return allowed;
    }
    return undefined;
};

/**
 * The local load balancer re-resolves the nodes' names (`server … resolve`), which open-source
 * nginx has since 1.27.3: an older tag would crash-loop. An image given by digest alone is
 * taken as it is.
 */
export const nginxImageCheck: Check = (image) => {
    const tag = /:(\d+)\.(\d+)\.(\d+)[^/@]*(@|$)/.exec(image);
    const version = tag ? [Number(tag[1]), Number(tag[2]), Number(tag[3])] : undefined;
    const old = version !== undefined && version[0] * 1e6 + version[1] * 1e3 + version[2] < 1027003;
    return imageCheck(image) ?? (old ? "must be nginx 1.27.3 or later, which re-resolves the nodes' names at run time" : undefined);
};

/**
 * Whether a MySQL image predates dual passwords (RETAIN CURRENT PASSWORD, DISCARD OLD PASSWORD,
 * MySQL 8.0.14), which the docker target's database password rotation needs. False when the image's tag names no
 * version (a digest alone, `lts`): MySQL refuses the statements then, and the step says so.
 */
export function lacksDualPasswords(mysqlImage: string): boolean {
    const tag = /:(\d+)\.(\d+)(?:\.(\d+))?(?:[-@]|$)/.exec(mysqlImage.split("@")[0] + "@");
    if (tag === null) {
        return false;
    }
    const [major, minor, patch] = [Number(tag[1]), Number(tag[2]), tag[3] === undefined ? undefined : Number(tag[3])];
    return major < 8 || (major === 8 && minor === 0 && patch !== undefined && patch < 14);
}

export const timezoneCheck: Check = (timezone) => {
    try {
        new Intl.DateTimeFormat("en-US", { timeZone: timezone });
        return timezone === "" ? "must be an IANA time zone such as UTC or Asia/Shanghai" : undefined;
    } catch {
        return "must be an IANA time zone such as UTC or Asia/Shanghai";
    }
};

export const cidrCheck: Check = (cidr) => {
    const parsed = parseCidr(cidr);
    return parsed.ok ? undefined : `${JSON.stringify(cidr)} ${parsed.problem}`;
};

export const vpcCidrCheck: Check = (cidr) => {
    const parsed = parseCidr(cidr);
    if (!parsed.ok) {
        return parsed.problem;
    }
    return parsed.prefix < 16 || parsed.prefix > 24 ? "must have a prefix length from /16 to /24" : undefined;
};

export const subnetIdCheck: Check = (id) =>
    /^subnet-[0-9a-f]{8,17}$/.test(id) ? undefined : `${JSON.stringify(id)} is not a subnet id such as subnet-0123456789abcdef0`;

/** Why an extraEnv entry is refused, or undefined when it is fine. */
export function extraEnvProblem(name: string, value: string): string | undefined {
    if (!/^[A-Z_][A-Z0-9_]*$/.test(name)) {
        return `${name} is not an environment variable name (A-Z, 0-9, _)`;
    }
    if (MANAGED_ENV_NAMES.includes(name)) {
        return `${name} is set by the stack itself`;
    }
    if (name === "FRONTEND_BASE_URL") {
        return "FRONTEND_BASE_URL makes slaves behind the load balancer redirect to it in a loop; leave it unset";
    }
    if (/(SECRET|PASSWORD|PASSWD|TOKEN|DSN|_KEY$|^KEY$)/.test(name)) {
        return `${name} looks like a secret, and extraEnv is written in clear text into EC2 userData`;
    }
    if (/[\r\n]/.test(value)) {
        return `${name} has a line break, which an env file cannot hold`;
    }
    return undefined;
}

/** Why an alarmThresholds entry is refused: an unknown name, or not a positive number (percentages at most 100). */
export function thresholdProblem(name: string, value: string): string | undefined {
    if (!(name in DEFAULT_ALARM_THRESHOLDS)) {
        return `${name} is not a threshold; known: ${Object.keys(DEFAULT_ALARM_THRESHOLDS).join(", ")}`;
    }
    const n = Number(value);
    const isPercent = name.endsWith("Percent");
    return !Number.isFinite(n) || n <= 0 || (isPercent && n > 100)
        ? `${name} must be a number above 0${isPercent ? " and at most 100" : ""}`
        : undefined;
}

/** RDS storage autoscaling: MaxAllocatedStorage must be at least 10% above AllocatedStorage (USER_PIOPS.Autoscaling). */
export function smallestStorageAutoscalingCeiling(allocatedStorageGb: number): number {
    return Math.ceil((allocatedStorageGb * 11) / 10);
}

/** The default cluster name for a stack: `newapi-<stack>`, lower-cased, other characters as '-'. */
export function defaultClusterName(stack: string): string {
    return `newapi-${stack.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`.replace(/-+$/, "");
}
