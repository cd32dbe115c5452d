// Secret rotation on the docker target under Pulumi's mocks: what dbPasswordRotation,
// redisAuthTokenRotation and adminPasswordRotation replace and add, the steps' order and
// environment, and the MySQL versions a database password rotation needs.
import { ConfigError, parseClusterConfig } from "../components/config";
import { lacksDualPasswords } from "../components/config/checks";
import { dbPasswordScript, localAdminPasswordScript } from "../components/docker/containers";
import { passwordArgs } from "../components/passwords";
import { diffRegistrations } from "./diff";
import { ProgramRun, Registered, SECRET_SIG_KEY, named, ofType, program, unwrapSecrets } from "./harness";
import { mockPassword } from "./mockRuntime";
import { PASSWORD, password } from "./rotationKeys";
import { exportSecrecy, generatedSecrets, misplacedSecrets, plainSecretLeaks, unusedSecrets } from "./secretScan";

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
