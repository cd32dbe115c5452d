// The shared MySQL tier: one RDS instance that every node uses, utf8mb4 throughout
// (New API panics at start-up on other charsets), reachable only from the nodes.
import * as rds from "@pulumi/aws/rds";
import * as pulumi from "@pulumi/pulumi";
import { DatabaseSettings, Settings } from "../config";
import { DATABASE_NAME, DATABASE_USER, MYSQL_PORT } from "../environment";
import { CLUSTER_TAG, DATABASE_LOGIN_TAGS, SnapshotTier } from "../naming";
import { PrivateServiceArgs, createFinalSnapshotName, createServiceSecurityGroup } from "./privateService";

export interface DatabaseArgs extends PrivateServiceArgs {
    /** The main database, or the separate one for New API's log table: their snapshots are named apart. */
    tier: Extract<SnapshotTier, "mysql" | "mysql-log">;
    config: DatabaseSettings;
    password: pulumi.Input<string>;
    /** Create the database from this RDS snapshot (name, or a shared snapshot's ARN). */
    snapshotIdentifier?: string;
}

/**
 * The inputs for which the AWS provider replaces a DB instance (ForceNew in
 * hashicorp/terraform-provider-aws, internal/service/rds/instance.go): they keep the suffix of
 * its final snapshot. snapshotIdentifier is one too, but the stack ignores its changes.
 */
export const RDS_INSTANCE_REPLACING_INPUTS = [
    "availabilityZone",
    "characterSetName",
    "customIamInstanceProfile",
    "dbName",
    "engine",
    "identifier",
    "identifierPrefix",
    "kmsKeyId",
    "ncharCharacterSetName",
    "restoreToPointInTime",
    "storageEncrypted",
    "timezone",
    "username",
] as const;

/** The config key that names each database's snapshot, by tier. */
export const SNAPSHOT_KEYS = { mysql: "dbSnapshotIdentifier", "mysql-log": "logDbSnapshotIdentifier" } as const;

/** What DescribeDBSnapshots tells about a snapshot, as far as creating a database from it goes. */
export interface SnapshotFacts {
    engine: string;
    engineVersion: string;
    encrypted: boolean;
    status: string;
    /** GiB */
    allocatedStorage: number;
    dbSnapshotArn: string;
    /** Its tags: the provider's getSnapshot reads no master user, and RDS keeps no database name with a snapshot. */
    tags: Record<string, string>;
}

/** A database's master user and database name. */
export interface DatabaseLogin {
    username: string;
    dbName: string;
}

/** What every release made its databases with before they carried DATABASE_LOGIN_TAGS: New API's user and database. */
const LOGIN_BEFORE_LOGIN_TAGS: DatabaseLogin = { username: "newapi", dbName: "newapi" };

/**
 * The master user and database a snapshot holds, as its tags tell: DATABASE_LOGIN_TAGS, which
 * the stack's databases copy to their snapshots; or, on a snapshot of a database made before
 * those tags, the cluster tag (every release before them used New API's newapi). Undefined
 * when its tags tell neither: a snapshot of another database, a shared one (whose tags this
 * account may not see), or a copy made without --copy-tags.
 */
export function snapshotLogin(tags: Record<string, string>): DatabaseLogin | undefined {
    const username = tags[DATABASE_LOGIN_TAGS.username];
    const dbName = tags[DATABASE_LOGIN_TAGS.dbName];
    if (username !== undefined && dbName !== undefined) {
        return { username, dbName };
    }
    return tags[CLUSTER_TAG] === undefined ? undefined : LOGIN_BEFORE_LOGIN_TAGS;
}

