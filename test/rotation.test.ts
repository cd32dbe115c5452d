// Secret rotation under Pulumi's mocks: what raising dbPasswordRotation,
// redisAuthTokenRotation or adminPasswordRotation changes (and nothing else), the order of the restart steps and the
// SET step, and that no setting regenerates SESSION_SECRET or CRYPTO_SECRET.
import {
    NOTHING_TO_CHANGE,
    NOTHING_TO_RESTART,
    NOTHING_TO_SET,
    TOKEN_SET_TIMEOUT_SECONDS,
    adminPasswordScript,
    adminRotateScript,
    restartScript,
    tokenSetScript,
} from "../components/aws/rotationScripts";
import { ConfigError, parseClusterConfig } from "../components/config";
import { lacksDualPasswords } from "../components/config/checks";
import { dbPasswordScript, localAdminPasswordScript } from "../components/docker/containers";
import { passwordArgs } from "../components/passwords";
import { diffRegistrations } from "./diff";
import { ProgramRun, Registered, SECRET_SIG_KEY, named, ofType, program, unwrapSecrets } from "./harness";
import { mockPassword } from "./mockRuntime";
import { exportSecrecy, generatedSecrets, misplacedSecrets, plainSecretLeaks, unusedSecrets } from "./secretScan";

const COMMAND = "command:local:Command";
const PASSWORD = "random:index/randomPassword:RandomPassword";
const PARAMETER = "aws:ssm/parameter:Parameter";
const password = (name: string) => `${PASSWORD}::newapi-dev-${name}`;
const parameter = (name: string) => `${PARAMETER}::newapi-dev-${name}`;
const restartKey = (node: string) => `${COMMAND}::newapi-dev-${node}-restart`;
const restartsOf = (slaveCount: number) => ["master", ...Array.from({ length: slaveCount }, (_, i) => `slave-${i}`)].map(restartKey);
const TOKEN_SET = `${COMMAND}::newapi-dev-redis-token-set`;

/** The URN suffixes (type::name) of a resource's dependencies. */
const dependencyKeys = (r: Registered) => r.options.dependencies.map((urn) => urn.replace(/^.*\$/, ""));

