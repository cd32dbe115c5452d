// The waits `pulumi up` runs on the operator's machine, run for real with stub commands: they
// use the stack's credentials (roles of aws:assumeRoles assumed in order), stop at once when the
// credentials are refused, and say where they are at least every 30 s. The caller check before
// the first wait fails with what is wrong. Then each wait's own paths: a node's warm-up and its
// drain, and the post-deploy check of the cluster's URL.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { callerCheckScript } from "../components/aws/localCommands";
import { adminRotateScript, restartScript, tokenSetScript } from "../components/aws/rotationScripts";
import { verifyScript } from "../components/aws/verify";
import { PROGRESS_SECONDS, drainScript, warmupScript } from "../components/aws/warmup";
import { AwsCliCredentials } from "../components/config";
import { awsCliEnvironment } from "../components/aws/localCommands";
import { NOT_SET_UP, SET_UP } from "./nodeFixtures";
import { Scenario, runScript } from "./scriptRunner";
import { shellcheck } from "./shellcheck";

const NODE = { NODE: "newapi-dev-slave-3", TARGET_GROUP_ARN: "arn:aws:elasticloadbalancing:tg/slaves", INSTANCE_ID: "i-0abc" };
const ROLES: AwsCliCredentials = {
    profile: "ops",
    assumeRoles: [
        { roleArn: "arn:aws:iam::111111111111:role/hop", sessionName: "new-api-cluster", externalId: "ext-1", durationSeconds: 3600 },
        { roleArn: "arn:aws:iam::123456789012:role/deploy", sessionName: "deployer" },
    ],
};
/** The CLI's environment as the stack gives it (no secrets here, so every value is a string). */
const cliEnv = (credentials: AwsCliCredentials) => awsCliEnvironment(credentials, "us-east-1") as Record<string, string>;
const ASSUMED = { "sts assume-role": ["AKIAHOP\tsecret-1\ttoken-1", "AKIADEPLOY\tsecret-2\ttoken-2"] };
const progressLines = (output: string, pattern: RegExp) => output.split("\n").filter((line) => pattern.test(line));

describe("the stack's credentials", () => {
    test("each role of aws:assumeRoles is assumed in order, with the one before's keys; every later call runs as the last", () => {
        const run = runScript(warmupScript({ nodeWarmup: 60, mustTurnHealthy: true }), { awsAnswers: ASSUMED, targetStates: ["healthy"] }, {
            interpreter: "sh",
            env: { ...NODE, ...cliEnv(ROLES) },
        });
        expect(run.status).toBe(0);
        expect(run.calls.filter((c) => c.startsWith("aws "))).toEqual([
            "aws sts assume-role --role-arn arn:aws:iam::111111111111:role/hop --role-session-name new-api-cluster --external-id ext-1 --duration-seconds 3600 " +
                "--query Credentials.[AccessKeyId,SecretAccessKey,SessionToken] --output text",
            "aws sts assume-role --role-arn arn:aws:iam::123456789012:role/deploy --role-session-name deployer " +
                "--query Credentials.[AccessKeyId,SecretAccessKey,SessionToken] --output text",
            expect.stringMatching(/^aws elbv2 describe-target-health /),
        ]);
        // The profile starts the chain; the assumed keys, not the profile, are used after it.
        expect(run.awsCredentials).toEqual(["|ops", "AKIAHOP|", "AKIADEPLOY|"]);
    });

    test("without roles: the profile the stack names, and no STS call", () => {
        const run = runScript(warmupScript({ nodeWarmup: 60, mustTurnHealthy: true }), { targetStates: ["healthy"] }, {
            interpreter: "sh",
            env: { ...NODE, ...cliEnv({ profile: "ops", assumeRoles: [] }) },
        });
        expect(run.status).toBe(0);
        expect(run.calls.filter((c) => c.startsWith("aws sts"))).toEqual([]);
        expect(run.awsCredentials).toEqual(["|ops"]);
    });

    test("a role that cannot be assumed: the warm-up, a restart and the SET step fail at once naming it; the drain waits out the delay", () => {
        const refused = { "sts assume-role": ["error AccessDenied"] };
        const env = { ...NODE, ...cliEnv(ROLES) };
        const said = "new-api-cluster: could not assume arn:aws:iam::111111111111:role/hop (aws:assumeRoles): An error occurred (AccessDenied)";
        for (const script of [warmupScript({ nodeWarmup: 900, mustTurnHealthy: true }), restartScript(900), tokenSetScript(900)]) {
            const run = runScript(script, { awsAnswers: refused }, { interpreter: "sh", env: { ...env, OTHER_TARGET_GROUP_ARN: "arn:tg/master", REPLICATION_GROUP_ID: "g", AUTH_TOKEN: "t" } });
            expect(run.status).toBe(1);
            expect(run.stderr).toContain(said);
            expect(run.calls.filter((c) => c.startsWith("aws "))).toHaveLength(1);
            expect(run.calls.filter((c) => c.startsWith("sleep"))).toEqual([]);
        }
        const drain = runScript(drainScript({ drainSeconds: 300, drainWaitSeconds: 330 }), { awsAnswers: refused }, { interpreter: "sh", env });
        expect(drain.status).toBe(0);
        expect(drain.stderr).toContain(said);
        expect(drain.calls.filter((c) => c.startsWith("sleep"))).toEqual(["sleep 300"]);
    });

    test("credentials refused while waiting: the warm-up stops at once instead of waiting out its 900 s", () => {
        const run = runScript(warmupScript({ nodeWarmup: 900, mustTurnHealthy: true }), { awsAnswers: { "elbv2 describe-target-health": ["initial", "error ExpiredToken"] } }, {
            interpreter: "sh",
            env: { ...NODE, AWS_REGION: "us-east-1" },
        });
        expect(run.status).toBe(1);
        expect(run.stderr).toContain("new-api-cluster: newapi-dev-slave-3: the AWS CLI's credentials were refused (the AWS CLI failed: An error occurred (ExpiredToken))");
        expect(run.calls.filter((c) => c.startsWith("aws elbv2"))).toHaveLength(2);
    });
});

