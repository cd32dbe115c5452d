// Final snapshots are named per resource (components/aws/privateService.ts, createFinalSnapshotName):
// each database and the cache has a random id of its own, kept by the inputs for which the
// provider replaces it, so a replaced one never reuses its predecessor's snapshot name.
import { REPLICATION_GROUP_REPLACING_INPUTS } from "../components/aws/cache";
import { RDS_INSTANCE_REPLACING_INPUTS } from "../components/aws/database";
import { replacementKeepers } from "../components/aws/privateService";
import { diffRegistrations } from "./diff";
import { ProgramRun, Registered, mockRandomHex, named, ofType, program } from "./harness";

const RDS = "aws:rds/instance:Instance";
const REDIS = "aws:elasticache/replicationGroup:ReplicationGroup";
const RANDOM_ID = "random:index/randomId:RandomId";

/** The data tiers of a run with the log database: resource type, name, snapshot tier, replacing inputs. */
const TIERS = [
    [RDS, "newapi-dev-db", "mysql", RDS_INSTANCE_REPLACING_INPUTS],
    [RDS, "newapi-dev-logdb", "mysql-log", RDS_INSTANCE_REPLACING_INPUTS],
    [REDIS, "newapi-dev-redis", "redis", REPLICATION_GROUP_REPLACING_INPUTS],
] as const;

/** The random id that names a data tier's final snapshot, and the hex the mocks give it. */
function suffix(run: ProgramRun, name: string): { id: Registered; hex: string } {
    const id = named(run, RANDOM_ID, `${name}-final-snapshot`);
    return { id, hex: mockRandomHex(id.name, id.inputs) };
}

describe("replacementKeepers", () => {
    test("keeps the replacing inputs that are set, as strings, and nothing else", () => {
        expect(replacementKeepers({ engine: "mysql", storageEncrypted: true, port: 3306, password: "x", kmsKeyId: undefined }, ["engine", "storageEncrypted", "port", "kmsKeyId"])).toEqual({
            engine: "mysql",
            storageEncrypted: "true",
            port: "3306",
        });
        expect(replacementKeepers({ snapshotArns: ["arn:a", "arn:b"] }, ["snapshotArns"])).toEqual({ snapshotArns: '["arn:a","arn:b"]' });
        expect(replacementKeepers({ password: "x" }, RDS_INSTANCE_REPLACING_INPUTS)).toEqual({});
    });

    test("the lists hold the provider's replacing inputs the stack sets, and no secret", () => {
        expect(RDS_INSTANCE_REPLACING_INPUTS).toEqual(expect.arrayContaining(["engine", "dbName", "username", "storageEncrypted", "kmsKeyId", "identifier"]));
        expect(REPLICATION_GROUP_REPLACING_INPUTS).toEqual(
            expect.arrayContaining(["engine", "engineVersion", "port", "atRestEncryptionEnabled", "transitEncryptionEnabled", "subnetGroupName", "replicationGroupId"]),
        );
        for (const list of [RDS_INSTANCE_REPLACING_INPUTS, REPLICATION_GROUP_REPLACING_INPUTS] as readonly (readonly string[])[]) {
            expect(list).not.toEqual(expect.arrayContaining(["password"]));
            expect(list).not.toEqual(expect.arrayContaining(["authToken"]));
            expect(list).not.toEqual(expect.arrayContaining(["finalSnapshotIdentifier"]));
        }
    });
});

describe("final snapshot names under mocks", () => {
    test("each database and the cache has a random id of its own, a child of its component, kept by its replacing inputs", async () => {
        const run = await program({ finalSnapshot: "true", logDatabase: "true" });
        expect(ofType(run, RANDOM_ID).map((r) => r.name).sort()).toEqual(TIERS.map(([, name]) => `${name}-final-snapshot`).sort());
        for (const [type, name, tier, replacing] of TIERS) {
            const resource = named(run, type, name);
            const { id, hex } = suffix(run, name);
            expect(id.inputs).toEqual({ byteLength: 4, keepers: replacementKeepers(resource.inputs, replacing) });
            expect(id.options.parent).toBe(named(run, type === RDS ? "new-api:database:Database" : "new-api:cache:Cache", name).options.urn);
            expect(resource.inputs.finalSnapshotIdentifier).toBe(`newapi-dev-${tier}-final-${hex}`);
            // Of the resource's inputs only finalSnapshotIdentifier comes from its id: a new suffix changes nothing else.
            const fromId = Object.entries(resource.options.propertyDependencies).filter(([, urns]) => urns.includes(id.options.urn));
            expect(fromId.map(([property]) => property)).toEqual(["finalSnapshotIdentifier"]);
        }
        expect(run.exports.finalSnapshots).toEqual(Object.fromEntries(TIERS.map(([type, name, tier]) => [tier, named(run, type, name).inputs.finalSnapshotIdentifier])));
        // Three names, three suffixes: none is the stack's alone.
        expect(new Set(TIERS.map(([, name]) => suffix(run, name).hex)).size).toBe(3);
    });

    test("the database's keepers are what RDS cannot change in place: engine, database name, master user, encryption", async () => {
        const run = await program({ finalSnapshot: "true" });
        expect(suffix(run, "newapi-dev-db").id.inputs.keepers).toEqual({ engine: "mysql", dbName: "newapi", username: "newapi", storageEncrypted: "true" });
    });

    test("a cache the provider replaces (cacheEngineVersion 8.1 -> 8.0, a downgrade) takes a new name; the databases keep theirs", async () => {
        const before = await program({ finalSnapshot: "true" });
        const after = await program({ finalSnapshot: "true", cacheEngineVersion: "8.0" });
        expect(diffRegistrations(before.resources, after.resources)).toEqual({
            added: [],
            removed: [],
            changed: [`${REDIS}::newapi-dev-redis`, `${RANDOM_ID}::newapi-dev-redis-final-snapshot`],
        });
        const name = (run: ProgramRun, type: string, resource: string) => named(run, type, resource).inputs.finalSnapshotIdentifier;
        expect(name(after, REDIS, "newapi-dev-redis")).not.toBe(name(before, REDIS, "newapi-dev-redis"));
        expect(name(after, REDIS, "newapi-dev-redis")).toBe(`newapi-dev-redis-final-${suffix(after, "newapi-dev-redis").hex}`);
        expect(name(after, RDS, "newapi-dev-db")).toBe(name(before, RDS, "newapi-dev-db"));
    });

    test("without finalSnapshot: no random id, no final snapshot", async () => {
        const run = await program({});
        expect(ofType(run, RANDOM_ID)).toEqual([]);
        expect(named(run, RDS, "newapi-dev-db").inputs).toMatchObject({ skipFinalSnapshot: true });
        expect(named(run, RDS, "newapi-dev-db").inputs).not.toHaveProperty("finalSnapshotIdentifier");
        expect(named(run, REDIS, "newapi-dev-redis").inputs).not.toHaveProperty("finalSnapshotIdentifier");
    });
});