// The generations' keepers (rotationKeepers, passwordArgs) are tested in secrets.test.ts;
// the restarts' batches (rolloutBatches) in rollout.test.ts.
describe("rotating on AWS", () => {
    test("a stack that never rotated has the passwords it always had: no keepers anywhere", async () => {
        const run = await program({ slaveCount: "2" });
        for (const r of ofType(run, PASSWORD)) {
            expect(r.inputs).not.toHaveProperty("keepers");
        }
    });

    test("dbPasswordRotation changes the password, its parameter, the database(s) and restarts every node; nothing else", async () => {
        const before = await program({ slaveCount: "2", logDatabase: "true" });
        const after = await program({ slaveCount: "2", logDatabase: "true", dbPasswordRotation: "1" });
        expect(diffRegistrations(before.resources, after.resources)).toEqual({
            added: [],
            removed: [],
            changed: [
                parameter("db-password"),
                "aws:rds/instance:Instance::newapi-dev-db",
                "aws:rds/instance:Instance::newapi-dev-logdb",
                ...restartsOf(2),
                password("db-password"),
            ].sort(),
        });
        const newPassword = named(after, PASSWORD, "newapi-dev-db-password").inputs;
        expect(newPassword.keepers).toEqual({ rotation: "1" });
        expect(named(after, "aws:rds/instance:Instance", "newapi-dev-db").inputs.password).not.toBe(
            named(before, "aws:rds/instance:Instance", "newapi-dev-db").inputs.password,
        );
    });

    test("redisAuthTokenRotation changes the token, its parameter, the replication group, restarts every node and sets the token; nothing else", async () => {
        const before = await program({ slaveCount: "2" });
        const after = await program({ slaveCount: "2", redisAuthTokenRotation: "1" });
        expect(diffRegistrations(before.resources, after.resources)).toEqual({
            added: [],
            removed: [],
            changed: [
                parameter("redis-auth-token"),
                "aws:elasticache/replicationGroup:ReplicationGroup::newapi-dev-redis",
                ...restartsOf(2),
                TOKEN_SET,
                password("redis-auth-token"),
            ].sort(),
        });
        const group = named(after, "aws:elasticache/replicationGroup:ReplicationGroup", "newapi-dev-redis").inputs;
        // The provider modifies the group with ROTATE: both tokens work until the SET step.
        expect(group.authTokenUpdateStrategy).toBe("ROTATE");
        const set = (run: ProgramRun) => named(run, COMMAND, "newapi-dev-redis-token-set").inputs;
        expect(unwrapSecrets(set(after).environment).AUTH_TOKEN).toBe(unwrapSecrets(group.authToken));
        // Only the token changed: the step is updated (SET runs), not replaced (which sets nothing).
        expect(set(after).triggers).toEqual(set(before).triggers);
        const otherProfile = await program({ slaveCount: "2", "aws:profile": "operations" });
        expect(set(otherProfile).triggers).not.toEqual(set(before).triggers);
    });

    test("the same generation again changes nothing: neither the restarts nor the SET step run twice", async () => {
        const first = await program({ slaveCount: "2", redisAuthTokenRotation: "1", dbPasswordRotation: "1" });
        const again = await program({ slaveCount: "2", redisAuthTokenRotation: "1", dbPasswordRotation: "1" });
        expect(diffRegistrations(first.resources, again.resources)).toEqual({ added: [], removed: [], changed: [] });
    });

    test("each node's restart step runs only on update, after the secrets' holders; a new node is not restarted", async () => {
        const run = await program({ slaveCount: "2", shutdownTimeout: "40", deregistrationDelay: "45", nodeWarmup: "240", "aws:profile": "operations" });
        for (const node of ["master", "slave-0", "slave-1"]) {
            const step = named(run, COMMAND, `newapi-dev-${node}-restart`);
            expect(step.inputs).toMatchObject({
                interpreter: ["/bin/sh", "-c"],
                create: NOTHING_TO_RESTART,
                // The drain (45 + 30), the stop (5 + 2 + 40 + 10, and 30 for systemd), the warm-up.
                update: restartScript(75 + 87 + 240),
                triggers: [`newapi-dev-${node}-id`],
                environment: {
                    NODE: `newapi-dev-${node}`,
                    INSTANCE_ID: `newapi-dev-${node}-id`,
                    TARGET_GROUP_ARN: expect.stringMatching(node === "master" ? /newapi-dev-master$/ : /newapi-dev-slaves$/),
                    OTHER_TARGET_GROUP_ARN: expect.stringMatching(node === "master" ? /newapi-dev-slaves$/ : /newapi-dev-master$/),
                    DB_PASSWORD_ROTATION: "0",
                    REDIS_AUTH_TOKEN_ROTATION: "0",
                    AWS_REGION: "us-east-1",
                    AWS_PROFILE: "operations",
                },
            });
            expect(dependencyKeys(step)).toEqual(
                expect.arrayContaining([
                    "aws:rds/instance:Instance::newapi-dev-db",
                    "aws:elasticache/replicationGroup:ReplicationGroup::newapi-dev-redis",
                    parameter("db-password"),
                    parameter("redis-auth-token"),
                    `${COMMAND}::newapi-dev-${node}-warmup`,
                ]),
            );
        }
        const set = named(run, COMMAND, "newapi-dev-redis-token-set");
        // The token makes the whole environment a secret in Pulumi's state.
        expect(set.inputs.environment).toHaveProperty(SECRET_SIG_KEY);
        expect(unwrapSecrets(set.inputs)).toMatchObject({
            create: NOTHING_TO_SET,
            update: tokenSetScript(TOKEN_SET_TIMEOUT_SECONDS),
            triggers: ["newapi-dev-redis-id", tokenSetScript(TOKEN_SET_TIMEOUT_SECONDS), "us-east-1", "operations"],
            environment: { REPLICATION_GROUP_ID: "newapi-dev-redis-id", AWS_REGION: "us-east-1", AWS_PROFILE: "operations" },
        });
        expect(unwrapSecrets(set.inputs.environment).AUTH_TOKEN).toMatch(/^[A-Za-z0-9]{48}$/);
    });

    test("adminPasswordRotation changes the root user's password, its parameter and the master's admin password step; no node restarts", async () => {
        const before = await program({ slaveCount: "2", adminUsername: "root" });
        const after = await program({ slaveCount: "2", adminUsername: "root", adminPasswordRotation: "1" });
        const adminStep = `${COMMAND}::newapi-dev-master-admin-password`;
        expect(diffRegistrations(before.resources, after.resources)).toEqual({
            added: [],
            removed: [],
            changed: [parameter("admin-password"), adminStep, password("admin-password")].sort(),
        });
        expect(named(after, PASSWORD, "newapi-dev-admin-password").inputs).toEqual(passwordArgs("adminPassword", 1));
        const step = named(after, COMMAND, "newapi-dev-master-admin-password");
        expect(step.inputs).toMatchObject({
            interpreter: ["/bin/sh", "-c"],
            create: NOTHING_TO_CHANGE,
            update: adminRotateScript(),
            triggers: ["newapi-dev-master-id"],
            environment: { NODE: "newapi-dev-master", INSTANCE_ID: "newapi-dev-master-id", ADMIN_PASSWORD_ROTATION: "1", AWS_REGION: "us-east-1" },
        });
        // The master's script, which reads both passwords on the master: no secret in the step.
        expect(step.inputs.environment).not.toHaveProperty(SECRET_SIG_KEY);
        const admin = { username: "root", passwordParameter: "/new-api/newapi-dev/admin-password", generation: 1 };
        expect(Buffer.from(step.inputs.environment.MASTER_SCRIPT, "base64").toString()).toBe(adminPasswordScript("us-east-1", admin));
        // After the new password is in SSM, and after the master's restart step when both run.
        expect(dependencyKeys(step)).toEqual(expect.arrayContaining([parameter("admin-password"), restartKey("master")]));
    });

    test("without adminUsername there is no admin password step, and adminPasswordRotation is refused", async () => {
        const run = await program({ slaveCount: "2" });
        expect(ofType(run, COMMAND).filter((c) => c.name.endsWith("-admin-password"))).toEqual([]);
        expect(() => parseClusterConfig({ adminPasswordRotation: "1" }, "dev")).toThrow(
            /adminPasswordRotation = "1": rotates the root user's password the master's setup created, and adminUsername is not set/,
        );
    });

    /** Which restart steps (and the SET step) each step waits for. */
    function order(run: ProgramRun): Record<string, string[]> {
        const steps = ofType(run, COMMAND).filter((c) => c.name.endsWith("-restart") || c.name.endsWith("-redis-token-set"));
        return Object.fromEntries(
            steps.map((step) => [
                step.name,
                dependencyKeys(step)
                    .filter((key) => key.startsWith(COMMAND) && (key.endsWith("-restart") || key.endsWith("-token-set")))
                    .map((key) => key.replace(`${COMMAND}::`, ""))
                    .sort(),
            ]),
        );
    }

    test("order with 4 slaves at rolloutBatchPercent 50: slaves 0 and 1, then 2 and 3, then the master, then SET", async () => {
        expect(order(await program({ slaveCount: "4", rolloutBatchPercent: "50" }))).toEqual({
            "newapi-dev-slave-0-restart": [],
            "newapi-dev-slave-1-restart": [],
            "newapi-dev-slave-2-restart": ["newapi-dev-slave-0-restart", "newapi-dev-slave-1-restart"],
            "newapi-dev-slave-3-restart": ["newapi-dev-slave-0-restart", "newapi-dev-slave-1-restart"],
            "newapi-dev-master-restart": ["newapi-dev-slave-2-restart", "newapi-dev-slave-3-restart"],
            "newapi-dev-redis-token-set": [
                "newapi-dev-master-restart",
                "newapi-dev-slave-0-restart",
                "newapi-dev-slave-1-restart",
                "newapi-dev-slave-2-restart",
                "newapi-dev-slave-3-restart",
            ],
        });
    });

    test("order with 1 slave and with none: the slave, then the master; the master alone", async () => {
        expect(order(await program({ slaveCount: "1" }))).toEqual({
            "newapi-dev-slave-0-restart": [],
            "newapi-dev-master-restart": ["newapi-dev-slave-0-restart"],
            "newapi-dev-redis-token-set": ["newapi-dev-master-restart", "newapi-dev-slave-0-restart"],
        });
        expect(order(await program({ slaveCount: "0" }))).toEqual({
            "newapi-dev-master-restart": [],
            "newapi-dev-redis-token-set": ["newapi-dev-master-restart"],
        });
    });
});

