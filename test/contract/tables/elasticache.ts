// The cache tier's tables: the ElastiCache (Redis OSS or Valkey) replication group and its
// subnet group.
import { Table, count, field, integer, length, oneOf, pattern, rule, unique } from "../rules";
import { awsIdentifier, tagRule } from "./common";

const ELASTICACHE = "https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference";
const ELASTICACHE_GUIDE = "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg";

/** ElastiCache's node-based engine versions by engine (Redis OSS stops at 7.1; Valkey 9.x needs the valkey9 family, which CreateCacheParameterGroup does not list). */
const ELASTICACHE_VERSIONS: Record<string, string[]> = { redis: ["6.0", "6.2", "7.0", "7.1"], valkey: ["7.2", "8.0", "8.1", "8.2"] };
/** CreateCacheParameterGroup's CacheParameterGroupFamily values for these engines. */
const CACHE_PARAMETER_GROUP_FAMILIES = ["redis6.x", "redis7", "valkey7", "valkey8"];

/** ElastiCache's narrower set (ASCII only). */
const ELASTICACHE_TAG_CHARACTERS = /^[a-zA-Z0-9 _./=+:\-@]*$/;

export const CACHE: Record<string, Table> = {
    "aws:elasticache/subnetGroup:SubnetGroup": {
        autonaming: { property: "name", separator: "-", maxLength: 255 },
        rules: [
            field("name", pattern(/^[a-z0-9-]{1,255}$/, "1-255 lower-case letters, digits and hyphens", "Redis_Subnets"), `${ELASTICACHE}/API_CreateCacheSubnetGroup.html`),
            field("description", length(1, 255), `${ELASTICACHE}/API_CreateCacheSubnetGroup.html`),
            field("subnetIds", count(1, 20), `${ELASTICACHE}/API_CreateCacheSubnetGroup.html`),
            tagRule(`${ELASTICACHE_GUIDE}/Tagging-Resources.html`, ELASTICACHE_TAG_CHARACTERS),
        ],
    },
    "aws:elasticache/replicationGroup:ReplicationGroup": {
        autonaming: { property: "replicationGroupId", separator: "-", maxLength: 40 },
        rules: [
            field("replicationGroupId", awsIdentifier(40, true), `${ELASTICACHE}/API_CreateReplicationGroup.html`),
            field("description", length(1, 255), `${ELASTICACHE}/API_CreateReplicationGroup.html`),
            field("engine", oneOf(["redis", "valkey"]), `${ELASTICACHE}/API_CreateReplicationGroup.html`),
            rule(
                "engineVersion is one ElastiCache offers for the engine (node-based, cluster mode disabled)",
                `${ELASTICACHE_GUIDE}/engine-versions.html`,
                (i) => (ELASTICACHE_VERSIONS[String(i.engine)] ?? []).includes(String(i.engineVersion)),
                (i) => ({ ...i, engine: "redis", engineVersion: "8.1" }),
            ),
            rule(
                "parameterGroupName is the default group of the engine's major version (a CacheParameterGroupFamily)",
                `${ELASTICACHE}/API_CreateCacheParameterGroup.html`,
                (i) => {
                    const major = String(i.engineVersion).split(".")[0];
                    const family = i.engine === "redis" && major === "6" ? "redis6.x" : `${i.engine}${major}`;
                    return CACHE_PARAMETER_GROUP_FAMILIES.includes(family) && i.parameterGroupName === `default.${family}`;
                },
                (i) => ({ ...i, parameterGroupName: i.engine === "valkey" ? "default.redis7" : "default.valkey8" }),
            ),
            field("numCacheClusters", integer(1, 6), `${ELASTICACHE}/API_CreateReplicationGroup.html`),
            rule(
                "automatic failover needs at least two nodes",
                `${ELASTICACHE}/API_CreateReplicationGroup.html`,
                (i) => !i.automaticFailoverEnabled || i.numCacheClusters >= 2,
                (i) => ({ ...i, automaticFailoverEnabled: true, numCacheClusters: 1 }),
            ),
            rule(
                "Multi-AZ needs automatic failover",
                `${ELASTICACHE_GUIDE}/AutoFailover.html`,
                (i) => !i.multiAzEnabled || i.automaticFailoverEnabled === true,
                (i) => ({ ...i, multiAzEnabled: true, automaticFailoverEnabled: false }),
            ),
            field(
                "authToken",
                pattern(/^[A-Za-z0-9!&#$^<>-]{16,128}$/, "16-128 printable characters, the only specials ! & # $ ^ < > -", "short@token"),
                `${ELASTICACHE}/API_CreateReplicationGroup.html`,
            ),
            rule(
                "an AUTH token needs in-transit encryption",
                `${ELASTICACHE}/API_CreateReplicationGroup.html`,
                (i) => i.authToken === undefined || i.transitEncryptionEnabled === true,
                (i) => ({ ...i, authToken: "a".repeat(32), transitEncryptionEnabled: false }),
            ),
            field("authTokenUpdateStrategy", oneOf(["SET", "ROTATE", "DELETE"]), `${ELASTICACHE}/API_ModifyReplicationGroup.html`),
            field("port", integer(1, 65535), `${ELASTICACHE}/API_CreateReplicationGroup.html`),
            field("snapshotRetentionLimit", integer(0, 35), `${ELASTICACHE_GUIDE}/backups-automatic.html`),
            // The API reference gives FinalSnapshotIdentifier (a snapshot name, CreateSnapshot) no pattern, and serverless
            // snapshot names 1-255 characters; the stack holds it to RDS's snapshot identifier rules, which it meets.
            field("finalSnapshotIdentifier", awsIdentifier(255, false), `${ELASTICACHE}/API_DeleteReplicationGroup.html`),
            tagRule(`${ELASTICACHE_GUIDE}/Tagging-Resources.html`, ELASTICACHE_TAG_CHARACTERS),
        ],
        collective: [unique("replicationGroupId", `${ELASTICACHE}/API_CreateReplicationGroup.html`), unique("finalSnapshotIdentifier", `${ELASTICACHE}/API_CreateSnapshot.html`)],
    },
};
