// The data tier's rules: the RDS database (encryption, reach, backups, MySQL's parameters) and the
// ElastiCache cache (engine and version, encryption, AUTH, failover, snapshots).
import { CACHE, CacheEngine, defaultCacheParameterGroup } from "../../components/versions";
import { Rule, TYPES, perResource, whenProtected } from "./rule";

function parameterMap(props: Record<string, any>): Record<string, string> {
    return Object.fromEntries(((props.parameters ?? []) as { name: string; value: string }[]).map((p) => [p.name, String(p.value)]));
}

const isMysqlParameterGroup = (props: Record<string, any>) => String(props.family ?? "").startsWith("mysql");

export const DATA_TIER_RULES: Rule[] = [
    // RDS
    perResource("rds-storage-encrypted", "RDS storage is encrypted at rest.", TYPES.rds, (p) =>
        p.storageEncrypted === true ? undefined : "storage is not encrypted; set storageEncrypted: true",
    ),
    perResource("rds-not-publicly-accessible", "RDS is reachable only inside the VPC.", TYPES.rds, (p) =>
        p.publiclyAccessible === true ? "is publicly accessible; set publiclyAccessible: false" : undefined,
    ),
    perResource("rds-backup-retention", "RDS keeps automated backups for at least 7 days.", TYPES.rds, (p) =>
        (p.backupRetentionPeriod ?? 0) >= 7
            ? undefined
            : `keeps backups ${p.backupRetentionPeriod ?? 0} days; set new-api-cluster:dbBackupRetentionDays to 7 or more`,
    ),
    whenProtected(
        "rds-protected-multi-az",
        "In a protected stack, RDS runs Multi-AZ with deletion protection.",
        TYPES.rds,
        (p) =>
            p.multiAz !== true
                ? "the stack is protected but the database is single-AZ; set new-api-cluster:dbMultiAz true"
                : p.deletionProtection !== true
                  ? "the stack is protected but the database has no deletion protection; set deletionProtection: true"
                  : undefined,
    ),
    perResource("rds-utf8mb4", "MySQL parameter groups make the server utf8mb4 (New API panics otherwise).", TYPES.rdsParameterGroup, (p) => {
        if (!isMysqlParameterGroup(p)) {
            return undefined;
        }
        const params = parameterMap(p);
        return params.character_set_server === "utf8mb4" && String(params.collation_server ?? "").startsWith("utf8mb4_")
            ? undefined
            : "does not set character_set_server=utf8mb4 and collation_server=utf8mb4_*; New API refuses to start on other charsets";
    }),
    perResource("rds-secure-transport", "MySQL refuses connections without TLS (require_secure_transport).", TYPES.rdsParameterGroup, (p) =>
        !isMysqlParameterGroup(p) || ["1", "ON"].includes(parameterMap(p).require_secure_transport ?? "")
            ? undefined
            : "does not set require_secure_transport=1: passwords and API keys would cross the VPC in clear",
    ),
    perResource("rds-auto-minor-version-upgrade", "RDS takes minor (security) versions automatically.", TYPES.rds, (p) =>
        p.autoMinorVersionUpgrade === false ? "has automatic minor version upgrades off; set autoMinorVersionUpgrade: true" : undefined,
    ),

    // ElastiCache
    perResource(
        "cache-engine-version",
        "The cache runs Valkey or Redis OSS at a version ElastiCache offers, with that engine's default parameter group.",
        TYPES.cache,
        (p) => {
            const engine = String(p.engine ?? "redis") as CacheEngine;
            if (!(engine in CACHE)) {
                return `runs engine ${engine}; New API's single-node client needs valkey or redis`;
            }
            const lines = Object.keys(CACHE[engine].lines);
            if (!lines.includes(String(p.engineVersion))) {
                return `runs ${engine} ${p.engineVersion}, a version the stack does not offer for ${engine} (${lines.join(", ")})`;
            }
            const expected = defaultCacheParameterGroup(engine, String(p.engineVersion));
            return p.parameterGroupName === expected ? undefined : `uses parameter group ${p.parameterGroupName} with ${engine} ${p.engineVersion}, whose default is ${expected}`;
        },
    ),
    perResource("cache-encryption", "The cache encrypts data at rest and in transit.", TYPES.cache, (p) =>
        p.atRestEncryptionEnabled === true && p.transitEncryptionEnabled === true
            ? undefined
            : "is not encrypted at rest and in transit; set atRestEncryptionEnabled and transitEncryptionEnabled to true",
    ),
    perResource("cache-auth-token", "The cache requires an AUTH token.", TYPES.cache, (p) =>
        p.authToken ? undefined : "has no AUTH token; set authToken (it needs transitEncryptionEnabled)",
    ),
    perResource("cache-failover", "A cache of 2 or more nodes fails over automatically across AZs.", TYPES.cache, (p) =>
        (p.numCacheClusters ?? 1) >= 2 && !(p.automaticFailoverEnabled === true && p.multiAzEnabled === true)
            ? "has replicas but no automatic failover across AZs; set automaticFailoverEnabled and multiAzEnabled to true"
            : undefined,
    ),
    whenProtected("cache-protected-snapshots", "In a protected stack, the cache keeps daily snapshots.", TYPES.cache, (p) =>
        (p.snapshotRetentionLimit ?? 0) >= 1
            ? undefined
            : "the stack is protected but the cache keeps no snapshots; set snapshotRetentionLimit to 1 or more",
    ),
];
