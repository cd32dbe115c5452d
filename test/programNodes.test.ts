// The whole program under the mocks: the nodes' instances, their AMI and instance types, what
// their userData tells them, their subnets and their target groups.
import { writtenScriptParameters } from "./cloudConfig";
import { MOCK_AMI, mockDigest, named, ofType, program } from "./harness";
import { T, nodeEnv, sgId } from "./programFixtures";

describe("nodes", () => {
    test("IMDSv2 with hop limit 1 (out of the container's reach), encrypted gp3 root, private, no key pair, replaced on userData change", async () => {
        const run = await program();
        for (const instance of ofType(run, T.instance)) {
            expect(instance.inputs).toMatchObject({
                ami: MOCK_AMI,
                associatePublicIpAddress: false,
                metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1, httpEndpoint: "enabled" },
                rootBlockDevice: { encrypted: true, volumeType: "gp3", volumeSize: 20 },
                userDataReplaceOnChange: true,
                iamInstanceProfile: instance.name === "newapi-dev-master" ? "newapi-dev-nodes-master-profile" : "newapi-dev-nodes-slave-profile",
                vpcSecurityGroupIds: [sgId("newapi-dev-nodes-sg")],
            });
            expect(instance.inputs).not.toHaveProperty("keyName");
            // Following the "latest" AMI must not replace running nodes on an unrelated update.
            expect(instance.options.ignoreChanges).toEqual(["ami"]);
        }
        expect(run.invokes.filter((i) => i.token === "aws:ssm/getParameter:getParameter").map((i) => i.inputs.name)).toEqual([
            "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
        ]);
    });

    test("master and slave instance types; a pinned amiId is used as given and rolls nodes", async () => {
        const run = await program({ masterInstanceType: "m7g.large", amiId: "ami-0fedcba9876543210" });
        expect(named(run, T.instance, "newapi-dev-master").inputs).toMatchObject({ instanceType: "m7g.large", ami: "ami-0fedcba9876543210" });
        expect(named(run, T.instance, "newapi-dev-slave-0").inputs).toMatchObject({ instanceType: "t3.small", ami: "ami-0fedcba9876543210" });
        expect(named(run, T.instance, "newapi-dev-master").options.ignoreChanges).toEqual([]);
        expect(run.invokes.filter((i) => i.token === "aws:ssm/getParameter:getParameter")).toEqual([]);
    });

    test("instance-store types keep the status-check alarm and get no recover action, which CloudWatch refuses for them", async () => {
        const run = await program({ instanceType: "c5d.large", masterInstanceType: "m7i.large", slaveCount: "1" });
        const alarms = ofType(run, "aws:cloudwatch/metricAlarm:MetricAlarm").map((a) => a.name);
        expect(alarms).toEqual(expect.arrayContaining(["newapi-dev-master-status-check", "newapi-dev-master-recover", "newapi-dev-slave-0-status-check"]));
        expect(alarms).not.toContain("newapi-dev-slave-0-recover");
    });

    test("Graviton types get the arm64 AMI", async () => {
        const run = await program({ instanceType: "t4g.small" });
        expect(run.invokes.filter((i) => i.token === "aws:ssm/getParameter:getParameter").map((i) => i.inputs.name)).toEqual([
            "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64",
        ]);
    });

    test("NODE_TYPE=slave on every slave and never on the master", async () => {
        const run = await program({ slaveCount: "4" });
        expect(nodeEnv(named(run, T.instance, "newapi-dev-master")).NODE_TYPE).toBe("master");
        for (let i = 0; i < 4; i++) {
            const env = nodeEnv(named(run, T.instance, `newapi-dev-slave-${i}`));
            expect(env).toMatchObject({ NODE_TYPE: "slave", NODE_NAME: `newapi-dev-slave-${i}` });
        }
        for (const instance of ofType(run, T.instance)) {
            const env = nodeEnv(instance);
            expect(env).toMatchObject({ SYNC_FREQUENCY: "60", BATCH_UPDATE_ENABLED: "true", BATCH_UPDATE_INTERVAL: "5", TZ: "UTC" });
            expect(env).not.toHaveProperty("FRONTEND_BASE_URL");
        }
    });

    test("config reaches every node: sync settings, time zone, pool sizes, extraEnv, image", async () => {
        const run = await program({
            syncFrequency: "30",
            batchUpdateInterval: "10",
            timezone: "Asia/Shanghai",
            redisPoolSize: "20",
            extraEnv: '{"STREAMING_TIMEOUT":"600"}',
            image: "calciumion/new-api:v0.9.19",
        });
        for (const instance of ofType(run, T.instance)) {
            expect(nodeEnv(instance)).toMatchObject({
                SYNC_FREQUENCY: "30",
                BATCH_UPDATE_INTERVAL: "10",
                TZ: "Asia/Shanghai",
                REDIS_POOL_SIZE: "20",
                SQL_MAX_OPEN_CONNS: "30",
                STREAMING_TIMEOUT: "600",
            });
            expect(writtenScriptParameters(instance.inputs.userData, "/usr/local/sbin/new-api-start").IMAGE).toBe(
                `calciumion/new-api@${mockDigest("calciumion/new-api:v0.9.19")}`,
            );
        }
    });

    test("a node's userData never depends on slaveCount", async () => {
        const small = await program({ slaveCount: "1" });
        const large = await program({ slaveCount: "5" });
        for (const name of ["newapi-dev-master", "newapi-dev-slave-0"]) {
            expect(named(large, T.instance, name).inputs.userData).toBe(named(small, T.instance, name).inputs.userData);
        }
    });

    test("the master takes the first private subnet, slaves spread round robin after it", async () => {
        const run = await program({ slaveCount: "4" });
        expect(named(run, T.instance, "newapi-dev-master").inputs.subnetId).toBe("newapi-dev-private-0-id");
        expect([0, 1, 2, 3].map((i) => named(run, T.instance, `newapi-dev-slave-${i}`).inputs.subnetId)).toEqual([
            "newapi-dev-private-1-id",
            "newapi-dev-private-0-id",
            "newapi-dev-private-1-id",
            "newapi-dev-private-0-id",
        ]);
    });

    test("each node is registered with its role's target group on port 3000", async () => {
        const run = await program({ slaveCount: "2" });
        expect(named(run, T.attachment, "newapi-dev-master").inputs).toMatchObject({
            targetId: "newapi-dev-master-id",
            port: 3000,
            targetGroupArn: expect.stringMatching(/TargetGroup\/newapi-dev-master$/),
        });
        for (const i of [0, 1]) {
            expect(named(run, T.attachment, `newapi-dev-slave-${i}`).inputs).toMatchObject({
                targetId: `newapi-dev-slave-${i}-id`,
                targetGroupArn: expect.stringMatching(/TargetGroup\/newapi-dev-slaves$/),
            });
        }
    });
});
