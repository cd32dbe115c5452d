// The AWS CLI that `pulumi up` runs (warm-ups, drains, restarts) gets the stack's own
// credentials: read from the provider's aws: settings, refused by key where the CLI could not
// follow them, and checked before the first wait.
import { assumeRolesVariable, awsCliEnvironment, callerCheckScript } from "../components/aws/localCommands";
import { parseClusterConfig } from "../components/config";
import { goDurationSeconds, readAwsCliCredentials } from "../components/config/awsCredentials";
import { MOCK_ACCOUNT, SECRET_SIG_KEY, named, ofType, program } from "./harness";

const COMMAND = "command:local:Command";
const DEPLOY = "arn:aws:iam::123456789012:role/deploy";

describe("the provider's credentials settings, as the AWS CLI takes them", () => {
    test("none: the CLI runs with the shell's credentials, as the provider does", () => {
        expect(readAwsCliCredentials({})).toEqual({ credentials: { assumeRoles: [] }, problems: [] });
    });

    test("a chain of roles, with their session names, external ids and durations", () => {
        const { credentials, problems } = readAwsCliCredentials({
            profile: "ops",
            assumeRoles: JSON.stringify([{ roleArn: "arn:aws:iam::111111111111:role/hop", externalId: "ext-1", duration: "1h30m" }, { roleArn: DEPLOY, sessionName: "deployer", sourceIdentity: "me" }]),
        });
        expect(problems).toEqual([]);
        expect(credentials.assumeRoles).toEqual([
            { roleArn: "arn:aws:iam::111111111111:role/hop", sessionName: "new-api-cluster", externalId: "ext-1", durationSeconds: 5400, sourceIdentity: undefined },
            { roleArn: DEPLOY, sessionName: "deployer", externalId: undefined, durationSeconds: undefined, sourceIdentity: "me" },
        ]);
        expect(assumeRolesVariable(credentials)).toBe(`arn:aws:iam::111111111111:role/hop|new-api-cluster|ext-1|5400| ${DEPLOY}|deployer|||me`);
    });

    test("what the CLI calls cannot carry is refused by key, with the reason", () => {
        const { problems } = readAwsCliCredentials({ assumeRoles: JSON.stringify([{ roleArn: DEPLOY, policy: "{}", tags: { a: "b" } }]) });
        expect(problems).toEqual([
            expect.stringMatching(/^aws:assumeRoles = ".*": policy is not supported: pulumi up's AWS CLI calls \(warm-ups, drains, restarts\) assume the role without session policies/),
            expect.stringMatching(/^aws:assumeRoles = ".*": tags is not supported: .* without session tags/),
        ]);
        expect(readAwsCliCredentials({ assumeRoleWithWebIdentity: JSON.stringify({ roleArn: DEPLOY, webIdentityToken: "eyJ" }) }).problems).toEqual([
            expect.stringMatching(/^aws:assumeRoleWithWebIdentity = ".*": webIdentityToken cannot be given to pulumi up's AWS CLI calls, which read the token from a file/),
            expect.stringMatching(/needs webIdentityTokenFile/),
        ]);
        expect(readAwsCliCredentials({ sharedCredentialsFiles: JSON.stringify(["~/a", "~/b"]) }).problems).toEqual([
            'aws:sharedCredentialsFiles = "[\\"~/a\\",\\"~/b\\"]": must name one file: pulumi up\'s AWS CLI calls read one (AWS_SHARED_CREDENTIALS_FILE); merge them into one',
        ]);
    });

    test("values STS would refuse are refused here; keys are never quoted", () => {
        const { problems } = readAwsCliCredentials({
            assumeRoles: JSON.stringify([{ roleArn: "arn:aws:iam::123:role/x" }, { roleArn: DEPLOY, sessionName: "has space", duration: "5m" }, {}]),
            accessKey: "AKIAEXAMPLE",
        });
        expect(problems).toEqual([
            "aws:accessKey = [secret]: needs both aws:accessKey and aws:secretKey, or neither",
            expect.stringMatching(/roleArn must be an IAM role ARN/),
            expect.stringMatching(/sessionName must be 2-64 characters of letters, digits and \+=,\.@_-/),
            expect.stringMatching(/duration must be a duration from 15m to 12h/),
            expect.stringMatching(/each role needs a roleArn/),
        ]);
        expect(goDurationSeconds("2h")).toBe(7200);
        expect(goDurationSeconds("")).toBeUndefined();
        expect(goDurationSeconds("1d")).toBeUndefined();
    });

    test("the files, the web identity file and the keys become the CLI's environment, the keys as secrets", async () => {
        const { credentials } = readAwsCliCredentials({
            sharedCredentialsFiles: '["/home/me/.aws/credentials"]',
            sharedConfigFiles: '["/home/me/.aws/config"]',
            assumeRoleWithWebIdentity: JSON.stringify({ roleArn: DEPLOY, webIdentityTokenFile: "/run/token" }),
            accessKey: "AKIAEXAMPLE",
            secretKey: "secret",
        });
        const env = awsCliEnvironment(credentials, "eu-west-1");
        expect(Object.keys(env).sort()).toEqual(
            ["AWS_ACCESS_KEY_ID", "AWS_CONFIG_FILE", "AWS_REGION", "AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME", "AWS_SECRET_ACCESS_KEY", "AWS_SHARED_CREDENTIALS_FILE", "AWS_WEB_IDENTITY_TOKEN_FILE"],
        );
        expect(env.AWS_WEB_IDENTITY_TOKEN_FILE).toBe("/run/token");
        expect(callerCheckScript(credentials)).toContain("CREDENTIALS='the access key in aws:accessKey'");
    });

    test("a stack's config: the problems are the config's, before anything is created; the docker target reads none", () => {
        const awsSettings = { assumeRoles: JSON.stringify([{ roleArn: DEPLOY, policyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"] }]) };
        expect(() => parseClusterConfig({}, "dev", "us-east-1", [], { project: "new-api-cluster", otherKeys: ["aws:assumeRoles"], awsSettings })).toThrow(
            /Invalid new-api-cluster configuration \(nothing was created\):\n {2}- aws:assumeRoles = .*policyArns is not supported/,
        );
        const local = parseClusterConfig({ target: "docker" }, "local", undefined, [], { project: "new-api-cluster", otherKeys: ["aws:assumeRoles"], awsSettings });
        expect(local.awsCli).toBeUndefined();
    });
});

describe("under the mocks: every wait runs with the stack's credentials, after the caller check", () => {
    const roles = JSON.stringify([{ roleArn: DEPLOY, externalId: "ext-1" }]);

    test("the caller check expects the provider's account; the warm-ups and restarts run after it, with the roles", async () => {
        const run = await program({ slaveCount: "1", "aws:assumeRoles": roles });
        const check = named(run, COMMAND, "newapi-dev-aws-cli-check");
        expect(check.inputs.environment).toEqual({ AWS_REGION: "us-east-1", ASSUME_ROLES: `${DEPLOY}|new-api-cluster|ext-1||`, EXPECTED_ACCOUNT: MOCK_ACCOUNT });
        const waits = ofType(run, COMMAND).filter((c) => /-(warmup|drain|restart)$/.test(c.name));
        expect(waits).toHaveLength(6);
        for (const wait of waits) {
            expect(wait.inputs.environment).toMatchObject({ AWS_REGION: "us-east-1", ASSUME_ROLES: `${DEPLOY}|new-api-cluster|ext-1||` });
        }
        for (const wait of waits.filter((c) => !c.name.endsWith("-drain"))) {
            expect(wait.options.dependencies).toContain(check.options.urn);
        }
    });

    test("a stack without credentials settings: the region alone, as before", async () => {
        const run = await program({ slaveCount: "1" });
        for (const wait of ofType(run, COMMAND).filter((c) => /-(warmup|drain|restart)$/.test(c.name))) {
            expect(Object.keys(wait.inputs.environment).filter((k) => k.startsWith("AWS_") || k === "ASSUME_ROLES")).toEqual(["AWS_REGION"]);
        }
    });

    test("access keys in the stack's config reach the CLI as secrets", async () => {
        const run = await program({ slaveCount: "0", "aws:accessKey": "AKIAEXAMPLE", "aws:secretKey": "wJalr" }, { secretKeys: ["aws:accessKey", "aws:secretKey"] });
        // The whole environment is held secret: Pulumi marks a map with a secret value in it so.
        const env = named(run, COMMAND, "newapi-dev-master-warmup").inputs.environment;
        expect(env).toEqual({ [SECRET_SIG_KEY]: expect.anything(), value: expect.objectContaining({ AWS_ACCESS_KEY_ID: "AKIAEXAMPLE", AWS_SECRET_ACCESS_KEY: "wJalr" }) });
        const plain = await program({ slaveCount: "0" });
        expect(named(plain, COMMAND, "newapi-dev-master-warmup").inputs.environment).not.toHaveProperty(SECRET_SIG_KEY);
    });
});

