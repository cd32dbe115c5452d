// The cluster's settings that both targets read: its name, the nodes' image, count and weights,
// the secrets and their rotations, and New API's own settings on every node (section cluster).
import { DEFAULT_IMAGE, LOCAL_ADMIN_USERNAME, defaultClusterName, extraEnvProblem, imageCheck, matches, timezoneCheck } from "../checks";
import { Setting, Target, choice, earlier, integer, map, optionalText, secretText, text } from "../kinds";
import { SECRET_SHAPE } from "../../nodeContract";

/** The cluster's settings, in reading order: a default may use only the settings above it. */
export const CLUSTER_SETTINGS = {
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
