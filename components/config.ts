// Reading and validating the stack configuration: the one place where config is
// checked, before any resource is created. Everything here is pure except
// `loadClusterConfig`, which only collects the raw strings from Pulumi.
import * as pulumi from "@pulumi/pulumi";
import { USER_DATA_MAX_BYTES, largestUserDataBytes } from "./aws/userdata";
import { parseCidr } from "./cidr";

export const CONFIG_NAMESPACE = "new-api-cluster";

export type NatGatewayStrategy = "onePerAz" | "single";

export type NetworkConfig =
    | { kind: "new"; vpcCidr: string; azCount: number; natGateways: NatGatewayStrategy; flowLogs: boolean }
    | { kind: "existing"; vpcId: string; publicSubnetIds: string[]; privateSubnetIds: string[] };

export interface DatabaseConfig {
    instanceClass: string;
    allocatedStorageGb: number;
    maxAllocatedStorageGb: number;
    engineVersion: string;
    multiAz: boolean;
    backupRetentionDays: number;
    maxConnections: number;
    /** Modify the database now rather than in its next maintenance window (needed for a major upgrade). */
    applyImmediately: boolean;
}

export interface CacheConfig {
    nodeType: string;
    nodeCount: number;
    engineVersion: string;
}

/** The per-node New API settings; identical on every node of the cluster. */
export interface NodeSettings {
    syncFrequency: number;
    batchUpdateInterval: number;
    timezone: string;
    redisPoolSize: number;
    sqlMaxOpenConns: number;
    sqlMaxIdleConns: number;
    extraEnv: Record<string, string>;
}

/** Where the cluster runs: AWS, or the local Docker engine (the quick start). */
export type Target = "aws" | "docker";

/** The local (docker) target's own settings. */
export interface LocalConfig {
    /** The port on 127.0.0.1 where the nginx load balancer listens. */
    port: number;
    mysqlImage: string;
    redisImage: string;
    nginxImage: string;
}

export interface ClusterConfig {
    target: Target;
    clusterName: string;
    slaveCount: number;
    /** The image of the master (and of the slaves unless slaveImage says otherwise). */
    image: string;
    /** The slaves' image: differs from `image` only during a two-step rolling upgrade. */
    slaveImage: string;
    instanceType: string;
    masterInstanceType: string;
    /** Unset: the newest Amazon Linux 2023 AMI, read from the public SSM parameter. */
    amiId?: string;
    rootVolumeSizeGb: number;
    masterWeight: number;
    slaveWeight: number;
    deregistrationDelaySeconds: number;
    /** How long at most `pulumi up` waits for a new node to turn healthy before it shifts traffic or removes old nodes. */
    nodeWarmupSeconds: number;
    /** How long a slave's start waits for the master to finish setup before starting anyway. */
    slaveSetupTimeoutSeconds: number;
    /** Set: the master completes New API's setup wizard itself with this root user name. */
    adminUsername?: string;
    /** Deletion protection on the database, cache and load balancer (and Pulumi's protect). */
    protect: boolean;
    /** Final snapshots when the database and cache are deleted; defaults to `protect`. */
    finalSnapshot: boolean;
    allowedCidrs: string[];
    node: NodeSettings;
    database: DatabaseConfig;
    cache: CacheConfig;
    network: NetworkConfig;
    local: LocalConfig;
    operations: OperationsConfig;
}

/** HTTPS on the load balancer: an existing certificate, or one the stack requests for a domain. */
export interface HttpsConfig {
    certificateArn?: string;
    /** With hostedZoneId: the stack's DNS name (alias to the ALB), and the certificate's if it requests one. */
    domainName?: string;
    hostedZoneId?: string;
}

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

/** What an on-call engineer needs: HTTPS, alerts, logs, a log database, verification. */
export interface OperationsConfig {
    https?: HttpsConfig;
    alertEmail?: string;
    alarmThresholds: AlarmThresholds;
    logRetentionDays: number;
    /** A separate RDS instance for New API's log table (LOG_SQL_DSN). */
    logDatabase: boolean;
    /** Seconds `pulumi up` waits for the cluster to answer /api/status through the load balancer. */
    verifyTimeoutSeconds: number;
    /** Set: the ALB writes access logs to an S3 bucket of the stack's, kept this many days. */
    albAccessLogDays?: number;
}

