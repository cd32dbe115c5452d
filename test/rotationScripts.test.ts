// The secret rotation's operator-side scripts (components/scripts/restart.sh and token-set.sh,
// rendered by rotationScripts.ts; shellchecked as files by scripts.test.ts), run for real with a stub AWS CLI
// and clock on PATH: a node's restart (alone in its group or not, Run Command succeeding,
// failing or hanging, a node that never drains or never turns healthy) and the SET step that
// ends a Redis AUTH token rotation; the root user's password changed on the master
// (admin-password.sh, with a stub New API) and the step that runs it there (admin-rotate.sh).
// The docker target's password steps are in localScripts.test.ts.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROGRESS_SECONDS } from "../components/aws/warmup";
import {
    ADMIN_ROTATE_TIMEOUT_SECONDS,
    NOTHING_TO_CHANGE,
    NOTHING_TO_RESTART,
    NOTHING_TO_SET,
    ROTATION_POLL_SECONDS,
    adminPasswordScript,
    adminRotateScript,
    restartScript,
    tokenSetScript,
} from "../components/aws/rotationScripts";
import { ADMIN_PASSWORD_COPY } from "../components/aws/userdata";
import { renderScript } from "../components/scripts/render";
import { scriptParameters } from "./cloudConfig";
import { Scenario, runScript } from "./scriptRunner";

const MASTER_GROUP = "arn:aws:elasticloadbalancing:tg/master";
const SLAVES_GROUP = "arn:aws:elasticloadbalancing:tg/slaves";

