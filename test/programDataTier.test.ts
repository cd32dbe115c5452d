// The whole program under the mocks: the shared MySQL database and the shared cache, and the
// connection strings the nodes get for them.
import { MOCK_REGION, mockSecret, ofType, program } from "./harness";
import { T, secretsEnv, sgId } from "./programFixtures";

describe("shared MySQL", () => {
    test("encrypted, private, backed up, MySQL 8.4 with utf8mb4 and the connection budget", async () => {
        const run = await program();
        const db = ofType(run, T.rds)[0].inputs;
        expect(db).toMatchObject({
            engine: "mysql",
            engineVersion: "8.4",
            allowMajorVersionUpgrade: true,
            applyImmediately: false,
            storageEncrypted: true,
            publiclyAccessible: false,
            backupRetentionPeriod: 7,
            multiAz: false,
            dbName: "newapi",
            username: "newapi",
            vpcSecurityGroupIds: [sgId("newapi-dev-db-sg")],
            dbSubnetGroupName: "newapi-dev-db-subnets",
            parameterGroupName: "newapi-dev-db-params",
            autoMinorVersionUpgrade: true,
        });
        const params = ofType(run, T.rdsParams)[0].inputs;
        expect(params.family).toBe("mysql8.4");
        const byName = Object.fromEntries(params.parameters.map((p: { name: string; value: string }) => [p.name, p.value]));
        expect(byName).toMatchObject({ character_set_server: "utf8mb4", collation_server: "utf8mb4_unicode_ci", max_connections: "500" });
    });

    test("Multi-AZ, backups and size follow config", async () => {
        const run = await program({ dbMultiAz: "true", dbBackupRetentionDays: "14", dbInstanceClass: "db.r6g.large", dbMaxConnections: "2000" });
        expect(ofType(run, T.rds)[0].inputs).toMatchObject({ multiAz: true, backupRetentionPeriod: 14, instanceClass: "db.r6g.large" });
        expect(ofType(run, T.rdsParams)[0].inputs.parameters).toContainEqual({ name: "max_connections", value: "2000" });
    });

    test("SQL_DSN is built from the instance address, and each node's pool is fixed", async () => {
        const run = await program();
        const address = `newapi-dev-db.abc123.${MOCK_REGION}.rds.amazonaws.com`;
        expect(secretsEnv(ofType(run, T.instance)[0])).toContain(`SQL_DSN=newapi:{{db_password}}@tcp(${address}:3306)/newapi?tls=true`);
        expect(run.exports.sqlDsn).toBe(
            `newapi:${mockSecret("newapi-dev-db-password")}@tcp(${address}:3306)/newapi?tls=true`,
        );
    });
});

describe("the shared cache", () => {
    test("cluster mode disabled, two nodes with failover and Multi-AZ, encrypted, AUTH", async () => {
        const run = await program();
        expect(ofType(run, T.redis)[0].inputs).toMatchObject({
            engine: "valkey",
            numCacheClusters: 2,
            automaticFailoverEnabled: true,
            multiAzEnabled: true,
            atRestEncryptionEnabled: true,
            transitEncryptionEnabled: true,
            authTokenUpdateStrategy: "ROTATE",
            port: 6379,
            securityGroupIds: [sgId("newapi-dev-redis-sg")],
        });
        expect(ofType(run, T.redis)[0].inputs).not.toHaveProperty("numNodeGroups");
    });

    test("a single cache node turns failover and Multi-AZ off", async () => {
        const run = await program({ cacheNodeCount: "1" });
        expect(ofType(run, T.redis)[0].inputs).toMatchObject({ numCacheClusters: 1, automaticFailoverEnabled: false, multiAzEnabled: false });
    });

    test("REDIS_CONN_STRING is rediss://:TOKEN@PRIMARY_ENDPOINT:6379", async () => {
        const run = await program();
        const endpoint = "master.newapi-dev-redis.abc123.use1.cache.amazonaws.com";
        expect(secretsEnv(ofType(run, T.instance)[0])).toContain(`REDIS_CONN_STRING=rediss://:{{redis_auth_token}}@${endpoint}:6379`);
        expect(run.exports.redisConnectionString).toBe(
            `rediss://:${mockSecret("newapi-dev-redis-auth-token")}@${endpoint}:6379`,
        );
    });
});