/** CloudWatch Logs' allowed retention periods, in days. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

/** The root user the local target's setup creates unless adminUsername says otherwise. */
export const LOCAL_ADMIN_USERNAME = "admin";

/** The image the stack runs unless `image` is set: a pinned release, never `latest`. */
export const DEFAULT_IMAGE = "calciumion/new-api:v0.9.20-patch.2";

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
];

/** Raw config as Pulumi stores it: every value a string, structured values as JSON. */
export type RawConfig = Record<string, string | undefined>;

/** Keys both targets read. */
const SHARED_KEYS = [
    "target",
    "clusterName",
    "slaveCount",
    "image",
    "slaveImage",
    "masterWeight",
    "slaveWeight",
    "adminUsername",
    "syncFrequency",
    "batchUpdateInterval",
    "timezone",
    "redisPoolSize",
    "sqlMaxOpenConns",
    "sqlMaxIdleConns",
    "extraEnv",
    "dbMaxConnections",
] as const;

/** Keys that only one target reads; setting one for the other target is a mistake. */
export const TARGET_ONLY_KEYS = {
    aws: [
        "instanceType",
        "masterInstanceType",
        "amiId",
        "rootVolumeSize",
        "deregistrationDelay",
        "nodeWarmup",
        "slaveSetupTimeout",
        "protect",
        "finalSnapshot",
        "allowedCidrs",
        "dbInstanceClass",
        "dbAllocatedStorage",
        "dbMaxAllocatedStorage",
        "dbEngineVersion",
        "dbMultiAz",
        "dbApplyImmediately",
        "dbBackupRetentionDays",
        "cacheNodeType",
        "cacheNodeCount",
        "cacheEngineVersion",
        "vpcCidr",
        "azCount",
        "natGateways",
        "vpcId",
        "publicSubnetIds",
        "privateSubnetIds",
        "certificateArn",
        "domainName",
        "hostedZoneId",
        "alertEmail",
        "alarmThresholds",
        "logRetentionDays",
        "logDatabase",
        "verifyTimeout",
        "allowPlainHttp",
        "albAccessLogs",
        "albAccessLogDays",
        "vpcFlowLogs",
    ],
    docker: ["localPort", "mysqlImage", "redisImage", "nginxImage"],
} as const satisfies Record<Target, readonly string[]>;

export const CONFIG_KEYS: readonly string[] = [...SHARED_KEYS, ...TARGET_ONLY_KEYS.aws, ...TARGET_ONLY_KEYS.docker];

/** The local target's pinned images of MySQL 8, Redis 7 and nginx (never `latest`). */
export const DEFAULT_LOCAL_IMAGES = {
    mysqlImage: "mysql:8.0.40",
    redisImage: "redis:7.2.5-alpine",
    nginxImage: "nginx:1.27.3-alpine",
} as const;

export class ConfigError extends Error {
    constructor(readonly problems: string[]) {
        super(
            `Invalid ${CONFIG_NAMESPACE} configuration (nothing was created):\n` +
                problems.map((p) => `  - ${p}`).join("\n"),
        );
        this.name = "ConfigError";
    }
}

/** A check returns why a value is refused, or undefined when it is allowed. */
export type Check = (value: string) => string | undefined;

/** A check that the whole value matches `pattern`; `description` says in words what it allows. */
export function matches(pattern: RegExp, description: string): Check {
    return (value) => (pattern.test(value) ? undefined : description);
}

/** How much of a refused value a problem quotes. */
const SHOWN_VALUE_LENGTH = 120;

/**
 * Reads one key at a time and records every problem, so that an operator sees all
 * mistakes at once. Each problem names the key, the value given and what is allowed.
 */
class ConfigReader {
    readonly problems: string[] = [];

    constructor(private readonly raw: RawConfig) {}

