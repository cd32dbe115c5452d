// Rules between settings, and the structures derived from several settings (the network,
// HTTPS). Each rule records its problems on the reader, naming the key to change.
import { AwsCliCredentials } from "./awsCredentials";
import { ACM_COMMON_NAME_MAX, LOG_RETENTION_DAYS, MAX_ALLOWED_CIDRS, lacksDualPasswords, smallestStorageAutoscalingCeiling } from "./checks";
import { drainProblem } from "../stopBudget";
import { RENAMED_KEYS } from "./dataServices";
import { ConfigReader } from "./reader";
import { CONFIG_KEYS, Settings, Target, keysOf, secretKeysOf } from "./schema";

export type NetworkConfig =
    | ({ kind: "new" } & Pick<Settings, "vpcCidr" | "azCount" | "natGateways" | "vpcFlowLogs">)
    | { kind: "existing"; vpcId: string; publicSubnetIds: string[]; privateSubnetIds: string[] };

/** HTTPS on the load balancer: an existing certificate, or one the stack requests for a domain. */
export type HttpsConfig = Pick<Settings, "certificateArn" | "domainName" | "hostedZoneId">;

/** The settings, and what the stack derives from several of them. */
/**
 * A target's own check of a whole configuration (components/aws/configChecks.ts): what only the
 * target's renderers know (its userData's size, its regions). It runs last, on the same reader,
 * so that its problems are reported with the others, before anything is created.
 */
export type TargetCheck = (read: ConfigReader, config: ClusterConfig, awsRegion: string | undefined) => void;

export interface ClusterConfig extends Settings {
    network: NetworkConfig;
    /** Set when the load balancer serves HTTPS. */
    https?: HttpsConfig;
    /** On AWS: the credentials of `pulumi up`'s AWS CLI calls, from the provider's settings. */
    awsCli?: AwsCliCredentials;
    /** What `pulumi up` says first: a default that may change a stack made before it (dataServices.ts). */
    notices: string[];
}

/**
 * Refuses keys that are not settings, settings of the other target, plain settings stored as
 * secrets and secret settings stored in clear.
 */
export function checkKeys(read: ConfigReader, target: Target, secretKeys: string[]): void {
    const secretSettings: readonly string[] = secretKeysOf();
    // A plain setting is not kept secret (extraEnv is written into userData, the rest into
    // resource inputs and outputs): a value stored as a secret would be published silently.
    for (const key of secretKeys.filter((k) => k in read.raw && !secretSettings.includes(k))) {
        read.fail(
            key,
            "[secret]",
            "is stored as a secret, but this setting is not kept secret (extraEnv, for one, is written into EC2 userData in clear text); " +
                "set it without --secret, and keep credentials out of the stack's settings",
        );
    }
    for (const key of secretSettings.filter((k) => read.isSet(k) && !secretKeys.includes(k))) {
        read.fail(key, read.raw[key], `is a secret and is stored in clear in the stack's settings: remove it, then set it with pulumi config set --secret ${key}`);
    }
    const known: readonly string[] = CONFIG_KEYS;
    for (const key of Object.keys(read.raw).filter((k) => !known.includes(k))) {
        read.fail(key, read.raw[key], key in RENAMED_KEYS ? `was renamed ${RENAMED_KEYS[key]}: pulumi config rm ${key}` : `is not a setting of this stack; known keys: ${CONFIG_KEYS.join(", ")}`);
    }
    const otherTarget: Target = target === "aws" ? "docker" : "aws";
    for (const key of keysOf(otherTarget).filter((k) => read.isSet(k))) {
        read.fail(key, read.raw[key], `applies only to target ${otherTarget}; this stack's target is ${target}`);
    }
}

const EXISTING_VPC_KEYS = ["vpcId", "publicSubnetIds", "privateSubnetIds"] as const;
const NEW_VPC_KEYS = ["vpcCidr", "azCount", "natGateways"] as const;

