// The New API environment of a node, as a pure function of its role and the cluster's
// settings. Nothing here depends on slaveCount, so scaling never rewrites an existing node.
import { NodeSettings } from "./config";
import { NodeRole } from "./naming";

export const APP_PORT = 3000;
export const MYSQL_PORT = 3306;
export const REDIS_PORT = 6379;
export const DATABASE_NAME = "newapi";
export const DATABASE_USER = "newapi";

/** The non-secret environment, written in plain sight into the node's userData. */
export function nodeEnvironment(role: NodeRole, name: string, settings: NodeSettings): Record<string, string> {
    return {
        // Unset means master; every slave must say so, and the master says so explicitly.
        NODE_TYPE: role,
        NODE_NAME: name,
        PORT: String(APP_PORT),
        SYNC_FREQUENCY: String(settings.syncFrequency),
        BATCH_UPDATE_ENABLED: "true",
        BATCH_UPDATE_INTERVAL: String(settings.batchUpdateInterval),
        TZ: settings.timezone,
        REDIS_POOL_SIZE: String(settings.redisPoolSize),
        SQL_MAX_OPEN_CONNS: String(settings.sqlMaxOpenConns),
        SQL_MAX_IDLE_CONNS: String(settings.sqlMaxIdleConns),
        ...settings.extraEnv,
    };
}

/** New API's MySQL DSN. Uses the RDS address (host only): the endpoint already carries ":port". */
export function sqlDsn(password: string, host: string): string {
    return `${DATABASE_USER}:${password}@tcp(${host}:${MYSQL_PORT})/${DATABASE_NAME}`;
}

/** go-redis URL with TLS (rediss) and the AUTH token; the token is alphanumeric, so no escaping. */
export function redisConnectionString(authToken: string, host: string): string {
    return `rediss://:${authToken}@${host}:${REDIS_PORT}`;
}