    /** Records a problem with a key's value (which may involve other settings); a long value is shown cut short. */
    fail(key: string, value: string | undefined, allowed: string): void {
        const text = value ?? "";
        const shown = text.length > SHOWN_VALUE_LENGTH ? `${text.slice(0, SHOWN_VALUE_LENGTH)}… (${text.length} characters)` : text;
        this.problems.push(`${CONFIG_NAMESPACE}:${key} = ${JSON.stringify(shown)}: ${allowed}`);
    }

    isSet(key: string): boolean {
        return this.raw[key] !== undefined;
    }

    string(key: string, fallback: string, check: Check): string {
        const value = this.raw[key] ?? fallback;
        const problem = check(value);
        if (problem) {
            this.fail(key, value, problem);
        }
        return value;
    }

    optionalString(key: string, check: Check): string | undefined {
        return this.isSet(key) ? this.string(key, "", check) : undefined;
    }

    integer(key: string, fallback: number, min: number, max: number): number {
        const value = this.raw[key];
        if (value === undefined) {
            return fallback;
        }
        const n = Number(value.trim());
        if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
            this.fail(key, value, `must be a whole number from ${min} to ${max}`);
            return fallback;
        }
        return n;
    }

    boolean(key: string, fallback: boolean): boolean {
        const value = this.raw[key];
        if (value === undefined) {
            return fallback;
        }
        if (value !== "true" && value !== "false") {
            this.fail(key, value, "must be true or false");
            return fallback;
        }
        return value === "true";
    }

    oneOf<T extends string>(key: string, fallback: T, allowed: readonly T[]): T {
        const value = this.string(key, fallback, (v) =>
            (allowed as readonly string[]).includes(v) ? undefined : `must be one of ${allowed.join(", ")}`,
        );
        return value as T;
    }

    /** Structured config arrives as JSON; undefined (after recording a problem) when it is not. */
    private json(key: string, value: string, shape: string): unknown {
        try {
            return JSON.parse(value);
        } catch {
            this.fail(key, value, `must be ${shape}`);
            return undefined;
        }
    }

    /** A non-empty list of strings, each checked by `check`. */
    stringList(key: string, fallback: string[], description: string, check: Check): string[] {
        const value = this.raw[key];
        if (value === undefined) {
            return fallback;
        }
        const shape = `a non-empty list of strings (${description})`;
        const parsed = this.json(key, value, shape);
        if (parsed === undefined) {
            return fallback;
        }
        if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((i) => typeof i === "string")) {
            this.fail(key, value, `must be ${shape}`);
            return fallback;
        }
        const problems = parsed.map(check).filter((p): p is string => p !== undefined);
        if (problems.length > 0) {
            this.fail(key, value, problems.join("; "));
            return fallback;
        }
        return parsed;
    }

    /** A map whose values are strings, numbers or booleans; `check` vets each entry. */
    stringMap(key: string, check: (name: string, value: string) => string | undefined): Record<string, string> {
        const value = this.raw[key];
        if (value === undefined) {
            return {};
        }
        const shape = "a map of NAME: value";
        const parsed = this.json(key, value, shape);
        if (parsed === undefined) {
            return {};
        }
        if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
            this.fail(key, value, `must be ${shape}`);
            return {};
        }
        const result: Record<string, string> = {};
        const problems: string[] = [];
        for (const [name, item] of Object.entries(parsed as Record<string, unknown>)) {
            const text = typeof item === "string" || typeof item === "number" || typeof item === "boolean" ? String(item) : undefined;
            const problem = text === undefined ? `${name} must be a string, number or boolean` : check(name, text);
            if (problem) {
                problems.push(problem);
            } else {
                result[name] = text as string;
            }
        }
        if (problems.length > 0) {
            this.fail(key, value, problems.join("; "));
        }
        return result;
    }
}

