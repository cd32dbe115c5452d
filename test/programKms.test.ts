// The whole program under the mocks: the cluster's KMS key, its policy, and what it encrypts.
import { MOCK_ACCOUNT, MOCK_REGION, ProgramRun, mockKeyId, named, ofType, program } from "./harness";
import { T, secureParameters } from "./programFixtures";

describe("the cluster's KMS key", () => {
    const KEY = "newapi-dev-key";
    const keyArn = `arn:aws:kms:${MOCK_REGION}:${MOCK_ACCOUNT}:key/${mockKeyId(KEY)}`;
    type Statement = { Sid: string; Effect: string; Principal: Record<string, string>; Action: string[]; Condition?: Record<string, Record<string, unknown>> };
    const statements = (run: ProgramRun): Record<string, Statement> =>
        Object.fromEntries(
            (JSON.parse(named(run, "aws:kms/key:Key", KEY).inputs.policy).Statement as Statement[]).map((s) => [s.Sid, s]),
        );

    test("one key, rotated yearly, deleted after 7 days (30 when protected), with the alias alias/new-api/<clusterName>", async () => {
        const run = await program();
        expect(ofType(run, "aws:kms/key:Key")).toHaveLength(1);
        expect(named(run, "aws:kms/key:Key", KEY).inputs).toMatchObject({
            enableKeyRotation: true,
            deletionWindowInDays: 7,
            keyUsage: "ENCRYPT_DECRYPT",
            customerMasterKeySpec: "SYMMETRIC_DEFAULT",
        });
        expect(ofType(run, "aws:kms/alias:Alias").map((a) => a.inputs)).toEqual([{ name: "alias/new-api/newapi-dev", targetKeyId: mockKeyId(KEY) }]);
        const prod = await program({ protect: "true", albAccessLogs: "true", domainName: "api.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ" });
        expect(named(prod, "aws:kms/key:Key", KEY).inputs.deletionWindowInDays).toBe(30);
    });

    test("its policy: the account administers it, and uses it for the cluster's parameters only through SSM", async () => {
        const s = statements(await program());
        expect(Object.keys(s)).toEqual(["KeyAdministration", "ClusterParametersThroughSsm", "ClusterLogGroups", "AlarmsPublishToAlertTopic"]);
        const root = { AWS: `arn:aws:iam::${MOCK_ACCOUNT}:root` };
        expect(s.KeyAdministration).toMatchObject({ Effect: "Allow", Principal: root });
        // Administration, not use: no action of the key's material.
        expect(s.KeyAdministration.Action).toEqual(expect.arrayContaining(["kms:Put*", "kms:ScheduleKeyDeletion", "kms:RotateKeyOnDemand"]));
        expect(s.KeyAdministration.Action.filter((a) => /^kms:(\*|Encrypt|Decrypt|ReEncrypt|GenerateDataKey)/.test(a))).toEqual([]);
        expect(s.KeyAdministration.Condition).toBeUndefined();
        expect(s.ClusterParametersThroughSsm).toEqual({
            Sid: "ClusterParametersThroughSsm",
            Effect: "Allow",
            Principal: root,
            Action: ["kms:Encrypt", "kms:Decrypt"],
            Resource: "*",
            Condition: {
                StringEquals: { "kms:ViaService": `ssm.${MOCK_REGION}.amazonaws.com` },
                StringLike: { "kms:EncryptionContext:PARAMETER_ARN": `arn:aws:ssm:${MOCK_REGION}:${MOCK_ACCOUNT}:parameter/new-api/newapi-dev/*` },
            },
        });
        // Whatever an IAM policy says, no AWS principal may use the key's material any other way.
        for (const statement of Object.values(s).filter((x) => "AWS" in x.Principal && x.Sid !== "KeyAdministration")) {
            expect(statement.Condition?.StringEquals?.["kms:ViaService"]).toBe(`ssm.${MOCK_REGION}.amazonaws.com`);
        }
    });

    test("its policy lets CloudWatch Logs use it for the cluster's log groups, and alarms for the alert topic", async () => {
        const s = statements(await program());
        expect(s.ClusterLogGroups).toMatchObject({
            Principal: { Service: `logs.${MOCK_REGION}.amazonaws.com` },
            Condition: { ArnEquals: { "kms:EncryptionContext:aws:logs:arn": [`arn:aws:logs:${MOCK_REGION}:${MOCK_ACCOUNT}:log-group:/new-api/newapi-dev`] } },
        });
        expect(s.AlarmsPublishToAlertTopic).toMatchObject({
            Principal: { Service: "cloudwatch.amazonaws.com" },
            Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
            Condition: { StringLike: { "kms:EncryptionContext:aws:sns:topicArn": `arn:aws:sns:${MOCK_REGION}:${MOCK_ACCOUNT}:newapi-dev-alerts-*` } },
        });
        // The pattern matches the name the provider gives the topic: its logical name and a random suffix.
        const topic = ofType(await program(), "aws:sns/topic:Topic")[0];
        expect(topic.inputs.name).toBeUndefined();
        expect(topic.name).toBe("newapi-dev-alerts");
        // With flow logs, their group is the key's too.
        const flow = statements(await program({ vpcFlowLogs: "true" }));
        expect(flow.ClusterLogGroups.Condition?.ArnEquals?.["kms:EncryptionContext:aws:logs:arn"]).toEqual([
            `arn:aws:logs:${MOCK_REGION}:${MOCK_ACCOUNT}:log-group:/new-api/newapi-dev`,
            `arn:aws:logs:${MOCK_REGION}:${MOCK_ACCOUNT}:log-group:/new-api/newapi-dev/vpc-flow-logs`,
        ]);
    });

    test("the key depends on no role, so the roles' policies can name it: no cycle", async () => {
        const run = await program();
        const key = named(run, "aws:kms/key:Key", KEY);
        expect(key.options.dependencies.filter((d) => d.includes("aws:iam/"))).toEqual([]);
        const nodePolicies = ofType(run, T.rolePolicy).filter((p) => p.name.startsWith("newapi-dev-nodes-"));
        expect(nodePolicies).toHaveLength(2);
        for (const policy of nodePolicies) {
            expect(policy.options.dependencies).toContain(key.options.urn);
        }
    });

    test("every SecureString parameter is encrypted with it; the master's address is no secret", async () => {
        const run = await program({ adminUsername: "root" });
        const secure = secureParameters(run);
        expect(secure).toHaveLength(5);
        for (const p of secure) {
            expect(p.inputs.keyId).toBe(mockKeyId(KEY));
        }
        expect(named(run, T.parameter, "newapi-dev-master-address").inputs).not.toHaveProperty("keyId");
    });

    test("each node role may decrypt, through SSM, exactly the parameters it may read", async () => {
        const run = await program({ slaveCount: "1", adminUsername: "root" });
        for (const role of ["master", "slave"]) {
            const policy = JSON.parse(named(run, T.rolePolicy, `newapi-dev-nodes-${role}-policy`).inputs.policy).Statement;
            const reads = policy.find((s: { Sid: string }) => s.Sid === "ReadClusterSecrets");
            expect(policy.find((s: { Sid: string }) => s.Sid === "DecryptClusterSecrets")).toEqual({
                Sid: "DecryptClusterSecrets",
                Effect: "Allow",
                Action: ["kms:Decrypt"],
                Resource: keyArn,
                Condition: {
                    StringEquals: { "kms:ViaService": `ssm.${MOCK_REGION}.amazonaws.com`, "kms:EncryptionContext:PARAMETER_ARN": reads.Resource },
                },
            });
        }
    });

    test("the nodes' log group and the alert topic are encrypted with it", async () => {
        const run = await program();
        expect(named(run, "aws:cloudwatch/logGroup:LogGroup", "newapi-dev-nodes-logs").inputs).toMatchObject({ name: "/new-api/newapi-dev", kmsKeyId: keyArn });
        expect(named(run, "aws:sns/topic:Topic", "newapi-dev-alerts").inputs.kmsMasterKeyId).toBe(keyArn);
    });
});