describe("a node's restart with the rotated secrets", () => {
    const env = {
        NODE: "newapi-dev-master",
        INSTANCE_ID: "i-0master",
        TARGET_GROUP_ARN: MASTER_GROUP,
        OTHER_TARGET_GROUP_ARN: SLAVES_GROUP,
        AWS_REGION: "us-east-1",
    };
    const restart = (awsAnswers: Scenario["awsAnswers"], timeoutSeconds = 600) =>
        runScript(restartScript(timeoutSeconds), { awsAnswers }, { interpreter: "sh", env });
    const awsCalls = (calls: string[]) => calls.filter((c) => c.startsWith("aws ")).map((c) => c.split(" --")[0]);
    const runCommand = { "ssm send-command": ["cmd-1"], "ssm get-command-invocation": ["error InvocationDoesNotExist", "InProgress", "Success"] };
    const registration = { "elbv2 register-targets": [""], "elbv2 deregister-targets": [""] };

    test("another healthy target in its group: drains it, restarts the service through Run Command, waits until it is healthy again", () => {
        const run = restart({
            ...registration,
            ...runCommand,
            // another healthy target; then this node: draining, unused; after the restart: initial, healthy
            "elbv2 describe-target-health": ["i-0other", "draining", "unused", "initial", "healthy"],
        });
        expect(run.status).toBe(0);
        expect(run.output).toContain("new-api-cluster: newapi-dev-master restarted with the current secrets and is healthy");
        expect(awsCalls(run.calls)).toEqual([
            "aws elbv2 describe-target-health",
            "aws elbv2 deregister-targets",
            "aws elbv2 describe-target-health",
            "aws elbv2 describe-target-health",
            "aws ssm send-command",
            "aws ssm get-command-invocation",
            "aws ssm get-command-invocation",
            "aws ssm get-command-invocation",
            "aws elbv2 register-targets",
            "aws elbv2 describe-target-health",
            "aws elbv2 describe-target-health",
        ]);
        expect(run.calls).toContain(`aws elbv2 deregister-targets --target-group-arn ${MASTER_GROUP} --targets Id=i-0master,Port=3000`);
        expect(run.calls).toContain(`aws elbv2 register-targets --target-group-arn ${MASTER_GROUP} --targets Id=i-0master,Port=3000`);
        const send = run.calls.find((c) => c.startsWith("aws ssm send-command")) as string;
        expect(send).toContain("--instance-ids i-0master --document-name AWS-RunShellScript");
        expect(send).toContain('commands=["systemctl restart new-api.service"]');
        expect(run.calls).toContain("aws ssm get-command-invocation --command-id cmd-1 --instance-id i-0master --query Status --output text");
        // The other target is looked for among the healthy ones, this node left out.
        expect(run.calls[0]).toContain("--query TargetHealthDescriptions[?TargetHealth.State=='healthy' && Target.Id!='i-0master'].Target.Id | [0]");
    });

    test("the only healthy target of its group: a healthy node of the other group stands in, and goes once the node is back", () => {
        const run = restart({
            ...registration,
            ...runCommand,
            // none here; i-0slave in the other group; the stand-in turns healthy; the node drains; comes back
            "elbv2 describe-target-health": ["None", "i-0slave", "initial", "healthy", "unused", "healthy"],
        });
        expect(run.status).toBe(0);
        expect(run.output).toContain("newapi-dev-master is the only healthy target of its group: i-0slave stands in while it restarts");
        const registrations = run.calls.filter((c) => /^aws elbv2 (de)?register-targets/.test(c));
        expect(registrations).toEqual([
            `aws elbv2 register-targets --target-group-arn ${MASTER_GROUP} --targets Id=i-0slave,Port=3000`,
            `aws elbv2 deregister-targets --target-group-arn ${MASTER_GROUP} --targets Id=i-0master,Port=3000`,
            `aws elbv2 register-targets --target-group-arn ${MASTER_GROUP} --targets Id=i-0master,Port=3000`,
            `aws elbv2 deregister-targets --target-group-arn ${MASTER_GROUP} --targets Id=i-0slave,Port=3000`,
        ]);
        expect(run.calls[1]).toContain(`--target-group-arn ${SLAVES_GROUP}`);
        // The node leaves only once its stand-in is healthy.
        const deregistered = run.calls.indexOf(registrations[1]);
        expect(run.calls.slice(0, deregistered).filter((c) => c.includes("Id=i-0slave,Port=3000") && c.includes("describe-target-health"))).toHaveLength(2);
    });

    test("no healthy target anywhere else: says requests fail meanwhile, and restarts it all the same", () => {
        const run = restart({ ...registration, ...runCommand, "elbv2 describe-target-health": ["None", "None", "unused", "healthy"] });
        expect(run.status).toBe(0);
        expect(run.output).toContain("newapi-dev-master is the only healthy target of the cluster: requests fail while it restarts");
        expect(run.calls.filter((c) => c.startsWith("aws elbv2 register-targets"))).toEqual([
            `aws elbv2 register-targets --target-group-arn ${MASTER_GROUP} --targets Id=i-0master,Port=3000`,
        ]);
    });

    test("Run Command reports a failed restart: fails `pulumi up`, saying the node is out of its group until the next one", () => {
        const run = restart({
            ...registration,
            "ssm send-command": ["cmd-1"],
            "ssm get-command-invocation": ["InProgress", "Failed"],
            "elbv2 describe-target-health": ["i-0other", "unused"],
        });
        expect(run.status).toBe(1);
        expect(run.output).toContain(
            "new-api-cluster: newapi-dev-master: the restart ended Failed (command cmd-1); it is out of its target group until the next pulumi up restarts it",
        );
        expect(run.calls.some((c) => c.startsWith("aws elbv2 register-targets"))).toBe(false);
    });

    test("Run Command refuses the command (e.g. no SSM agent connection): fails with AWS's answer", () => {
        const run = restart({ ...registration, "ssm send-command": ["error InvalidInstanceId"], "elbv2 describe-target-health": ["i-0other", "unused"] });
        expect(run.status).toBe(1);
        expect(run.output).toContain("SSM Run Command refused the restart (An error occurred (InvalidInstanceId))");
    });

    test("a restart that never ends: fails at the deadline with its last status", () => {
        const run = restart(
            { ...registration, "ssm send-command": ["cmd-1"], "ssm get-command-invocation": ["InProgress"], "elbv2 describe-target-health": ["i-0other", "unused"] },
            60,
        );
        expect(run.status).toBe(1);
        expect(run.output).toContain("the restart did not end within 60 s (last status: InProgress)");
        expect(run.calls.filter((c) => c === `sleep ${ROTATION_POLL_SECONDS}`).length).toBe(60 / ROTATION_POLL_SECONDS);
    });

    // The next two are given the time their waits need: how long and how often the restart waits is the test above's.
    test("a node that never drains: fails before restarting anything", () => {
        const run = restart({ ...registration, "elbv2 describe-target-health": ["i-0other", "draining"] }, 10);
        expect(run.status).toBe(1);
        expect(run.output).toContain("newapi-dev-master: draining it from its target group did not happen within 10 s (last state: draining)");
        expect(run.calls.some((c) => c.startsWith("aws ssm send-command"))).toBe(false);
    });

    test("a node that never turns healthy after its restart: fails naming it, through throttled calls", () => {
        // 20 s: 10 for Run Command's three polls, 10 for a throttled look and unhealthy ones.
        const run = restart({ ...registration, ...runCommand, "elbv2 describe-target-health": ["i-0other", "unused", "error Throttling", "unhealthy"] }, 20);
        expect(run.status).toBe(1);
        expect(run.output).toContain("newapi-dev-master: turning healthy after its restart did not happen within 20 s (last state: unhealthy)");
    });

    test("no AWS CLI: fails at once, saying what is missing", () => {
        const run = runScript(restartScript(600), { withoutAws: true }, { interpreter: "sh", env });
        expect(run.status).toBe(1);
        expect(run.output).toContain("new-api-cluster: restarting newapi-dev-master needs the AWS CLI");
    });
});