/** A docker image reference that names a tag or digest, and never the moving `latest` tag. */
export const imageCheck: Check = (image) => {
    const allowed =
        "must be an image reference with a pinned tag or digest, e.g. calciumion/new-api:v0.9.20-patch.2 (never latest)";
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
const nginxImageCheck: Check = (image) => {
    const tag = /:(\d+)\.(\d+)\.(\d+)[^/@]*(@|$)/.exec(image);
    const version = tag ? [Number(tag[1]), Number(tag[2]), Number(tag[3])] : undefined;
    const old = version !== undefined && version[0] * 1e6 + version[1] * 1e3 + version[2] < 1027003;
    return imageCheck(image) ?? (old ? "must be nginx 1.27.3 or later, which re-resolves the nodes' names at run time" : undefined);
};

const timezoneCheck: Check = (timezone) => {
    try {
        new Intl.DateTimeFormat("en-US", { timeZone: timezone });
        return timezone === "" ? "must be an IANA time zone such as UTC or Asia/Shanghai" : undefined;
    } catch {
        return "must be an IANA time zone such as UTC or Asia/Shanghai";
    }
};

const cidrCheck: Check = (cidr) => {
    const parsed = parseCidr(cidr);
    return parsed.ok ? undefined : `${JSON.stringify(cidr)} ${parsed.problem}`;
};

const vpcCidrCheck: Check = (cidr) => {
    const parsed = parseCidr(cidr);
    if (!parsed.ok) {
        return parsed.problem;
    }
    return parsed.prefix < 16 || parsed.prefix > 24 ? "must have a prefix length from /16 to /24" : undefined;
};

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

/** RDS storage autoscaling: MaxAllocatedStorage must be at least 10% above AllocatedStorage (USER_PIOPS.Autoscaling). */
export function smallestStorageAutoscalingCeiling(allocatedStorageGb: number): number {
    return Math.ceil((allocatedStorageGb * 11) / 10);
}

/** The Redis OSS versions ElastiCache offers for new replication groups (6.x leaves standard support on 2027-01-31). */
export const REDIS_ENGINE_VERSIONS = ["7.1", "7.0", "6.2", "6.0"] as const;

/** The default cluster name for a stack: `newapi-<stack>`, lower-cased, other characters as '-'. */
export function defaultClusterName(stack: string): string {
    return `newapi-${stack.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`.replace(/-+$/, "");
}

const ec2InstanceType = matches(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, "must be an EC2 instance type such as t3.small");
const subnetId = matches(/^subnet-[0-9a-f]{8,17}$/, "is not a subnet id such as subnet-0123456789abcdef0");
const EXISTING_VPC_KEYS = ["vpcId", "publicSubnetIds", "privateSubnetIds"];
const NEW_VPC_KEYS = ["vpcCidr", "azCount", "natGateways"];

function readNetwork(read: ConfigReader, raw: RawConfig): NetworkConfig {
    const given = EXISTING_VPC_KEYS.filter((k) => read.isSet(k));
    if (given.length === 0) {
        return {
            kind: "new",
            vpcCidr: read.string("vpcCidr", "10.0.0.0/16", vpcCidrCheck),
            azCount: read.integer("azCount", 2, 2, 3),
            natGateways: read.oneOf<NatGatewayStrategy>("natGateways", "onePerAz", ["onePerAz", "single"]),
            flowLogs: read.boolean("vpcFlowLogs", false),
        };
    }
    if (read.boolean("vpcFlowLogs", false)) {
        read.fail("vpcFlowLogs", raw.vpcFlowLogs, "applies only to a new VPC (the stack does not manage an existing VPC's flow logs); remove it when vpcId is set");
    }
    const missing = EXISTING_VPC_KEYS.filter((k) => !given.includes(k));
    for (const key of missing.length > 0 ? given : []) {
        read.fail(key, raw[key], `an existing VPC needs vpcId, publicSubnetIds and privateSubnetIds together; missing: ${missing.join(", ")}`);
    }
    for (const key of NEW_VPC_KEYS.filter((k) => read.isSet(k))) {
        read.fail(key, raw[key], "applies only to a new VPC; remove it when vpcId is set");
    }
    const subnets = (key: string) => {
        const ids = read.stringList(key, [], "subnet ids in at least two availability zones", (id) => {
            const problem = subnetId(id);
            return problem && `${JSON.stringify(id)} ${problem}`;
        });
        if (read.isSet(key) && ids.length > 0 && (ids.length < 2 || new Set(ids).size !== ids.length)) {
            read.fail(key, raw[key], "must list at least two distinct subnets (the ALB and RDS need two availability zones)");
        }
        return ids;
    };
    return {
        kind: "existing",
        vpcId: read.optionalString("vpcId", matches(/^vpc-[0-9a-f]{8,17}$/, "must be a VPC id such as vpc-0123456789abcdef0")) ?? "",
        publicSubnetIds: subnets("publicSubnetIds"),
        privateSubnetIds: subnets("privateSubnetIds"),
    };
}

/**
 * The load balancer's security group takes one rule per CIDR and port (80, and 443 with HTTPS);
 * EC2 allows 60 inbound rules per group by default ("Inbound or outbound rules per security group").
 */
export const MAX_ALLOWED_CIDRS = 30;

function readAllowedCidrs(read: ConfigReader): string[] {
    const cidrs = read.stringList("allowedCidrs", ["0.0.0.0/0"], "IPv4 CIDR blocks such as 203.0.113.0/24", cidrCheck);
    if (cidrs.length > MAX_ALLOWED_CIDRS) {
        read.fail(
            "allowedCidrs",
            JSON.stringify(cidrs),
            `lists ${cidrs.length} blocks; at most ${MAX_ALLOWED_CIDRS} fit in the load balancer's security group (EC2's 60 inbound rules, one per block and port): use larger blocks`,
        );
    }
    return cidrs;
}

/** Why an alarmThresholds entry is refused: an unknown name, or not a positive number (percentages at most 100). */
function thresholdProblem(name: string, value: string): string | undefined {
    if (!(name in DEFAULT_ALARM_THRESHOLDS)) {
        return `${name} is not a threshold; known: ${Object.keys(DEFAULT_ALARM_THRESHOLDS).join(", ")}`;
    }
    const n = Number(value);
    const isPercent = name.endsWith("Percent");
    return !Number.isFinite(n) || n <= 0 || (isPercent && n > 100)
        ? `${name} must be a number above 0${isPercent ? " and at most 100" : ""}`
        : undefined;
}

/** ACM RequestCertificate: the Common Name (the first domain name) is at most 64 octets. */
const ACM_COMMON_NAME_MAX = 64;

function readOperations(read: ConfigReader, raw: RawConfig, awsRegion: string | undefined): OperationsConfig {
    const https: HttpsConfig = {
        certificateArn: read.optionalString(
            "certificateArn",
            matches(
                /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]{36}$/,
                "must be an ACM certificate ARN such as arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-0a1b-0a1b-0a1b-0a1b2c3d4e5f",
            ),
        ),
        domainName: read.optionalString(
            "domainName",
            matches(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, "must be a lower-case DNS name such as api.example.com"),
        ),
        hostedZoneId: read.optionalString("hostedZoneId", matches(/^Z[A-Z0-9]{4,31}$/, "must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ")),
    };
    // A load balancer can only use a certificate from its own region's ACM.
    const certificateRegion = https.certificateArn?.split(":")[3];
    if (certificateRegion !== undefined && awsRegion !== undefined && certificateRegion !== awsRegion) {
        read.fail("certificateArn", https.certificateArn, `is a certificate in ${certificateRegion}; the load balancer is in aws:region ${awsRegion} and can use only a certificate from there`);
    }
    // ACM puts the first domain name in the certificate's Common Name, which holds 64 octets.
    if (https.domainName !== undefined && https.certificateArn === undefined && https.domainName.length > ACM_COMMON_NAME_MAX) {
        read.fail(
            "domainName",
            https.domainName,
            `is ${https.domainName.length} characters; ACM can request a certificate for at most ${ACM_COMMON_NAME_MAX}: use a shorter name or give certificateArn`,
        );
    }
    if ((https.domainName === undefined) !== (https.hostedZoneId === undefined)) {
        const [given, missing] = https.domainName === undefined ? ["hostedZoneId", "domainName"] : ["domainName", "hostedZoneId"];
        read.fail(given, raw[given], `needs ${missing} too: the stack creates the DNS record (and certificate) in that zone`);
    }
    const thresholds = { ...DEFAULT_ALARM_THRESHOLDS };
    for (const [name, value] of Object.entries(read.stringMap("alarmThresholds", thresholdProblem))) {
        thresholds[name as keyof AlarmThresholds] = Number(value);
    }
    const logRetentionDays = read.integer("logRetentionDays", 30, 1, 3653);
    if (!LOG_RETENTION_DAYS.includes(logRetentionDays)) {
        read.fail("logRetentionDays", String(logRetentionDays), `must be one of CloudWatch's periods: ${LOG_RETENTION_DAYS.join(", ")}`);
    }
    // ELB writes a file every 5 minutes per load balancer node; S3 expires them after this many days.
    const albAccessLogs = read.boolean("albAccessLogs", false);
    const albAccessLogDays = read.integer("albAccessLogDays", 90, 1, 3653);
    if (read.isSet("albAccessLogDays") && !albAccessLogs) {
        read.fail("albAccessLogDays", raw.albAccessLogDays, "keeps access logs, which are off: set albAccessLogs true too, or remove it");
    }
    return {
        https: https.certificateArn || https.domainName ? https : undefined,
        alertEmail: read.optionalString(
            "alertEmail",
            matches(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, "must be an email address such as oncall@example.com"),
        ),
        alarmThresholds: thresholds,
        logRetentionDays,
        logDatabase: read.boolean("logDatabase", false),
        verifyTimeoutSeconds: read.integer("verifyTimeout", 900, 30, 3600),
        albAccessLogDays: albAccessLogs ? albAccessLogDays : undefined,
    };
}

