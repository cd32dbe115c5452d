// What a node's New API is given (components/environment.ts): its environment, the proxies and
// origins it trusts, and its connection strings.
import { httpsOrigins } from "../components/aws/userdata";
import { parseClusterConfig } from "../components/config";
import {
    MASTER_ONLY_ENV,
    nodeEnvironment,
    originProblem,
    redisConnectionString,
    secretEnvironment,
    sessionCookieEnvironment,
    sqlDsn,
    trustedProxiesValue,
} from "../components/environment";
import { FRONT_DOOR, settingsWithExtraEnv as settings } from "./nodeFixtures";

describe("nodeEnvironment", () => {
    test("slaves say NODE_TYPE=slave; the master never does", () => {
        expect(nodeEnvironment("slave", "s", settings, FRONT_DOOR).NODE_TYPE).toBe("slave");
        expect(nodeEnvironment("master", "m", settings, FRONT_DOOR).NODE_TYPE).toBe("master");
    });

    test("the guide's sync settings, identical for every node but the names", () => {
        const master = nodeEnvironment("master", "newapi-dev-master", settings, FRONT_DOOR);
        const slave = nodeEnvironment("slave", "newapi-dev-slave-3", settings, FRONT_DOOR);
        expect(master).toEqual({
            NODE_TYPE: "master",
            NODE_NAME: "newapi-dev-master",
            PORT: "3000",
            SYNC_FREQUENCY: "60",
            BATCH_UPDATE_ENABLED: "true",
            BATCH_UPDATE_INTERVAL: "5",
            SHUTDOWN_TIMEOUT_SECONDS: "300",
            TZ: "UTC",
            REDIS_POOL_SIZE: "10",
            SQL_MAX_OPEN_CONNS: "30",
            SQL_MAX_IDLE_CONNS: "10",
            TRUSTED_PROXIES: "10.0.0.0/20,10.0.16.0/20",
            STREAMING_TIMEOUT: "600",
        });
        const { NODE_TYPE: _a, NODE_NAME: _b, ...masterRest } = master;
        const { NODE_TYPE: _c, NODE_NAME: _d, ...slaveRest } = slave;
        expect(slaveRest).toEqual(masterRest);
        expect(slave).not.toHaveProperty("FRONTEND_BASE_URL");
    });

    test("TRUSTED_PROXIES is exactly the load balancer's blocks, and never empty (New API would then trust every private range)", () => {
        const env = nodeEnvironment("slave", "s", settings, { trustedProxies: ["10.0.0.0/20", "10.0.16.0/20", "10.0.32.0/20"], httpsOrigins: [] });
        expect(env.TRUSTED_PROXIES).toBe("10.0.0.0/20,10.0.16.0/20,10.0.32.0/20");
        expect(() => trustedProxiesValue([])).toThrow(/TRUSTED_PROXIES needs the load balancer's address blocks/);
        expect(() => trustedProxiesValue(["10.0.0.0/20", "none"])).toThrow(/TRUSTED_PROXIES/);
        expect(() => trustedProxiesValue(["10.0.0.1"])).toThrow(/TRUSTED_PROXIES/);
        expect(trustedProxiesValue(["fd00:ec2::/64"])).toBe("fd00:ec2::/64");
    });

    test("behind HTTPS the login cookie is Secure for the cluster's origins; on plain HTTP both are left unset", () => {
        const https = nodeEnvironment("master", "m", settings, { ...FRONT_DOOR, httpsOrigins: ["https://api.example.com", "https://newapi-dev-123.us-east-1.elb.amazonaws.com"] });
        expect(https).toMatchObject({
            SESSION_COOKIE_SECURE: "true",
            SESSION_COOKIE_TRUSTED_URL: "https://api.example.com,https://newapi-dev-123.us-east-1.elb.amazonaws.com",
        });
        const plain = nodeEnvironment("master", "m", settings, FRONT_DOOR);
        expect(plain).not.toHaveProperty("SESSION_COOKIE_SECURE");
        expect(plain).not.toHaveProperty("SESSION_COOKIE_TRUSTED_URL");
    });

    test.each([
        ["http://api.example.com", /is not an https origin/],
        ["https://API.example.com", /is not an https origin/],
        ["https://api.example.com/", /is not an https origin/],
        ["https://api.example.com/v1", /is not an https origin/],
        ["https://user@api.example.com", /is not an https origin/],
        ["https://*.example.com", /is not an https origin/],
        ["https://api.example.com:443", /names the default port/],
    ])("an origin New API would refuse at start, %s, is never rendered", (origin, problem) => {
        expect(originProblem(origin)).toMatch(problem);
        expect(() => sessionCookieEnvironment([origin])).toThrow(/SESSION_COOKIE_TRUSTED_URL/);
    });

    test("origins New API takes as they are", () => {
        for (const origin of ["https://api.example.com", "https://newapi-dev-123.us-east-1.elb.amazonaws.com", "https://api.example.com:8443"]) {
            expect(originProblem(origin)).toBeUndefined();
        }
        expect(httpsOrigins({ domainName: "api.example.com" }, "NewApi-Dev-1.us-east-1.elb.amazonaws.com")).toEqual([
            "https://api.example.com",
            "https://newapi-dev-1.us-east-1.elb.amazonaws.com",
        ]);
        expect(httpsOrigins({ domainName: undefined }, "lb.elb.amazonaws.com")).toEqual(["https://lb.elb.amazonaws.com"]);
    });

    test("CHANNEL_UPDATE_FREQUENCY from extraEnv reaches the master only: New API would run the update on every node", () => {
        const withUpdate = parseClusterConfig({ extraEnv: '{"CHANNEL_UPDATE_FREQUENCY":"30","STREAMING_TIMEOUT":"600"}' }, "dev");
        expect(nodeEnvironment("master", "m", withUpdate, FRONT_DOOR)).toMatchObject({ CHANNEL_UPDATE_FREQUENCY: "30", STREAMING_TIMEOUT: "600" });
        const slave = nodeEnvironment("slave", "s", withUpdate, FRONT_DOOR);
        expect(slave).not.toHaveProperty("CHANNEL_UPDATE_FREQUENCY");
        expect(slave.STREAMING_TIMEOUT).toBe("600");
        expect(Object.keys(MASTER_ONLY_ENV)).toEqual(["CHANNEL_UPDATE_FREQUENCY"]);
    });

    test("connection strings use the host only, and TLS to MySQL and Redis unless told otherwise", () => {
        expect(sqlDsn("pw", "db.example.com")).toBe("newapi:pw@tcp(db.example.com:3306)/newapi?tls=true");
        expect(sqlDsn("pw", "mysql", false)).toBe("newapi:pw@tcp(mysql:3306)/newapi");
        expect(redisConnectionString("tok", "master.redis.example.com")).toBe("rediss://:tok@master.redis.example.com:6379");
        expect(redisConnectionString("tok", "redis", false)).toBe("redis://:tok@redis:6379");
    });

    test("a separate log database gets LOG_SQL_DSN, with the same user and password; without one there is none", () => {
        const secrets = { sessionSecret: "s", cryptoSecret: "c", dbPassword: "pw", redisAuthToken: "tok" };
        const endpoints = { databaseHost: "db.example.com", redisHost: "cache.example.com", tls: true };
        expect(secretEnvironment(secrets, { ...endpoints, logDatabaseHost: "logdb.example.com" }).LOG_SQL_DSN).toBe(sqlDsn("pw", "logdb.example.com"));
        expect(Object.keys(secretEnvironment(secrets, endpoints))).not.toContain("LOG_SQL_DSN");
    });
});
