// Disaster recovery: the databases created from snapshots (checked before anything is created,
// never replaced by the key afterwards), the secrets carried over in config (secret end to end),
// the check that keeps a destroy from losing them, and the runbook in docs/operations.md run
// command by command against a stub `pulumi`, then fed to the program under mocks.
import * as fs from "fs";
import * as path from "path";
import { SnapshotError, SnapshotFacts, snapshotProblem } from "../components/aws/database";
import { exportCheckScript, exportCommand } from "../components/aws/exportCheck";
import { diffRegistrations } from "./diff";
import {
    MOCK_SNAPSHOT,
    ProgramError,
    ProgramRun,
    Registered,
    SECRET_SIG_KEY,
    named,
    ofType,
    program,
    unwrapSecrets,
} from "./harness";
import { runScript } from "./scriptRunner";
import { readStackFile } from "./stackFiles";

const INSTANCE = "aws:rds/instance:Instance";
const PARAMETER = "aws:ssm/parameter:Parameter";
const COMMAND = "command:local:Command";
const PASSWORD = "random:index/randomPassword:RandomPassword";
const SNAPSHOT = "newapi-dev-mysql-final-0a1b2c3d";
const SHARED_SNAPSHOT = "arn:aws:rds:us-east-1:210987654321:snapshot:newapi-old-mysql-log-final-0a1b2c3d";
/** Shaped as the stack generates them: 48 letters and digits. */
const CARRIED = { sessionSecret: "SessionSecret0123456789abcdefghijklmnopqrstuvwxy", cryptoSecret: "CryptoSecret0123456789abcdefghijklmnopqrstuvwxyz" };

/** A resource's inputs as JSON, with every value marked secret left out: what is not kept secret. */
function plainInputs(resource: Registered): string {
    const strip = (value: unknown): unknown => {
        if (Array.isArray(value)) {
            return value.map(strip);
        }
        if (value !== null && typeof value === "object") {
            const record = value as Record<string, unknown>;
            return SECRET_SIG_KEY in record ? "[secret]" : Object.fromEntries(Object.entries(record).map(([k, v]) => [k, strip(v)]));
        }
        return value;
    };
    return JSON.stringify(strip(resource.inputs));
}

const parameterValue = (run: ProgramRun, leaf: string) =>
    unwrapSecrets(ofType(run, PARAMETER).find((p) => p.inputs.name.endsWith(`/${leaf}`))?.inputs).value as string;

