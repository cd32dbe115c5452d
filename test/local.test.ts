// The local (docker) target under Pulumi's mocks: what it registers for several slave counts.
import { localNodeEntrypoint } from "../components/docker/containers";
import { stopBudget } from "../components/stopBudget";
import { cacheHealthCommand, goDuration, localSetupScript } from "../components/docker/containers";
import { passwordArgs } from "../components/passwords";
import { scriptParameters } from "./cloudConfig";
import { diffRegistrations } from "./diff";
import { ProgramRun, Registered, SECRET_SIG_KEY, mockSecret, named, ofType, program } from "./harness";
import { mockPassword } from "./mockRuntime";

const CONTAINER = "docker:index/container:Container";
const VOLUME = "docker:index/volume:Volume";
const NETWORK = "docker:index/network:Network";
const IMAGE = "docker:index/remoteImage:RemoteImage";

const local = (config: Record<string, string> = {}) => program({ target: "docker", ...config });
const unwrap = (value: any) => (value && typeof value === "object" && SECRET_SIG_KEY in value ? value.value : value);
const envOf = (container: Registered): Record<string, string> =>
    Object.fromEntries((unwrap(container.inputs.envs) as string[]).map((e) => e.split(/=(.*)/s).slice(0, 2)));
const newApiContainers = (run: ProgramRun) =>
    ofType(run, CONTAINER).filter((c) => /-(master|slave-\d+)$/.test(c.name));
const dependencyNames = (r: Registered) => r.options.dependencies.map((urn) => urn.replace(/^.*::/, "")).sort();
/** Seconds in a duration written as Go prints it ("1m30s"), or undefined for any other form. */
const durationSeconds = (text: string) => {
    const match = /^(?:(\d+)h)?(?:(\d+)m)?(\d+)s$/.exec(text);
    return match && Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60 + Number(match[3]);
};

describe("local target resources", () => {
    test.each([0, 1, 3])("slaveCount %i: containers, volumes, one network, no AWS", async (slaves) => {
        const run = await local({ slaveCount: String(slaves) });
        const names = ofType(run, CONTAINER).map((c) => c.name).sort();
        expect(names).toEqual(
            [
                "newapi-dev-admin-password",
                "newapi-dev-master",
                "newapi-dev-mysql",
                "newapi-dev-nginx",
                "newapi-dev-redis",
                "newapi-dev-setup",
                ...Array.from({ length: slaves }, (_, i) => `newapi-dev-slave-${i}`),
            ].sort(),
        );
        expect(ofType(run, NETWORK)).toHaveLength(1);
        // MySQL and Redis data, the root password's copy, and /data of every New API node.
        expect(ofType(run, VOLUME)).toHaveLength(3 + (1 + slaves));
        expect(ofType(run, IMAGE).map((i) => i.inputs.name).sort()).toEqual(
            ["calciumion/new-api:v0.13.2", "mysql:8.4.10", "nginx:1.30.4-alpine", "valkey/valkey:8.1.7-alpine"],
        );
        expect(run.resources.filter((r) => r.type.startsWith("aws:"))).toEqual([]);
        expect(run.invokes.filter((i) => i.token.startsWith("aws:"))).toEqual([]);
    });

    test("scaling adds only the slave's container and volumes and regenerates nginx", async () => {
        for (const n of [0, 2]) {
            const before = await local({ slaveCount: String(n) });
            const after = await local({ slaveCount: String(n + 1) });
            const name = `newapi-dev-slave-${n}`;
            expect(diffRegistrations(before.resources, after.resources)).toEqual({
                added: [`${CONTAINER}::${name}`, `${VOLUME}::${name}-data`].sort(),
                removed: [],
                changed: [`${CONTAINER}::newapi-dev-nginx`],
            });
        }
    });
});