/** A new VPC, or an existing one given by vpcId and its subnets (all three, and none of the new VPC's keys). */
export function network(read: ConfigReader, settings: Settings): NetworkConfig {
    const given = EXISTING_VPC_KEYS.filter((k) => read.isSet(k));
    if (given.length === 0) {
        const { vpcCidr, azCount, natGateways, vpcFlowLogs } = settings;
        return { kind: "new", vpcCidr, azCount, natGateways, vpcFlowLogs };
    }
    const missing = EXISTING_VPC_KEYS.filter((k) => !read.isSet(k));
    for (const key of missing.length > 0 ? given : []) {
        read.fail(key, read.raw[key], `an existing VPC needs vpcId, publicSubnetIds and privateSubnetIds together; missing: ${missing.join(", ")}`);
    }
    for (const key of NEW_VPC_KEYS.filter((k) => read.isSet(k))) {
        read.fail(key, read.raw[key], "applies only to a new VPC; remove it when vpcId is set");
    }
    if (settings.vpcFlowLogs) {
        read.fail("vpcFlowLogs", read.raw.vpcFlowLogs, "applies only to a new VPC (the stack does not manage an existing VPC's flow logs); remove it when vpcId is set");
    }
    for (const key of ["publicSubnetIds", "privateSubnetIds"] as const) {
        const ids = settings[key];
        if (read.isSet(key) && ids.length > 0 && (ids.length < 2 || new Set(ids).size !== ids.length)) {
            read.fail(key, read.raw[key], "must list at least two distinct subnets (the ALB and RDS need two availability zones)");
        }
    }
    return { kind: "existing", vpcId: settings.vpcId ?? "", publicSubnetIds: settings.publicSubnetIds, privateSubnetIds: settings.privateSubnetIds };
}

/** HTTPS when a certificate or a domain is given; `awsRegion` is where the certificate must live. */
export function https(read: ConfigReader, settings: Settings, awsRegion: string | undefined): HttpsConfig | undefined {
    const { certificateArn, domainName, hostedZoneId } = settings;
    // A load balancer can only use a certificate from its own region's ACM.
    const certificateRegion = certificateArn?.split(":")[3];
    if (certificateRegion !== undefined && awsRegion !== undefined && certificateRegion !== awsRegion) {
        read.fail("certificateArn", certificateArn, `is a certificate in ${certificateRegion}; the load balancer is in aws:region ${awsRegion} and can use only a certificate from there`);
    }
    if (domainName !== undefined && certificateArn === undefined && domainName.length > ACM_COMMON_NAME_MAX) {
        read.fail(
            "domainName",
            domainName,
            `is ${domainName.length} characters; ACM can request a certificate for at most ${ACM_COMMON_NAME_MAX}: use a shorter name or give certificateArn`,
        );
    }
    if ((domainName === undefined) !== (hostedZoneId === undefined)) {
        const [given, missing] = domainName === undefined ? ["hostedZoneId", "domainName"] : ["domainName", "hostedZoneId"];
        read.fail(given, read.raw[given], `needs ${missing} too: the stack creates the DNS record (and certificate) in that zone`);
    }
    return certificateArn || domainName ? { certificateArn, domainName, hostedZoneId } : undefined;
}

/** The region of a snapshot named by its ARN (a shared snapshot), or undefined for a name. */
export function snapshotRegion(identifier: string): string | undefined {
    return identifier.startsWith("arn:") ? identifier.split(":")[3] : undefined;
}

/** Creating the databases from snapshots: the log database's needs logDatabase, and RDS restores only from its own region. */
export function checkRestore(read: ConfigReader, settings: Settings, awsRegion: string | undefined): void {
    if (settings.logDbSnapshotIdentifier !== undefined && !settings.logDatabase) {
        read.fail("logDbSnapshotIdentifier", settings.logDbSnapshotIdentifier, "creates the log database, which is off: set logDatabase true too, or remove it");
    }
    for (const key of ["dbSnapshotIdentifier", "logDbSnapshotIdentifier"] as const) {
        const identifier = settings[key];
        const region = identifier === undefined ? undefined : snapshotRegion(identifier);
        if (region !== undefined && awsRegion !== undefined && region !== awsRegion) {
            read.fail(
                key,
                identifier,
                `is a snapshot in ${region}; RDS restores only a snapshot of aws:region ${awsRegion}: copy it there first (aws rds copy-db-snapshot --source-region ${region})`,
            );
        }
    }
}

