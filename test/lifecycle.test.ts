// Living with the stack: scaling, rolling upgrades, first run, preview and destroy, each
// checked by what the program registers under mocks and how two runs differ.
import { parseCloudConfig, writeFile, writeFiles, writtenScriptParameters } from "./cloudConfig";
import { drainScript, warmupScript } from "../components/aws/warmup";
import { diffRegistrations, registrationKey } from "./diff";
import {
    ProgramRun,
    Registered,
    mockDigest,
    mockRandomHex,
    mockSecret,
    named,
    ofType,
    program,
} from "./harness";

const INSTANCE = "aws:ec2/instance:Instance";
const LISTENER = "aws:lb/listener:Listener";
const COMMAND = "command:local:Command";
const START_SCRIPT = "/usr/local/sbin/new-api-start";
const WAIT_SCRIPT = "/usr/local/sbin/new-api-wait-for-master";

/** The registrations that make up one slave. */
function slaveResources(index: number): string[] {
    const name = `newapi-dev-slave-${index}`;
    return [
        `new-api:nodes:ClusterNode::${name}`,
        `${INSTANCE}::${name}`,
        `${COMMAND}::${name}-drain`,
        `aws:lb/targetGroupAttachment:TargetGroupAttachment::${name}`,
        `${COMMAND}::${name}-warmup`,
        // Its restart step for secret rotations (rotation.ts), which does nothing when created.
        `${COMMAND}::${name}-restart`,
        `aws:cloudwatch/metricAlarm:MetricAlarm::${name}-status-check`,
        `aws:cloudwatch/metricAlarm:MetricAlarm::${name}-recover`,
    ].sort();
}

const listenerKey = `${LISTENER}::newapi-dev-http`;
/** The post-deploy check re-runs whenever the set of nodes changes. */
const verifyKey = `${COMMAND}::newapi-dev-verify`;
/** The dashboard draws one line per node. */
const DASHBOARD = "aws:cloudwatch/dashboard:Dashboard";
const dashboardKey = `${DASHBOARD}::newapi-dev`;
const instanceKey = (name: string) => `${INSTANCE}::newapi-dev-${name}`;

/** The URN suffixes (type::name) of a resource's dependencies. */
const dependencyKeys = (r: Registered) => r.options.dependencies.map((urn) => urn.replace(/^.*\$/, "")).sort();

