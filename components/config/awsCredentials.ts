// The credentials of the AWS CLI calls `pulumi up` makes on the operator's machine (the warm-ups,
// the drains, the restarts of a rotation, the caller check): the same as the AWS provider's, read
// from the stack's aws: settings. What the CLI cannot be given the way the provider has it is
// refused here, by key, before anything is created: a wait that ran as someone else would fail
// only after its whole timeout.
import { ConfigReader, RawConfig } from "./reader";

/** The provider settings that hold credentials: never quoted in a problem. */
const SECRET_AWS_KEYS = ["accessKey", "secretKey", "token"];

/** One role of aws:assumeRoles, as `aws sts assume-role` takes it. */
export interface AssumedRole {
    roleArn: string;
    sessionName: string;
    externalId?: string;
    durationSeconds?: number;
    sourceIdentity?: string;
}

/** What the AWS CLI needs to run as the provider does. */
export interface AwsCliCredentials {
    profile?: string;
    /** aws:accessKey, aws:secretKey and aws:token: secrets, handed to the CLI as its environment. */
    accessKey?: string;
    secretKey?: string;
    token?: string;
    /** The one file of aws:sharedCredentialsFiles and aws:sharedConfigFiles, when set. */
    sharedCredentialsFile?: string;
    sharedConfigFile?: string;
    /** aws:assumeRoleWithWebIdentity with a token file: the CLI reads the same file. */
    webIdentity?: { roleArn: string; sessionName: string; tokenFile: string };
    /** Assumed in order, each with the credentials of the one before (role chaining), as the provider does. */
    assumeRoles: AssumedRole[];
}

/** The session name of a role that names none (the provider makes one up too). */
export const DEFAULT_SESSION_NAME = "new-api-cluster";

/** A field's pattern, from the AWS STS API reference (AssumeRole), and how a problem says it. */
interface FieldRule {
    pattern: RegExp;
    allowed: string;
}

// What a value must be to be sent at all.
const ROLE_ARN: FieldRule = { pattern: /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, allowed: "an IAM role ARN (arn:aws:iam::<account>:role/<name>)" };
const SESSION_NAME: FieldRule = { pattern: /^[\w+=,.@-]{2,64}$/, allowed: "2-64 characters of letters, digits and +=,.@_-" };
const EXTERNAL_ID: FieldRule = { pattern: /^[\w+=,.@:/-]{2,1224}$/, allowed: "2-1224 characters of letters, digits and +=,.@:/_-" };
const SOURCE_IDENTITY: FieldRule = SESSION_NAME;
/** DurationSeconds: 900 s to 12 h (the role's own maximum may be lower; STS says so). */
const DURATION_RANGE = [900, 43200] as const;

/** Why each assumeRoles field the CLI calls do not carry is refused. */
const UNSUPPORTED_ROLE_FIELDS: Record<string, string> = {
    policy: "session policies",
    policyArns: "session policies",
    tags: "session tags",
    transitiveTagKeys: "session tags",
};

/** A Go duration as the provider's assumeRoles duration takes it ("1h", "15m", "1h30m"), in seconds; undefined when it is not one. */
export function goDurationSeconds(text: string): number | undefined {
    const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text);
    if (match === null || text === "") {
        return undefined;
    }
    const [hours, minutes, seconds] = match.slice(1).map((part) => Number(part ?? 0));
    return hours * 3600 + minutes * 60 + seconds;
}

function parseJson(text: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        return undefined;
    }
}

/** A field of a structured setting: a string, or undefined when absent. Records a problem when it is something else or fails `pattern`. */
function field(read: ConfigReader, key: string, item: Record<string, unknown>, name: string, rule: FieldRule): string | undefined {
    const value = item[name];
    if (value === undefined) {
        return undefined;
    }
    if (typeof value !== "string" || !rule.pattern.test(value)) {
        read.fail(key, JSON.stringify(item), `${name} must be ${rule.allowed}`);
        return undefined;
    }
    return value;
}

