// The secret rotation's operator-side scripts (components/scripts/restart.sh and token-set.sh,
// rendered by rotation.ts; shellchecked as files by scripts.test.ts), run for real with a stub AWS CLI
// and clock on PATH: a node's restart (alone in its group or not, Run Command succeeding,
// failing or hanging, a node that never drains or never turns healthy) and the SET step that
// ends a Redis AUTH token rotation.
import * as fs from "fs";
import { NOTHING_TO_RESTART, NOTHING_TO_SET, ROTATION_POLL_SECONDS, restartScript, tokenSetScript } from "../components/aws/rotation";
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

    test("a node that never drains: fails before restarting anything", () => {
        const run = restart({ ...registration, "elbv2 describe-target-health": ["i-0other", "draining"] }, 60);
        expect(run.status).toBe(1);
        expect(run.output).toContain("newapi-dev-master: draining it from its target group did not happen within 60 s (last state: draining)");
        expect(run.calls.some((c) => c.startsWith("aws ssm send-command"))).toBe(false);
    });

    test("a node that never turns healthy after its restart: fails naming it, through throttled calls", () => {
        const run = restart({ ...registration, ...runCommand, "elbv2 describe-target-health": ["i-0other", "unused", "error Throttling", "unhealthy"] }, 60);
        expect(run.status).toBe(1);
        expect(run.output).toContain("newapi-dev-master: turning healthy after its restart did not happen within 60 s (last state: unhealthy)");
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

    test("never done: fails at the deadline with the last state", () => {
        const run = set({ "elasticache modify-replication-group": ["modifying"], "elasticache describe-replication-groups": ["modifying\tSETTING"] }, 60);
        expect(run.status).toBe(1);
        expect(run.output).toContain("still not done after 60 s (last state: modifying\tSETTING)");
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