describe("the caller check before the first wait", () => {
    const check = (credentials: AwsCliCredentials, scenario: Scenario) =>
        runScript(callerCheckScript(credentials), scenario, { interpreter: "sh", env: { ...cliEnv(credentials), EXPECTED_ACCOUNT: "123456789012" } });

    test("the stack's account, through its roles: says who the CLI runs as", () => {
        const run = check(ROLES, { awsAnswers: { ...ASSUMED, "sts get-caller-identity": ["123456789012\tarn:aws:sts::123456789012:assumed-role/deploy/deployer"] } });
        expect(run.status).toBe(0);
        expect(run.stdout).toContain("new-api-cluster: the AWS CLI runs as arn:aws:sts::123456789012:assumed-role/deploy/deployer, in the stack's account 123456789012");
        expect(run.calls).toContain("aws sts get-caller-identity --query [Account,Arn] --output text");
        expect(run.awsCredentials[2]).toBe("AKIADEPLOY|");
    });

    test("another account: fails naming both accounts and where the credentials came from", () => {
        const run = check({ profile: "staging", assumeRoles: [] }, { awsAnswers: { "sts get-caller-identity": ["999999999999\tarn:aws:iam::999999999999:user/me"] } });
        expect(run.status).toBe(1);
        expect(run.stderr).toContain(
            "new-api-cluster: the AWS CLI on this machine runs as arn:aws:iam::999999999999:user/me in account 999999999999, but the stack deploys to account 123456789012, " +
                "so its waits would fail there; pulumi up runs it with the profile staging (aws:profile)",
        );
    });

    test("no credentials at all: fails saying so, and what the stack gives the CLI", () => {
        const run = check({ assumeRoles: [] }, { awsAnswers: { "sts get-caller-identity": ["error NoCredentials"] } });
        expect(run.status).toBe(1);
        expect(run.stderr).toContain("the AWS CLI on this machine has no working credentials (An error occurred (NoCredentials)); pulumi up runs it with this shell's credentials");
    });

    test("no AWS CLI: fails at once, saying what to install", () => {
        const run = check({ assumeRoles: [] }, { withoutAws: true });
        expect(run.status).toBe(1);
        expect(run.stderr).toContain("new-api-cluster: waiting for the nodes needs the AWS CLI v2 on this machine");
    });
});

