// The data tier on AWS: the RDS database (section database) and the ElastiCache cache (section
// cache); the versions and engine, which both targets read, come from ../dataServices.ts.
import { matches } from "../checks";
import { Setting, boolean, integer, optionalText, text } from "../kinds";
import { DATA_SERVICE_SETTINGS } from "../dataServices";

/** RDS DBSnapshotIdentifier (CreateDBSnapshot): 1-255 letters, digits and hyphens, a letter first, no "--", no hyphen last. */
export const SNAPSHOT_NAME = "[A-Za-z](?!.*--)[A-Za-z0-9-]{0,254}(?<!-)";
/** A shared snapshot is named by its ARN (RestoreDBInstanceFromDBSnapshot). */
export const SNAPSHOT_ARN = `arn:aws[a-z-]*:rds:([a-z0-9-]+):\\d{12}:snapshot:${SNAPSHOT_NAME}`;

/** The database's and the cache's settings, in reading order. */
export const DATA_TIER_SETTINGS = {
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
};

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
