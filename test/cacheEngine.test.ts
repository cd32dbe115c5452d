// The cache's engine: Valkey for new stacks, Redis OSS selectable; what each registers on AWS,
// what an existing Redis stack's next `pulumi up` does to its cache (an in-place update, proved
// with the provider's replacement facts), and the local target's images following the same
// versions, with a mismatch refused.
import * as fs from "fs";
import * as path from "path";
import { RawConfig, parseClusterConfig } from "../components/config";
import { CACHE, CACHE_ENGINES, MYSQL } from "../components/versions";
import { problemsOf } from "./configProblems";
import { diffRegistrations } from "./diff";
import { ProgramRun, named, ofType, program } from "./harness";
import { REPLACEMENT_FACTS, replacedRegistrations, replacementReasons, updateProblem } from "./replacement";

const GROUP = "aws:elasticache/replicationGroup:ReplicationGroup";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const groupKey = `${GROUP}::newapi-dev-redis`;

describe("cacheEngine and cacheEngineVersion", () => {
    test("a new stack runs Valkey 8.1; redis is selectable and keeps Redis OSS 7.1", () => {
        expect(parseClusterConfig({}, "dev")).toMatchObject({ cacheEngine: "valkey", cacheEngineVersion: "8.1", cacheApplyImmediately: false });
        expect(parseClusterConfig({ cacheEngine: "redis" }, "dev")).toMatchObject({ cacheEngine: "redis", cacheEngineVersion: "7.1" });
        expect(parseClusterConfig({ cacheEngine: "redis", cacheEngineVersion: "6.2" }, "dev").cacheEngineVersion).toBe("6.2");
        expect(parseClusterConfig({ target: "docker" }, "dev")).toMatchObject({ cacheEngine: "valkey", cacheEngineVersion: "8.1" });
    });

    test.each([
        [{ cacheEngine: "memcached" }, /cacheEngine = "memcached": must be one of valkey, redis/],
        [{ cacheEngineVersion: "7.1" }, /cacheEngineVersion = "7.1": must be one of 8\.2, 8\.1, 8\.0, 7\.2 with cacheEngine valkey/],
        [{ cacheEngine: "redis", cacheEngineVersion: "8.1" }, /cacheEngineVersion = "8.1": must be one of 7\.1, 7\.0, 6\.2, 6\.0 with cacheEngine redis/],
        [{ target: "docker", cacheApplyImmediately: "true" }, /cacheApplyImmediately = "true": applies only to target aws/],
        [{ target: "docker", redisImage: "redis:7.2.5-alpine" }, /redisImage = "redis:7.2.5-alpine": was renamed cacheImage .*: pulumi config rm redisImage/],
    ])("%j is refused, naming the key, the value and what is allowed", (raw, message) => {
        expect(problemsOf(raw as RawConfig)).toEqual([expect.stringMatching(message)]);
    });

    test("an AWS stack that does not set cacheEngine is told, before anything changes, what this update does to a Redis cache and how to stay", () => {
        const [notice] = parseClusterConfig({}, "dev").notices;
        expect(notice).toMatch(/^cacheEngine is not set, so the cache runs Valkey, the default for new stacks\./);
        expect(notice).toMatch(/upgraded in place by this update: online, one way \(back to redis replaces the cache\)/);
        expect(notice).toMatch(/unless cacheApplyImmediately is true\. Set cacheEngine to redis to stay on Redis OSS, or to valkey to upgrade and silence this/);
        expect(parseClusterConfig({ cacheEngine: "valkey" }, "dev").notices).toEqual([]);
        expect(parseClusterConfig({ cacheEngine: "redis" }, "dev").notices).toEqual([]);
    });

    test("pulumi up prints the notice as a warning", async () => {
        const run = await program();
        expect(run.warnings.join("\n")).toMatch(/cacheEngine is not set, so the cache runs Valkey/);
    });
});

