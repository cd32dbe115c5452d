// Secret rotation on AWS under Pulumi's mocks: what raising dbPasswordRotation,
// redisAuthTokenRotation or adminPasswordRotation changes (and nothing else), the order of the restart steps and the
// SET step; and that no setting regenerates SESSION_SECRET or CRYPTO_SECRET, on either target.
// Rotating on docker is localRotation.test.ts.
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
import { parseClusterConfig } from "../components/config";
import { passwordArgs } from "../components/passwords";
import { diffRegistrations } from "./diff";
import { ProgramRun, Registered, SECRET_SIG_KEY, named, ofType, program, unwrapSecrets } from "./harness";
import { PASSWORD, password } from "./rotationKeys";

const COMMAND = "command:local:Command";
const PARAMETER = "aws:ssm/parameter:Parameter";
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