describe(`long waits say where they are at least every ${PROGRESS_SECONDS} s`, () => {
    const EVERY = new RegExp(`at most \\d+ s left$`);

    test("the warm-up: the node, what the load balancer says, the time left", () => {
        // 5 s between looks: 61 looks over 300 s, a line every 30 s.
        const run = runScript(warmupScript({ nodeWarmup: 300, mustTurnHealthy: true }), { targetStates: [...Array(60).fill("initial"), "healthy"] }, {
            interpreter: "sh",
            env: { ...NODE, AWS_REGION: "us-east-1" },
        });
        expect(run.status).toBe(0);
        const lines = progressLines(run.stdout, EVERY);
        expect(lines).toHaveLength(10);
        expect(lines[0]).toBe("new-api-cluster: newapi-dev-slave-3: waiting to turn healthy (the load balancer says initial); at most 300 s left");
        expect(lines[1]).toBe("new-api-cluster: newapi-dev-slave-3: waiting to turn healthy (the load balancer says initial); at most 270 s left");
    });

    test("the final check: the URL, what it last got, the time left", () => {
        const run = runScript(verifyScript(120, false), {}, { interpreter: "sh", env: { URL: "https://api.example.com" } });
        expect(run.status).toBe(1);
        const lines = progressLines(run.stdout, EVERY);
        expect(lines).toEqual([120, 90, 60, 30].map((left) => `new-api-cluster: waiting for https://api.example.com/api/status to report success (last: no answer (curl exit 7)); at most ${left} s left`));
    });

    test("a restart: what it waits for, and the time left of its whole budget", () => {
        const run = runScript(
            restartScript(600),
            {
                awsAnswers: {
                    "elbv2 register-targets": [""],
                    "elbv2 deregister-targets": [""],
                    "ssm send-command": ["cmd-1"],
                    "ssm get-command-invocation": [...Array(12).fill("InProgress"), "Success"],
                    "elbv2 describe-target-health": ["i-0other", ...Array(12).fill("draining"), "unused", "initial", "healthy"],
                },
            },
            { interpreter: "sh", env: { ...NODE, OTHER_TARGET_GROUP_ARN: "arn:tg/master", AWS_REGION: "us-east-1" } },
        );
        expect(run.status).toBe(0);
        const lines = progressLines(run.stdout, EVERY);
        expect(lines[0]).toBe("new-api-cluster: newapi-dev-slave-3: draining it from its target group (the load balancer says draining); at most 600 s left");
        expect(lines.some((l) => l.startsWith("new-api-cluster: newapi-dev-slave-3: restarting New API (Run Command says InProgress); at most "))).toBe(true);
        expect(lines.length).toBeGreaterThanOrEqual(4);
    });

    test("the SET step and the admin password step: what ElastiCache and Run Command say", () => {
        const set = runScript(
            tokenSetScript(1800),
            { awsAnswers: { "elasticache modify-replication-group": ["modifying"], "elasticache describe-replication-groups": [...Array(7).fill("modifying\tSETTING"), "available\tNone"] } },
            { interpreter: "sh", env: { REPLICATION_GROUP_ID: "newapi-dev-redis", AUTH_TOKEN: "t", AWS_REGION: "us-east-1" } },
        );
        expect(set.status).toBe(0);
        expect(progressLines(set.stdout, EVERY)).toEqual([
            "new-api-cluster: newapi-dev-redis: waiting for the old token to go (ElastiCache says modifying\tSETTING); at most 1800 s left",
            "new-api-cluster: newapi-dev-redis: waiting for the old token to go (ElastiCache says modifying\tSETTING); at most 1770 s left",
        ]);
        const admin = runScript(
            adminRotateScript(),
            { awsAnswers: { "ssm send-command": ["cmd-1"], "ssm get-command-invocation": [...Array(7).fill("InProgress"), "Success"] } },
            { interpreter: "sh", env: { NODE: "newapi-dev-master", INSTANCE_ID: "i-0m", MASTER_SCRIPT: "ZWNobwo=", AWS_REGION: "us-east-1" } },
        );
        expect(admin.status).toBe(0);
        expect(progressLines(admin.stdout, EVERY)).toHaveLength(2);
    });
});

