// The database tier's tables: RDS for MySQL instances, their subnet group and parameter group.
import { SNAPSHOT_ARN, SNAPSHOT_NAME } from "../../../components/config/settings/dataTier";
import { Table, count, field, integer, length, oneOf, pattern, required, rule, unique } from "../rules";
import { TAG_CHARACTERS, awsIdentifier, tagRule } from "./common";

const RDS = "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference";
const RDS_GUIDE = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide";

export const DATABASE: Record<string, Table> = {
    "aws:rds/subnetGroup:SubnetGroup": {
        autonaming: { property: "name", separator: "-", maxLength: 255 },
        rules: [
            field("name", pattern(/^(?!default$)[a-z][a-z0-9 ._-]{0,254}$/, "1-255 lower-case letters, digits, spaces, . _ and -, a letter first, not default", "Db_Subnets"), `${RDS}/API_CreateDBSubnetGroup.html`),
            field("description", length(1, 255), `${RDS}/API_CreateDBSubnetGroup.html`),
            // The group must cover at least two availability zones.
            field("subnetIds", count(2, 20), `${RDS}/API_CreateDBSubnetGroup.html`),
            tagRule(`${RDS}/API_Tag.html`, TAG_CHARACTERS),
        ],
    },
    "aws:rds/parameterGroup:ParameterGroup": {
        autonaming: { property: "name", separator: "-", maxLength: 255 },
        rules: [
            field("name", awsIdentifier(255, true), `${RDS}/API_CreateDBParameterGroup.html`),
            field("family", oneOf(["mysql8.0", "mysql8.4"]), `${RDS_GUIDE}/MySQL.Concepts.VersionMgmt.html`),
            field("description", length(1, 255), `${RDS}/API_CreateDBParameterGroup.html`),
            rule(
                "each parameter is set once",
                `${RDS}/API_ModifyDBParameterGroup.html`,
                (i) => new Set((i.parameters ?? []).map((p: { name: string }) => p.name)).size === (i.parameters ?? []).length,
                (i) => ({ ...i, parameters: [...(i.parameters ?? []), ...(i.parameters ?? [{ name: "max_connections", value: "1" }]).slice(0, 1)] }),
            ),
            tagRule(`${RDS}/API_Tag.html`, TAG_CHARACTERS),
        ],
    },
    "aws:rds/instance:Instance": {
        // The provider appends 7 hex characters to the logical name, with no separator.
        autonaming: { property: "identifier", separator: "", maxLength: 255 },
        rules: [
            field("identifier", awsIdentifier(63, true), `${RDS}/API_CreateDBInstance.html`),
            field("engine", oneOf(["mysql"]), `${RDS}/API_CreateDBInstance.html`),
            // MySQL 8.0 is in paid Extended Support since 2026-07-31; 8.4 is in standard support until 2029-07-31.
            field("engineVersion", pattern(/^8\.(0|4)(\.\d+)?$/, "a MySQL 8.0 or 8.4 version RDS offers", "5.7"), `${RDS_GUIDE}/MySQL.Concepts.VersionMgmt.html`),
            field("instanceClass", pattern(/^db\.[a-z0-9-]+\.[a-z0-9]+$/, "an instance class such as db.t4g.micro", "t4g.micro"), `${RDS}/API_CreateDBInstance.html`),
            field("storageType", oneOf(["gp2", "gp3", "io1", "io2", "standard"]), `${RDS}/API_CreateDBInstance.html`),
            field("allocatedStorage", integer(20, 65536), `${RDS}/API_CreateDBInstance.html`),
            rule(
                "maxAllocatedStorage, when set, is at least 10% above allocatedStorage",
                `${RDS_GUIDE}/USER_PIOPS.Autoscaling.html`,
                (i) => i.maxAllocatedStorage === undefined || i.maxAllocatedStorage >= i.allocatedStorage * 1.1,
                (i) => ({ ...i, maxAllocatedStorage: i.allocatedStorage }),
            ),
            field("dbName", pattern(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, "1-64 letters, digits and _, a letter first", "new-api"), `${RDS}/API_CreateDBInstance.html`),
            field("username", pattern(/^[A-Za-z][A-Za-z0-9_]{0,15}$/, "1-16 letters, digits and _, a letter first", "new-api-admin-user"), `${RDS}/API_CreateDBInstance.html`),
            required("password", `${RDS}/API_CreateDBInstance.html`),
            field("password", pattern(/^[\x21-\x7e]{8,41}$/, "8-41 printable ASCII characters", "x".repeat(48)), `${RDS}/API_CreateDBInstance.html`),
            field("password", pattern(/^[^/"@]*$/, 'free of /, " and @', "pass/word@123"), `${RDS}/API_CreateDBInstance.html`),
            field("port", integer(1150, 65535), `${RDS}/API_CreateDBInstance.html`),
            field("backupRetentionPeriod", integer(0, 35), `${RDS}/API_CreateDBInstance.html`),
            // FinalDBSnapshotIdentifier: "1 to 255 letters or numbers", a letter first, no hyphen last nor two in a row.
            field("finalSnapshotIdentifier", awsIdentifier(255, false), `${RDS}/API_DeleteDBInstance.html`),
            // A snapshot's identifier (CreateDBSnapshot), or a shared snapshot's ARN, which restoring one requires.
            field(
                "snapshotIdentifier",
                pattern(
                    new RegExp(`^(${SNAPSHOT_NAME}|${SNAPSHOT_ARN})$`),
                    "a DB snapshot identifier (1-255 letters, digits and single hyphens, a letter first) or a shared snapshot's ARN",
                    "rds:newapi-dev-2026-01-01-00-00",
                ),
                `${RDS}/API_RestoreDBInstanceFromDBSnapshot.html`,
            ),
            rule(
                "finalSnapshotIdentifier is given exactly when skipFinalSnapshot is false",
                `${RDS}/API_DeleteDBInstance.html`,
                (i) => (i.skipFinalSnapshot === false) === (i.finalSnapshotIdentifier !== undefined),
                (i) => ({ ...i, skipFinalSnapshot: false, finalSnapshotIdentifier: undefined }),
            ),
            tagRule(`${RDS}/API_Tag.html`, TAG_CHARACTERS),
        ],
        collective: [
            unique("identifier", `${RDS}/API_CreateDBInstance.html`),
            // DBSnapshotAlreadyExists would stop `pulumi destroy` at the second database.
            unique("finalSnapshotIdentifier", `${RDS}/API_DeleteDBInstance.html`),
        ],
    },
};
