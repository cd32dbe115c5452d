// The whole program under the mocks: its generated secrets, where they are stored and who may
// read them, and which stack outputs are plain and which are Pulumi secrets.
import { MOCK_ACCOUNT, MOCK_REGION, Registered, mockSecret, named, ofType, program, unwrapSecrets } from "./harness";
import { GENERATED_SECRETS, SECRET_NAMES, T, parametersRead, secureParameters } from "./programFixtures";
import { generatedSecrets, isSecretInput, misplacedSecrets, plainSecretLeaks } from "./secretScan";

describe("secrets", () => {
    test("are letters and digits, at least 32 characters, generated once", async () => {
        const run = await program();
        for (const p of ofType(run, T.password)) {
            expect(p.inputs).toMatchObject({ special: false, upper: true, lower: true, numeric: true });
            expect(p.inputs.length).toBeGreaterThanOrEqual(32);
        }
    });

    test("are stored as SecureString parameters under the cluster's path, as secret inputs", async () => {
        const run = await program();
        const parameters = secureParameters(run);
        expect(parameters.map((p) => p.inputs.name).sort()).toEqual(
            SECRET_NAMES.map((s) => `/new-api/newapi-dev/${s}`).sort(),
        );
        for (const p of parameters) {
            expect(p.inputs.type).toBe("SecureString");
            expect(isSecretInput(p.inputs.value)).toBe(true);
        }
    });

    // test/contract.test.ts scans every configuration it runs the same way.
    test("never appear in clear in any resource's inputs: userData, tags, names", async () => {
        const run = await program({ slaveCount: "3" });
        expect(plainSecretLeaks(run)).toEqual([]);
        expect(misplacedSecrets(run)).toEqual([]);
        // The checks above can fail: the parameters do hold the secrets, marked secret.
        const values = secureParameters(run).map((p) => p.inputs.value.value);
        expect(values.sort()).toEqual([...GENERATED_SECRETS].sort());
        expect(generatedSecrets(run).sort()).toEqual([...GENERATED_SECRETS].sort());
    });

    test("the scans catch a secret in a tag, secret-marked or not, and one no longer marked secret", async () => {
        const run = await program();
        const [db] = ofType(run, T.rds);
        const [parameter] = secureParameters(run);
        const mistakes: [string, Registered, Record<string, unknown>][] = [
            ["a secret tag", db, { tags: { ...db.inputs.tags, hint: db.inputs.password } }],
            ["a plain tag", db, { tags: { hint: unwrapSecrets(db.inputs.password) } }],
            ["the value unmarked", parameter, { value: unwrapSecrets(parameter.inputs.value) }],
        ];
        const scan = (original: Registered, change: Record<string, unknown>) => {
            const changed = { ...original, inputs: { ...original.inputs, ...change } };
            const mistaken = { ...run, resources: run.resources.map((r) => (r === original ? changed : r)) };
            return { plain: plainSecretLeaks(mistaken), misplaced: misplacedSecrets(mistaken) };
        };
        expect(mistakes.map(([what, original, change]) => [what, scan(original, change)])).toEqual([
            ["a secret tag", { plain: [], misplaced: [`${T.rds}::newapi-dev-db.tags`] }],
            ["a plain tag", { plain: [`${T.rds}::newapi-dev-db inputs.tags.hint`], misplaced: [`${T.rds}::newapi-dev-db.tags`] }],
            ["the value unmarked", { plain: [`${T.parameter}::${parameter.name} inputs.value`], misplaced: [] }],
        ]);
    });

    test("the database password and Redis token are passed as secrets", async () => {
        const run = await program();
        expect(isSecretInput(ofType(run, T.rds)[0].inputs.password)).toBe(true);
        expect(isSecretInput(ofType(run, T.redis)[0].inputs.authToken)).toBe(true);
    });

    test("every node reads the same four secret parameters, the ones the stack created", async () => {
        const run = await program({ slaveCount: "3" });
        const created = secureParameters(run).map((p) => p.inputs.name).sort();
        for (const instance of ofType(run, T.instance)) {
            expect(parametersRead(instance).filter((p) => !p.endsWith("/master-address")).sort()).toEqual(created);
        }
    });

    test("no node boots before its parameters exist; slaves also wait for the master's address", async () => {
        const run = await program({ slaveCount: "1" });
        const parameterDeps = (name: string) =>
            named(run, T.instance, name)
                .options.dependencies.filter((d) => d.includes("aws:ssm/parameter:Parameter"))
                .map((d) => d.replace(/.*::newapi-dev-/, ""))
                .sort();
        expect(parameterDeps("newapi-dev-master")).toEqual(["crypto-secret", "db-password", "redis-auth-token", "session-secret"]);
        expect(parameterDeps("newapi-dev-slave-0")).toEqual([
            "crypto-secret",
            "db-password",
            "master-address",
            "redis-auth-token",
            "session-secret",
        ]);
    });

    test("images on ECR: the role may pull those repositories (and log in), nothing more; none by default", async () => {
        const image = `123456789012.dkr.ecr.us-east-1.amazonaws.com/mirror/calciumion/new-api@sha256:${"c".repeat(64)}`;
        const run = await program({ image, slaveImage: image.replace(/@.*/, `@sha256:${"d".repeat(64)}`) });
        const statements = JSON.parse(ofType(run, T.rolePolicy)[0].inputs.policy).Statement;
        expect(statements.find((s: { Sid: string }) => s.Sid === "PullClusterImages").Resource).toEqual([
            "arn:aws:ecr:us-east-1:123456789012:repository/mirror/calciumion/new-api",
        ]);
        expect(statements.find((s: { Sid: string }) => s.Sid === "EcrLogin")).toMatchObject({ Action: "ecr:GetAuthorizationToken", Resource: "*" });
        const defaults = JSON.parse(ofType(await program(), T.rolePolicy)[0].inputs.policy).Statement;
        expect(defaults.map((s: { Sid: string }) => s.Sid)).toEqual(["ReadClusterSecrets", "DecryptClusterSecrets", "WriteClusterLogs", "SessionManager"]);
    });

    test("master and slaves have roles of their own, each reading only the parameters its nodes read", async () => {
        const run = await program({ slaveCount: "1", adminUsername: "root" });
        const arn = (leaf: string) => `arn:aws:ssm:${MOCK_REGION}:${MOCK_ACCOUNT}:parameter/new-api/newapi-dev/${leaf}`;
        const reads = (role: string) =>
            JSON.parse(named(run, T.rolePolicy, `newapi-dev-nodes-${role}-policy`).inputs.policy).Statement.filter((s: { Action: string[] }) =>
                s.Action.some((a) => a.startsWith("ssm:Get")),
            );
        expect(reads("master")).toEqual([expect.objectContaining({ Resource: [...SECRET_NAMES, "admin-password"].map(arn) })]);
        // Slaves never the root user's password.
        expect(reads("slave")).toEqual([expect.objectContaining({ Resource: [...SECRET_NAMES, "master-address"].map(arn) })]);
        expect(named(run, T.instance, "newapi-dev-master").inputs.iamInstanceProfile).toBe("newapi-dev-nodes-master-profile");
        expect(named(run, T.instance, "newapi-dev-slave-0").inputs.iamInstanceProfile).toBe("newapi-dev-nodes-slave-profile");
        // And each node reads what its role may: the parameters named in its start script.
        for (const [instance, role] of [["newapi-dev-master", "master"], ["newapi-dev-slave-0", "slave"]]) {
            const allowed = reads(role)[0].Resource.map((a: string) => a.replace(/^.*:parameter/, ""));
            expect(allowed).toEqual(expect.arrayContaining(parametersRead(named(run, T.instance, instance))));
        }
    });
});

