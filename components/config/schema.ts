// The one description of every setting of the stack: its type, default, allowed values, the
// target that reads it and its documentation line. The settings' TypeScript type, the key
// lists, the reading and the documentation's tables all derive from this table; a setting is
// called by its config key everywhere, from the stack file to the resources.
import {
    DEFAULT_ALARM_THRESHOLDS,
    DEFAULT_IMAGE,
    LOCAL_ADMIN_USERNAME,
    AlarmThresholds,
    cidrCheck,
    defaultClusterName,
    extraEnvProblem,
    imageCheck,
    matches,
    subnetIdCheck,
    thresholdProblem,
    timezoneCheck,
    vpcCidrCheck,
} from "./checks";
import { Scope, Setting, Target, boolean, choice, code, earlier, integer, list, map, optionalText, secretText, text } from "./kinds";
import { DATA_SERVICE_SETTINGS } from "./dataServices";
import { SECRET_SHAPE } from "../nodeContract";

export { SECTIONS, secretText } from "./kinds";
export type { ReadContext, Scope, Section, Setting, Target } from "./kinds";

/** RDS DBSnapshotIdentifier (CreateDBSnapshot): 1-255 letters, digits and hyphens, a letter first, no "--", no hyphen last. */
export const SNAPSHOT_NAME = "[A-Za-z](?!.*--)[A-Za-z0-9-]{0,254}(?<!-)";
/** A shared snapshot is named by its ARN (RestoreDBInstanceFromDBSnapshot). */
export const SNAPSHOT_ARN = `arn:aws[a-z-]*:rds:([a-z0-9-]+):\\d{12}:snapshot:${SNAPSHOT_NAME}`;

const ec2InstanceType = matches(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, "must be an EC2 instance type such as t3.small");