describe("snapshotProblem: which snapshots a database can be created from", () => {
    const config = { dbEngineVersion: "8.4", dbAllocatedStorage: 20 };
    const problem = (facts: Partial<SnapshotFacts>, wanted: Partial<typeof config> = {}) =>
        snapshotProblem("dbSnapshotIdentifier", "snap", { ...MOCK_SNAPSHOT, ...facts }, { ...config, ...wanted });

    test("an available, encrypted MySQL snapshot of the same major version, no larger than the storage, can be used", () => {
        expect(problem({})).toBeUndefined();
        expect(problem({ engineVersion: "8.4.3" }, { dbEngineVersion: "8.4.7" })).toBeUndefined();
        expect(problem({ engineVersion: "8.0.36" }, { dbEngineVersion: "8.0" })).toBeUndefined();
        expect(problem({ allocatedStorage: 50 }, { dbAllocatedStorage: 50 })).toBeUndefined();
        // A snapshot of a database made before the login tags: the cluster tag alone (those all hold newapi's).
        expect(problem({ tags: { "new-api:cluster": "newapi-prod", "pulumi:stack": "prod", "managed-by": "pulumi" } })).toBeUndefined();
    });

    test.each([
        ["another engine", { engine: "postgres", engineVersion: "16.3" }, {}, 'dbSnapshotIdentifier = "snap": is a postgres 16.3 snapshot; the stack runs RDS for MySQL (engine mysql) 8.4 and can create its database only from a MySQL snapshot'],
        ["a newer major version", { engineVersion: "8.4.7" }, { dbEngineVersion: "8.0" }, "newer than dbEngineVersion 8.0, and RDS never downgrades: set dbEngineVersion to 8.4"],
        ["a newer patch", { engineVersion: "8.4.7" }, { dbEngineVersion: "8.4.3" }, "newer than dbEngineVersion 8.4.3, and RDS never downgrades: set dbEngineVersion to 8.4.7 or 8.4"],
        ["an older major version", { engineVersion: "8.0.36" }, {}, "dbEngineVersion is 8.4, and RDS restores a snapshot with a parameter group of the snapshot's own family (mysql8.0), then changes the version: set dbEngineVersion to 8.0 for the restore, then upgrade"],
        ["MySQL 5.7", { engineVersion: "5.7.44" }, {}, "set dbEngineVersion to 5.7 for the restore"],
        ["an unencrypted snapshot", { encrypted: false }, {}, "not encrypted; a database restored from it is not encrypted either (encryption follows the snapshot"],
        ["a snapshot still being written", { status: "creating" }, {}, "creating; RDS restores only an available snapshot"],
        ["more storage than dbAllocatedStorage", { allocatedStorage: 35 }, {}, "of 35 GiB, and RDS cannot shrink storage: set dbAllocatedStorage to at least 35"],
        [
            "another master user",
            { tags: { ...MOCK_SNAPSHOT.tags, "new-api:db-username": "admin" } },
            {},
            'is a mysql 8.4.7 snapshot of master user "admin" and database "newapi" (its tags); RDS restores a MySQL snapshot with its own master user and databases, ' +
                "and the nodes log in as newapi to database newapi. allowed: a snapshot of a database this stack created (master user newapi, database newapi)",
        ],
        ["another database", { tags: { "new-api:db-username": "newapi", "new-api:db-name": "app" } }, {}, 'of master user "newapi" and database "app" (its tags)'],
        [
            "a snapshot whose tags say neither (another stack's, a shared one, a copy without --copy-tags)",
            { tags: {}, dbSnapshotArn: "arn:aws:rds:us-east-1:123456789012:snapshot:snap" },
            {},
            "snapshot whose tags name neither its master user nor its database (new-api:db-username, new-api:db-name; new-api:cluster on a snapshot of this stack's databases), " +
                "so it may be another stack's (a shared snapshot may show none of its tags, and a copy keeps them only with --copy-tags). allowed: a snapshot of a database " +
                "this stack created (master user newapi, database newapi); or, holding newapi's database newapi, this one tagged so (aws rds add-tags-to-resource " +
                "--resource-name arn:aws:rds:us-east-1:123456789012:snapshot:snap --tags Key=new-api:db-username,Value=newapi Key=new-api:db-name,Value=newapi; " +
                "a shared one: copy it into this account first)",
        ],
    ])("%s is refused, naming the key, the snapshot and what would do", (_, facts, wanted, message) => {
        expect(problem(facts, wanted)).toContain(message);
        expect(problem(facts, wanted)).toMatch(/^dbSnapshotIdentifier = "snap": is a \S+ \S+ snapshot/);
    });
});