describe("scaling by config", () => {
    test.each([0, 1, 4])("slaveCount %i -> +1 adds only the new slave and changes only the listener and the dashboard", async (n) => {
        const before = await program({ slaveCount: String(n) });
        const after = await program({ slaveCount: String(n + 1) });
        expect(diffRegistrations(before.resources, after.resources)).toEqual({
            added: slaveResources(n),
            removed: [],
            changed: [dashboardKey, listenerKey, verifyKey],
        });
    });

    test.each([0, 1, 4])("slaveCount %i+1 -> %i removes only the highest slave and changes only the listener and the dashboard", async (n) => {
        const before = await program({ slaveCount: String(n + 1) });
        const after = await program({ slaveCount: String(n) });
        expect(diffRegistrations(before.resources, after.resources)).toEqual({
            added: [],
            removed: slaveResources(n),
            changed: [dashboardKey, listenerKey, verifyKey],
        });
    });

    test("slaveCount 2 -> 3 changes the dashboard's body only: the new slave's lines appear, nothing else of it moves", async () => {
        const before = named(await program({ slaveCount: "2" }), DASHBOARD, "newapi-dev");
        const after = named(await program({ slaveCount: "3" }), DASHBOARD, "newapi-dev");
        const { dashboardBody: oldBody, ...oldRest } = before.inputs;
        const { dashboardBody: newBody, ...newRest } = after.inputs;
        expect(newRest).toEqual(oldRest);
        const lineLabels = (body: string, title: string): string[] =>
            JSON.parse(body)
                .widgets.find((w: { properties: { title?: string } }) => w.properties.title === title)
                .properties.metrics.map((m: unknown[]) => (m[m.length - 1] as { label: string }).label);
        for (const title of ["Node CPU (%)", "Node status checks failed"]) {
            expect(lineLabels(oldBody, title)).toEqual(["newapi-dev-master", "newapi-dev-slave-0", "newapi-dev-slave-1"]);
            expect(lineLabels(newBody, title)).toEqual([...lineLabels(oldBody, title), "newapi-dev-slave-2"]);
        }
        // The other widgets keep their metrics; only the weights' intended shares and the configured slave count move.
        const unchanged = (body: string) =>
            JSON.parse(body).widgets.filter((w: { properties: { title?: string } }) => !/^(Node|Share|Healthy)/.test(w.properties.title ?? ""));
        expect(unchanged(newBody)).toEqual(unchanged(oldBody));
    });

    test("the diff can see a change: a different sync frequency changes every node", async () => {
        const before = await program({ slaveCount: "1" });
        const after = await program({ slaveCount: "1", syncFrequency: "30" });
        expect(diffRegistrations(before.resources, after.resources).changed).toEqual([
            instanceKey("master"),
            instanceKey("slave-0"),
        ]);
    });

    test("a removed slave is drained before its instance goes, and new weights wait for new slaves", async () => {
        const run = await program({ slaveCount: "2", shutdownTimeout: "40", deregistrationDelay: "45", nodeWarmup: "240" });
        for (const name of ["newapi-dev-master", "newapi-dev-slave-0", "newapi-dev-slave-1"]) {
            // Deletion runs in reverse dependency order: warm-up, attachment, drain (until ELB says unused), instance.
            const drain = named(run, COMMAND, `${name}-drain`);
            expect(drain.inputs).toMatchObject({
                delete: drainScript({ drainSeconds: 45, drainWaitSeconds: 75 }),
                interpreter: ["/bin/sh", "-c"],
                triggers: [`${name}-id`],
                environment: { NODE: name, INSTANCE_ID: `${name}-id`, TARGET_GROUP_ARN: expect.stringMatching(/newapi-dev-(master|slaves)$/), AWS_REGION: "us-east-1" },
            });
            expect(dependencyKeys(drain)).toContain(`${INSTANCE}::${name}`);
            const attachment = named(run, "aws:lb/targetGroupAttachment:TargetGroupAttachment", name);
            expect(dependencyKeys(attachment)).toEqual(expect.arrayContaining([`${COMMAND}::${name}-drain`, `${INSTANCE}::${name}`]));
            const warmup = named(run, COMMAND, `${name}-warmup`);
            expect(warmup.inputs).toMatchObject({
                create: warmupScript({ nodeWarmup: 240, mustTurnHealthy: name === "newapi-dev-master" }),
                interpreter: ["/bin/sh", "-c"],
                environment: {
                    NODE: name,
                    INSTANCE_ID: `${name}-id`,
                    TARGET_GROUP_ARN: expect.stringMatching(name === "newapi-dev-master" ? /newapi-dev-master$/ : /newapi-dev-slaves$/),
                    AWS_REGION: "us-east-1",
                },
            });
            expect(warmup.inputs).not.toHaveProperty("delete");
            expect(dependencyKeys(warmup)).toContain(`aws:lb/targetGroupAttachment:TargetGroupAttachment::${name}`);
            expect(dependencyKeys(named(run, LISTENER, "newapi-dev-http"))).toContain(`${COMMAND}::${name}-warmup`);
        }
    });

    test("the warm-up asks ELB with the stack's AWS profile when it names one; a slave set up by hand need not turn healthy", async () => {
        const run = await program({ slaveCount: "1", "aws:profile": "operations" });
        for (const name of ["newapi-dev-master", "newapi-dev-slave-0"]) {
            expect(named(run, COMMAND, `${name}-warmup`).inputs.environment).toMatchObject({ AWS_PROFILE: "operations", AWS_REGION: "us-east-1" });
        }
        expect(named(run, COMMAND, "newapi-dev-slave-0-warmup").inputs.create).toBe(warmupScript({ nodeWarmup: 900, mustTurnHealthy: false }));
        const automatic = await program({ slaveCount: "1", adminUsername: "root" });
        expect(named(automatic, COMMAND, "newapi-dev-slave-0-warmup").inputs.create).toBe(warmupScript({ nodeWarmup: 900, mustTurnHealthy: true }));
    });

    test("with no slaves the empty slaves group stays in the listener with weight 0", async () => {
        const run = await program({ slaveCount: "0" });
        const groups = named(run, LISTENER, "newapi-dev-http").inputs.defaultActions[0].forward.targetGroups;
        expect(groups.map((g: { weight: number }) => g.weight)).toEqual([1, 0]);
    });
});