describe("local nodes", () => {
    test("every New API container has the same SESSION_SECRET and CRYPTO_SECRET, as secrets", async () => {
        const run = await local({ slaveCount: "3" });
        const containers = newApiContainers(run);
        expect(containers).toHaveLength(4);
        for (const c of containers) {
            expect(c.inputs.envs[SECRET_SIG_KEY]).toBeDefined();
            expect(envOf(c)).toMatchObject({
                SESSION_SECRET: mockSecret("newapi-dev-session-secret"),
                CRYPTO_SECRET: mockSecret("newapi-dev-crypto-secret"),
                SQL_DSN: `newapi:${mockSecret("newapi-dev-db-password")}@tcp(mysql:3306)/newapi`,
                REDIS_CONN_STRING: `redis://:${mockSecret("newapi-dev-redis-auth-token")}@redis:6379`,
            });
        }
    });

    test("NODE_TYPE=slave only on slaves; the rest of the environment as on AWS", async () => {
        const run = await local({ slaveCount: "2", syncFrequency: "30" });
        expect(envOf(named(run, CONTAINER, "newapi-dev-master"))).toMatchObject({ NODE_TYPE: "master", NODE_NAME: "newapi-dev-master" });
        for (const i of [0, 1]) {
            expect(envOf(named(run, CONTAINER, `newapi-dev-slave-${i}`))).toMatchObject({
                NODE_TYPE: "slave",
                NODE_NAME: `newapi-dev-slave-${i}`,
                SYNC_FREQUENCY: "30",
                BATCH_UPDATE_ENABLED: "true",
            });
        }
        for (const name of ["newapi-dev-mysql", "newapi-dev-redis", "newapi-dev-nginx", "newapi-dev-setup"]) {
            expect(JSON.stringify(named(run, CONTAINER, name).inputs.envs ?? [])).not.toContain("NODE_TYPE");
        }
    });

    test("a volume for /data, no log files, bounded Docker logs, the health check, restart, and the pinned image", async () => {
        const run = await local({ slaveCount: "1" });
        const imageId = ofType(run, IMAGE).find((i) => i.inputs.name.startsWith("calciumion/"))?.inputs.name;
        expect(imageId).toBe("calciumion/new-api:v0.13.2");
        const images = new Set(newApiContainers(run).map((c) => c.inputs.image));
        expect(images.size).toBe(1);
        expect([...images][0]).toMatch(/^sha256:[0-9a-f]{64}$/);
        for (const c of newApiContainers(run)) {
            expect(c.inputs).toMatchObject({
                command: ["--log-dir="],
                restart: "unless-stopped",
                wait: true,
                volumes: [{ volumeName: `${c.name}-data`, containerPath: "/data" }],
                logDriver: "local",
                logOpts: { "max-size": "20m", "max-file": "5" },
                healthcheck: { tests: ["CMD-SHELL", expect.stringContaining("http://127.0.0.1:3000/v1/models")] },
            });
        }
    });

    test("stopping a node: SIGTERM to the shell New API runs under, and SIGKILL only after the whole stop budget", async () => {
        const run = await local({ slaveCount: "1", batchUpdateInterval: "30", shutdownTimeout: "120" });
        const budget = stopBudget({ batchUpdateInterval: 30, shutdownTimeout: 120, deregistrationDelay: 0 });
        for (const c of newApiContainers(run)) {
            // 30 + 2 s for the last quota batch, then New API's 120 s and a 10 s margin.
            expect(c.inputs).toMatchObject({ destroyGraceSeconds: 162, stopTimeout: 162, entrypoints: localNodeEntrypoint(budget) });
            expect(c.inputs).not.toHaveProperty("stopSignal");
            expect(unwrap(c.inputs.envs)).toContain("SHUTDOWN_TIMEOUT_SECONDS=120");
        }
    });

    test("slaveImage gives the slaves their own image", async () => {
        const run = await local({ slaveCount: "1", slaveImage: "calciumion/new-api:v0.9.21" });
        expect(named(run, CONTAINER, "newapi-dev-master").inputs.image).not.toBe(named(run, CONTAINER, "newapi-dev-slave-0").inputs.image);
    });
});