describe("the SET step that ends a Redis AUTH token rotation", () => {
    const token = "NewToken0123456789abcdefABCDEF0123456789abcdefAB";
    const env = { REPLICATION_GROUP_ID: "newapi-dev-redis", AUTH_TOKEN: token, AWS_REGION: "us-east-1" };
    const set = (awsAnswers: Scenario["awsAnswers"], timeoutSeconds = 600) =>
        runScript(tokenSetScript(timeoutSeconds), { awsAnswers }, { interpreter: "sh", env });

    test("sets the new token as the only one, through a file only the operator reads, and waits until it is done", () => {
        const run = set({
            "elasticache modify-replication-group": ["modifying"],
            "elasticache describe-replication-groups": ["modifying\tSETTING", "available\tNone"],
        });
        expect(run.status).toBe(0);
        expect(run.output).toContain("new-api-cluster: only the new Redis AUTH token is accepted now");
        expect(JSON.parse(run.cliInput as string)).toEqual({
            ReplicationGroupId: "newapi-dev-redis",
            AuthToken: token,
            AuthTokenUpdateStrategy: "SET",
            ApplyImmediately: true,
        });
        // Never on a command line; the file is gone afterwards.
        expect(run.calls.join("\n")).not.toContain(token);
        const modify = run.calls.find((c) => c.startsWith("aws elasticache modify-replication-group")) as string;
        const file = /file:\/\/(\S+)/.exec(modify)?.[1] as string;
        expect(fs.existsSync(file)).toBe(false);
        expect(run.calls.filter((c) => c.startsWith("aws elasticache describe-replication-groups"))).toHaveLength(2);
    });

    test("SET refused: fails, saying the old token still works until the next `pulumi up`", () => {
        const run = set({ "elasticache modify-replication-group": ["error InvalidParameterCombination"] });
        expect(run.status).toBe(1);
        expect(run.output).toContain(
            "Redis AUTH token rotation of newapi-dev-redis: SET was refused (An error occurred (InvalidParameterCombination)); the old token still works until the next pulumi up sets it",
        );
        // The token's file goes on failure too.
        expect(run.leftovers).toEqual([]);
    });

    test("never done: fails at the deadline with the last state, having looked every 5 s", () => {
        const run = set({ "elasticache modify-replication-group": ["modifying"], "elasticache describe-replication-groups": ["modifying\tSETTING"] }, 10);
        expect(run.status).toBe(1);
        expect(run.output).toContain("still not done after 10 s (last state: modifying\tSETTING)");
        expect(run.calls.filter((c) => c.startsWith("aws elasticache describe-replication-groups"))).toHaveLength(10 / ROTATION_POLL_SECONDS + 1);
    });

    test("no AWS CLI: fails at once", () => {
        const run = runScript(tokenSetScript(600), { withoutAws: true }, { interpreter: "sh", env });
        expect(run.status).toBe(1);
        expect(run.output).toContain("ending the Redis AUTH token rotation needs the AWS CLI");
    });
});

describe("a new node's restart step and a new SET step: what they run on creation", () => {
    test.each([
        ["a restart step", NOTHING_TO_RESTART, "new-api-cluster: newapi-dev-slave-0 reads its secrets when it starts; nothing to restart"],
        ["the SET step", NOTHING_TO_SET, "new-api-cluster: the Redis AUTH token has not been rotated; nothing to set"],
    ])("%s says why it does nothing, and calls nothing", (_, script, message) => {
        const run = runScript(script, {}, { interpreter: "sh", env: { NODE: "newapi-dev-slave-0" } });
        expect([run.status, run.output, run.calls]).toEqual([0, `${message}\n`, []]);
    });
});