describe("rolling upgrades", () => {
    const OLD = "calciumion/new-api:v0.13.2";
    const NEW = "calciumion/new-api:v0.9.21";
    const imageOf = (run: ProgramRun, name: string) =>
        writtenScriptParameters(named(run, INSTANCE, `newapi-dev-${name}`).inputs.userData, START_SCRIPT).IMAGE;

    test("slaves first: slaveImage changes only the slave instances", async () => {
        const before = await program({ slaveCount: "3", image: OLD });
        const after = await program({ slaveCount: "3", image: OLD, slaveImage: NEW });
        expect(diffRegistrations(before.resources, after.resources)).toEqual({
            added: [],
            removed: [],
            changed: [instanceKey("slave-0"), instanceKey("slave-1"), instanceKey("slave-2")],
        });
        // Each role runs its image's registry digest.
        expect([imageOf(after, "master"), imageOf(after, "slave-0")]).toEqual([
            `calciumion/new-api@${mockDigest(OLD)}`,
            `calciumion/new-api@${mockDigest(NEW)}`,
        ]);
    });

    test("then the master: image catches up, slaveImage goes, and only the master changes", async () => {
        const before = await program({ slaveCount: "3", image: OLD, slaveImage: NEW });
        const after = await program({ slaveCount: "3", image: NEW });
        expect(diffRegistrations(before.resources, after.resources)).toEqual({
            added: [],
            removed: [],
            changed: [instanceKey("master")],
        });
    });

    test("master first: a new image with slaveImage held back changes only the master", async () => {
        const before = await program({ slaveCount: "3", image: OLD });
        const after = await program({ slaveCount: "3", image: NEW, slaveImage: OLD });
        expect(diffRegistrations(before.resources, after.resources).changed).toEqual([instanceKey("master")]);
    });

    test("a changed userData replaces the instance, creating the new one before deleting the old", async () => {
        const run = await program();
        for (const instance of ofType(run, INSTANCE)) {
            expect(instance.inputs.userDataReplaceOnChange).toBe(true);
            expect(instance.options.deleteBeforeReplace).toBe(false);
        }
    });

    test("stopping a node waits for New API's next batch flush before docker stop", async () => {
        const run = await program({ batchUpdateInterval: "10" });
        const userData = named(run, INSTANCE, "newapi-dev-slave-0").inputs.userData;
        // batchUpdateInterval 10 + 2 before SIGTERM, shutdownTimeout 300 + 10 to SIGKILL, and 30 s for systemd.
        expect(writtenScriptParameters(userData, "/usr/local/sbin/new-api-stop")).toEqual({ QUOTA_FLUSH_SECONDS: "12", KILL_AFTER_SECONDS: "310", CONTAINER_NAME: "new-api" });
        expect(writeFile(userData, "/etc/systemd/system/new-api.service")).toMatch(/^TimeoutStopSec=352$/m);
    });
});

describe("first run", () => {
    test("slaves wait for the master's setup through its address parameter; the master does not wait", async () => {
        const run = await program({ slaveCount: "2", slaveSetupTimeout: "900" });
        const parameter = named(run, "aws:ssm/parameter:Parameter", "newapi-dev-master-address");
        expect(parameter.inputs).toMatchObject({
            name: "/new-api/newapi-dev/master-address",
            type: "String",
            insecureValue: run.exports.masterPrivateIp,
        });
        for (const slave of ["slave-0", "slave-1"]) {
            const userData = named(run, INSTANCE, `newapi-dev-${slave}`).inputs.userData;
            // The start script runs the wait script before the container (test/nodeStart.test.ts).
            expect(writtenScriptParameters(userData, START_SCRIPT).WAIT_FOR_MASTER).toBe(WAIT_SCRIPT);
            expect(writtenScriptParameters(userData, WAIT_SCRIPT)).toMatchObject({
                MASTER_ADDRESS_PARAMETER: "/new-api/newapi-dev/master-address",
                MASTER_WAIT_SECONDS: "900",
            });
        }
        const master = named(run, INSTANCE, "newapi-dev-master").inputs.userData;
        expect(writtenScriptParameters(master, START_SCRIPT).WAIT_FOR_MASTER).toBe("");
        expect(writeFiles(master)[WAIT_SCRIPT]).toBeUndefined();
    });

    test("without adminUsername nothing completes setup: the operator runs the wizard", async () => {
        const run = await program();
        for (const instance of ofType(run, INSTANCE)) {
            expect(instance.inputs.userData).not.toContain("new-api-setup");
        }
        expect(ofType(run, "random:index/randomPassword:RandomPassword")).toHaveLength(4);
    });

    test("with adminUsername the master completes setup with a generated password kept in SSM", async () => {
        const run = await program({ adminUsername: "root", slaveCount: "1" });
        const master = parseCloudConfig(named(run, INSTANCE, "newapi-dev-master").inputs.userData);
        expect(writtenScriptParameters(named(run, INSTANCE, "newapi-dev-master").inputs.userData, "/usr/local/sbin/new-api-setup")).toMatchObject({
            ADMIN_PASSWORD_PARAMETER: "/new-api/newapi-dev/admin-password",
            SETUP_REQUEST: expect.stringContaining('{"username":"root","password":"{{password}}","confirmPassword":"{{password}}"'),
        });
        expect(master.runcmd).toContainEqual(["systemctl", "enable", "--now", "--no-block", "new-api-setup.service"]);
        expect(named(run, INSTANCE, "newapi-dev-slave-0").inputs.userData).not.toContain("new-api-setup");

        const parameter = named(run, "aws:ssm/parameter:Parameter", "newapi-dev-admin-password");
        expect(parameter.inputs).toMatchObject({ name: "/new-api/newapi-dev/admin-password", type: "SecureString" });
        expect(JSON.stringify(master)).not.toContain(mockSecret("newapi-dev-admin-password"));
        expect(dependencyKeys(named(run, INSTANCE, "newapi-dev-master"))).toContain("aws:ssm/parameter:Parameter::newapi-dev-admin-password");

        expect(run.exports.adminUsername).toBe("root");
        expect(run.secretExports.includes("adminPassword")).toBe(true);
        expect(run.exports.adminPassword).toBe(mockSecret("newapi-dev-admin-password"));
    });
});