/** Every setting, in reading order: a default may use only the settings above it. */
export const SETTINGS = {
    target: choice({
        scope: "both",
        section: "cluster",
        values: ["aws", "docker"] as const satisfies readonly Target[],
        default: "aws",
        doc: "where the cluster runs: AWS, or the local Docker engine; keys of the other target are refused",
    }),
    clusterName: text({
        scope: "both",
        section: "cluster",
        // Autonamed ALB target groups must fit in 32 characters (name + "-slaves" + a 7-character
        // random suffix), and ElastiCache ids may not contain "--" or end with "-".
        check: matches(
            /^[a-z](?!.*--)[a-z0-9-]{0,16}(?<!-)$/,
            "must be 1-17 characters: lower-case letters, digits and single hyphens, starting with a letter and not ending with a hyphen",
        ),
        allowed: "1-17 lower-case letters, digits, single hyphens, starting with a letter",
        default: (context) => defaultClusterName(context.stack),
        checkDefault: true,
        shownDefault: "`newapi-<stack>`",
        doc: "prefixes every resource name and the SSM path",
    }),
    slaveCount: integer({ scope: "both", section: "cluster", default: 2, min: 0, max: 100, doc: "slave nodes" }),
    image: text({
        scope: "both",
        section: "cluster",
        default: DEFAULT_IMAGE,
        check: imageCheck,
        allowed: "an image with a pinned tag or digest; `latest` is refused",
        doc: "image of every node (check Docker Hub for the newest release)",
    }),
    slaveImage: text({
        scope: "both",
        section: "cluster",
        default: (context) => earlier<string>(context, "image"),
        shownDefault: "`image`",
        check: imageCheck,
        allowed: "as `image`",
        doc: "the slaves' image, for two-step rolling upgrades (see [Upgrades](operations.md#upgrades))",
    }),
    masterWeight: integer({ scope: "both", section: "cluster", default: 3, min: 1, max: 999, doc: "the guide's nginx weight of the master" }),
    slaveWeight: integer({ scope: "both", section: "cluster", default: 5, min: 1, max: 999, doc: "the guide's nginx weight of each slave" }),
    redisAuthTokenRotation: generation(
        "generation of the Redis AUTH token: raise it to rotate the token in the next `pulumi up`; on AWS old and new tokens both work until every node has restarted (see [Rotating secrets](operations.md#rotating-secrets))",
    ),
    dbPasswordRotation: generation(
        "generation of the database password: raise it to rotate the password in the next `pulumi up`, the nodes restarted one group at a time (on docker: old and new both work until every node is replaced; MySQL 8.0.14 or later) (see [Rotating secrets](operations.md#rotating-secrets))",
    ),
    adminUsername: optionalText({
        scope: "both",
        section: "cluster",
        // New API's setup wizard allows at most 12 characters; these need no JSON escaping.
        check: matches(/^[A-Za-z0-9_.-]{1,12}$/, "must be 1-12 letters, digits, '_', '.' or '-' (New API's limit is 12)"),
        allowed: "1-12 letters, digits, `_`, `.`, `-`",
        // The local target always completes setup itself: it is the quick start.
        default: (context) => (earlier<Target>(context, "target") === "docker" ? LOCAL_ADMIN_USERNAME : undefined),
        shownDefault: "— (`admin` on docker)",
        doc: "set: the master completes setup itself with this root user and a generated password; unset: you run the setup wizard",
    }),
    adminPasswordRotation: generation(
        "generation of the root user's password, with `adminUsername` only: raise it to change the password in the next `pulumi up`, through New API, without a restart (see [Rotating secrets](operations.md#rotating-secrets))",
    ),
    sessionSecret: carriedSecret("`SESSION_SECRET`, which signs the users' login sessions"),
    cryptoSecret: carriedSecret("`CRYPTO_SECRET`, which keys the HMAC of cached tokens and some stored values"),
    syncFrequency: integer({ scope: "both", section: "cluster", default: 60, min: 1, max: 86400, unit: "seconds", doc: "`SYNC_FREQUENCY`" }),
    batchUpdateInterval: integer({ scope: "both", section: "cluster", default: 5, min: 1, max: 300, unit: "seconds", doc: "`BATCH_UPDATE_INTERVAL`" }),
    shutdownTimeout: integer({
        scope: "both",
        section: "cluster",
        default: 300,
        min: 10,
        max: 3600,
        unit: "seconds",
        doc:
            "`SHUTDOWN_TIMEOUT_SECONDS`: how long a stopping node lets requests in flight (streamed completions too) finish before it exits; " +
            "every stop of a node is sized from it (see [Stopping a node](operations.md#stopping-a-node))",
    }),
    rolloutBatchPercent: integer({
        scope: "both",
        section: "cluster",
        default: 25,
        min: 1,
        max: 100,
        unit: "% of the slaves (at least one)",
        doc:
            "how many slaves an upgrade replaces, or a secret rotation restarts, at a time, after the master " +
            "(see [Upgrades](operations.md#upgrades))",
    }),
    timezone: text({
        scope: "both",
        section: "cluster",
        default: "UTC",
        check: timezoneCheck,
        allowed: "an IANA time zone",
        doc: "`TZ`",
    }),
    redisPoolSize: integer({ scope: "both", section: "cluster", default: 10, min: 1, max: 1000, doc: "`REDIS_POOL_SIZE`" }),
    sqlMaxOpenConns: integer({ scope: "both", section: "cluster", default: 30, min: 1, max: 1000, doc: "`SQL_MAX_OPEN_CONNS` of every node" }),
    sqlMaxIdleConns: integer({
        scope: "both",
        section: "cluster",
        default: (context) => Math.min(10, earlier<number>(context, "sqlMaxOpenConns")),
        shownDefault: "`min(10, sqlMaxOpenConns)`",
        min: 0,
        max: 1000,
        doc: "`SQL_MAX_IDLE_CONNS`, at most `sqlMaxOpenConns`",
    }),
    extraEnv: map({
        scope: "both",
        section: "cluster",
        entry: extraEnvProblem,
        allowed: "a map of `NAME: value`",
        doc:
            "more environment for every node; may not override what the stack sets, set `FRONTEND_BASE_URL`, or carry secret-looking names " +
            "(it is in clear text in userData); on AWS 3.5-7 KB in all (the least with `adminUsername` and `logDatabase`), as a node's userData may not exceed EC2's 16 KB (refused with the size to cut)",
    }),
    dbMaxConnections: integer({
        scope: "both",
        section: "cluster",
        default: 500,
        min: 10,
        max: 16000,
        doc: "MySQL's `max_connections` (the RDS parameter group, or the local MySQL's flag); must admit `(1 + slaveCount) × sqlMaxOpenConns`",
    }),

    instanceType: text({
        scope: "aws",
        section: "nodes",
        default: "t3.small",
        check: ec2InstanceType,
        allowed: "an EC2 instance type",
        doc: "EC2 type of the slaves (and of the master unless `masterInstanceType` is set); Graviton types get the arm64 AMI",
    }),
    masterInstanceType: text({
        scope: "aws",
        section: "nodes",
        default: (context) => earlier<string>(context, "instanceType"),
        shownDefault: "`instanceType`",
        check: ec2InstanceType,
        allowed: "an EC2 instance type",
        doc: "EC2 type of the master",
    }),
    amiId: optionalText({
        scope: "aws",
        section: "nodes",
        check: matches(/^ami-[0-9a-f]{8,17}$/, "must be an AMI id such as ami-0123456789abcdef0"),
        allowed: "an AMI id",
        shownDefault: "newest AL2023",
        doc: "pin an AMI; unset, new nodes take the newest Amazon Linux 2023 and existing ones keep theirs",
    }),
    rootVolumeSize: integer({ scope: "aws", section: "nodes", default: 20, min: 8, max: 16384, unit: "GiB", doc: "each node's encrypted gp3 root volume" }),
    deregistrationDelay: integer({
        scope: "aws",
        section: "nodes",
        default: (context) => earlier<number>(context, "shutdownTimeout"),
        shownDefault: "`shutdownTimeout`",
        min: 0,
        max: 3600,
        unit: "seconds",
        doc:
            "how long the load balancer lets a leaving node finish its requests (it ends sooner once none is left); " +
            "`pulumi up` terminates the node only then; at least `shutdownTimeout`",
    }),
    nodeWarmup: integer({
        scope: "aws",
        section: "nodes",
        default: 900,
        min: 60,
        max: 3600,
        unit: "seconds",
        doc: "how long at most `pulumi up` waits for a new node to turn healthy in its target group before it shifts weights or removes old nodes; it moves on as soon as the node is healthy",
    }),
    slaveSetupTimeout: integer({
        scope: "aws",
        section: "nodes",
        default: 1800,
        min: 60,
        max: 86400,
        unit: "seconds",
        doc: "how long a new slave waits for the master's setup, and for the master to run the slave's release or a newer one, before starting anyway",
    }),
    protect: boolean({
        scope: "aws",
        section: "nodes",
        default: false,
        doc:
            "deletion protection on RDS and the ALB, 7 days of ElastiCache snapshots, and Pulumi `protect` on the database and cache; a protected stack must " +
            "serve HTTPS (`certificateArn`, or `domainName` with `hostedZoneId`) unless `allowPlainHttp`, and must keep ALB access logs (`albAccessLogs`); " +
            "the cluster key then waits 30 days, not 7, before deletion",
    }),
    finalSnapshot: boolean({
        scope: "aws",
        section: "nodes",
        default: (context) => earlier<boolean>(context, "protect"),
        shownDefault: "`protect`",
        doc:
            "final snapshots `<clusterName>-mysql-final-<suffix>`, `-mysql-log-final-<suffix>` (with `logDatabase`) and `-redis-final-<suffix>` when the " +
            "databases and cache are deleted; each `<suffix>` is a random id of its database or cache, new when the provider replaces it (output `finalSnapshots`)",
    }),
    allowedCidrs: list({
        scope: "aws",
        section: "nodes",
        default: ["0.0.0.0/0"],
        item: cidrCheck,
        allowed: "1-30 IPv4 CIDR blocks such as 203.0.113.0/24",
        doc: "admitted to the ALB on port 80 (and 443): one security group rule each per port, and EC2 allows 60",
    }),

    dbInstanceClass: text({
        scope: "aws",
        section: "database",
        default: "db.t4g.micro",
        check: matches(/^db\.[a-z0-9-]+\.[a-z0-9]+$/, "must be an RDS instance class such as db.t4g.micro"),
        allowed: "an RDS instance class",
        doc: "the database's instance class",
    }),
    dbAllocatedStorage: integer({ scope: "aws", section: "database", default: 20, min: 20, max: 65536, unit: "GiB", doc: "gp3, encrypted" }),
    dbMaxAllocatedStorage: integer({
        scope: "aws",
        section: "database",
        default: 100,
        min: 0,
        max: 65536,
        unit: "GiB",
        doc: "storage autoscaling ceiling, at least 10% above `dbAllocatedStorage` (RDS's rule); `0` turns autoscaling off",
    }),
    dbEngineVersion: DATA_SERVICE_SETTINGS.dbEngineVersion,
    dbApplyImmediately: boolean({
        scope: "aws",
        section: "database",
        default: false,
        doc: "apply database changes now rather than in the next maintenance window; needed for a major version upgrade",
    }),
    dbMultiAz: boolean({ scope: "aws", section: "database", default: false, doc: "RDS Multi-AZ (set `true` in production)" }),
    dbBackupRetentionDays: integer({ scope: "aws", section: "database", default: 7, min: 1, max: 35, unit: "days", doc: "automated backups" }),
    dbSnapshotIdentifier: snapshotIdentifier("the main database"),
    logDbSnapshotIdentifier: snapshotIdentifier("the log database (`logDatabase`)"),

    cacheNodeType: text({
        scope: "aws",
        section: "cache",
        default: "cache.t4g.micro",
        check: matches(/^cache\.[a-z0-9-]+\.[a-z0-9]+$/, "must be an ElastiCache node type such as cache.t4g.micro"),
        allowed: "an ElastiCache node type",
        doc: "the cache's node type",
    }),
    cacheNodeCount: integer({ scope: "aws", section: "cache", default: 2, min: 1, max: 6, doc: "2 or more turns on automatic failover and Multi-AZ" }),
    cacheEngine: DATA_SERVICE_SETTINGS.cacheEngine,
    cacheEngineVersion: DATA_SERVICE_SETTINGS.cacheEngineVersion,
    cacheApplyImmediately: DATA_SERVICE_SETTINGS.cacheApplyImmediately,

    vpcCidr: text({
        scope: "aws",
        section: "network",
        default: "10.0.0.0/16",
        check: vpcCidrCheck,
        allowed: "an IPv4 CIDR from /16 to /24",
        doc: "new VPC only; cut into 16 subnets (public from the first, private from the middle)",
    }),
    azCount: integer({ scope: "aws", section: "network", default: 2, min: 2, max: 3, doc: "new VPC only; availability zones" }),
    natGateways: choice({
        scope: "aws",
        section: "network",
        values: ["onePerAz", "single"] as const,
        default: "onePerAz",
        doc: "new VPC only; `onePerAz` (a zone's outage leaves the others online) or `single` (cheaper)",
    }),
    vpcFlowLogs: boolean({
        scope: "aws",
        section: "network",
        default: false,
        doc:
            "new VPC only (refused with `vpcId`); `true` records the VPC's traffic (all of it, accepted and rejected) in the log group " +
            "`/new-api/<clusterName>/vpc-flow-logs`, kept `logRetentionDays` and encrypted with the cluster key",
    }),
    vpcId: optionalText({
        scope: "aws",
        section: "network",
        check: matches(/^vpc-[0-9a-f]{8,17}$/, "must be a VPC id such as vpc-0123456789abcdef0"),
        allowed: "a VPC id",
        doc: "an existing VPC; needs the two keys below too, and excludes the four above",
    }),
    publicSubnetIds: list({
        scope: "aws",
        section: "network",
        default: [],
        shownDefault: "—",
        item: subnetIdCheck,
        allowed: "subnet ids in at least two availability zones",
        doc: "existing VPC: ≥ 2 public subnets (ALB) in different AZs",
    }),
    privateSubnetIds: list({
        scope: "aws",
        section: "network",
        default: [],
        shownDefault: "—",
        item: subnetIdCheck,
        allowed: "subnet ids in at least two availability zones",
        doc: "existing VPC: ≥ 2 private subnets with NAT egress (nodes, RDS, Redis)",
    }),

    certificateArn: optionalText({
        scope: "aws",
        section: "operations",
        check: matches(
            /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]{36}$/,
            "must be an ACM certificate ARN such as arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-0a1b-0a1b-0a1b-0a1b2c3d4e5f",
        ),
        allowed: "an ACM certificate ARN in `aws:region`",
        doc: "HTTPS on 443 (TLS 1.3/1.2); port 80 only redirects",
    }),
    domainName: optionalText({
        scope: "aws",
        section: "operations",
        check: matches(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, "must be a lower-case DNS name such as api.example.com"),
        allowed: "a lower-case DNS name",
        doc:
            "with `hostedZoneId`: the cluster's name (an alias record to the ALB); without `certificateArn` the stack requests an ACM certificate for it, " +
            "validated through DNS (then at most 64 characters, ACM's limit for a certificate's name)",
    }),
    hostedZoneId: optionalText({
        scope: "aws",
        section: "operations",
        check: matches(/^Z[A-Z0-9]{4,31}$/, "must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ"),
        allowed: "a Route 53 hosted zone id",
        doc: "the Route 53 zone of `domainName`",
    }),
    alertEmail: optionalText({
        scope: "aws",
        section: "operations",
        check: matches(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, "must be an email address such as oncall@example.com"),
        allowed: "an email address",
        doc: "subscribed to the alarms' SNS topic",
    }),
    alarmThresholds: thresholds(),
    logRetentionDays: integer({
        scope: "aws",
        section: "operations",
        default: 30,
        min: 1,
        max: 3653,
        unit: "days, one of CloudWatch's periods (1, 3, 5, 7, 14, 30, 60, 90, …)",
        doc: "how long CloudWatch keeps the nodes' logs (and the flow logs)",
    }),
    logDatabase: boolean({ scope: "aws", section: "operations", default: false, doc: "a separate RDS instance for New API's log table, as `LOG_SQL_DSN` on every node" }),
    allowPlainHttp: boolean({
        scope: "aws",
        section: "operations",
        default: false,
        doc:
            "`true` lets a protected stack serve plain HTTP (refused otherwise: API keys would cross the internet in clear); the policy pack's " +
            "`alb-https-when-protected` must then be made advisory too",
    }),
    verifyTimeout: integer({
        scope: "aws",
        section: "operations",
        default: 900,
        min: 30,
        max: 3600,
        unit: "seconds",
        doc: "how long `pulumi up` waits for the cluster to answer through the load balancer",
    }),
    albAccessLogs: boolean({
        scope: "aws",
        section: "operations",
        default: false,
        doc:
            "`true`: the load balancer writes access logs to an S3 bucket of the stack's (see [Encryption and audit logs](operations.md#encryption-and-audit-logs)); " +
            "config and the policy pack (`alb-access-logs-when-protected`) require it of a protected stack",
    }),
    albAccessLogDays: integer({
        scope: "aws",
        section: "operations",
        default: 90,
        min: 1,
        max: 3653,
        unit: "days",
        doc: "how long S3 keeps the access logs; only with `albAccessLogs`",
    }),

    localPort: integer({ scope: "docker", section: "local", default: 8080, min: 1, max: 65535, doc: "the port on 127.0.0.1 where nginx listens" }),
    mysqlImage: DATA_SERVICE_SETTINGS.mysqlImage,
    cacheImage: DATA_SERVICE_SETTINGS.cacheImage,
    nginxImage: DATA_SERVICE_SETTINGS.nginxImage,
};