describe("databases created from snapshots", () => {
    const restored = { logDatabase: "true", dbSnapshotIdentifier: SNAPSHOT, logDbSnapshotIdentifier: SHARED_SNAPSHOT, "aws:region": "us-east-1" };

    test("each database is created from its snapshot, with the stack's password; a shared one is looked up among shared snapshots", async () => {
        const run = await program(restored);
        const main = named(run, INSTANCE, "newapi-dev-db");
        const log = named(run, INSTANCE, "newapi-dev-logdb");
        expect([main.inputs.snapshotIdentifier, log.inputs.snapshotIdentifier]).toEqual([SNAPSHOT, SHARED_SNAPSHOT]);
        for (const instance of [main, log]) {
            // The provider restores, then sets these (ModifyDBInstance): the stack's own password among them.
            expect(unwrapSecrets(instance.inputs).password).toBe(parameterValue(run, "db-password"));
            expect(instance.inputs).toMatchObject({ engineVersion: "8.4", storageEncrypted: true, backupRetentionPeriod: 7, allocatedStorage: 20 });
            expect(instance.options.ignoreChanges).toEqual(["snapshotIdentifier"]);
        }
        expect(run.invokes.filter((i) => i.token === "aws:rds/getSnapshot:getSnapshot").map((i) => i.inputs)).toEqual([
            { dbSnapshotIdentifier: SNAPSHOT, includeShared: false },
            { dbSnapshotIdentifier: SHARED_SNAPSHOT, includeShared: true },
        ]);
    });

    test("snapshots that cannot be used stop the run before anything is created, each named with why", async () => {
        let thrown: unknown;
        try {
            await program(restored, {
                snapshots: { [SNAPSHOT]: { engine: "mariadb", engineVersion: "10.11.8" }, [SHARED_SNAPSHOT]: { encrypted: false } },
            });
        } catch (error) {
            thrown = error;
        }
        expect(thrown).toBeInstanceOf(ProgramError);
        const { cause, registered } = thrown as ProgramError;
        expect(cause).toBeInstanceOf(SnapshotError);
        expect((cause as SnapshotError).problems).toEqual([
            expect.stringMatching(/^dbSnapshotIdentifier = "newapi-dev-mysql-final-0a1b2c3d": is a mariadb 10\.11\.8 snapshot; the stack runs RDS for MySQL/),
            expect.stringMatching(/^logDbSnapshotIdentifier = "arn:aws:rds:.*": is a mysql 8\.4\.7 snapshot, not encrypted/),
        ]);
        expect(cause.message).toMatch(/^Cannot create the databases from their snapshots \(nothing was created\):\n {2}- dbSnapshotIdentifier/);
        expect(registered).toEqual([]);
    });

    test("snapshots of another master user or database, or that do not say, stop the run before anything is created", async () => {
        const error = await program(restored, {
            snapshots: { [SNAPSHOT]: { tags: { ...MOCK_SNAPSHOT.tags, "new-api:db-username": "admin" } }, [SHARED_SNAPSHOT]: { tags: {} } },
        }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ProgramError);
        const { cause, registered } = error as ProgramError;
        expect((cause as SnapshotError).problems).toEqual([
            expect.stringMatching(/^dbSnapshotIdentifier = "newapi-dev-mysql-final-0a1b2c3d": is a mysql 8\.4\.7 snapshot of master user "admin" and database "newapi"/),
            expect.stringMatching(/^logDbSnapshotIdentifier = "arn:aws:rds:.*": is a mysql 8\.4\.7 snapshot whose tags name neither its master user nor its database/),
        ]);
        expect((cause as SnapshotError).problems[1]).toContain(`--resource-name ${SHARED_SNAPSHOT} `);
        expect(registered).toEqual([]);
    });

    test("the databases carry their master user and database name as tags, copied to every snapshot", async () => {
        const run = await program({ logDatabase: "true" });
        for (const name of ["newapi-dev-db", "newapi-dev-logdb"]) {
            const { inputs } = named(run, INSTANCE, name);
            expect(inputs).toMatchObject({ username: "newapi", dbName: "newapi", copyTagsToSnapshot: true });
            expect(inputs.tags).toMatchObject({ "new-api:cluster": "newapi-dev", "new-api:db-username": "newapi", "new-api:db-name": "newapi" });
        }
    });

    test("adding, keeping or removing the key changes no other input of the database, and the engine ignores the key itself", async () => {
        const without = await program({});
        const withKey = await program({ dbSnapshotIdentifier: SNAPSHOT });
        const kept = await program({ dbSnapshotIdentifier: SNAPSHOT });
        const dropKey = (inputs: Record<string, unknown>) => Object.fromEntries(Object.entries(inputs).filter(([key]) => key !== "snapshotIdentifier"));
        for (const [before, after] of [
            [without, withKey],
            [withKey, without],
        ]) {
            expect(diffRegistrations(before.resources, after.resources)).toEqual({ added: [], removed: [], changed: [`${INSTANCE}::newapi-dev-db`] });
            const [old, current] = [before, after].map((run) => named(run, INSTANCE, "newapi-dev-db"));
            expect(dropKey(current.inputs)).toEqual(dropKey(old.inputs));
            expect([old.options.ignoreChanges, current.options.ignoreChanges]).toEqual([["snapshotIdentifier"], ["snapshotIdentifier"]]);
        }
        expect(diffRegistrations(withKey.resources, kept.resources)).toEqual({ added: [], removed: [], changed: [] });
    });
});