describe("preview", () => {
    test("works before anything exists: every resource registers with unknown ids and outputs", async () => {
        const preview = await program({ slaveCount: "2", adminUsername: "root" }, { preview: true });
        const up = await program({ slaveCount: "2", adminUsername: "root" });
        expect(preview.resources.map(registrationKey).sort()).toEqual(up.resources.map(registrationKey).sort());
        // userData depends on the database and cache endpoints, unknown until they exist.
        for (const instance of ofType(preview, INSTANCE)) {
            expect(typeof instance.inputs.userData).not.toBe("string");
        }
        expect(typeof ofType(up, INSTANCE)[0].inputs.userData).toBe("string");
    });
});

/** The suffix the mocks generate for a data tier's final snapshot (its random.RandomId `<name>-final-snapshot`). */
const suffixOf = (run: ProgramRun, name: string) => mockRandomHex(`${name}-final-snapshot`, named(run, "random:index/randomId:RandomId", `${name}-final-snapshot`).inputs);

describe("protect", () => {
    test("off (dev): no deletion protection, no final snapshots, nothing Pulumi-protected", async () => {
        const run = await program();
        expect(ofType(run, "random:index/randomId:RandomId")).toEqual([]);
        expect(run.exports.finalSnapshots).toBeUndefined();
        expect(ofType(run, "aws:rds/instance:Instance")[0].inputs).toMatchObject({ deletionProtection: false, skipFinalSnapshot: true });
        expect(ofType(run, "aws:rds/instance:Instance")[0].inputs).not.toHaveProperty("finalSnapshotIdentifier");
        const redis = ofType(run, "aws:elasticache/replicationGroup:ReplicationGroup")[0].inputs;
        expect(redis.snapshotRetentionLimit).toBe(0);
        expect(redis).not.toHaveProperty("finalSnapshotIdentifier");
        expect(ofType(run, "aws:lb/loadBalancer:LoadBalancer")[0].inputs.enableDeletionProtection).toBe(false);
        expect(run.resources.filter((r) => r.options.protect)).toEqual([]);
    });

    test("on: deletion protection, final snapshots named per resource, Pulumi protect on the data tiers", async () => {
        const run = await program({ protect: "true", allowPlainHttp: "true", albAccessLogs: "true" });
        expect(ofType(run, "aws:rds/instance:Instance")[0].inputs).toMatchObject({
            deletionProtection: true,
            skipFinalSnapshot: false,
            finalSnapshotIdentifier: `newapi-dev-mysql-final-${suffixOf(run, "newapi-dev-db")}`,
        });
        expect(ofType(run, "aws:elasticache/replicationGroup:ReplicationGroup")[0].inputs).toMatchObject({
            snapshotRetentionLimit: 7,
            finalSnapshotIdentifier: `newapi-dev-redis-final-${suffixOf(run, "newapi-dev-redis")}`,
        });
        expect(ofType(run, "random:index/randomId:RandomId").map((r) => [r.name, r.inputs.byteLength])).toEqual([
            ["newapi-dev-db-final-snapshot", 4],
            ["newapi-dev-redis-final-snapshot", 4],
        ]);
        expect(run.exports.finalSnapshots).toEqual({
            mysql: `newapi-dev-mysql-final-${suffixOf(run, "newapi-dev-db")}`,
            redis: `newapi-dev-redis-final-${suffixOf(run, "newapi-dev-redis")}`,
        });
        expect(ofType(run, "aws:lb/loadBalancer:LoadBalancer")[0].inputs.enableDeletionProtection).toBe(true);
        expect(run.resources.filter((r) => r.options.protect).map(registrationKey).sort()).toEqual([
            "aws:elasticache/replicationGroup:ReplicationGroup::newapi-dev-redis",
            "aws:rds/instance:Instance::newapi-dev-db",
        ]);
    });

    test("tearing down a protected stack: protection off, final snapshots kept", async () => {
        const run = await program({ protect: "false", finalSnapshot: "true" });
        expect(ofType(run, "aws:rds/instance:Instance")[0].inputs).toMatchObject({
            deletionProtection: false,
            skipFinalSnapshot: false,
            finalSnapshotIdentifier: `newapi-dev-mysql-final-${suffixOf(run, "newapi-dev-db")}`,
        });
        expect(ofType(run, "aws:elasticache/replicationGroup:ReplicationGroup")[0].inputs.finalSnapshotIdentifier).toBe(
            `newapi-dev-redis-final-${suffixOf(run, "newapi-dev-redis")}`,
        );
        expect(ofType(run, "aws:lb/loadBalancer:LoadBalancer")[0].inputs.enableDeletionProtection).toBe(false);
        expect(run.resources.filter((r) => r.options.protect)).toEqual([]);
    });
});