/**
 * A secret carried over from an earlier stack (docs/operations.md, Disaster recovery): set, it
 * replaces the generated value. Its shape is the one the nodes' start script accepts.
 */
function carriedSecret(what: string): Setting<string | undefined> {
    return secretText({
        scope: "both",
        section: "cluster",
        check: matches(new RegExp(SECRET_SHAPE.regex), `must be ${SECRET_SHAPE.what} (the stack generates 48)`),
        allowed: `${SECRET_SHAPE.what}`,
        doc:
            `${what}; unset, the stack generates it. Set it to an earlier stack's value to restore that stack's data with its sessions and tokens ` +
            "([Disaster recovery](operations.md#disaster-recovery))",
    });
}

/** A secret's generation: raising it regenerates that secret in the next `pulumi up` (0: as first generated). */
function generation(doc: string): Setting<number> {
    return integer({ scope: "both", section: "cluster", default: 0, min: 0, max: 1000000, doc });
}

/** Creating a database from a manual RDS snapshot: by name, or a shared one by its ARN. */
function snapshotIdentifier(database: string): Setting<string | undefined> {
    return optionalText({
        scope: "aws",
        section: "database",
        check: matches(
            new RegExp(`^(${SNAPSHOT_NAME}|${SNAPSHOT_ARN})$`),
            "must be a manual RDS snapshot's identifier (1-255 letters, digits and single hyphens, a letter first) or a shared snapshot's ARN",
        ),
        allowed: "a snapshot identifier, or a shared snapshot's ARN",
        doc:
            `creates ${database} from this MySQL snapshot (of a database this stack created: master user and database \`newapi\`; encrypted, same major version as \`dbEngineVersion\`), with the stack's password; ` +
            "used when the database is created (and looked up at every `pulumi up` while set); keeping or removing it later never replaces the database " +
            "([Disaster recovery](operations.md#disaster-recovery))",
    });
}