describe("secrets carried over: sessionSecret and cryptoSecret", () => {
    const secretKeys = Object.keys(CARRIED);

    test.each([
        ["aws", {}],
        ["docker", { target: "docker" }],
    ])("on %s they replace the generated ones, and stay secret end to end", async (_, base) => {
        const run = await program({ ...base, ...CARRIED }, { secretKeys });
        const generated = ofType(run, PASSWORD).map((p) => p.name);
        expect(generated.filter((name) => /-(session|crypto)-secret$/.test(name))).toEqual([]);
        expect(generated.some((name) => name.endsWith("-db-password"))).toBe(true);
        for (const [key, value] of Object.entries(CARRIED)) {
            expect(run.exports[key]).toBe(value);
            expect(run.secretExports.includes(key)).toBe(true);
            // Where the nodes get it (SSM parameters, container environments), and nowhere in clear:
            // not in userData, tags, names, container settings or any other input.
            expect(run.resources.some((resource) => JSON.stringify(unwrapSecrets(resource.inputs)).includes(value))).toBe(true);
            for (const resource of run.resources) {
                expect([resource.type, resource.name, plainInputs(resource).includes(value)]).toEqual([resource.type, resource.name, false]);
            }
        }
    });

    test("on aws the nodes' SSM parameters hold them, as secrets", async () => {
        const run = await program(CARRIED, { secretKeys });
        for (const [leaf, value] of [
            ["session-secret", CARRIED.sessionSecret],
            ["crypto-secret", CARRIED.cryptoSecret],
        ]) {
            const parameter = ofType(run, PARAMETER).find((p) => p.inputs.name === `/new-api/newapi-dev/${leaf}`) as Registered;
            expect(parameter.inputs.value).toEqual({ [SECRET_SIG_KEY]: expect.any(String), value });
        }
    });
});

/** Runs the export check as `pulumi destroy` would, with the stub pulumi holding `config` for stack prod. */
function runExportCheck(environment: Record<string, string>, config: Record<string, string>, withoutPulumi = false) {
    const script = withoutPulumi ? `PATH=/usr/bin:/bin\n${exportCheckScript()}` : exportCheckScript();
    return runScript(script, { stacks: { prod: { config } } }, { interpreter: "sh", env: environment });
}

