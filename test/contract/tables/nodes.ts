// The nodes' tables: the EC2 instances, and the IAM role, inline policies and instance profile
// they run as.
import { Table, bytes, field, integer, jsonDocument, oneOf, pattern, required, unique } from "../rules";
import { EC2, EC2_GUIDE, TAG_CHARACTERS, tagRule } from "./common";

const IAM = "https://docs.aws.amazon.com/IAM/latest/APIReference";
const IAM_QUOTAS = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html";

export const NODES: Record<string, Table> = {
    "aws:ec2/instance:Instance": {
        rules: [
            field("instanceType", pattern(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, "an instance type such as t3.small", "t3_small"), `${EC2}/API_RunInstances.html`),
            field("userData", bytes(16384), `${EC2_GUIDE}/instancedata-add-user-data.html`),
            field("metadataOptions.httpPutResponseHopLimit", integer(1, 64), `${EC2}/API_InstanceMetadataOptionsRequest.html`),
            field("metadataOptions.httpTokens", oneOf(["optional", "required"]), `${EC2}/API_InstanceMetadataOptionsRequest.html`),
            field("rootBlockDevice.volumeType", oneOf(["standard", "io1", "io2", "gp2", "gp3", "sc1", "st1"]), `${EC2}/API_EbsBlockDevice.html`),
            field("rootBlockDevice.volumeSize", integer(1, 16384), `${EC2}/API_EbsBlockDevice.html`),
            tagRule(`${EC2_GUIDE}/Using_Tags.html`),
        ],
    },
    "aws:iam/role:Role": {
        autonaming: { property: "name", separator: "-", maxLength: 64 },
        rules: [
            field("name", pattern(/^[\w+=,.@-]{1,64}$/, "1-64 of letters, digits and _+=,.@-", "new api role"), `${IAM}/API_CreateRole.html`),
            field("description", pattern(/^[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]{0,1000}$/, "at most 1000 printable Latin-1 characters", "nodes \u2192 role"), `${IAM}/API_CreateRole.html`),
            // "Role trust policy length": 2,048 characters by default, white space not counted.
            field("assumeRolePolicy", jsonDocument(2048), IAM_QUOTAS),
            tagRule(`${IAM}/API_Tag.html`, TAG_CHARACTERS),
        ],
    },
    "aws:iam/rolePolicy:RolePolicy": {
        autonaming: { property: "name", separator: "-", maxLength: 255 },
        rules: [
            field("name", pattern(/^[\w+=,.@-]{1,128}$/, "1-128 of letters, digits and _+=,.@-", "x".repeat(129)), `${IAM}/API_PutRolePolicy.html`),
            required("role", `${IAM}/API_PutRolePolicy.html`),
            // All of a role's inline policies together: 10,240 characters, white space not counted.
            field("policy", jsonDocument(10240), IAM_QUOTAS),
        ],
        collective: [unique("name", `${IAM}/API_PutRolePolicy.html`, "per role")],
    },
    "aws:iam/instanceProfile:InstanceProfile": {
        autonaming: { property: "name", separator: "-", maxLength: 255 },
        rules: [
            field("name", pattern(/^[\w+=,.@-]{1,128}$/, "1-128 of letters, digits and _+=,.@-", "x".repeat(129)), `${IAM}/API_CreateInstanceProfile.html`),
            required("role", `${IAM}/API_AddRoleToInstanceProfile.html`),
            tagRule(`${IAM}/API_Tag.html`, TAG_CHARACTERS),
        ],
    },
};