describe("local shared services and order", () => {
    test("MySQL 8 with utf8mb4, a volume and a TCP health check; root's password generated, its environment read once", async () => {
        const run = await local();
        const mysql = named(run, CONTAINER, "newapi-dev-mysql").inputs;
        expect(mysql.command).toEqual([
            "--character-set-server=utf8mb4",
            "--collation-server=utf8mb4_unicode_ci",
            "--max-connections=500",
        ]);
        expect(unwrap(mysql.envs)).toEqual([
            "MYSQL_DATABASE=newapi",
            "MYSQL_USER=newapi",
            `MYSQL_PASSWORD=${mockSecret("newapi-dev-db-password")}`,
            `MYSQL_ROOT_PASSWORD=${mockPassword("newapi-dev-mysql-root-password", passwordArgs("dbPassword"))}`,
        ]);
        expect(mysql.envs[SECRET_SIG_KEY]).toBeDefined();
        // The image reads its environment only when it initializes an empty volume: a rotated
        // password must not replace (restart) MySQL, and does not on a stack made before root had a known password.
        expect(named(run, CONTAINER, "newapi-dev-mysql").options.ignoreChanges).toEqual(["envs"]);
        expect(mysql.volumes).toEqual([{ volumeName: "newapi-dev-mysql", containerPath: "/var/lib/mysql" }]);
        expect(mysql.healthcheck.tests).toEqual(["CMD-SHELL", "mysqladmin ping -h 127.0.0.1 --silent"]);
        expect(mysql).toMatchObject({ destroyGraceSeconds: 60, stopTimeout: 60 });
    });

    test("Valkey 8.1, the line ElastiCache runs, with requirepass set to the generated token, as a secret upload", async () => {
        const run = await local();
        const redis = named(run, CONTAINER, "newapi-dev-redis").inputs;
        expect(redis.command).toEqual(["valkey-server", "/usr/local/etc/valkey/valkey.conf"]);
        // The secret content makes the whole uploads list secret.
        expect(redis.uploads[SECRET_SIG_KEY]).toBeDefined();
        expect(unwrap(redis.uploads)).toEqual([
            {
                file: "/usr/local/etc/valkey/valkey.conf",
                content: `requirepass ${mockSecret("newapi-dev-redis-auth-token")}\nappendonly yes\n`,
            },
        ]);
        expect(redis.volumes).toEqual([{ volumeName: "newapi-dev-redis", containerPath: "/data" }]);
        expect(redis).toMatchObject({ destroyGraceSeconds: 30, stopTimeout: 30 });
    });

    test("the cache's health check authenticates (REDISCLI_AUTH) and wants PONG, not just valkey-cli's exit code", async () => {
        const run = await local();
        const redis = named(run, CONTAINER, "newapi-dev-redis").inputs;
        expect(redis.healthcheck.tests).toEqual(["CMD-SHELL", cacheHealthCommand("valkey")]);
        expect(cacheHealthCommand("valkey")).toBe("valkey-cli ping | grep -q PONG");
        expect(unwrap(redis.envs)).toEqual([`REDISCLI_AUTH=${mockSecret("newapi-dev-redis-auth-token")}`]);
    });

    test("health check durations are written as Docker reads them back (Go's 1m0s), so nothing drifts", async () => {
        const run = await local({ slaveCount: "1" });
        const checked = ofType(run, CONTAINER).filter((c) => c.inputs.healthcheck);
        expect(checked.map((c) => c.name).sort()).toEqual(["newapi-dev-master", "newapi-dev-mysql", "newapi-dev-redis", "newapi-dev-slave-0"]);
        for (const c of checked) {
            for (const field of ["interval", "timeout", "startPeriod"]) {
                const text: string = c.inputs.healthcheck[field];
                expect({ container: c.name, field, text: goDuration(durationSeconds(text) ?? -1) }).toEqual({ container: c.name, field, text });
            }
        }
        expect(named(run, CONTAINER, "newapi-dev-master").inputs.healthcheck).toMatchObject({ interval: "10s", timeout: "10s", startPeriod: "1m0s" });
    });

    test("the master waits for MySQL and Redis; setup for the master; slaves for both; nginx for all", async () => {
        const run = await local({ slaveCount: "2" });
        expect(dependencyNames(named(run, CONTAINER, "newapi-dev-master"))).toEqual(
            expect.arrayContaining(["newapi-dev-mysql", "newapi-dev-redis"]),
        );
        expect(dependencyNames(named(run, CONTAINER, "newapi-dev-setup"))).toContain("newapi-dev-master");
        // Then one slave at a time (rolloutBatchPercent 25 of 2), as on AWS.
        expect(dependencyNames(named(run, CONTAINER, "newapi-dev-slave-0"))).toEqual(expect.arrayContaining(["newapi-dev-master", "newapi-dev-setup"]));
        expect(dependencyNames(named(run, CONTAINER, "newapi-dev-slave-1"))).toContain("newapi-dev-slave-0");
        expect(dependencyNames(named(run, CONTAINER, "newapi-dev-nginx"))).toEqual(
            expect.arrayContaining(["newapi-dev-master", "newapi-dev-slave-0", "newapi-dev-slave-1"]),
        );
    });

    test("setup runs once, with the generated password from its environment", async () => {
        const run = await local();
        const setup = named(run, CONTAINER, "newapi-dev-setup").inputs;
        // What makes the provider wait for its end and record its exit code (exitCode) and output (containerLogs).
        expect(setup).toMatchObject({ attach: true, logs: true, mustRun: false, restart: "no", entrypoints: ["/bin/sh", "-c"] });
        expect(setup.command).toEqual([localSetupScript("newapi-dev-master", "admin")]);
        expect(scriptParameters(setup.command[0])).toMatchObject({
            SETUP_URL: "http://newapi-dev-master:3000/api/setup",
            SETUP_REQUEST: expect.stringContaining('"username":"admin","password":"{{password}}"'),
        });
        expect(unwrap(setup.envs)).toEqual([`ADMIN_PASSWORD=${mockSecret("newapi-dev-admin-password")}`]);
    });

    test("nginx: the guide's weights, names re-resolved by Docker's DNS, published on 127.0.0.1:localPort, replaced with any node", async () => {
        const run = await local({ slaveCount: "2", localPort: "9090" });
        const nginx = named(run, CONTAINER, "newapi-dev-nginx").inputs;
        expect(nginx.ports).toEqual([{ internal: 80, external: 9090, ip: "127.0.0.1" }]);
        const conf: string = nginx.uploads[0].content;
        expect(nginx.uploads[0].file).toBe("/etc/nginx/nginx.conf");
        expect(conf).toContain("server newapi-dev-master:3000 weight=3 ");
        expect(conf).toContain("server newapi-dev-slave-0:3000 weight=5 ");
        expect(conf).toContain("server newapi-dev-slave-1:3000 weight=5 ");
        expect(conf).toContain("    resolver 127.0.0.11 valid=10s ipv6=off;\n");
        expect(conf).toContain("        zone new_api_cluster 64k;\n");
        expect(conf.match(/^ +server [^{\n]*$/gm)).toEqual([
            expect.stringMatching(/^\s+server newapi-dev-master:3000 .* resolve;$/),
            expect.stringMatching(/^\s+server newapi-dev-slave-0:3000 .* resolve;$/),
            expect.stringMatching(/^\s+server newapi-dev-slave-1:3000 .* resolve;$/),
        ]);
        expect(conf).toContain("proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;");
        expect(nginx.labels).toContainEqual({
            label: "new-api.upstreams",
            value: "newapi-dev-master-id,newapi-dev-slave-0-id,newapi-dev-slave-1-id",
        });
    });
});

describe("local outputs", () => {
    test("url, admin user and secrets", async () => {
        const run = await local({ slaveCount: "1" });
        const e = run.exports;
        expect(e.target).toBe("docker");
        expect(e.url).toBe("http://127.0.0.1:8080");
        expect(e.adminUsername).toBe("admin");
        expect(run.secretExports.includes("adminPassword")).toBe(true);
        expect(e.adminPassword).toBe(mockSecret("newapi-dev-admin-password"));
        expect(e.masterContainer).toBe("newapi-dev-master");
        expect(e.slaveContainers).toEqual(["newapi-dev-slave-0"]);
        expect(e.mysqlRootPassword).toBe(mockPassword("newapi-dev-mysql-root-password", passwordArgs("dbPassword")));
        for (const name of ["sessionSecret", "cryptoSecret", "dbPassword", "redisAuthToken", "sqlDsn", "redisConnectionString", "mysqlRootPassword"]) {
            expect({ name, secret: run.secretExports.includes(name) }).toEqual({ name, secret: true });
        }
        expect(Object.keys(e).filter((n) => e[n] !== undefined).sort()).toEqual(
            [
                ...["target", "url", "listenerWeights", "adminUsername", "adminPassword", "masterContainer", "slaveContainers", "mysqlRootPassword"],
                ...["sessionSecret", "cryptoSecret", "dbPassword", "redisAuthToken", "sqlDsn", "redisConnectionString"],
            ].sort(),
        );
    });
});