function assumedRole(read: ConfigReader, item: unknown): AssumedRole | undefined {
    const key = "assumeRoles";
    if (item === null || typeof item !== "object" || Array.isArray(item)) {
        read.fail(key, JSON.stringify(item), "each role must be an object with roleArn (and sessionName, externalId, duration, sourceIdentity)");
        return undefined;
    }
    const role = item as Record<string, unknown>;
    for (const name of Object.keys(role).filter((n) => n in UNSUPPORTED_ROLE_FIELDS)) {
        read.fail(
            key,
            JSON.stringify(role),
            `${name} is not supported: pulumi up's AWS CLI calls (warm-ups, drains, restarts) assume the role without ${UNSUPPORTED_ROLE_FIELDS[name]}, ` +
                "so they would run with other permissions than the provider; leave it out, or give the waits' permissions to a role of their own",
        );
    }
    const roleArn = field(read, key, role, "roleArn", ROLE_ARN);
    if (roleArn === undefined) {
        if (role.roleArn === undefined) {
            read.fail(key, JSON.stringify(role), "each role needs a roleArn");
        }
        return undefined;
    }
    const sessionName = field(read, key, role, "sessionName", SESSION_NAME) ?? DEFAULT_SESSION_NAME;
    const externalId = field(read, key, role, "externalId", EXTERNAL_ID);
    const sourceIdentity = field(read, key, role, "sourceIdentity", SOURCE_IDENTITY);
    let durationSeconds: number | undefined;
    if (role.duration !== undefined) {
        durationSeconds = typeof role.duration === "string" ? goDurationSeconds(role.duration) : undefined;
        if (durationSeconds === undefined || durationSeconds < DURATION_RANGE[0] || durationSeconds > DURATION_RANGE[1]) {
            read.fail(key, JSON.stringify(role), `duration must be a duration from 15m to 12h (such as "1h" or "1h30m")`);
            durationSeconds = undefined;
        }
    }
    return { roleArn, sessionName, externalId, durationSeconds, sourceIdentity };
}

/** One file of a list setting: the AWS CLI reads one credentials file and one config file. */
function oneFile(read: ConfigReader, key: string, variable: string): string | undefined {
    const value = read.raw[key];
    if (value === undefined) {
        return undefined;
    }
    const files = parseJson(value);
    if (!Array.isArray(files) || !files.every((f) => typeof f === "string" && f !== "")) {
        read.fail(key, value, "must be a list of file paths");
        return undefined;
    }
    if (files.length > 1) {
        read.fail(key, value, `must name one file: pulumi up's AWS CLI calls read one (${variable}); merge them into one`);
        return undefined;
    }
    return files[0];
}

/**
 * The AWS CLI's credentials from the stack's aws: settings (`raw`: the keys without `aws:`),
 * recording a problem under aws:<key> for each setting the CLI could not follow.
 */
export function readAwsCliCredentials(raw: RawConfig): { credentials: AwsCliCredentials; problems: string[] } {
    const read = new ConfigReader(raw, new Set(SECRET_AWS_KEYS), "aws");
    const credentials: AwsCliCredentials = { assumeRoles: [] };
    credentials.profile = raw.profile;
    credentials.accessKey = raw.accessKey;
    credentials.secretKey = raw.secretKey;
    credentials.token = raw.token;
    if ((raw.accessKey === undefined) !== (raw.secretKey === undefined)) {
        const given = raw.accessKey === undefined ? "secretKey" : "accessKey";
        read.fail(given, raw[given], "needs both aws:accessKey and aws:secretKey, or neither");
    }
    credentials.sharedCredentialsFile = oneFile(read, "sharedCredentialsFiles", "AWS_SHARED_CREDENTIALS_FILE");
    credentials.sharedConfigFile = oneFile(read, "sharedConfigFiles", "AWS_CONFIG_FILE");

    const webIdentityText = raw.assumeRoleWithWebIdentity;
    if (webIdentityText !== undefined) {
        const item = parseJson(webIdentityText);
        const key = "assumeRoleWithWebIdentity";
        if (item === null || typeof item !== "object" || Array.isArray(item)) {
            read.fail(key, webIdentityText, "must be an object with roleArn and webIdentityTokenFile");
        } else {
            const identity = item as Record<string, unknown>;
            const unsupported = ["webIdentityToken", "policy", "policyArns", "duration"].filter((n) => identity[n] !== undefined);
            if (unsupported.length > 0) {
                read.fail(
                    key,
                    webIdentityText,
                    `${unsupported.join(", ")} cannot be given to pulumi up's AWS CLI calls, which read the token from a file (AWS_WEB_IDENTITY_TOKEN_FILE) ` +
                        "with the role's own permissions and duration: give webIdentityTokenFile and leave those out",
                );
            }
            const roleArn = field(read, key, identity, "roleArn", ROLE_ARN);
            const tokenFile = identity.webIdentityTokenFile;
            const sessionName = field(read, key, identity, "sessionName", SESSION_NAME) ?? DEFAULT_SESSION_NAME;
            if (typeof tokenFile !== "string" || tokenFile === "") {
                read.fail(key, webIdentityText, "needs webIdentityTokenFile, the file the AWS CLI reads the token from");
            } else if (roleArn !== undefined && unsupported.length === 0) {
                credentials.webIdentity = { roleArn, sessionName, tokenFile };
            }
        }
    }

    const rolesText = raw.assumeRoles;
    if (rolesText !== undefined) {
        const roles = parseJson(rolesText);
        if (!Array.isArray(roles)) {
            read.fail("assumeRoles", rolesText, "must be a list of roles, each with roleArn");
        } else {
            credentials.assumeRoles = roles.map((item) => assumedRole(read, item)).filter((r): r is AssumedRole => r !== undefined);
        }
    }
    return { credentials, problems: read.problems };
}