describe("the export check: a stack with final snapshots keeps its secrets when destroyed", () => {
    const prod = readStackFile("Pulumi.prod.yaml");
    const runProd = () => program({ ...prod.config, "aws:region": "us-east-1" }, { stack: "prod" });

    test("it exists only with final snapshots, and is deleted before the parameters, the databases and the key", async () => {
        const run = await runProd();
        const check = named(run, COMMAND, "newapi-prod-secrets-export-check");
        expect(check.inputs.delete).toBe(exportCheckScript());
        expect(check.inputs.create).toBeUndefined();
        const dependencies = check.options.dependencies.map((urn) => urn.replace(/^.*::/, ""));
        expect(dependencies).toEqual(
            expect.arrayContaining(["newapi-prod-key", "newapi-prod-session-secret", "newapi-prod-crypto-secret", "newapi-prod-db-password", "newapi-prod-db"]),
        );
        // The running values are secrets in its inputs, and nowhere in clear.
        for (const leaf of ["session-secret", "crypto-secret"]) {
            expect(plainInputs(check)).not.toContain(parameterValue(run, leaf));
        }
        expect(unwrapSecrets(check.inputs.environment)).toEqual({
            STACK: "prod",
            SESSION_SECRET: parameterValue(run, "session-secret"),
            CRYPTO_SECRET: parameterValue(run, "crypto-secret"),
        });
        const dev = await program({});
        expect(ofType(dev, COMMAND).filter((c) => c.name.endsWith("-secrets-export-check"))).toEqual([]);
        const keeping = await program({ finalSnapshot: "true" });
        expect(ofType(keeping, COMMAND).filter((c) => c.name.endsWith("-secrets-export-check"))).toHaveLength(1);
    });

    const environment = { STACK: "prod", SESSION_SECRET: CARRIED.sessionSecret, CRYPTO_SECRET: CARRIED.cryptoSecret };

    test("it lets the destroy go on when the stack's config holds both running values", () => {
        const run = runExportCheck(environment, { protect: "false", ...CARRIED });
        expect(run.status).toBe(0);
        expect(run.output).toMatch(/the config of stack prod holds sessionSecret and cryptoSecret/);
        expect(run.calls).toEqual(["pulumi config get sessionSecret -s prod", "pulumi config get cryptoSecret -s prod"]);
    });

    test.each([
        ["neither is in the config", { protect: "false" }, "sessionSecret cryptoSecret"],
        ["one is missing", { sessionSecret: CARRIED.sessionSecret }, "cryptoSecret"],
        ["one holds another value", { ...CARRIED, sessionSecret: CARRIED.cryptoSecret }, "sessionSecret"],
    ])("it stops the destroy when %s, with the commands that fix it", (_, config, missing) => {
        const run = runExportCheck(environment, config);
        expect(run.status).toBe(1);
        expect(run.output).toContain(`the config of stack prod lacks the running value of: ${missing}.`);
        for (const secret of ["sessionSecret", "cryptoSecret"] as const) {
            expect(run.output).toContain(`\n  ${exportCommand(secret, "prod")}\n`);
        }
        // Never the values themselves.
        expect(run.output).not.toContain(CARRIED.sessionSecret);
        expect(run.output).not.toContain(CARRIED.cryptoSecret);
    });

    test("it stops the destroy when it cannot ask pulumi, or knows no running value", () => {
        expect(runExportCheck(environment, CARRIED, true).status).toBe(1);
        const empty = runExportCheck({ ...environment, SESSION_SECRET: "" }, { ...CARRIED, sessionSecret: "" });
        expect([empty.status, empty.output]).toEqual([1, expect.stringContaining("lacks the running value of: sessionSecret.")]);
    });
});