describe("the warm-up on the operator's machine", () => {
    const env = { NODE: "newapi-dev-slave-3", TARGET_GROUP_ARN: "arn:aws:elasticloadbalancing:tg/slaves", INSTANCE_ID: "i-0abc", AWS_REGION: "us-east-1" };
    const warmup = (scenario: Scenario, mustTurnHealthy = true, timeoutSeconds = 60) =>
        runScript(warmupScript({ nodeWarmup: timeoutSeconds, mustTurnHealthy }), scenario, { interpreter: "sh", env });
    const looks = (calls: string[]) => calls.filter((c) => c.startsWith("aws elbv2 describe-target-health"));

    test("healthy at once: moves on at once, having asked about this target", () => {
        const run = warmup({ targetStates: ["healthy"] }, true, 600);
        expect(run.status).toBe(0);
        expect(run.output).toContain("new-api-cluster: newapi-dev-slave-3 is healthy");
        expect(looks(run.calls)).toEqual([
            "aws elbv2 describe-target-health --target-group-arn arn:aws:elasticloadbalancing:tg/slaves --targets Id=i-0abc,Port=3000 --query TargetHealthDescriptions[0].TargetHealth.State --output text",
        ]);
    });

    test("healthy after booting, through a throttled call: waits exactly that long", () => {
        const run = warmup({ targetStates: ["initial", "error", "unhealthy", "healthy"] }, true, 600);
        expect(run.status).toBe(0);
        expect(looks(run.calls)).toHaveLength(4);
        expect(run.calls.filter((c) => c === "sleep 5")).toHaveLength(3);
    });

    test("never healthy: fails `pulumi up`, naming the node and its last state", () => {
        const run = warmup({ targetStates: ["unhealthy"] }, true, 60);
        expect(run.status).toBe(1);
        expect(run.output).toContain("new-api-cluster: newapi-dev-slave-3 is not healthy in its target group after 60 s (last state: unhealthy)");
        expect(looks(run.calls)).toHaveLength(13);
    });

    // The next two wait 10 s (3 looks): how long and how often it looks is the test above's.
    test("never healthy, a slave waiting for the setup wizard: says so and lets the update go on", () => {
        const run = warmup({ targetStates: ["unhealthy"] }, false, 10);
        expect(run.status).toBe(0);
        expect(run.output).toContain("newapi-dev-slave-3 is not healthy after 10 s (last state: unhealthy): it starts once the master's setup is done");
    });

    test("the AWS CLI failing to the end: the failure is the last word", () => {
        const run = warmup({ targetStates: ["error"] }, true, 10);
        expect(run.status).toBe(1);
        expect(run.output).toContain("last state: the AWS CLI failed: An error occurred (Throttling)");
    });

    test("no AWS CLI: fails at once, saying what is missing", () => {
        const run = warmup({ withoutAws: true }, true, 600);
        expect(run.status).toBe(1);
        expect(run.output).toContain("new-api-cluster: waiting for newapi-dev-slave-3 to turn healthy needs the AWS CLI");
    });
});

describe("drain, when a node's drain command is deleted", () => {
    const budget = { drainSeconds: 300, drainWaitSeconds: 330 };
    const env = { NODE: "newapi-dev-slave-1", TARGET_GROUP_ARN: "arn:tg", INSTANCE_ID: "i-0abc", AWS_REGION: "us-east-1" };
    const drain = (scenario: Scenario) => runScript(drainScript(budget), scenario, { interpreter: "sh", env });

    test("ends as soon as the load balancer has drained the node, saying where it is every 30 s", () => {
        const run = drain({ targetStates: [...Array(13).fill("draining"), "unused"] });
        expect(run.status).toBe(0);
        expect(run.calls.filter((c) => c.startsWith("aws elbv2 describe-target-health"))).toHaveLength(14);
        expect(run.calls).toContain(
            "aws elbv2 describe-target-health --target-group-arn arn:tg --targets Id=i-0abc,Port=3000 --query TargetHealthDescriptions[0].TargetHealth.State --output text",
        );
        expect(run.output.match(/newapi-dev-slave-1: draining \(the load balancer says draining\); at most \d+ s left/g)).toHaveLength(3);
        expect(run.output).toContain("at most 330 s left");
        expect(run.output).toContain("newapi-dev-slave-1 has left its target group");
    });

    test("a target group already deleted has nothing to drain", () => {
        const run = drain({ awsAnswers: { "elbv2 describe-target-health": ["error TargetGroupNotFound"] } });
        expect(run.status).toBe(0);
        expect(run.output).toContain("has left its target group");
    });

    test("a node that never drains: stopped anyway at the deadline, never waiting longer", () => {
        const run = drain({ targetStates: ["draining"] });
        expect(run.status).toBe(0);
        expect(run.calls.filter((c) => c.startsWith("sleep")).length).toBe(66);
        expect(run.output).toContain("newapi-dev-slave-1 is still draining after 330 s; stopping it anyway");
    });

    test("no AWS CLI: waits the whole deregistration delay", () => {
        const run = drain({ withoutAws: true });
        expect(run.status).toBe(0);
        expect(run.calls).toEqual(["sleep 300"]);
    });
});

