// Where the secrets are kept and what encrypts them: the SSM Parameter Store parameters, and
// the cluster's KMS key and its alias.
import { MOCK_ACCOUNT, MOCK_REGION, mockKeyId } from "../../mockRuntime";
import { Table, field, integer, length, oneOf, pattern, required, rule, unique } from "../rules";
import { KMS_KEY_REFERENCE, TAG_CHARACTERS, listOf, policyOfAtMost, statementsOf, tagRule } from "./common";

const SSM = "https://docs.aws.amazon.com/systems-manager/latest/APIReference";
const KMS = "https://docs.aws.amazon.com/kms/latest/APIReference";
const KMS_GUIDE = "https://docs.aws.amazon.com/kms/latest/developerguide";

export const PARAMETERS: Record<string, Table> = {
    "aws:ssm/parameter:Parameter": {
        rules: [
            required("name", `${SSM}/API_PutParameter.html`),
            field(
                "name",
                pattern(/^(?!\/?(aws|ssm))(\/[a-zA-Z0-9_.-]+){1,15}$/i, "a path of 1-15 levels of a-zA-Z0-9_.-, not starting with aws or ssm", "/aws/new-api/secret"),
                `${SSM}/API_PutParameter.html`,
            ),
            // The name with its ARN prefix: at most 1011 characters.
            field("name", length(1, 1011 - `arn:aws:ssm:${MOCK_REGION}:${MOCK_ACCOUNT}:parameter`.length), `${SSM}/API_PutParameter.html`),
            field("description", length(0, 1024), `${SSM}/API_PutParameter.html`),
            field("type", oneOf(["String", "StringList", "SecureString"]), `${SSM}/API_PutParameter.html`),
            // Standard tier values hold 4 KB.
            field("value", length(1, 4096), `${SSM}/API_PutParameter.html`),
            field("insecureValue", length(1, 4096), `${SSM}/API_PutParameter.html`),
            field("keyId", KMS_KEY_REFERENCE, `${SSM}/API_PutParameter.html`),
            // Parameter Store encrypts only with symmetric encryption keys.
            rule(
                "keyId names a symmetric encryption key (the cluster key)",
                `${KMS_GUIDE}/services-parameter-store.html`,
                (i, context) =>
                    i.keyId === undefined ||
                    context.resources.some(
                        (k) =>
                            k.type === "aws:kms/key:Key" &&
                            [mockKeyId(k.name), `arn:aws:kms:${MOCK_REGION}:${MOCK_ACCOUNT}:key/${mockKeyId(k.name)}`].includes(i.keyId) &&
                            (k.inputs.customerMasterKeySpec ?? "SYMMETRIC_DEFAULT") === "SYMMETRIC_DEFAULT" &&
                            (k.inputs.keyUsage ?? "ENCRYPT_DECRYPT") === "ENCRYPT_DECRYPT",
                    ),
                (i) => ({ ...i, keyId: "0a1b2c3d-0a1b-0a1b-0a1b-0a1b2c3d4e5f" }),
            ),
            tagRule(`${SSM}/API_Tag.html`, TAG_CHARACTERS),
        ],
        collective: [unique("name", `${SSM}/API_PutParameter.html`)],
    },
};

export const KMS_KEYS: Record<string, Table> = {
    "aws:kms/key:Key": {
        rules: [
            field("description", length(0, 8192), `${KMS}/API_CreateKey.html`),
            // Parameter Store, CloudWatch Logs and SNS use symmetric encryption keys only.
            field("keyUsage", oneOf(["ENCRYPT_DECRYPT"]), `${KMS_GUIDE}/services-parameter-store.html`),
            field("customerMasterKeySpec", oneOf(["SYMMETRIC_DEFAULT"]), `${KMS_GUIDE}/services-parameter-store.html`),
            field("deletionWindowInDays", integer(7, 30), `${KMS}/API_ScheduleKeyDeletion.html`),
            field("enableKeyRotation", oneOf([true, false]), `${KMS}/API_EnableKeyRotation.html`),
            // "The key policy size quota is 32 kilobytes (32768 bytes)."
            policyOfAtMost(32768, `${KMS}/API_CreateKey.html`),
            rule(
                "the policy lets the account's principals manage the key (kms:PutKeyPolicy), or the lockout safety check refuses it",
                `${KMS}/API_CreateKey.html`,
                (i) =>
                    statementsOf(i.policy).some(
                        (s) =>
                            s.Effect === "Allow" &&
                            (s.Principal as { AWS?: string } | undefined)?.AWS === `arn:aws:iam::${MOCK_ACCOUNT}:root` &&
                            listOf(s.Action).some((a) => ["kms:*", "kms:Put*", "kms:PutKeyPolicy"].includes(a)),
                    ),
                (i) => ({
                    ...i,
                    policy: JSON.stringify({
                        ...JSON.parse(i.policy),
                        Statement: statementsOf(i.policy).map((s) => ({ ...s, Action: listOf(s.Action).filter((a) => !a.startsWith("kms:Put")) })),
                    }),
                }),
            ),
            tagRule(`${KMS}/API_TagResource.html`, TAG_CHARACTERS),
        ],
    },
    "aws:kms/alias:Alias": {
        rules: [
            required("name", `${KMS}/API_CreateAlias.html`),
            field(
                "name",
                pattern(/^(?=.{1,256}$)alias\/(?!aws\/)[a-zA-Z0-9/_-]+$/, "alias/ and letters, digits, / _ -, at most 256 characters, not under alias/aws/", "alias/aws/new-api"),
                `${KMS}/API_CreateAlias.html`,
            ),
            required("targetKeyId", `${KMS}/API_CreateAlias.html`),
        ],
        collective: [unique("name", `${KMS}/API_CreateAlias.html`)],
    },
};