describe("SESSION_SECRET and CRYPTO_SECRET are never rotated by a setting", () => {
    const sessionAndCrypto = (run: ProgramRun) =>
        ["session-secret", "crypto-secret"].map((leaf) => ({
            password: named(run, PASSWORD, `newapi-dev-${leaf}`).inputs,
            parameter: ofType(run, PARAMETER).find((p) => p.name === `newapi-dev-${leaf}`)?.inputs.value,
        }));

    test.each([
        ["dbPasswordRotation", { dbPasswordRotation: "7" }],
        ["redisAuthTokenRotation", { redisAuthTokenRotation: "7" }],
        ["both rotations", { dbPasswordRotation: "2", redisAuthTokenRotation: "3" }],
        ["adminUsername", { adminUsername: "root" }],
        ["adminPasswordRotation", { adminUsername: "root", adminPasswordRotation: "3" }],
        ["slaveCount", { slaveCount: "5" }],
        ["image", { image: "calciumion/new-api:v0.9.21" }],
        ["clusterName", { clusterName: "newapi-dev" }],
        ["logDatabase", { logDatabase: "true" }],
        ["syncFrequency", { syncFrequency: "30" }],
    ])("on AWS, %s leaves their RandomPasswords and parameters as they were", async (_, change) => {
        const before = await program({});
        const after = await program(change);
        expect(sessionAndCrypto(after)).toEqual(sessionAndCrypto(before));
        expect(named(after, PASSWORD, "newapi-dev-session-secret").inputs).toEqual(passwordArgs("sessionSecret"));
        expect(named(after, PASSWORD, "newapi-dev-crypto-secret").inputs).toEqual(passwordArgs("cryptoSecret"));
    });

    test("on docker, redisAuthTokenRotation leaves them too", async () => {
        const local = (r: ProgramRun) =>
            ["session-secret", "crypto-secret"].map((leaf) => ofType(r, PASSWORD).find((p) => p.name.endsWith(`-${leaf}`))?.inputs);
        const before = await program({ target: "docker" });
        const after = await program({ target: "docker", redisAuthTokenRotation: "1" });
        expect(local(after)).toEqual(local(before));
        expect(local(after)[0]).toEqual(passwordArgs("sessionSecret"));
    });
});