/** The alarms' thresholds: a map of known names over the defaults. */
function thresholds(): Setting<AlarmThresholds> {
    return {
        scope: "aws",
        section: "operations",
        allowed: `a map of ${Object.keys(DEFAULT_ALARM_THRESHOLDS).map(code).join(", ")}`,
        shownDefault: "see [Alerts](operations.md#alerts)",
        doc: "CloudWatch alarm thresholds; other names are refused",
        read: (reader, key) => {
            const values = { ...DEFAULT_ALARM_THRESHOLDS };
            for (const [name, value] of Object.entries(reader.stringMap(key, thresholdProblem))) {
                values[name as keyof AlarmThresholds] = Number(value);
            }
            return values;
        },
    };
}

export type SettingKey = keyof typeof SETTINGS;

/** The settings that are secrets. */
export function secretKeysOf(): SettingKey[] {
    return (Object.keys(SETTINGS) as SettingKey[]).filter((key) => SETTINGS[key].secret === true);
}

/** Every setting's value, named by its config key. */
export type Settings = { [K in SettingKey]: (typeof SETTINGS)[K] extends Setting<infer T> ? T : never };

export const CONFIG_KEYS: readonly SettingKey[] = Object.keys(SETTINGS) as SettingKey[];

/** The keys only `target` reads. */
export function keysOf(scope: Scope): SettingKey[] {
    return CONFIG_KEYS.filter((key) => SETTINGS[key].scope === scope);
}
