// The shared MySQL tier: one RDS instance that every node uses, utf8mb4 throughout
// (New API panics at start-up on other charsets), reachable only from the nodes.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DatabaseSettings } from "../config";
import { DATABASE_NAME, DATABASE_USER, MYSQL_PORT } from "../environment";
import { SnapshotTier } from "../naming";
import { PrivateServiceArgs, finalSnapshotName, serviceSecurityGroup } from "./privateService";

export interface DatabaseArgs extends PrivateServiceArgs {
    /** The main database, or the separate one for New API's log table: their snapshots are named apart. */
    tier: Extract<SnapshotTier, "mysql" | "mysql-log">;
    config: DatabaseSettings;
    password: pulumi.Input<string>;
}

/** Why this database does not require TLS (the policy pack's rds-secure-transport reads it). */
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

        const securityGroup = serviceSecurityGroup(name, "MySQL", MYSQL_PORT, args, parent);
        const finalSnapshotIdentifier = finalSnapshotName(args, args.tier);
        if (isExtendedSupportMysql(config.dbEngineVersion)) {
            pulumi.log.warn(
                `MySQL ${config.dbEngineVersion} is past RDS standard support (${MYSQL_80_STANDARD_SUPPORT_END}): RDS bills Extended Support for it. ` +
                    "Upgrade to 8.4 (README, Upgrades).",
                this,
            );
        }

        const subnetGroup = new aws.rds.SubnetGroup(
            `${name}-subnets`,
            { subnetIds: args.subnetIds, description: "New API MySQL private subnets", tags: args.tags },
            parent,
        );
        const parameterGroup = new aws.rds.ParameterGroup(
            `${name}-params`,
            {
                family: mysqlParameterGroupFamily(config.dbEngineVersion),
                description: "New API MySQL: utf8mb4 and the connection budget of the cluster",
                parameters: mysqlParameters(config),
                tags: args.tags,
            },
            parent,
        );

        const instance = new aws.rds.Instance(
            name,
            {
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
                skipFinalSnapshot: args.finalSnapshotSuffix === undefined,
                finalSnapshotIdentifier,
                deletionProtection: args.protect,
                tags: args.tags,
            },
            { parent: this, protect: args.protect },
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