/** Rules between settings that AWS, New API or the operator's safety impose. */
export function checkSettings(read: ConfigReader, config: ClusterConfig): void {
    if (config.sqlMaxIdleConns > config.sqlMaxOpenConns) {
        read.fail("sqlMaxIdleConns", String(config.sqlMaxIdleConns), `must not exceed sqlMaxOpenConns (${config.sqlMaxOpenConns})`);
    }
    // Every node opens one pool of up to sqlMaxOpenConns on each database it uses (the main one,
    // and the log database with logDatabase, whose instance has the same max_connections): each
    // instance must admit all of them.
    const needed = (1 + config.slaveCount) * config.sqlMaxOpenConns;
    if (needed > config.dbMaxConnections) {
        read.fail(
            "slaveCount",
            String(config.slaveCount),
            `(1 master + ${config.slaveCount} slaves) x sqlMaxOpenConns ${config.sqlMaxOpenConns} = ${needed} connections` +
                `${config.logDatabase ? " on each database instance (every node has a pool on the log database too)" : ""}, ` +
                `more than dbMaxConnections ${config.dbMaxConnections}; lower slaveCount or sqlMaxOpenConns, ` +
                `or raise dbMaxConnections (with a dbInstanceClass that has the memory for it)`,
        );
    }
    // The load balancer's drain must be as long as New API's own window (stopBudget.ts).
    const drain = config.target === "aws" ? drainProblem(config.deregistrationDelay, config.shutdownTimeout) : undefined;
    if (drain !== undefined) {
        read.fail("deregistrationDelay", String(config.deregistrationDelay), drain);
    }
    const smallestCeiling = smallestStorageAutoscalingCeiling(config.dbAllocatedStorage);
    if (config.dbMaxAllocatedStorage !== 0 && config.dbMaxAllocatedStorage < smallestCeiling) {
        read.fail(
            "dbMaxAllocatedStorage",
            String(config.dbMaxAllocatedStorage),
            `must be 0 (no storage autoscaling) or at least ${smallestCeiling}: RDS wants the ceiling 10% above dbAllocatedStorage (${config.dbAllocatedStorage})`,
        );
    }
    if (config.allowedCidrs.length > MAX_ALLOWED_CIDRS) {
        read.fail(
            "allowedCidrs",
            JSON.stringify(config.allowedCidrs),
            `lists ${config.allowedCidrs.length} blocks; at most ${MAX_ALLOWED_CIDRS} fit in the load balancer's security group (EC2's 60 inbound rules, one per block and port): use larger blocks`,
        );
    }
    if (!LOG_RETENTION_DAYS.includes(config.logRetentionDays)) {
        read.fail("logRetentionDays", String(config.logRetentionDays), `must be one of CloudWatch's periods: ${LOG_RETENTION_DAYS.join(", ")}`);
    }
    // ELB writes a file every 5 minutes per load balancer node; S3 expires them after albAccessLogDays.
    if (read.isSet("albAccessLogDays") && !config.albAccessLogs) {
        read.fail("albAccessLogDays", read.raw.albAccessLogDays, "keeps access logs, which are off: set albAccessLogs true too, or remove it");
    }
    // A protected (production) stack carries real users' API keys: plain HTTP only by choice.
    if (config.target === "aws" && config.protect && config.https === undefined && !config.allowPlainHttp) {
        read.fail(
            "protect",
            read.raw.protect,
            "a protected stack must serve HTTPS, or API keys cross the internet in clear: set certificateArn, or domainName with hostedZoneId " +
                "(or set allowPlainHttp true to accept plain HTTP, and make the pack's alb-https-when-protected policy advisory)",
        );
    }
    // A protected stack keeps an audit trail of its requests (alb-access-logs-when-protected).
    if (config.target === "aws" && config.protect && !config.albAccessLogs) {
        read.fail("protect", read.raw.protect, "a protected stack keeps ALB access logs: set albAccessLogs true");
    }
    // The stack knows the root user's password only where the master's setup created it.
    if (read.isSet("adminPasswordRotation") && config.adminUsername === undefined) {
        read.fail(
            "adminPasswordRotation",
            read.raw.adminPasswordRotation,
            "rotates the root user's password the master's setup created, and adminUsername is not set: change a password set in the wizard in New API itself",
        );
    }
    // The docker target keeps the current password beside the new one while the nodes are replaced.
    if (config.target === "docker" && config.dbPasswordRotation > 0 && lacksDualPasswords(config.mysqlImage)) {
        read.fail(
            "dbPasswordRotation",
            read.raw.dbPasswordRotation,
            `needs MySQL 8.0.14 or later (dual passwords), and mysqlImage is ${config.mysqlImage}: upgrade mysqlImage first`,
        );
    }
}