/** The shell blocks of a section of docs/operations.md, as written. */
function runbookBlocks(heading: string): string[] {
    const doc = fs.readFileSync(path.join(__dirname, "..", "docs", "operations.md"), "utf8");
    const start = doc.indexOf(`\n## ${heading}\n`);
    const end = doc.indexOf("\n## ", start + 1);
    return [...doc.slice(start, end).matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
}

describe("the disaster recovery runbook (docs/operations.md), under mocks", () => {
    test("its commands bring back the database from the final snapshot with the same node environment and secrets", async () => {
        const prod = readStackFile("Pulumi.prod.yaml");
        const region = { "aws:region": String(prod.document["aws:region"]) };
        const original = await program({ ...prod.config, ...region }, { stack: "prod" });
        const finalSnapshots: Record<string, string> = original.exports.finalSnapshots;
        const secrets = { sessionSecret: original.exports.sessionSecret, cryptoSecret: original.exports.cryptoSecret };

        // Every pulumi command of the runbook, in order, as the operator types them; <suffix> is the main database's.
        const suffix = finalSnapshots.mysql.replace(/^newapi-prod-mysql-final-/, "");
        const commands = runbookBlocks("Disaster recovery")
            .flatMap((block) => block.split("\n"))
            .filter((line) => line.startsWith("pulumi "))
            .map((line) => line.replace(/<suffix>/g, suffix));
        expect(commands).toEqual([
            exportCommand("sessionSecret", "prod"),
            exportCommand("cryptoSecret", "prod"),
            "pulumi config set protect true -s prod",
            "pulumi config rm finalSnapshot -s prod",
            `pulumi config set dbSnapshotIdentifier ${finalSnapshots.mysql} -s prod`,
            "pulumi up -s prod",
            "pulumi config rm dbSnapshotIdentifier -s prod",
            "pulumi up -s prod",
        ]);
        // The destroy (docs/operations.md, Destroy in detail) turned protection off and kept final snapshots.
        const destroyed = { ...prod.config, protect: "false", finalSnapshot: "true" };
        const session = runScript(`set -e\n${commands.join("\n")}`, { stacks: { prod: { config: destroyed, outputs: secrets } } });
        expect([session.status, session.output]).toEqual([0, ""]);
        const [restoreUp, afterwardsUp] = session.pulumiConfig("prod").atUp;
        const settings = (config: typeof restoreUp) => Object.fromEntries(Object.entries(config).map(([key, { value }]) => [key, value]));
        const secretKeys = (config: typeof restoreUp) => Object.keys(config).filter((key) => config[key].secret);
        // The restored stack's settings are the original's, with the carried secrets and the snapshot.
        expect(settings(restoreUp)).toEqual({ ...prod.config, ...secrets, dbSnapshotIdentifier: finalSnapshots.mysql });
        expect(secretKeys(restoreUp).sort()).toEqual(["cryptoSecret", "sessionSecret"]);

        // The export check would have let the destroy go on with the config the runbook left.
        const check = named(original, COMMAND, "newapi-prod-secrets-export-check");
        expect(runExportCheck(unwrapSecrets(check.inputs.environment), settings(restoreUp)).status).toBe(0);

        // A new stack generates other random values ("generation"); the carried ones replace two of them.
        const restored = await program({ ...settings(restoreUp), ...region }, { stack: "prod", generation: "restored", secretKeys: secretKeys(restoreUp) });
        const userData = (run: ProgramRun) => ofType(run, "aws:ec2/instance:Instance").map((i) => [i.name, i.inputs.userData]);
        expect(userData(restored)).toEqual(userData(original));
        expect(userData(restored)).toHaveLength(5);
        for (const leaf of ["session-secret", "crypto-secret"]) {
            expect(parameterValue(restored, leaf)).toBe(parameterValue(original, leaf));
        }
        expect(parameterValue(restored, "db-password")).not.toBe(parameterValue(original, "db-password"));
        const database = named(restored, INSTANCE, "newapi-prod-db");
        expect(database.inputs.snapshotIdentifier).toBe(finalSnapshots.mysql);
        expect(unwrapSecrets(database.inputs).password).toBe(parameterValue(restored, "db-password"));
        expect(database.options.protect).toBe(true);

        // Without the carried secrets, the same restore would have new ones: what the runbook avoids.
        const { sessionSecret, cryptoSecret, ...withoutSecrets } = settings(restoreUp);
        expect([sessionSecret, cryptoSecret]).toEqual([secrets.sessionSecret, secrets.cryptoSecret]);
        const forgetful = await program({ ...withoutSecrets, ...region }, { stack: "prod", generation: "restored" });
        expect(parameterValue(forgetful, "session-secret")).not.toBe(parameterValue(original, "session-secret"));

        // Removing the key afterwards changes the database's ignored snapshotIdentifier, and nothing else.
        expect(settings(afterwardsUp)).toEqual({ ...prod.config, ...secrets });
        const afterwards = await program({ ...settings(afterwardsUp), ...region }, { stack: "prod", generation: "restored", secretKeys: secretKeys(afterwardsUp) });
        expect(diffRegistrations(restored.resources, afterwards.resources)).toEqual({ added: [], removed: [], changed: [`${INSTANCE}::newapi-prod-db`] });
        const { snapshotIdentifier, ...rest } = named(afterwards, INSTANCE, "newapi-prod-db").inputs;
        expect(snapshotIdentifier).toBeUndefined();
        expect(rest).toEqual(Object.fromEntries(Object.entries(database.inputs).filter(([key]) => key !== "snapshotIdentifier")));
    });
});