/** Why a snapshot's master user and database are not the stack's, or undefined when they are. */
function loginProblem(what: string, snapshot: Pick<SnapshotFacts, "tags" | "dbSnapshotArn">): string | undefined {
    const login = snapshotLogin(snapshot.tags);
    const allowed = `allowed: a snapshot of a database this stack created (master user ${DATABASE_USER}, database ${DATABASE_NAME})`;
    if (login === undefined) {
        return (
            `${what} whose tags name neither its master user nor its database (${DATABASE_LOGIN_TAGS.username}, ${DATABASE_LOGIN_TAGS.dbName}; ` +
            `${CLUSTER_TAG} on a snapshot of this stack's databases), so it may be another stack's (a shared snapshot may show none of its tags, ` +
            `and a copy keeps them only with --copy-tags). ${allowed}; or, holding ${DATABASE_USER}'s database ${DATABASE_NAME}, this one tagged so ` +
            `(aws rds add-tags-to-resource --resource-name ${snapshot.dbSnapshotArn} --tags Key=${DATABASE_LOGIN_TAGS.username},Value=${DATABASE_USER} ` +
            `Key=${DATABASE_LOGIN_TAGS.dbName},Value=${DATABASE_NAME}; a shared one: copy it into this account first)`
        );
    }
    if (login.username !== DATABASE_USER || login.dbName !== DATABASE_NAME) {
        return (
            `${what} of master user ${JSON.stringify(login.username)} and database ${JSON.stringify(login.dbName)} (its tags); RDS restores a MySQL ` +
            `snapshot with its own master user and databases, and the nodes log in as ${DATABASE_USER} to database ${DATABASE_NAME}. ${allowed}`
        );
    }
    return undefined;
}

/** "8.0.40" -> [8, 0, 40]; "8.4" -> [8, 4]. */
function versionParts(version: string): number[] {
    return version.split(".").map(Number);
}

/**
 * Why a database of `config` cannot be created from `snapshot`, or undefined when it can. The
 * provider restores the snapshot (RestoreDBInstanceFromDBSnapshot, which takes no engine version,
 * and for MySQL neither master user nor database name, but does take the stack's parameter
 * group), then applies the stack's version, storage and password (ModifyDBInstance). So the
 * snapshot must hold the stack's user and database, the parameter group's family must be the
 * snapshot's, the version may only go up within it, storage only grow, and encryption follows
 * the snapshot.
 */
export function snapshotProblem(
    key: string,
    identifier: string,
    snapshot: SnapshotFacts,
    config: Pick<DatabaseSettings, "dbEngineVersion" | "dbAllocatedStorage">,
): string | undefined {
    const what = `${key} = ${JSON.stringify(identifier)}: is a ${snapshot.engine} ${snapshot.engineVersion} snapshot`;
    if (snapshot.engine !== "mysql") {
        return `${what}; the stack runs RDS for MySQL (engine mysql) ${config.dbEngineVersion} and can create its database only from a MySQL snapshot`;
    }
    const login = loginProblem(what, snapshot);
    if (login !== undefined) {
        return login;
    }
    const [major, minor] = versionParts(snapshot.engineVersion);
    const [wantedMajor, wantedMinor] = versionParts(config.dbEngineVersion);
    if (major !== wantedMajor || minor !== wantedMinor) {
        const newer = major > wantedMajor || (major === wantedMajor && minor > wantedMinor);
        return newer
            ? `${what}, newer than dbEngineVersion ${config.dbEngineVersion}, and RDS never downgrades: set dbEngineVersion to ${major}.${minor}`
            : `${what}; dbEngineVersion is ${config.dbEngineVersion}, and RDS restores a snapshot with a parameter group of the snapshot's own family ` +
                  `(mysql${major}.${minor}), then changes the version: set dbEngineVersion to ${major}.${minor} for the restore, then upgrade ` +
                  "(docs/operations.md, Upgrades)";
    }
    const patch = versionParts(config.dbEngineVersion)[2];
    const snapshotPatch = versionParts(snapshot.engineVersion)[2];
    if (patch !== undefined && snapshotPatch !== undefined && snapshotPatch > patch) {
        return `${what}, newer than dbEngineVersion ${config.dbEngineVersion}, and RDS never downgrades: set dbEngineVersion to ${snapshot.engineVersion} or ${major}.${minor}`;
    }
    if (!snapshot.encrypted) {
        return (
            `${what}, not encrypted; a database restored from it is not encrypted either (encryption follows the snapshot, and cannot be turned on later), ` +
            "while the stack keeps its databases encrypted: make an encrypted copy " +
            `(aws rds copy-db-snapshot --source-db-snapshot-identifier ${identifier} --target-db-snapshot-identifier <name>-encrypted --kms-key-id alias/aws/rds --copy-tags) and name that`
        );
    }
    if (snapshot.status !== "available") {
        return `${what}, ${snapshot.status}; RDS restores only an available snapshot: wait until aws rds describe-db-snapshots --db-snapshot-identifier ${identifier} says available`;
    }
    if (snapshot.allocatedStorage > config.dbAllocatedStorage) {
        return `${what} of ${snapshot.allocatedStorage} GiB, and RDS cannot shrink storage: set dbAllocatedStorage to at least ${snapshot.allocatedStorage}`;
    }
    return undefined;
}