describe("stack outputs", () => {
    test("url, endpoints, nodes and session commands are plain; secrets are Pulumi secrets", async () => {
        const run = await program({ slaveCount: "2" });
        const e = run.exports;
        expect(e.url).toBe(`http://newapi-dev-alb-123456.${MOCK_REGION}.elb.amazonaws.com`);
        expect(e.masterInstanceId).toBe("newapi-dev-master-id");
        expect(e.slaveInstanceIds).toEqual(["newapi-dev-slave-0-id", "newapi-dev-slave-1-id"]);
        expect(e.slavePrivateIps).toHaveLength(2);
        expect(e.databaseAddress).toMatch(/rds\.amazonaws\.com$/);
        expect(e.redisPrimaryEndpoint).toMatch(/^master\./);
        expect(e.sessionCommands).toEqual({
            "newapi-dev-master": `aws ssm start-session --region ${MOCK_REGION} --target newapi-dev-master-id`,
            "newapi-dev-slave-0": `aws ssm start-session --region ${MOCK_REGION} --target newapi-dev-slave-0-id`,
            "newapi-dev-slave-1": `aws ssm start-session --region ${MOCK_REGION} --target newapi-dev-slave-1-id`,
        });

        expect(e.masterPortForwardCommand).toBe(
            `aws ssm start-session --region ${MOCK_REGION} --target newapi-dev-master-id --document-name AWS-StartPortForwardingSession --parameters portNumber=3000,localPortNumber=3000`,
        );
        // Without adminUsername the operator runs the setup wizard; there is no admin password.
        expect(e.adminUsername).toBeUndefined();
        expect(e.adminPassword).toBeUndefined();

        const secretOutputs = ["sessionSecret", "cryptoSecret", "dbPassword", "redisAuthToken", "sqlDsn", "redisConnectionString"];
        expect(Object.keys(e).filter((n) => e[n] !== undefined).sort()).toEqual(
            [
                ...["target", "url", "listenerWeights", "albDnsName", "masterInstanceId", "masterPrivateIp", "slaveInstanceIds", "slavePrivateIps"],
                ...["databaseAddress", "redisPrimaryEndpoint", "secretParameterPath", "sessionCommands", "masterPortForwardCommand"],
                ...["masterImage", "slaveImage", "alertTopicArn", "dashboardUrl", "logGroupName", ...secretOutputs],
            ].sort(),
        );
        for (const name of Object.keys(e).filter((n) => e[n] !== undefined)) {
            const secret = run.secretExports.includes(name);
            expect({ name, secret }).toEqual({ name, secret: secretOutputs.includes(name) });
            if (!secret) {
                const text = JSON.stringify(e[name]);
                expect(GENERATED_SECRETS.some((s) => text.includes(s))).toBe(false);
            }
        }
        expect(e.sessionSecret).toBe(mockSecret("newapi-dev-session-secret"));
        expect(e.cryptoSecret).toBe(mockSecret("newapi-dev-crypto-secret"));
    });
});
