// The scripts' AWS CLI calls through the real AWS CLI v2 against moto (test/moto.ts): every
// call the operator-side scripts make but ElastiCache's (moto has no ModifyReplicationGroup:
// the SET step stays with the stub of test/rotationScripts.test.ts), and the nodes' SSM read.
// What moto cannot produce stays with the stubs too: a target that never turns healthy (moto's
// registered targets are healthy at once), throttling, expired credentials, Run Command failing.
import * as fs from "fs";
import * as path from "path";
import { assumeRolesVariable, callerCheckScript } from "../components/aws/localCommands";
import { restartScript } from "../components/aws/rotationScripts";
import { drainScript, warmupScript } from "../components/aws/warmup";
import { MotoWorld, awsCli, runAgainstMoto, startMoto } from "./moto";

let world: MotoWorld;
beforeAll(async () => {
    world = await startMoto();
});
afterAll(async () => world?.stop());

test("the caller check: through a role of aws:assumeRoles the CLI runs as that role, in the stack's account; in another, it fails naming both", () => {
    const credentials = { assumeRoles: [{ roleArn: "arn:aws:iam::123456789012:role/deploy", sessionName: "deployer", externalId: "ext-0001", durationSeconds: 900 }] };
    const assumed = runAgainstMoto(world, callerCheckScript(credentials), { EXPECTED_ACCOUNT: "123456789012", ASSUME_ROLES: assumeRolesVariable(credentials) });
    expect(assumed).toMatchObject({ status: 0 });
    expect(assumed.stdout).toContain("the AWS CLI runs as arn:aws:sts::123456789012:assumed-role/deploy/deployer, in the stack's account 123456789012");

    const elsewhere = runAgainstMoto(world, callerCheckScript({ assumeRoles: [] }), { EXPECTED_ACCOUNT: "999999999999" });
    expect(elsewhere.status).toBe(1);
    expect(elsewhere.stderr).toMatch(/runs as arn:aws:\S+ in account 123456789012, but the stack deploys to account 999999999999/);
});

test("the warm-up of a registered node: ELB says healthy, and it moves on at once", () => {
    const run = runAgainstMoto(world, warmupScript({ nodeWarmup: 60, mustTurnHealthy: true }), {
        NODE: "newapi-dev-master",
        TARGET_GROUP_ARN: world.targetGroups.master,
        INSTANCE_ID: world.instances.master,
        PROGRESS_SECONDS: "30",
    });
    expect(run).toMatchObject({ status: 0, stdout: "new-api-cluster: newapi-dev-master is healthy\n" });
});

test("the drain: a node not registered (any more) is unused; a target group already deleted has nothing to drain", () => {
    const budget = { drainSeconds: 300, drainWaitSeconds: 330 };
    const unregistered = runAgainstMoto(world, drainScript(budget), { NODE: "newapi-dev-slave-9", TARGET_GROUP_ARN: world.targetGroups.master, INSTANCE_ID: world.instances.other });
    expect(unregistered).toMatchObject({ status: 0, stdout: "new-api-cluster: newapi-dev-slave-9 has left its target group\n" });
    const gone = world.targetGroups.master.replace(/targetgroup\/[^/]+\/\w+$/, "targetgroup/newapi-dev-gone/0123456789abcdef");
    const deleted = runAgainstMoto(world, drainScript(budget), { NODE: "newapi-dev-slave-9", TARGET_GROUP_ARN: gone, INSTANCE_ID: world.instances.other });
    expect(deleted).toMatchObject({ status: 0, stdout: "new-api-cluster: newapi-dev-slave-9 has left its target group\n" });
});

test("a restart of a slave: drained from its group (the --query filter finds the other healthy slave), restarted through Run Command, registered again", () => {
    const run = runAgainstMoto(world, restartScript(600), {
        NODE: "newapi-dev-slave-0",
        INSTANCE_ID: world.instances.slave,
        TARGET_GROUP_ARN: world.targetGroups.slaves,
        OTHER_TARGET_GROUP_ARN: world.targetGroups.master,
    });
    expect(run).toMatchObject({ status: 0, stderr: "", stdout: "new-api-cluster: newapi-dev-slave-0 restarted with the current secrets and is healthy\n" });
    // Afterwards both slaves are in their group again, healthy; no stand-in was needed.
    const targets = awsCli(world, "elbv2", "describe-target-health", "--target-group-arn", world.targetGroups.slaves, "--query", "sort(TargetHealthDescriptions[].[Target.Id,TargetHealth.State][])", "--output", "text");
    expect(targets.split(/\s+/).sort()).toEqual([world.instances.slave, world.instances.other, "healthy", "healthy"].sort());
});

test("a node reads an SSM SecureString parameter the way ssm.sh does (bash on the node)", () => {
    const library = fs.readFileSync(path.join(__dirname, "..", "components", "scripts", "ssm.sh"), "utf8");
    const run = runAgainstMoto(world, `${library}\nREGION=us-east-1\nread_parameter /new-api/newapi-dev/session-secret && printf '%s' "$parameter_value"`, {}, "bash");
    expect(run).toMatchObject({ status: 0, stdout: "s3cr3t-value" });
});