describe("the root user's password changed on the master (admin-password.sh)", () => {
    const PARAMETER = "/new-api/newapi-dev/admin-password";
    const OLD = "OldPassw0rdAbcd12345";
    const NEW = "NewPassw0rdWxyz67890";
    const admin = { username: "root", passwordParameter: PARAMETER, generation: 1 };
    /** Runs the master's script, its copy of the password in the run's own folder (`copy` in it, or none). */
    const rotate = (copy: string | undefined, scenario: Scenario) => {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "new-api-admin-"));
        const copyPath = path.join(root, "state", "admin-password");
        if (copy !== undefined) {
            fs.mkdirSync(path.dirname(copyPath));
            fs.writeFileSync(copyPath, `${copy}\n`);
        }
        const script = adminPasswordScript("us-east-1", admin).replace(`ADMIN_PASSWORD_COPY='${ADMIN_PASSWORD_COPY}'`, `ADMIN_PASSWORD_COPY='${copyPath}'`);
        const run = runScript(script, { status: '{"success":true}', parameters: { [PARAMETER]: NEW }, ...scenario }, { root });
        return { run, copy: fs.existsSync(copyPath) ? fs.readFileSync(copyPath, "utf8") : undefined };
    };
    const LOGGED_IN_V09 = '{"message":"","success":true,"data":{"id":1,"username":"root","role":100}}';
    const LOGGED_IN_LATER = '{"data":{"access_token":"at-123","token_type":"Bearer","user":{"id":1}},"message":"","success":true}';

    test("the script renders with the master's copy and New API's login and password change requests", () => {
        const script = adminPasswordScript("us-east-1", admin);
        expect(script).toContain(`ADMIN_PASSWORD_COPY='/var/lib/new-api/admin-password'`);
        expect(script).toContain(`LOGIN_REQUEST='{"username":"root","password":"{{password}}"}'`);
        expect(script).toContain(`PASSWORD_CHANGE_REQUEST='{"password":"{{password}}","original_password":"{{original}}"}'`);
    });

    test.each([
        ["v0.9 (a cookie and New-Api-User)", LOGGED_IN_V09, "New-Api-User: 1\n"],
        ["later versions (an access token)", LOGGED_IN_LATER, "Authorization: Bearer at-123\n"],
    ])("logs in with its copy as New API %s gives it, changes the password, and only then replaces the copy", (_, loginResponse, headers) => {
        const { run, copy } = rotate(OLD, { loginResponse, passwordChangeResponse: '{"success":true,"message":""}' });
        expect(run.status).toBe(0);
        expect(run.output).toContain("new-api-admin-password: root has the password in SSM now");
        expect(JSON.parse(run.loginBody ?? "")).toEqual({ username: "root", password: OLD });
        expect(JSON.parse(run.passwordChangeBody ?? "")).toEqual({ password: NEW, original_password: OLD });
        expect(run.passwordChangeHeaders).toBe(headers);
        expect(copy).toBe(`${NEW}\n`);
        // The passwords and the session's token go through stdin and files, never a command line.
        expect(run.calls.join("\n")).not.toMatch(new RegExp(`${OLD}|${NEW}|at-123`));
        expect(run.calls.find((c) => c.includes("/api/user/self"))).toContain("-X PUT");
        expect(run.leftovers).toEqual([]);
    });

    test("the copy is the password in SSM already: nothing is sent", () => {
        const { run, copy } = rotate(NEW, {});
        expect(run.status).toBe(0);
        expect(run.output).toContain("root already has the password in SSM; nothing to change");
        expect(run.loginBody).toBeUndefined();
        expect(copy).toBe(`${NEW}\n`);
    });

    test.each([
        ["the copy is not the password (wrong old password)", { loginResponse: '{"success":false,"message":"用户名或密码错误"}' }, "logging in as root with the password the master last set failed: 用户名或密码错误"],
        ["the root user has 2FA", { loginResponse: '{"success":true,"message":"需要 2FA","data":{"require_2fa":true,"flow_token":"ft-1"}}' }, "logging in as root with the password the master last set failed: 需要 2FA"],
        ["New API refuses the change", { loginResponse: LOGGED_IN_V09, passwordChangeResponse: '{"success":false,"message":"原密码错误"}' }, "New API refused the new password: 原密码错误"],
        ["the login gets no answer", {}, "logging in as root with the password the master last set failed: POST /api/user/login did not answer"],
        ["the change gets no answer", { loginResponse: LOGGED_IN_V09 }, "New API refused the new password: PUT /api/user/self did not answer"],
    ])("%s: fails saying why, the copy left as it was", (_, scenario, why) => {
        const { run, copy } = rotate(OLD, scenario);
        expect(run.status).toBe(1);
        expect(run.output).toContain(`new-api-admin-password: ${why}; the password of root is unchanged`);
        expect(run.output).not.toContain("ft-1");
        expect(copy).toBe(`${OLD}\n`);
        expect(run.leftovers).toEqual([]);
    });

    test("New API does not answer at all: fails once its wait is over, sending nothing", () => {
        const { run, copy } = rotate(OLD, { status: undefined });
        expect(run.status).toBe(1);
        expect(run.output).toContain("New API did not answer on http://127.0.0.1:3000 within 60 s; the password of root is unchanged");
        expect(run.loginBody).toBeUndefined();
        expect(copy).toBe(`${OLD}\n`);
    });

    test("no copy (a master that could not log in with the password in SSM at boot): fails saying so", () => {
        const { run, copy } = rotate(undefined, { loginResponse: LOGGED_IN_V09 });
        expect(run.status).toBe(1);
        expect(run.output).toContain("this master has no copy of the password it set");
        expect(run.loginBody).toBeUndefined();
        expect(copy).toBeUndefined();
    });
});

