// The New API environment of a node, as a pure function of its role and the cluster's
// settings. Nothing here depends on slaveCount, so scaling never rewrites an existing node.
import { NodeSettings } from "./config";
import { NodeRole, SecretName } from "./naming";

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

/**
 * New API's MySQL DSN. Uses the RDS address (host only): the endpoint already carries ":port".
 * With `tls`, go-sql-driver/mysql verifies the server against the system's trusted CAs
 * (SSL_CERT_FILE: the nodes add the RDS CA bundle to them); New API appends &parseTime=true.
 */
export function sqlDsn(password: string, host: string, tls = true): string {
    return `${DATABASE_USER}:${password}@tcp(${host}:${MYSQL_PORT})/${DATABASE_NAME}${tls ? "?tls=true" : ""}`;
}

/** go-redis URL with the AUTH token (alphanumeric, so no escaping); TLS (rediss) unless `tls` is false. */
export function redisConnectionString(authToken: string, host: string, tls = true): string {
    return `${tls ? "rediss" : "redis"}://:${authToken}@${host}:${REDIS_PORT}`;
}

/** Where a node finds the shared MySQL and Redis. */
export interface ServiceEndpoints {
    databaseHost: string;
    redisHost: string;
    /** TLS to MySQL and Redis (RDS, ElastiCache in transit encryption); local containers speak plain TCP. */
    tls: boolean;
    /** A separate database for New API's log table, when there is one (same user and password). */
    logDatabaseHost?: string;
}

/**
 * The secret part of a node's environment. `secrets` are the values, or, where the node
 * reads them itself at boot (AWS), the shell expressions that will hold them.
 */
export function secretEnvironment(
    secrets: Record<SecretName, string>,
    endpoints: ServiceEndpoints,
): Record<string, string> {
    return {
        SESSION_SECRET: secrets.sessionSecret,
        CRYPTO_SECRET: secrets.cryptoSecret,
        SQL_DSN: sqlDsn(secrets.dbPassword, endpoints.databaseHost, endpoints.tls),
        REDIS_CONN_STRING: redisConnectionString(secrets.redisAuthToken, endpoints.redisHost, endpoints.tls),
        ...(endpoints.logDatabaseHost === undefined
            ? {}
            : { LOG_SQL_DSN: sqlDsn(secrets.dbPassword, endpoints.logDatabaseHost, endpoints.tls) }),
    };
}

/** What New API's JSON answers say when a request succeeded (/api/status, /api/setup). */
export const SUCCESS_MARKER = '"success":true';

/**
 * What health checks ask for. Not /api/status, the guide's: every /api route passes New API's
 * global API rate limit (GLOBAL_API_RATE_LIMIT, 180 requests per 180 s per client IP, counted
 * in the shared Redis), and health checks come from a few addresses only: every container's
 * own check from 127.0.0.1, each load balancer node's checks of every target from its own IP.
 * A cluster of 30 nodes spends that budget on checks alone, and its nodes flap. Relay routes
 * have no global limit, and GET /v1/models without a token is answered 401 by TokenAuth
 * before it reads anything: proof that the server and its router answer, as /api/status was,
 * with real clients' /api limit left as it is.
 */
export const HEALTH_CHECK = { path: "/v1/models", status: 401 } as const;

/** The container health check: New API answers HEALTH_CHECK's request with its status. */
export const HEALTH_COMMAND = `wget -S -O /dev/null http://127.0.0.1:${APP_PORT}${HEALTH_CHECK.path} 2>&1 | grep -q 'HTTP/[0-9.]* ${HEALTH_CHECK.status} '`;

/**
 * New API's setup wizard: until a root user exists, whoever POSTs here first creates it, with
 * no login. Only the operator may, on the master itself: the load balancers refuse the path.
 */
export const SETUP_PATH = "/api/setup";
export const SETUP_REFUSED_BODY = JSON.stringify({
    success: false,
    message: "New API setup is completed on the master, not through the load balancer",
});

/** What /api/status says once the setup wizard has been completed. */
export const SETUP_DONE_MARKER = '"setup":true';

/** The setup wizard's form (POST /api/setup); `password` may be a shell expression. */
export function setupRequestBody(username: string, password: string): string {
    return JSON.stringify({
        username,
        password,
        confirmPassword: password,
        SelfUseModeEnabled: false,
        DemoSiteEnabled: false,
    });
}