/** RDS for MySQL 8.0 left standard support on this day; 8.4 is the current major version. */
export const MYSQL_80_STANDARD_SUPPORT_END = "2026-07-31";

/** True for a MySQL version that RDS only runs in (billed) Extended Support. */
export function isExtendedSupportMysql(engineVersion: string): boolean {
    return /^8\.0(\.|$)/.test(engineVersion);
}

/** The RDS parameter group family of a MySQL engine version: "8.0.40" -> "mysql8.0". */
export function mysqlParameterGroupFamily(engineVersion: string): string {
    const match = /^(\d+\.\d+)/.exec(engineVersion);
    if (!match) {
        throw new Error(`not a MySQL engine version: ${engineVersion}`);
    }
    return `mysql${match[1]}`;
}

/** The parameter group's settings: utf8mb4 for New API, TLS only, and the connection budget. */
export function mysqlParameters(config: DatabaseSettings): { name: string; value: string }[] {
    return [
        { name: "character_set_server", value: "utf8mb4" },
        { name: "collation_server", value: "utf8mb4_unicode_ci" },
        { name: "character_set_client", value: "utf8mb4" },
        { name: "character_set_connection", value: "utf8mb4" },
        { name: "character_set_results", value: "utf8mb4" },
        // Nodes connect with tls=true (environment.ts, sqlDsn); nothing may connect in clear.
        { name: "require_secure_transport", value: "1" },
        { name: "max_connections", value: String(config.dbMaxConnections) },
    ];
}