describe("the master's admin password step (admin-rotate.sh)", () => {
    const env = { NODE: "newapi-dev-master", INSTANCE_ID: "i-0master", MASTER_SCRIPT: "ZWNobyBoaQo=", AWS_REGION: "us-east-1" };
    const step = (awsAnswers: Scenario["awsAnswers"]) => runScript(adminRotateScript(), { awsAnswers }, { interpreter: "sh", env });

    test("runs the master's script through Run Command, restarting nothing, and waits for its success", () => {
        const run = step({ "ssm send-command": ["cmd-1"], "ssm get-command-invocation": ["error InvocationDoesNotExist", "InProgress", "Success"] });
        expect(run.status).toBe(0);
        expect(run.output).toContain("new-api-cluster: newapi-dev-master: the root user has the password in SSM");
        const send = run.calls.find((c) => c.startsWith("aws ssm send-command")) as string;
        expect(send).toContain("--instance-ids i-0master --document-name AWS-RunShellScript");
        expect(send).toContain('commands=["echo ZWNobyBoaQo= | base64 -d | bash"]');
        expect(run.calls.some((c) => c.includes("elbv2") || c.includes("systemctl"))).toBe(false);
    });

    test("the master's script fails: the step fails with what it said", () => {
        const run = step({
            "ssm send-command": ["cmd-1"],
            "ssm get-command-invocation": ["Failed", "new-api-admin-password: New API refused the new password: 原密码错误; the password of root is unchanged"],
        });
        expect(run.status).toBe(1);
        expect(run.output).toContain("the admin password's rotation ended Failed (command cmd-1): new-api-admin-password: New API refused the new password");
        expect(run.calls.filter((c) => c.startsWith("aws ssm get-command-invocation"))[1]).toContain("--query StandardErrorContent");
    });

    test("Run Command refuses: the step fails saying so", () => {
        const run = step({ "ssm send-command": ["error InvalidInstanceId"] });
        expect(run.status).toBe(1);
        expect(run.output).toContain("SSM Run Command refused the admin password's rotation");
    });

    test("the script never ends: the step fails once its time is up, having asked every 5 s", () => {
        // The step's script is admin-rotate.sh given ADMIN_ROTATE_TIMEOUT_SECONDS (300 s, 60 polls); run here with 30 s.
        const parameters = scriptParameters(adminRotateScript());
        expect(adminRotateScript()).toBe(renderScript("admin-rotate.sh", parameters));
        expect(parameters).toEqual({ TIMEOUT_SECONDS: String(ADMIN_ROTATE_TIMEOUT_SECONDS), POLL_SECONDS: String(ROTATION_POLL_SECONDS), PROGRESS_SECONDS: String(PROGRESS_SECONDS) });
        const run = runScript(
            renderScript("admin-rotate.sh", { ...parameters, TIMEOUT_SECONDS: 30 }),
            { awsAnswers: { "ssm send-command": ["cmd-1"], "ssm get-command-invocation": ["InProgress"] } },
            { interpreter: "sh", env },
        );
        expect(run.status).toBe(1);
        expect(run.output).toContain("did not end within 30 s (last status: InProgress)");
        expect(run.calls.filter((c) => c === `sleep ${ROTATION_POLL_SECONDS}`)).toHaveLength(30 / ROTATION_POLL_SECONDS);
    });

    test("on creation it changes nothing and calls nothing", () => {
        const run = runScript(NOTHING_TO_CHANGE, {}, { interpreter: "sh" });
        expect([run.status, run.output, run.calls]).toEqual([0, "new-api-cluster: the admin password has not been rotated; nothing to change\n", []]);
    });
});
