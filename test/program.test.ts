// The whole program under Pulumi's mock runtime: how many resources it registers and in which
// tree, and the config it refuses before any resource (a renamed project, secrets, bad values).
import { ProgramError, ProgramRun, ofType, program } from "./harness";
import { T, secureParameters } from "./programFixtures";

describe("resource counts", () => {
    // Per slave: its component, instance, drain, warm-up and (secret rotation) restart
    // commands, target group attachment and two status-check alarms.
    test.each([0, 1, 2, 5])("slaveCount %i adds exactly eight resources per slave", async (slaves) => {
        const base = await program({ slaveCount: "0" });
        const run = await program({ slaveCount: String(slaves) });
        expect(run.resources.length).toBe(base.resources.length + 8 * slaves);
        expect(ofType(run, T.instance)).toHaveLength(1 + slaves);
        expect(ofType(run, T.attachment)).toHaveLength(1 + slaves);
        // Drain, warm-up and restart per node, the AWS CLI's caller check, the post-deploy check and the Redis token's SET step.
        expect(ofType(run, T.command)).toHaveLength(3 * (1 + slaves) + 3);
        // One set of secrets for the whole cluster, whatever its size.
        expect(ofType(run, T.password)).toHaveLength(4);
        expect(secureParameters(run)).toHaveLength(4);
        expect(ofType(run, T.rds)).toHaveLength(1);
        expect(ofType(run, T.redis)).toHaveLength(1);
        expect(ofType(run, T.alb)).toHaveLength(1);
        expect(ofType(run, T.targetGroup)).toHaveLength(2);
    });

    test("every resource but the cluster itself has a parent in the cluster's tree", async () => {
        const run = await program();
        const [root, ...children] = run.resources;
        expect(root.type).toBe("new-api:cluster:NewApiCluster");
        for (const r of children) {
            expect({ name: r.name, parent: r.options.parent }).toEqual({
                name: r.name,
                parent: expect.stringMatching(/::new-api:cluster:NewApiCluster.*::newapi-dev/),
            });
        }
        expect(new Set(run.resources.filter((r) => r.type.startsWith("new-api:")).map((r) => r.type))).toEqual(
            new Set([
                "new-api:cluster:NewApiCluster",
                "new-api:network:Network",
                "new-api:kms:ClusterKey",
                "new-api:secrets:GeneratedSecrets",
                "new-api:secrets:SecretParameters",
                "new-api:loadbalancer:LoadBalancer",
                "new-api:loadbalancer:WeightedListener",
                "new-api:monitoring:Monitoring",
                "new-api:monitoring:Dashboard",
                "new-api:nodes:NodeAccess",
                "new-api:database:Database",
                "new-api:cache:Cache",
                "new-api:nodes:ClusterNode",
                "new-api:rotation:SecretRotation",
            ]),
        );
    });
});

describe("a project renamed by pulumi new", () => {
    const failure = (run: Promise<ProgramRun>) => run.then(() => undefined, (e: unknown) => e as ProgramError);

    test("reads its settings under its own name (pulumi.getProject())", async () => {
        const run = await program({ slaveCount: "4", "aws:region": "us-east-1" }, { project: "my-cluster" });
        expect(ofType(run, T.instance)).toHaveLength(5);
    });

    test("refuses keys left under another project's namespace by name, before any resource exists", async () => {
        const error = await failure(
            program({ "new-api-cluster:slaveCount": "4", "other-project:image": "calciumion/new-api:v0.9.0", "aws:region": "us-east-1" }, { project: "my-cluster" }),
        );
        expect(error).toBeInstanceOf(ProgramError);
        expect(error?.message).toContain("Invalid my-cluster configuration (nothing was created)");
        expect(error?.message).toContain(
            "new-api-cluster:slaveCount is under another project's namespace, so this program would ignore it: this project is my-cluster and reads my-cluster:<key>; " +
                "move it (pulumi config rm new-api-cluster:slaveCount, then pulumi config set slaveCount <value>)",
        );
        expect(error?.message).toContain("other-project:image is under another project's namespace");
        expect(error?.message).not.toContain("aws:region");
        expect(error?.registered).toEqual([]);
    });

    test("its own unknown keys are refused under its name", async () => {
        const error = await failure(program({ slaves: "4" }, { project: "my-cluster" }));
        expect(error?.message).toMatch(/my-cluster:slaves = "4": is not a setting of this stack/);
    });
});

describe("secret config", () => {
    test("a setting stored as a secret is refused, without its value, before any resource exists", async () => {
        const extraEnv = '{"UPSTREAM_KEY_HINT":"do-not-print-me"}';
        const error = await program({ extraEnv, alertEmail: "oncall@example.com" }, { secretKeys: ["extraEnv", "alertEmail"] }).then(
            () => undefined,
            (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(ProgramError);
        const message = (error as ProgramError).message;
        expect(message).toMatch(/new-api-cluster:extraEnv = \[secret\]: is stored as a secret, but this setting is not kept secret/);
        expect(message).toMatch(/new-api-cluster:alertEmail = \[secret\]: is stored as a secret/);
        expect(message).not.toContain("do-not-print-me");
        expect((error as ProgramError).registered).toEqual([]);
    });

    test("the same settings stored in plain text are accepted", async () => {
        const run = await program({ extraEnv: '{"STREAMING_TIMEOUT":"600"}', alertEmail: "oncall@example.com" }, { secretKeys: ["aws:secretKey"] });
        expect(ofType(run, T.instance).length).toBeGreaterThan(0);
    });
});

describe("bad config", () => {
    test.each([
        [{ slaveCount: "abc" }, /new-api-cluster:slaveCount = "abc"/],
        // New API allows 12 characters.
        [{ adminUsername: "administrator" }, /new-api-cluster:adminUsername = "administrator": must be 1-12/],
        [{ image: "calciumion/new-api:latest" }, /new-api-cluster:image = "calciumion\/new-api:latest"/],
        [{ vpcId: "vpc-0123456789abcdef0" }, /new-api-cluster:vpcId/],
        [
            { "aws:region": "us-east-1", certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-0a1b-0a1b-0a1b-0a1b2c3d4e5f" },
            /new-api-cluster:certificateArn = .*: is a certificate in eu-west-1; the load balancer is in aws:region us-east-1/,
        ],
    ])("%j fails before any resource is created", async (config, message) => {
        const error = await program(config).then(
            () => undefined,
            (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(ProgramError);
        expect((error as ProgramError).message).toMatch(message);
        expect((error as ProgramError).registered).toEqual([]);
    });
});
