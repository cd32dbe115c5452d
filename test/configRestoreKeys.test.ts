// The restore keys (dbSnapshotIdentifier, logDbSnapshotIdentifier): which snapshot names and
// ARNs config validation takes, and where it refuses them.
import { parseClusterConfig } from "../components/config";
import { problemsOf } from "./configProblems";

describe("restore keys: dbSnapshotIdentifier and logDbSnapshotIdentifier", () => {
    const shared = "arn:aws:rds:us-east-1:210987654321:snapshot:newapi-prod-mysql-final-0a1b2c3d";

    test("a snapshot's name or a shared snapshot's ARN is accepted", () => {
        expect(parseClusterConfig({ dbSnapshotIdentifier: "newapi-prod-mysql-final-0a1b2c3d" }, "dev").dbSnapshotIdentifier).toBe("newapi-prod-mysql-final-0a1b2c3d");
        const config = parseClusterConfig({ dbSnapshotIdentifier: shared, logDatabase: "true", logDbSnapshotIdentifier: "Manual-Copy-1" }, "dev", "us-east-1");
        expect([config.dbSnapshotIdentifier, config.logDbSnapshotIdentifier]).toEqual([shared, "Manual-Copy-1"]);
    });

    test.each(["rds:newapi-prod-2026-01-01-00-00", "1snapshot", "final--snapshot", "snapshot-", "a".repeat(256), "arn:aws:rds:us-east-1:2109:snapshot:x"])(
        "%s is refused as no snapshot RDS can restore by that name",
        (identifier) => {
            expect(problemsOf({ dbSnapshotIdentifier: identifier })).toEqual([
                expect.stringMatching(/^new-api-cluster:dbSnapshotIdentifier = .*: must be a manual RDS snapshot's identifier/),
            ]);
        },
    );

    test("the log database's snapshot needs the log database", () => {
        expect(problemsOf({ logDbSnapshotIdentifier: "newapi-dev-mysql-log-final-0a1b2c3d" })).toEqual([
            'new-api-cluster:logDbSnapshotIdentifier = "newapi-dev-mysql-log-final-0a1b2c3d": creates the log database, which is off: set logDatabase true too, or remove it',
        ]);
    });

    test("a shared snapshot of another region is refused: RDS restores only from its own", () => {
        expect(() => parseClusterConfig({ dbSnapshotIdentifier: shared }, "dev", "eu-west-1")).toThrow(
            /dbSnapshotIdentifier = "arn:aws:rds:us-east-1:.*": is a snapshot in us-east-1; RDS restores only a snapshot of aws:region eu-west-1: copy it there first/,
        );
    });

    test("the docker target does not restore: the keys are refused there", () => {
        expect(() => parseClusterConfig({ target: "docker", dbSnapshotIdentifier: "newapi-dev-mysql-final-0a1b2c3d" }, "dev")).toThrow(
            /dbSnapshotIdentifier = "newapi-dev-mysql-final-0a1b2c3d": applies only to target aws; this stack's target is docker/,
        );
    });
});