describe("rotating on docker", () => {
    test("redisAuthTokenRotation replaces Redis (new requirepass) and every container that holds the token; MySQL stays", async () => {
        const before = await program({ target: "docker" });
        const after = await program({ target: "docker", redisAuthTokenRotation: "1" });
        const diff = diffRegistrations(before.resources, after.resources);
        expect(diff.added).toEqual([]);
        expect(diff.removed).toEqual([]);
        // nginx is replaced too once it runs: its label names the new nodes' ids (the mocks' ids do not change).
        expect(diff.changed).toEqual(
            [
                "docker:index/container:Container::newapi-dev-master",
                "docker:index/container:Container::newapi-dev-redis",
                "docker:index/container:Container::newapi-dev-slave-0",
                "docker:index/container:Container::newapi-dev-slave-1",
                `${PASSWORD}::newapi-dev-redis-auth-token`,
            ].sort(),
        );
    });

    const CONTAINER = "docker:index/container:Container";
    const container = (name: string) => `${CONTAINER}::newapi-dev-${name}`;
    const dependencyNames = (r: Registered) => r.options.dependencies.map((urn) => urn.replace(/^.*::/, "")).sort();
    const envOf = (r: Registered): string[] => unwrapSecrets(r.inputs.envs);
    // Generated as the database password is: MySQL takes the same characters.
    const MYSQL_ROOT_PASSWORD = mockPassword("newapi-dev-mysql-root-password", passwordArgs("dbPassword"));

    test("dbPasswordRotation adds the retain and discard steps and replaces every node; MySQL only ignores its environment", async () => {
        const before = await program({ target: "docker" });
        const after = await program({ target: "docker", dbPasswordRotation: "1" });
        const diff = diffRegistrations(before.resources, after.resources);
        expect(diff.added).toEqual([container("db-password-discard"), container("db-password-retain")]);
        expect(diff.removed).toEqual([]);
        expect(diff.changed).toEqual(
            [container("master"), container("mysql"), container("slave-0"), container("slave-1"), password("db-password")].sort(),
        );
        // MySQL's environment holds the password, and is what it ignores: it is not replaced (restarted).
        const mysql = (run: ProgramRun) => named(run, CONTAINER, "newapi-dev-mysql");
        const { envs: beforeEnvs, ...beforeRest } = mysql(before).inputs;
        const { envs: afterEnvs, ...afterRest } = mysql(after).inputs;
        expect(afterRest).toEqual(beforeRest);
        expect(afterEnvs).not.toEqual(beforeEnvs);
        expect(mysql(after).options.ignoreChanges).toEqual(["envs"]);
        // The setup holds no database password: it does not run again.
        expect(diff.changed).not.toContain(container("setup"));
    });

    test("the order: MySQL, retain (old and new work), the master, setup, the slaves, then discard", async () => {
        const run = await program({ target: "docker", dbPasswordRotation: "1" });
        const deps = (name: string) => dependencyNames(named(run, CONTAINER, `newapi-dev-${name}`));
        expect(deps("db-password-retain")).toEqual(expect.arrayContaining(["newapi-dev-mysql", "newapi-dev-redis"]));
        expect(deps("db-password-retain")).not.toContain("newapi-dev-master");
        expect(deps("master")).toEqual(expect.arrayContaining(["newapi-dev-db-password-retain", "newapi-dev-mysql", "newapi-dev-redis"]));
        // One slave at a time (rolloutBatchPercent 25 of 2): the first after the setup, the second after the first.
        expect(deps("slave-0")).toEqual(expect.arrayContaining(["newapi-dev-master", "newapi-dev-setup"]));
        expect(deps("slave-1")).toContain("newapi-dev-slave-0");
        expect(deps("db-password-discard")).toEqual(
            expect.arrayContaining(["newapi-dev-master", "newapi-dev-mysql", "newapi-dev-slave-0", "newapi-dev-slave-1"]),
        );
        // Nothing waits for discard: a node waiting for it would be replaced after the old password went.
        const discard = named(run, CONTAINER, "newapi-dev-db-password-discard").options.urn;
        expect(run.resources.filter((r) => r.options.dependencies.includes(discard))).toEqual([]);
    });

    test("each step runs db-password.sh once in the MySQL image, root's and the new password in its environment, marked secret", async () => {
        const run = await program({ target: "docker", dbPasswordRotation: "3" });
        const newPassword = mockPassword("newapi-dev-db-password", passwordArgs("dbPassword", 3));
        for (const step of ["retain", "discard"] as const) {
            const r = named(run, CONTAINER, `newapi-dev-db-password-${step}`);
            expect(r.inputs).toMatchObject({ attach: true, logs: true, mustRun: false, restart: "no", entrypoints: ["/bin/sh", "-c"] });
            expect(r.inputs.image).toBe(named(run, CONTAINER, "newapi-dev-mysql").inputs.image);
            expect(r.inputs.command).toEqual([dbPasswordScript(step)]);
            expect(r.inputs.envs[SECRET_SIG_KEY]).toBeDefined();
            expect(envOf(r)).toEqual([
                `ROOT_PASSWORD=${MYSQL_ROOT_PASSWORD}`,
                `DB_PASSWORD=${newPassword}`,
                "DB_PASSWORD_ROTATION=3",
            ]);
        }
        expect(envOf(named(run, CONTAINER, "newapi-dev-master"))).toContain(
            `SQL_DSN=newapi:${newPassword}@tcp(mysql:3306)/newapi`,
        );
    });

    test("the next generation changes both steps (new containers: they run again), and nothing else than the first did", async () => {
        const first = await program({ target: "docker", dbPasswordRotation: "1" });
        const second = await program({ target: "docker", dbPasswordRotation: "2" });
        const diff = diffRegistrations(first.resources, second.resources);
        expect(diff.added).toEqual([]);
        expect(diff.changed).toEqual(
            [
                container("db-password-discard"),
                container("db-password-retain"),
                container("master"),
                container("mysql"),
                container("slave-0"),
                container("slave-1"),
                password("db-password"),
            ].sort(),
        );
    });

    test("generation 0 has no steps: a stack that never rotated registers what it always did, bar root's known password", async () => {
        const run = await program({ target: "docker" });
        expect(ofType(run, CONTAINER).map((c) => c.name).filter((n) => n.includes("db-password"))).toEqual([]);
    });

    test("the secrets the rotations add are only in inputs made for secrets, marked secret, and in no plain output", async () => {
        const run = await program({ target: "docker", dbPasswordRotation: "1", adminPasswordRotation: "1" });
        expect(plainSecretLeaks(run)).toEqual([]);
        expect(misplacedSecrets(run)).toEqual([]);
        expect(unusedSecrets(run)).toEqual([]);
        expect(exportSecrecy(run).leaks).toEqual([]);
        expect(generatedSecrets(run)).toContain(MYSQL_ROOT_PASSWORD);
    });

    test.each([
        ["mysql:8.0.13", true],
        ["mysql:8.0.13-oracle@sha256:" + "a".repeat(64), true],
        ["registry.example:5000/mysql:5.7", true],
        ["mysql:8.0.14", false],
        ["mysql:8.0", false],
        ["registry.example:5000/mysql:8.4.3", false],
        ["mysql@sha256:" + "a".repeat(64), false],
        ["mysql:lts", false],
    ])("lacksDualPasswords(%s) is %s: a tag that names no version is left to MySQL", (image, lacks) => {
        expect(lacksDualPasswords(image)).toBe(lacks);
    });

    test("dbPasswordRotation is refused with a MySQL older than dual passwords (8.0.14), taken with any later one", () => {
        expect(() => parseClusterConfig({ target: "docker", dbPasswordRotation: "1", mysqlImage: "mysql:8.0.13", dbEngineVersion: "8.0" }, "local")).toThrow(
            /dbPasswordRotation = "1": needs MySQL 8\.0\.14 or later \(dual passwords\), and mysqlImage is mysql:8\.0\.13/,
        );
        expect(() => parseClusterConfig({ target: "docker", dbPasswordRotation: "1", mysqlImage: "mysql:5.7.44" }, "local")).toThrow(ConfigError);
        // Each with the dbEngineVersion of its line (the local target runs the line RDS runs).
        for (const [mysqlImage, dbEngineVersion] of [["mysql:8.0.14", "8.0"], ["mysql:8.4.3", "8.4"], ["mysql:8.0", "8.0"]]) {
            expect(parseClusterConfig({ target: "docker", dbPasswordRotation: "1", mysqlImage, dbEngineVersion }, "local").dbPasswordRotation).toBe(1);
        }
        // Generation 0 rotates nothing: an old MySQL is no reason to refuse it.
        expect(parseClusterConfig({ target: "docker", dbPasswordRotation: "0", mysqlImage: "mysql:8.0.13", dbEngineVersion: "8.0" }, "local").dbPasswordRotation).toBe(0);
    });

    test("adminPasswordRotation changes the password and replaces the setup (which finds New API set up) and the admin password step; no node", async () => {
        const before = await program({ target: "docker" });
        const after = await program({ target: "docker", adminPasswordRotation: "1" });
        const diff = diffRegistrations(before.resources, after.resources);
        expect(diff.added).toEqual([]);
        expect(diff.removed).toEqual([]);
        expect(diff.changed).toEqual([container("admin-password"), container("setup"), password("admin-password")].sort());
    });

    test("the admin password step runs after the setup, bash in the New API image, the copy in a volume of its own", async () => {
        const run = await program({ target: "docker", adminPasswordRotation: "2" });
        const step = named(run, CONTAINER, "newapi-dev-admin-password");
        expect(dependencyNames(step)).toEqual(expect.arrayContaining(["newapi-dev-master", "newapi-dev-mysql", "newapi-dev-redis", "newapi-dev-setup"]));
        expect(step.inputs).toMatchObject({ attach: true, logs: true, mustRun: false, restart: "no", entrypoints: ["/bin/bash", "-c"] });
        expect(step.inputs.image).toBe(named(run, CONTAINER, "newapi-dev-master").inputs.image);
        expect(step.inputs.command).toEqual([localAdminPasswordScript("newapi-dev-master", "admin")]);
        expect(step.inputs.volumes).toEqual([{ volumeName: "newapi-dev-admin", containerPath: "/admin" }]);
        expect(step.inputs.envs[SECRET_SIG_KEY]).toBeDefined();
        expect(envOf(step)).toEqual([
            `ADMIN_PASSWORD=${mockPassword("newapi-dev-admin-password", passwordArgs("adminPassword", 2))}`,
            "ADMIN_PASSWORD_ROTATION=2",
        ]);
        // Only the step mounts the copy.
        expect(ofType(run, CONTAINER).filter((c) => JSON.stringify(c.inputs.volumes ?? []).includes("newapi-dev-admin\"")).map((c) => c.name)).toEqual([
            "newapi-dev-admin-password",
        ]);
        // Nothing waits for it: the root user's password is not what the nodes need.
        expect(run.resources.filter((r) => r.options.dependencies.includes(step.options.urn))).toEqual([]);
    });

    test("both rotations at once are one pulumi up: the database's steps around the nodes, the admin step after the setup", async () => {
        const before = await program({ target: "docker" });
        const after = await program({ target: "docker", dbPasswordRotation: "1", adminPasswordRotation: "1" });
        const diff = diffRegistrations(before.resources, after.resources);
        expect(diff.added).toEqual([container("db-password-discard"), container("db-password-retain")]);
        expect(diff.changed).toEqual(
            expect.arrayContaining([container("admin-password"), container("master"), container("setup"), password("admin-password"), password("db-password")]),
        );
    });
});