describe("what each engine registers on AWS", () => {
    const cacheAlarms = (run: ProgramRun) => ofType(run, ALARM).filter((a) => a.name.includes("-cache-")).map((a) => a.inputs.alarmDescription);
    const dashboardTitles = (run: ProgramRun) =>
        JSON.parse(ofType(run, "aws:cloudwatch/dashboard:Dashboard")[0].inputs.dashboardBody).widgets.map((w: { properties: { title?: string } }) => w.properties.title);

    test("Valkey 8.1 with its default parameter group; alarms and dashboard name it", async () => {
        const run = await program();
        expect(named(run, GROUP, "newapi-dev-redis").inputs).toMatchObject({ engine: "valkey", engineVersion: "8.1", parameterGroupName: "default.valkey8" });
        expect(named(run, GROUP, "newapi-dev-redis").inputs.applyImmediately).toBeUndefined();
        expect(cacheAlarms(run)).toContain("Valkey node 0: memory above 80%");
        expect(dashboardTitles(run)).toEqual(expect.arrayContaining(["Valkey memory used (%)", "Valkey engine CPU (%)"]));
    });

    test("Redis OSS registers what the stack registered before Valkey: engine, version, group, alarm texts", async () => {
        const run = await program({ cacheEngine: "redis" });
        const inputs = named(run, GROUP, "newapi-dev-redis").inputs;
        expect(inputs).toMatchObject({ engine: "redis", engineVersion: "7.1", parameterGroupName: "default.redis7" });
        expect(inputs.applyImmediately).toBeUndefined();
        expect(cacheAlarms(run)).toEqual(["Redis node 0: memory above 80%", "Redis node 0: engine CPU above 80%", "Redis node 1: memory above 80%", "Redis node 1: engine CPU above 80%"]);
        expect(dashboardTitles(run)).toEqual(expect.arrayContaining(["Redis memory used (%)", "Redis engine CPU (%)"]));
    });

    test("cacheApplyImmediately asks ElastiCache to apply the change now", async () => {
        const run = await program({ cacheApplyImmediately: "true" });
        expect(named(run, GROUP, "newapi-dev-redis").inputs.applyImmediately).toBe(true);
    });
});

describe("an existing stack's cache across engines (the provider's replacement facts)", () => {
    test("redis -> valkey (a stack made before, with nothing set): the group is updated in place, no node is touched", async () => {
        const before = await program({ cacheEngine: "redis" });
        const after = await program();
        const diff = diffRegistrations(before.resources, after.resources);
        expect(diff).toEqual({
            added: [],
            removed: [],
            changed: [
                "aws:cloudwatch/dashboard:Dashboard::newapi-dev",
                `${ALARM}::newapi-dev-cache-cpu-0`,
                `${ALARM}::newapi-dev-cache-cpu-1`,
                `${ALARM}::newapi-dev-cache-memory-0`,
                `${ALARM}::newapi-dev-cache-memory-1`,
                groupKey,
            ],
        });
        expect(replacedRegistrations(before.resources, after.resources)).toEqual([]);
        const [old, next] = [before, after].map((run) => named(run, GROUP, "newapi-dev-redis").inputs);
        expect(updateProblem(GROUP, old, next)).toBeUndefined();
        // The primary endpoint stays, so no node's userData (REDIS_CONN_STRING's host) changes.
        expect(diff.changed.filter((key) => key.startsWith("aws:ec2/instance:Instance"))).toEqual([]);
    });

    test("valkey -> redis replaces the cache: the provider creates a new, empty group", async () => {
        const before = await program();
        const after = await program({ cacheEngine: "redis" });
        expect(replacedRegistrations(before.resources, after.resources)).toEqual([groupKey]);
        const [old, next] = [before, after].map((run) => named(run, GROUP, "newapi-dev-redis").inputs);
        expect(replacementReasons(GROUP, old, next)).toEqual([
            "engine: an engine change replaces the group, except from redis to valkey, which ModifyReplicationGroup makes in place",
            "engineVersion: a lower engine version replaces the group (ElastiCache cannot downgrade); a higher one is an in-place upgrade",
        ]);
    });

    test("within an engine, a newer version is in place and an older one replaces", () => {
        const at = (engine: string, engineVersion: string) => ({ engine, engineVersion, parameterGroupName: "x" });
        expect(replacementReasons(GROUP, at("valkey", "8.0"), at("valkey", "8.1"))).toEqual([]);
        expect(replacementReasons(GROUP, at("redis", "6.2"), at("redis", "7.1"))).toEqual([]);
        expect(replacementReasons(GROUP, at("valkey", "8.1"), at("valkey", "8.0"))).toHaveLength(1);
        expect(replacementReasons(GROUP, { ...at("valkey", "8.1"), port: 6379 }, { ...at("valkey", "8.1"), port: 6380 })).toEqual(["port changed (ForceNew)"]);
        // An unset engine is the provider's redis: setting valkey later is the in-place upgrade.
        expect(replacementReasons(GROUP, { engineVersion: "7.1" }, at("valkey", "8.1"))).toEqual([]);
    });

    test("the provider's update refuses an engine change to valkey without a new engine version, which the stack's versions rule out", () => {
        expect(updateProblem(GROUP, { engine: "redis", engineVersion: "7.2" }, { engine: "valkey", engineVersion: "7.2" })).toMatch(/must explicitly set engine_version/);
        const versions = CACHE_ENGINES.map((engine) => new Set(Object.keys(CACHE[engine].lines)));
        expect([...versions[0]].filter((v) => versions[1].has(v))).toEqual([]);
    });

    test("every input the table names is an input of the installed provider's ReplicationGroup", () => {
        const typings = fs.readFileSync(path.join(__dirname, "..", "node_modules", "@pulumi", "aws", "elasticache", "replicationGroup.d.ts"), "utf8");
        const argsBlock = typings.slice(typings.indexOf("export interface ReplicationGroupArgs"));
        const facts = REPLACEMENT_FACTS[GROUP];
        for (const input of [...facts.forceNew, ...facts.conditional.map((c) => c.input)]) {
            expect([input, new RegExp(`\\n    ${input}\\?: `).test(argsBlock)]).toEqual([input, true]);
        }
        expect(typings).toMatch(/Valid values are `redis` or `valkey`/);
    });
});