describe("the post-deploy check on the operator's machine", () => {
    const env = { URL: "https://api.example.com" };
    const verify = (scenario: Scenario, timeoutSeconds = 60, insecure = false) =>
        runScript(verifyScript(timeoutSeconds, insecure), scenario, { interpreter: "sh", env });
    const probes = (calls: string[]) => calls.filter((c) => c.startsWith("curl"));

    test("answers at once: one probe, and says whether the setup is done", () => {
        const done = verify({ status: SET_UP });
        expect(done.status).toBe(0);
        expect(done.stdout).toBe("new-api-cluster: https://api.example.com is up and set up\n");
        expect(probes(done.calls)).toEqual(["curl -fsSL --max-time 10 https://api.example.com/api/status"]);
        const notYet = verify({ status: NOT_SET_UP });
        expect(notYet.stdout).toBe("new-api-cluster: https://api.example.com is up; finish the setup wizard on the master (README, First run)\n");
    });

    test("fails probes while the nodes boot: keeps polling every 10 s until one succeeds", () => {
        const run = verify({ status: SET_UP, statusFailures: 3 }, 600);
        expect(run.status).toBe(0);
        expect(probes(run.calls)).toHaveLength(4);
        expect(run.calls.filter((c) => c.startsWith("sleep"))).toEqual(["sleep 10", "sleep 10", "sleep 10"]);
    });

    test("an answer without success counts as a failed probe", () => {
        const run = verify({ status: '{"success":false}' }, 30);
        expect(run.status).toBe(1);
        expect(probes(run.calls)).toHaveLength(4);
    });

    test("never answers: gives up at the deadline, failing `pulumi up` with what to check", () => {
        const run = verify({}, 60);
        expect(run.status).toBe(1);
        expect(run.stderr).toContain(
            "new-api-cluster: https://api.example.com/api/status did not report success within 60 s (last: no answer (curl exit 7)); check the target groups' health",
        );
        expect(probes(run.calls)).toHaveLength(7);
    });

    test("a certificate for another name: certificate checks skipped, and only then", () => {
        expect(probes(verify({ status: SET_UP }, 60, true).calls)).toEqual(["curl -fsSLk --max-time 10 https://api.example.com/api/status"]);
    });
});

describe("the operator-side scripts pass shellcheck as POSIX sh", () => {
    const scripts: [string, string][] = [
        ["warm-up that must turn healthy", warmupScript({ nodeWarmup: 900, mustTurnHealthy: true })],
        ["warm-up of a slave waiting for setup", warmupScript({ nodeWarmup: 900, mustTurnHealthy: false })],
    ];
    // One shellcheck run for both.
    let problems: Record<string, string[]>;
    beforeAll(() => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "new-api-sh-"));
        scripts.forEach(([, script], i) => fs.writeFileSync(path.join(dir, `script-${i}.sh`), script));
        problems = shellcheck(scripts.map((_, i) => `script-${i}.sh`), ["--shell=sh", "--severity=style"], dir);
    });

    test.each(scripts)("%s", (name) => {
        const file = `script-${scripts.findIndex(([n]) => n === name)}.sh`;
        expect({ file, problems: problems[file] }).toEqual({ file, problems: [] });
    });
});