/** The snapshots a database cannot be created from: refused before anything is created. */
export class SnapshotError extends pulumi.RunError {
    constructor(readonly problems: string[]) {
        super(`Cannot create the databases from their snapshots (nothing was created):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        this.name = "SnapshotError";
    }
}

/**
 * Looks up the snapshots that dbSnapshotIdentifier and logDbSnapshotIdentifier name, and throws
 * a SnapshotError listing every one a database of `config` cannot be created from. Runs only
 * while a key is set; once the database exists, its snapshotIdentifier is ignored.
 */
export async function checkSnapshots(config: Pick<Settings, "dbSnapshotIdentifier" | "logDbSnapshotIdentifier"> & DatabaseSettings): Promise<void> {
    const named = Object.values(SNAPSHOT_KEYS).flatMap((key) => {
        const identifier = config[key];
        return identifier === undefined ? [] : [{ key, identifier }];
    });
    const problems = await Promise.all(
        named.map(async ({ key, identifier }) => {
            // DescribeDBSnapshots finds a snapshot shared by another account only with IncludeShared.
            const snapshot = await rds.getSnapshot({ dbSnapshotIdentifier: identifier, includeShared: identifier.startsWith("arn:") });
            return snapshotProblem(key, identifier, snapshot, config);
        }),
    );
    const found = problems.filter((p): p is string => p !== undefined);
    if (found.length > 0) {
        throw new SnapshotError(found);
    }
}

export class Database extends pulumi.ComponentResource {
    readonly securityGroupId: pulumi.Output<string>;
    /** Host name only; New API's DSN adds the port. */
    readonly address: pulumi.Output<string>;
    readonly port: pulumi.Output<number>;
    readonly instanceId: pulumi.Output<string>;
    /** Set when the database takes a final snapshot on deletion: that snapshot's identifier. */
    readonly finalSnapshotIdentifier?: pulumi.Output<string>;

    constructor(name: string, args: DatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("new-api:database:Database", name, {}, opts);
        const parent = { parent: this };
        const config = args.config;

        const securityGroup = createServiceSecurityGroup(name, "MySQL", MYSQL_PORT, args, parent);
        if (isExtendedSupportMysql(config.dbEngineVersion)) {
            pulumi.log.warn(
                `MySQL ${config.dbEngineVersion} is past RDS standard support (${MYSQL_80_STANDARD_SUPPORT_END}): RDS bills Extended Support for it. ` +
                    "Upgrade to 8.4 (docs/operations.md, Upgrades).",
                this,
            );
        }

        const subnetGroup = new rds.SubnetGroup(
            `${name}-subnets`,
            { subnetIds: args.subnetIds, description: "New API MySQL private subnets", tags: args.tags },
            parent,
        );
        const parameterGroup = new rds.ParameterGroup(
            `${name}-params`,
            {
                family: mysqlParameterGroupFamily(config.dbEngineVersion),
                description: "New API MySQL: utf8mb4 and the connection budget of the cluster",
                parameters: mysqlParameters(config),
                tags: args.tags,
            },
            parent,
        );

        const inputs: rds.InstanceArgs = {
            engine: "mysql",
            engineVersion: config.dbEngineVersion,
            autoMinorVersionUpgrade: true,
            // Lets a change of dbEngineVersion from 8.0 to 8.4 go through (RDS refuses a major
            // upgrade without it); it never happens unless the version in config changes.
            allowMajorVersionUpgrade: true,
            applyImmediately: config.dbApplyImmediately,
            instanceClass: config.dbInstanceClass,
            allocatedStorage: config.dbAllocatedStorage,
            maxAllocatedStorage: config.dbMaxAllocatedStorage === 0 ? undefined : config.dbMaxAllocatedStorage,
            storageType: "gp3",
            storageEncrypted: true,
            // From a snapshot, RDS keeps the snapshot's database name and user (checkSnapshots
            // refuses any but these); the provider sets the password.
            snapshotIdentifier: args.snapshotIdentifier,
            dbName: DATABASE_NAME,
            username: DATABASE_USER,
            password: args.password,
            port: MYSQL_PORT,
            dbSubnetGroupName: subnetGroup.name,
            parameterGroupName: parameterGroup.name,
            vpcSecurityGroupIds: [securityGroup.id],
            publiclyAccessible: false,
            multiAz: config.dbMultiAz,
            backupRetentionPeriod: config.dbBackupRetentionDays,
            copyTagsToSnapshot: true,
            deletionProtection: args.protect,
            // Copied to every snapshot: what a restore checks (snapshotLogin).
            tags: { ...args.tags, [DATABASE_LOGIN_TAGS.username]: DATABASE_USER, [DATABASE_LOGIN_TAGS.dbName]: DATABASE_NAME },
        };
        const finalSnapshotIdentifier = createFinalSnapshotName(name, args, args.tier, { ...inputs }, RDS_INSTANCE_REPLACING_INPUTS, this);
        const instance = new rds.Instance(
            name,
            { ...inputs, skipFinalSnapshot: !args.finalSnapshot, finalSnapshotIdentifier },
            // snapshotIdentifier forces a new database when it changes: what the database was
            // created from must never replace it, whether the key is kept, changed or removed.
            { parent: this, protect: args.protect, ignoreChanges: ["snapshotIdentifier"] },
        );

        this.securityGroupId = securityGroup.id;
        this.address = instance.address;
        this.port = instance.port;
        this.instanceId = instance.identifier;
        this.finalSnapshotIdentifier = finalSnapshotIdentifier;
        this.registerOutputs({
            securityGroupId: this.securityGroupId,
            address: this.address,
            port: this.port,
            instanceId: this.instanceId,
        });
    }
}