describe("the local target runs what AWS runs", () => {
    test("by default: the MySQL and cache lines RDS and ElastiCache run, from the one table", () => {
        const local = parseClusterConfig({ target: "docker" }, "dev");
        const aws = parseClusterConfig({}, "dev");
        expect(local.mysqlImage).toBe(MYSQL.lines[aws.dbEngineVersion].localImage);
        expect(local.cacheImage).toBe(CACHE[aws.cacheEngine].lines[aws.cacheEngineVersion].localImage);
        expect(parseClusterConfig({ target: "docker", dbEngineVersion: "8.0" }, "dev").mysqlImage).toBe("mysql:8.0.46");
        expect(parseClusterConfig({ target: "docker", cacheEngineVersion: "8.0" }, "dev").cacheImage).toBe("valkey/valkey:8.0.9-alpine");
    });

    test("an image of the same line, from a mirror or by digest too, is taken", () => {
        const digest = "@sha256:" + "a".repeat(64);
        for (const raw of [
            { mysqlImage: "registry.example:5000/mysql:8.4.3" },
            { mysqlImage: `mysql:8.4.10${digest}` },
            { dbEngineVersion: "8.0.40", mysqlImage: "mysql:8.0.40" },
            { cacheImage: "registry.example:5000/valkey/valkey:8.1.2" },
            { cacheEngineVersion: "7.2", cacheImage: `valkey/valkey:7.2.8-alpine${digest}` },
        ]) {
            expect(() => parseClusterConfig({ target: "docker", ...raw }, "dev")).not.toThrow();
        }
    });

    test.each([
        [{ mysqlImage: "mysql:8.0.40" }, /mysqlImage = "mysql:8.0.40": runs MySQL 8.0, and dbEngineVersion is 8.4: the local target runs the MySQL line AWS runs; use a mysql 8\.4\.x image, or set dbEngineVersion 8\.0/],
        [{ dbEngineVersion: "8.0", mysqlImage: "mysql:8.4.10" }, /mysqlImage = "mysql:8.4.10": runs MySQL 8.4, and dbEngineVersion is 8.0/],
        [{ mysqlImage: "mysql:9.1.0" }, /runs MySQL 9\.1, and dbEngineVersion is 8\.4: .*use a mysql 8\.4\.x image$/],
        [{ mysqlImage: "mysql:lts" }, /mysqlImage = "mysql:lts": names no version in its tag, so it cannot be checked to run MySQL 8\.4 \(dbEngineVersion\)/],
        [{ cacheImage: "valkey/valkey:8.0.9-alpine" }, /cacheImage = "valkey\/valkey:8.0.9-alpine": runs Valkey 8.0, and cacheEngineVersion is 8.1: .*such as valkey\/valkey:8\.1\.7-alpine/],
        [{ cacheImage: "redis:7.2.5-alpine" }, /cacheImage = "redis:7.2.5-alpine": is not a valkey image \(its name must be valkey\): the container runs valkey-server/],
        [{ cacheImage: "valkey/valkey@sha256:" + "b".repeat(64) }, /cacheImage = .*: names no version in its tag, and cacheEngineVersion is 8\.1/],
        [{ cacheEngine: "redis" }, /cacheEngine = "redis": the table of versions pins no local image of Redis OSS 7\.1 \(docs\/versions\.md says why\): use valkey 8\.1 or valkey 8\.0, or name an image of that line in cacheImage/],
        [{ cacheEngineVersion: "8.2" }, /cacheEngineVersion = "8.2": the table of versions pins no local image of Valkey 8\.2/],
    ])("docker %j is refused with the reason", (raw, message) => {
        expect(problemsOf({ target: "docker", ...(raw as RawConfig) })).toEqual([expect.stringMatching(message)]);
    });

    test("the containers run the images and the engine's own server", async () => {
        const run = await program({ target: "docker", cacheEngineVersion: "8.0" });
        const images = ofType(run, "docker:index/remoteImage:RemoteImage").map((i) => i.inputs.name).sort();
        expect(images).toEqual(["calciumion/new-api:v0.13.2", "mysql:8.4.10", "nginx:1.30.4-alpine", "valkey/valkey:8.0.9-alpine"]);
        const cache = named(run, "docker:index/container:Container", "newapi-dev-redis").inputs;
        expect(cache.command).toEqual(["valkey-server", "/usr/local/etc/valkey/valkey.conf"]);
        expect(cache.healthcheck.tests).toEqual(["CMD-SHELL", "valkey-cli ping | grep -q PONG"]);
    });

    test("a local stack is told what the new defaults replace, until it sets them", () => {
        const notices = parseClusterConfig({ target: "docker" }, "dev").notices;
        expect(notices).toEqual([
            expect.stringMatching(/^cacheEngine is not set, so the local cache runs Valkey, the default: a local stack made with Redis has its container replaced by a Valkey one on the same volume/),
            expect.stringMatching(/^dbEngineVersion is not set, so the local MySQL runs mysql:8\.4\.10, the version RDS runs: .*MySQL upgrades the data volume in place, one way\. Set dbEngineVersion to 8\.0 to stay/),
        ]);
        expect(parseClusterConfig({ target: "docker", cacheEngine: "valkey", dbEngineVersion: "8.4" }, "dev").notices).toEqual([]);
    });
});

describe("a local stack moving to the versions AWS runs", () => {
    test.each([
        ["MySQL 8.0 -> 8.4", { dbEngineVersion: "8.0" }, "newapi-dev-mysql", ["mysql-8.0.46", "mysql-8.4.10"]],
        ["Valkey 8.0 -> 8.1", { cacheEngineVersion: "8.0" }, "newapi-dev-redis", ["valkey-valkey-8.0.9-alpine", "valkey-valkey-8.1.7-alpine"]],
    ])("%s: only that container (on the same volume) and its image change; the nodes, the setup and nginx stay", async (_, old, container, [removed, added]) => {
        const before = await program({ target: "docker", ...old });
        const after = await program({ target: "docker" });
        expect(diffRegistrations(before.resources, after.resources)).toEqual({
            added: [`docker:index/remoteImage:RemoteImage::newapi-dev-${added}`],
            removed: [`docker:index/remoteImage:RemoteImage::newapi-dev-${removed}`],
            changed: [`docker:index/container:Container::${container}`],
        });
    });
});