describe("the log database (logDatabase)", () => {
    const RDS = "aws:rds/instance:Instance";
    /** What keeps a database's data: protection, snapshots, encryption, backups, TLS; as each database has it. */
    function safeguards(run: ProgramRun, name: string) {
        const db = named(run, RDS, name);
        const groups = ofType(run, "aws:rds/parameterGroup:ParameterGroup").filter((g) => (g.inputs.name ?? g.name) === db.inputs.parameterGroupName);
        expect(groups).toHaveLength(1);
        const parameter = (key: string) => groups[0].inputs.parameters.find((p: { name: string }) => p.name === key)?.value;
        const { deletionProtection, skipFinalSnapshot, storageEncrypted, kmsKeyId, backupRetentionPeriod, multiAz, publiclyAccessible, copyTagsToSnapshot } = db.inputs;
        return {
            deletionProtection,
            skipFinalSnapshot,
            finalSnapshot: db.inputs.finalSnapshotIdentifier !== undefined,
            storageEncrypted,
            kmsKeyId,
            backupRetentionPeriod,
            multiAz,
            publiclyAccessible,
            copyTagsToSnapshot,
            requireSecureTransport: parameter("require_secure_transport"),
            protect: db.options.protect,
        };
    }

    test.each([
        ["protected", { protect: "true", allowPlainHttp: "true", albAccessLogs: "true", dbMultiAz: "true" }, true],
        ["not protected, final snapshots kept", { finalSnapshot: "true", dbBackupRetentionDays: "14" }, false],
        ["dev", {}, false],
    ])("%s: kept exactly like the main database", async (_, config, protect) => {
        const run = await program({ ...config, logDatabase: "true" });
        const main = safeguards(run, "newapi-dev-db");
        expect(main).toMatchObject({ deletionProtection: protect, protect, storageEncrypted: true, publiclyAccessible: false, requireSecureTransport: "1" });
        expect(safeguards(run, "newapi-dev-logdb")).toEqual(main);
    });
});

describe("MySQL 8.0 -> 8.4", () => {
    test("changes the database in place, allowed as a major upgrade, and replaces only its parameter group", async () => {
        const before = await program({ dbEngineVersion: "8.0" });
        const after = await program({ dbEngineVersion: "8.4", dbApplyImmediately: "true" });
        expect(before.warnings.join("\n")).toMatch(/MySQL 8\.0 is past RDS standard support \(2026-07-31\): RDS bills Extended Support/);
        expect(after.warnings.join("\n")).not.toMatch(/standard support/);
        expect(diffRegistrations(before.resources, after.resources)).toEqual({
            added: [],
            removed: [],
            changed: ["aws:rds/instance:Instance::newapi-dev-db", "aws:rds/parameterGroup:ParameterGroup::newapi-dev-db-params"],
        });
        expect(ofType(after, "aws:rds/instance:Instance")[0].inputs).toMatchObject({
            engineVersion: "8.4",
            allowMajorVersionUpgrade: true,
            applyImmediately: true,
        });
        expect(ofType(before, "aws:rds/parameterGroup:ParameterGroup")[0].inputs.family).toBe("mysql8.0");
        expect(ofType(after, "aws:rds/parameterGroup:ParameterGroup")[0].inputs.family).toBe("mysql8.4");
    });
});

