// The New API environment of a node, as a pure function of its role and the cluster's
// settings. Nothing here depends on slaveCount, so scaling never rewrites an existing node.
import type { NodeSettings } from "./config";
import { NodeRole, SecretName } from "./naming";

export const APP_PORT = 3000;
export const MYSQL_PORT = 3306;
export const REDIS_PORT = 6379;
export const DATABASE_NAME = "newapi";
export const DATABASE_USER = "newapi";

/** What the nodes' environment takes from the cluster's front door (the load balancer). */
export interface FrontDoor {
    /**
     * The address blocks the load balancer's requests come from (AWS: its subnets; docker:
     * nginx's network). New API takes the client's address from X-Forwarded-For only behind
     * these, so the per-IP rate limits key on the real client and no one else can pose as one.
     */
    trustedProxies: string[];
    /** The https:// origins the cluster is served at; none when it is plain HTTP. */
    httpsOrigins: string[];
}

/**
 * extraEnv that would start a task on every node, where New API does not keep it to the
 * master: the master alone gets it, with the reason. CHANNEL_UPDATE_FREQUENCY starts
 * AutomaticallyUpdateChannels on any node that has it (main.go, no IsMasterNode check): every
 * slave would fetch every channel's upstream model list and write it back to the database.
 */
export const MASTER_ONLY_ENV: Readonly<Record<string, string>> = {
    CHANNEL_UPDATE_FREQUENCY: "New API runs the automatic channel update on every node that has it; the master's is enough",
};

/** IPv4 or IPv6 address blocks, as gin's SetTrustedProxies parses them. */
const CIDR = /^(\d{1,3}(\.\d{1,3}){3}\/\d{1,2}|[0-9a-fA-F:]+\/\d{1,3})$/;

/** TRUSTED_PROXIES: exactly the front door's blocks. Never empty: New API would trust every private range. */
export function trustedProxiesValue(blocks: string[]): string {
    if (blocks.length === 0 || blocks.some((block) => !CIDR.test(block))) {
        throw new Error(`TRUSTED_PROXIES needs the load balancer's address blocks, and got ${JSON.stringify(blocks)}`);
    }
    return blocks.join(",");
}

/**
 * Why New API's start-up would refuse `origin` in SESSION_COOKIE_TRUSTED_URL, or undefined:
 * the checks of common/session_cookie.go (an https scheme and a host, no user, path, query,
 * fragment or wildcard), on the form it normalizes to (lower case, no default port).
 */
export function originProblem(origin: string): string | undefined {
    const match = /^https:\/\/([a-z0-9]([a-z0-9.-]*[a-z0-9])?)(:\d{1,5})?$/.exec(origin);
    if (match === null) {
        return `${JSON.stringify(origin)} is not an https origin (https://host, lower case, no path)`;
    }
    return match[3] === ":443" ? `${JSON.stringify(origin)} names the default port, which New API drops: leave it out` : undefined;
}

/**
 * Behind HTTPS, the refresh-token cookie is Secure and New API checks the Origin of refresh
 * and logout against the cluster's origins. On plain HTTP both stay unset: a browser drops a
 * Secure cookie sent over http, and nobody could stay logged in.
 */
export function sessionCookieEnvironment(httpsOrigins: string[]): Record<string, string> {
    for (const origin of httpsOrigins) {
        const problem = originProblem(origin);
        if (problem !== undefined) {
            throw new Error(`SESSION_COOKIE_TRUSTED_URL: ${problem}`);
        }
    }
    return httpsOrigins.length === 0 ? {} : { SESSION_COOKIE_SECURE: "true", SESSION_COOKIE_TRUSTED_URL: httpsOrigins.join(",") };
}

/** The non-secret environment, written in plain sight into the node's userData. */
export function nodeEnvironment(role: NodeRole, name: string, settings: NodeSettings, frontDoor: FrontDoor): Record<string, string> {
    const extraEnv = Object.fromEntries(Object.entries(settings.extraEnv).filter(([key]) => role === "master" || !(key in MASTER_ONLY_ENV)));
    return {
        // Unset means master; every slave must say so, and the master says so explicitly.
        NODE_TYPE: role,
        NODE_NAME: name,
        PORT: String(APP_PORT),
        SYNC_FREQUENCY: String(settings.syncFrequency),
        BATCH_UPDATE_ENABLED: "true",
        BATCH_UPDATE_INTERVAL: String(settings.batchUpdateInterval),
        SHUTDOWN_TIMEOUT_SECONDS: String(settings.shutdownTimeout),
        TZ: settings.timezone,
        REDIS_POOL_SIZE: String(settings.redisPoolSize),
        SQL_MAX_OPEN_CONNS: String(settings.sqlMaxOpenConns),
        SQL_MAX_IDLE_CONNS: String(settings.sqlMaxIdleConns),
        TRUSTED_PROXIES: trustedProxiesValue(frontDoor.trustedProxies),
        ...sessionCookieEnvironment(frontDoor.httpsOrigins),
        ...extraEnv,
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