/**
 * Validates raw config and returns the cluster's typed configuration, or throws a
 * ConfigError listing every problem. `stack` supplies the default cluster name; `awsRegion`
 * (the aws:region setting, when there is one) is where an ACM certificate must live;
 * `secretKeys` are the keys the stack stores as secrets.
 */
export function parseClusterConfig(raw: RawConfig, stack: string, awsRegion?: string, secretKeys: string[] = []): ClusterConfig {
    const read = new ConfigReader(raw);

    // No setting of this stack is kept secret (extraEnv is written into userData, the rest into
    // resource inputs and outputs): a value stored as a secret would be published silently.
    for (const key of secretKeys.filter((k) => k in raw)) {
        read.fail(
            key,
            "[secret]",
            "is stored as a secret, but this setting is not kept secret (extraEnv, for one, is written into EC2 userData in clear text); " +
                "set it without --secret, and keep credentials out of the stack's settings",
        );
    }
    for (const key of Object.keys(raw).filter((k) => !CONFIG_KEYS.includes(k))) {
        read.fail(key, raw[key], `is not a setting of this stack; known keys: ${CONFIG_KEYS.join(", ")}`);
    }
    const target = read.oneOf<Target>("target", "aws", ["aws", "docker"]);
    const otherTarget: Target = target === "aws" ? "docker" : "aws";
    for (const key of TARGET_ONLY_KEYS[otherTarget].filter((k: string) => read.isSet(k))) {
        read.fail(key, raw[key], `applies only to target ${otherTarget}; this stack's target is ${target}`);
    }

    // Autonamed ALB target groups must fit in 32 characters (name + "-slaves" + a 7-character
    // random suffix), and ElastiCache ids may not contain "--" or end with "-".
    const clusterName = read.string(
        "clusterName",
        defaultClusterName(stack),
        matches(
            /^[a-z](?!.*--)[a-z0-9-]{0,16}(?<!-)$/,
            "must be 1-17 characters: lower-case letters, digits and single hyphens, starting with a letter and not ending with a hyphen",
        ),
    );

    const slaveCount = read.integer("slaveCount", 2, 0, 100);
    const instanceType = read.string("instanceType", "t3.small", ec2InstanceType);
    const sqlMaxOpenConns = read.integer("sqlMaxOpenConns", 30, 1, 1000);
    const sqlMaxIdleConns = read.integer("sqlMaxIdleConns", Math.min(10, sqlMaxOpenConns), 0, 1000);
    if (sqlMaxIdleConns > sqlMaxOpenConns) {
        read.fail("sqlMaxIdleConns", String(sqlMaxIdleConns), `must not exceed sqlMaxOpenConns (${sqlMaxOpenConns})`);
    }

    const node: NodeSettings = {
        syncFrequency: read.integer("syncFrequency", 60, 1, 86400),
        batchUpdateInterval: read.integer("batchUpdateInterval", 5, 1, 300),
        timezone: read.string("timezone", "UTC", timezoneCheck),
        redisPoolSize: read.integer("redisPoolSize", 10, 1, 1000),
        sqlMaxOpenConns,
        sqlMaxIdleConns,
        extraEnv: read.stringMap("extraEnv", extraEnvProblem),
    };

    const allocatedStorageGb = read.integer("dbAllocatedStorage", 20, 20, 65536);
    const maxAllocatedStorageGb = read.integer("dbMaxAllocatedStorage", 100, 0, 65536);
    const smallestCeiling = smallestStorageAutoscalingCeiling(allocatedStorageGb);
    if (maxAllocatedStorageGb !== 0 && maxAllocatedStorageGb < smallestCeiling) {
        read.fail(
            "dbMaxAllocatedStorage",
            String(maxAllocatedStorageGb),
            `must be 0 (no storage autoscaling) or at least ${smallestCeiling}: RDS wants the ceiling 10% above dbAllocatedStorage (${allocatedStorageGb})`,
        );
    }
    const database: DatabaseConfig = {
        instanceClass: read.string(
            "dbInstanceClass",
            "db.t4g.micro",
            matches(/^db\.[a-z0-9-]+\.[a-z0-9]+$/, "must be an RDS instance class such as db.t4g.micro"),
        ),
        allocatedStorageGb,
        maxAllocatedStorageGb,
        engineVersion: read.string(
            "dbEngineVersion",
            "8.4",
            matches(/^8\.(0|4)(\.\d+)?$/, "must be a MySQL 8.4 or 8.0 engine version such as 8.4 or 8.4.7 (8.0 only in RDS Extended Support)"),
        ),
        multiAz: read.boolean("dbMultiAz", false),
        backupRetentionDays: read.integer("dbBackupRetentionDays", 7, 1, 35),
        maxConnections: read.integer("dbMaxConnections", 500, 10, 16000),
        applyImmediately: read.boolean("dbApplyImmediately", false),
    };

    // Every node may open sqlMaxOpenConns connections; the database must admit all of them.
    const needed = (1 + slaveCount) * sqlMaxOpenConns;
    if (needed > database.maxConnections) {
        read.fail(
            "slaveCount",
            String(slaveCount),
            `(1 master + ${slaveCount} slaves) x sqlMaxOpenConns ${sqlMaxOpenConns} = ${needed} connections, ` +
                `more than dbMaxConnections ${database.maxConnections}; lower slaveCount or sqlMaxOpenConns, ` +
                `or raise dbMaxConnections (with a dbInstanceClass that has the memory for it)`,
        );
    }

    const image = read.string("image", DEFAULT_IMAGE, imageCheck);
    const protect = read.boolean("protect", false);
    const config: ClusterConfig = {
        target,
        clusterName,
        slaveCount,
        image,
        slaveImage: read.optionalString("slaveImage", imageCheck) ?? image,
        instanceType,
        masterInstanceType: read.optionalString("masterInstanceType", ec2InstanceType) ?? instanceType,
        amiId: read.optionalString("amiId", matches(/^ami-[0-9a-f]{8,17}$/, "must be an AMI id such as ami-0123456789abcdef0")),
        rootVolumeSizeGb: read.integer("rootVolumeSize", 20, 8, 16384),
        masterWeight: read.integer("masterWeight", 3, 1, 999),
        slaveWeight: read.integer("slaveWeight", 5, 1, 999),
        deregistrationDelaySeconds: read.integer("deregistrationDelay", 30, 0, 3600),
        nodeWarmupSeconds: read.integer("nodeWarmup", 900, 60, 3600),
        slaveSetupTimeoutSeconds: read.integer("slaveSetupTimeout", 1800, 60, 86400),
        // New API's setup wizard allows at most 12 characters; these need no JSON escaping.
        // The local target always completes setup itself: it is the quick start.
        adminUsername:
            read.optionalString(
                "adminUsername",
                matches(/^[A-Za-z0-9_.-]{1,12}$/, "must be 1-12 letters, digits, '_', '.' or '-' (New API's limit is 12)"),
            ) ?? (target === "docker" ? LOCAL_ADMIN_USERNAME : undefined),
        protect,
        finalSnapshot: read.boolean("finalSnapshot", protect),
        allowedCidrs: readAllowedCidrs(read),
        node,
        database,
        cache: {
            nodeType: read.string(
                "cacheNodeType",
                "cache.t4g.micro",
                matches(/^cache\.[a-z0-9-]+\.[a-z0-9]+$/, "must be an ElastiCache node type such as cache.t4g.micro"),
            ),
            nodeCount: read.integer("cacheNodeCount", 2, 1, 6),
            engineVersion: read.oneOf("cacheEngineVersion", "7.1", REDIS_ENGINE_VERSIONS),
        },
        network: readNetwork(read, raw),
        operations: readOperations(read, raw, awsRegion),
        local: {
            port: read.integer("localPort", 8080, 1, 65535),
            mysqlImage: read.string("mysqlImage", DEFAULT_LOCAL_IMAGES.mysqlImage, imageCheck),
            redisImage: read.string("redisImage", DEFAULT_LOCAL_IMAGES.redisImage, imageCheck),
            nginxImage: read.string("nginxImage", DEFAULT_LOCAL_IMAGES.nginxImage, nginxImageCheck),
        },
    };

    // A protected (production) stack carries real users' API keys: plain HTTP only by choice.
    const allowPlainHttp = read.boolean("allowPlainHttp", false);
    if (target === "aws" && protect && config.operations.https === undefined && !allowPlainHttp) {
        read.fail(
            "protect",
            raw.protect,
            "a protected stack must serve HTTPS, or API keys cross the internet in clear: set certificateArn, or domainName with hostedZoneId " +
                "(or set allowPlainHttp true to accept plain HTTP, and make the pack's alb-https-when-protected policy advisory)",
        );
    }
    // A protected stack keeps an audit trail of its requests (alb-access-logs-when-protected).
    if (target === "aws" && protect && config.operations.albAccessLogDays === undefined) {
        read.fail("protect", raw.protect, "a protected stack keeps ALB access logs: set albAccessLogs true");
    }
    // Only extraEnv can grow a node's userData without bound; EC2 refuses more than 16 KB.
    if (read.problems.length === 0 && target === "aws") {
        const bytes = largestUserDataBytes(config);
        if (bytes > USER_DATA_MAX_BYTES) {
            read.fail(
                "extraEnv",
                raw.extraEnv,
                `makes a node's userData up to ${bytes} bytes, and EC2 allows ${USER_DATA_MAX_BYTES}; ` +
                    `shorten extraEnv by at least ${bytes - USER_DATA_MAX_BYTES} bytes`,
            );
        }
    }
    if (read.problems.length > 0) {
        throw new ConfigError(read.problems);
    }
    return config;
}

/**
 * Whether the stack stores a config key as a secret. allConfig() hands out plain strings; the
 * SDK keeps the secret keys beside them (runtime.isConfigSecret, not in its typings).
 */
function isConfigSecret(key: string): boolean {
    const runtime = pulumi.runtime as unknown as { isConfigSecret?: (key: string) => boolean };
    if (runtime.isConfigSecret === undefined) {
        throw new Error("@pulumi/pulumi no longer tells secret config apart (runtime.isConfigSecret); update components/config.ts");
    }
    return runtime.isConfigSecret(key);
}

/** Collects this project's raw config from Pulumi and validates it. */
export function loadClusterConfig(): ClusterConfig {
    const prefix = `${CONFIG_NAMESPACE}:`;
    const raw: RawConfig = {};
    const secretKeys: string[] = [];
    for (const [key, value] of Object.entries(pulumi.runtime.allConfig())) {
        if (key.startsWith(prefix)) {
            raw[key.slice(prefix.length)] = value;
            if (isConfigSecret(key)) {
                secretKeys.push(key.slice(prefix.length));
            }
        }
    }
    return parseClusterConfig(raw, pulumi.getStack(), new pulumi.Config("aws").get("region"), secretKeys);
}
