// The whole program under Pulumi's mock runtime: what it registers, for several configs.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { anySpellingOf } from "../components/aws/loadBalancer";
import { SETUP_REFUSED_BODY } from "../components/environment";
import { writeFile, writeFiles, writtenScriptParameters } from "./cloudConfig";
import {
    MOCK_ACCOUNT,
    MOCK_AMI,
    MOCK_AUTONAME_SUFFIX,
    MOCK_REGION,
    ProgramError,
    ProgramRun,
    Registered,
    mockDigest,
    mockKeyId,
    mockSecret,
    named,
    ofType,
    program,
    runInThisProcess,
    unwrapSecrets,
    withoutDiagnostics,
} from "./harness";
import { generatedSecrets, isSecretInput, misplacedSecrets, plainSecretLeaks } from "./secretScan";
import { PID_VARIABLE, SOCKET_VARIABLE, sharedRun } from "./sharedRuns";

const SECRET_NAMES = ["session-secret", "crypto-secret", "db-password", "redis-auth-token"];
const GENERATED_SECRETS = SECRET_NAMES.map((s) => mockSecret(`newapi-dev-${s}`));

const T = {
    instance: "aws:ec2/instance:Instance",
    attachment: "aws:lb/targetGroupAttachment:TargetGroupAttachment",
    command: "command:local:Command",
    node: "new-api:nodes:ClusterNode",
    sg: "aws:ec2/securityGroup:SecurityGroup",
    ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    egress: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    password: "random:index/randomPassword:RandomPassword",
    parameter: "aws:ssm/parameter:Parameter",
    rds: "aws:rds/instance:Instance",
    rdsParams: "aws:rds/parameterGroup:ParameterGroup",
    redis: "aws:elasticache/replicationGroup:ReplicationGroup",
    alb: "aws:lb/loadBalancer:LoadBalancer",
    targetGroup: "aws:lb/targetGroup:TargetGroup",
    listener: "aws:lb/listener:Listener",
    vpc: "aws:ec2/vpc:Vpc",
    subnet: "aws:ec2/subnet:Subnet",
    nat: "aws:ec2/natGateway:NatGateway",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
};

const sgId = (name: string) => `${name}-id`;
const secureParameters = (run: ProgramRun) => ofType(run, T.parameter).filter((p) => p.inputs.type === "SecureString");

function nodeEnv(instance: Registered): Record<string, string> {
    const content = writeFile(instance.inputs.userData, "/etc/new-api/node.env");
    return Object.fromEntries(content.trim().split("\n").map((line) => line.split(/=(.*)/s).slice(0, 2) as [string, string]));
}

/** The SSM parameters a node's scripts read: its secrets, and a slave's master address. */
function parametersRead(instance: Registered): string[] {
    const userData = instance.inputs.userData;
    const secrets = writtenScriptParameters(userData, "/usr/local/sbin/new-api-start").SECRET_PARAMETERS.split("\n").map((line) => line.split(" ")[1]);
    const wait = writeFiles(userData)["/usr/local/sbin/new-api-wait-for-master"];
    return wait === undefined ? secrets : [...secrets, writtenScriptParameters(userData, wait.path).MASTER_ADDRESS_PARAMETER];
}

/** The secret lines of a node's env file, as its start script fills them in from SSM. */
function secretsEnv(instance: Registered): string {
    return writtenScriptParameters(instance.inputs.userData, "/usr/local/sbin/new-api-start").SECRETS_ENV;
}


describe("the run server (test/sharedRuns.ts)", () => {
    test("makes the same run as the test's own process: sources compiled alike, the same mocks, plain data", async () => {
        const config = { slaveCount: "1", alertEmail: "oncall@example.com", dbEngineVersion: "8.0" };
        const { evaluationMs: _served, ...served } = await program(config);
        const { evaluationMs: _here, ...here } = JSON.parse(JSON.stringify(await runInThisProcess(config)));
        expect(served.warnings.length).toBeGreaterThan(0);
        expect(served.secretExports.length).toBeGreaterThan(0);
        expect(served).toEqual(here);
    });

    test("gone, it is named at once with its output, not waited for, and nothing runs in its place", async () => {
        const saved = { ...process.env };
        const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "run-server-"));
        fs.writeFileSync(path.join(scratch, "run-server.log"), "Error: listen EADDRINUSE");
        // A process that has ended: its pid names no process.
        const ended = spawnSync("true").pid;
        Object.assign(process.env, { [SOCKET_VARIABLE]: path.join(scratch, "runs.sock"), [PID_VARIABLE]: String(ended) });
        const inProcess = jest.fn();
        const started = Date.now();
        try {
            await expect(sharedRun("gone", {}, {}, inProcess)).rejects.toThrow(/did not answer at .*runs\.sock: connect ENOENT.*\nits output:\nError: listen EADDRINUSE/s);
        } finally {
            process.env = saved;
        }
        expect(Date.now() - started).toBeLessThan(5000);
        expect(inProcess).not.toHaveBeenCalled();
    });
});

describe("withoutDiagnostics (test/mockRuntime.ts)", () => {
    const current = () => ({ stackTraceLimit: Error.stackTraceLimit, prepareStackTrace: Error.prepareStackTrace });
    // As Pulumi captures a resource's source position: every frame, then `new Error().stack` parsed.
    const everyFrame = () => {
        const limit = Error.stackTraceLimit;
        Error.stackTraceLimit = Number.POSITIVE_INFINITY;
        try {
            return new Error("every frame").stack;
        } finally {
            Error.stackTraceLimit = limit;
        }
    };

    test("leaves the frames Pulumi captures empty for the run, even with the limit lifted, and back as they were after it", async () => {
        const before = current();
        const during = await withoutDiagnostics(async () => ({ stack: new Error("frameless").stack, everyFrame: everyFrame() }));
        expect(during).toEqual({ stack: "Error: frameless", everyFrame: "Error: every frame" });
        expect(current()).toEqual(before);
        // And back after a run that fails.
        await expect(withoutDiagnostics(() => Promise.reject(new Error("failed run")))).rejects.toThrow("failed run");
        expect(current()).toEqual(before);
        expect(everyFrame()?.split("\n").length).toBeGreaterThan(1);
    });

    test("the SDK records no source position for a resource during such a run, and one outside it", async () => {
        // Pulumi sends a resource's source position with its registration (RegisterResourceRequest.sourcePosition):
        // where the code that made it called the resource's class (a component's or a provider's).
        class Positioned extends pulumi.ComponentResource {
            constructor() {
                super("test:index:Positioned", "positioned");
            }
        }
        const positions = async () => {
            await pulumi.runtime.setMocks({ newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }), call: () => ({}) }, "project", "stack", false);
            const monitor = pulumi.runtime.getMonitor() as any;
            const registerResource = monitor.registerResource.bind(monitor);
            const seen: boolean[] = [];
            monitor.registerResource = (request: any, callback: unknown) => {
                seen.push(request.getSourceposition() !== undefined);
                return registerResource(request, callback);
            };
            new Positioned();
            await pulumi.runtime.disconnect();
            return seen;
        };
        expect(await withoutDiagnostics(positions)).toEqual([false]);
        expect(await positions()).toEqual([true]);
    });
});

describe("the SDK modules loaded by their own paths", () => {
    test("are the package root's public ones (a minor release may move anything else)", () => {
        // config/reader.ts and config.test.ts load RunError without the whole SDK; the scripts load the Automation API.
        expect(require("@pulumi/pulumi/errors").RunError).toBe(pulumi.RunError);
        expect(require("@pulumi/pulumi/automation")).toBe(pulumi.automation);
    });
});

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

describe("shared MySQL", () => {
    test("encrypted, private, backed up, MySQL 8.4 with utf8mb4 and the connection budget", async () => {
        const run = await program();
        const db = ofType(run, T.rds)[0].inputs;
        expect(db).toMatchObject({
            engine: "mysql",
            engineVersion: "8.4",
            allowMajorVersionUpgrade: true,
            applyImmediately: false,
            storageEncrypted: true,
            publiclyAccessible: false,
            backupRetentionPeriod: 7,
            multiAz: false,
            dbName: "newapi",
            username: "newapi",
            vpcSecurityGroupIds: [sgId("newapi-dev-db-sg")],
            dbSubnetGroupName: "newapi-dev-db-subnets",
            parameterGroupName: "newapi-dev-db-params",
            autoMinorVersionUpgrade: true,
        });
        const params = ofType(run, T.rdsParams)[0].inputs;
        expect(params.family).toBe("mysql8.4");
        const byName = Object.fromEntries(params.parameters.map((p: { name: string; value: string }) => [p.name, p.value]));
        expect(byName).toMatchObject({ character_set_server: "utf8mb4", collation_server: "utf8mb4_unicode_ci", max_connections: "500" });
    });

    test("Multi-AZ, backups and size follow config", async () => {
        const run = await program({ dbMultiAz: "true", dbBackupRetentionDays: "14", dbInstanceClass: "db.r6g.large", dbMaxConnections: "2000" });
        expect(ofType(run, T.rds)[0].inputs).toMatchObject({ multiAz: true, backupRetentionPeriod: 14, instanceClass: "db.r6g.large" });
        expect(ofType(run, T.rdsParams)[0].inputs.parameters).toContainEqual({ name: "max_connections", value: "2000" });
    });

    test("SQL_DSN is built from the instance address, and each node's pool is fixed", async () => {
        const run = await program();
        const address = `newapi-dev-db.abc123.${MOCK_REGION}.rds.amazonaws.com`;
        expect(secretsEnv(ofType(run, T.instance)[0])).toContain(`SQL_DSN=newapi:{{db_password}}@tcp(${address}:3306)/newapi?tls=true`);
        expect(run.exports.sqlDsn).toBe(
            `newapi:${mockSecret("newapi-dev-db-password")}@tcp(${address}:3306)/newapi?tls=true`,
        );
    });
});

describe("the shared cache", () => {
    test("cluster mode disabled, two nodes with failover and Multi-AZ, encrypted, AUTH", async () => {
        const run = await program();
        expect(ofType(run, T.redis)[0].inputs).toMatchObject({
            engine: "valkey",
            numCacheClusters: 2,
            automaticFailoverEnabled: true,
            multiAzEnabled: true,
            atRestEncryptionEnabled: true,
            transitEncryptionEnabled: true,
            authTokenUpdateStrategy: "ROTATE",
            port: 6379,
            securityGroupIds: [sgId("newapi-dev-redis-sg")],
        });
        expect(ofType(run, T.redis)[0].inputs).not.toHaveProperty("numNodeGroups");
    });

    test("a single cache node turns failover and Multi-AZ off", async () => {
        const run = await program({ cacheNodeCount: "1" });
        expect(ofType(run, T.redis)[0].inputs).toMatchObject({ numCacheClusters: 1, automaticFailoverEnabled: false, multiAzEnabled: false });
    });

    test("REDIS_CONN_STRING is rediss://:TOKEN@PRIMARY_ENDPOINT:6379", async () => {
        const run = await program();
        const endpoint = "master.newapi-dev-redis.abc123.use1.cache.amazonaws.com";
        expect(secretsEnv(ofType(run, T.instance)[0])).toContain(`REDIS_CONN_STRING=rediss://:{{redis_auth_token}}@${endpoint}:6379`);
        expect(run.exports.redisConnectionString).toBe(
            `rediss://:${mockSecret("newapi-dev-redis-auth-token")}@${endpoint}:6379`,
        );
    });
});

describe("security groups", () => {
    test("MySQL and Redis admit their port only from the nodes' group", async () => {
        const run = await program();
        for (const [group, port] of [
            ["newapi-dev-db-sg", 3306],
            ["newapi-dev-redis-sg", 6379],
        ] as const) {
            const rules = ofType(run, T.ingress).filter((r) => r.inputs.securityGroupId === sgId(group));
            expect(rules.map((r) => r.inputs)).toEqual([
                expect.objectContaining({
                    referencedSecurityGroupId: sgId("newapi-dev-nodes-sg"),
                    fromPort: port,
                    toPort: port,
                    ipProtocol: "tcp",
                }),
            ]);
            expect(ofType(run, T.egress).filter((r) => r.inputs.securityGroupId === sgId(group))).toEqual([]);
        }
    });

    test("nodes admit 3000 only from the load balancer and each other, and nothing on 22", async () => {
        const run = await program();
        const rules = ofType(run, T.ingress).filter((r) => r.inputs.securityGroupId === sgId("newapi-dev-nodes-sg"));
        expect(rules.map((r) => r.inputs)).toEqual([
            expect.objectContaining({ referencedSecurityGroupId: sgId("newapi-dev-alb-sg"), fromPort: 3000, toPort: 3000 }),
            expect.objectContaining({ referencedSecurityGroupId: sgId("newapi-dev-nodes-sg"), fromPort: 3000, toPort: 3000 }),
        ]);
        for (const r of ofType(run, T.ingress)) {
            expect(r.inputs.fromPort <= 22 && r.inputs.toPort >= 22).toBe(false);
        }
    });

    test("only the load balancer is open to allowedCidrs, and only on 80", async () => {
        const run = await program({ allowedCidrs: '["203.0.113.0/24","198.51.100.0/24"]' });
        const open = ofType(run, T.ingress).filter((r) => r.inputs.cidrIpv4 !== undefined);
        expect(open.map((r) => [r.inputs.securityGroupId, r.inputs.cidrIpv4, r.inputs.fromPort, r.inputs.toPort])).toEqual([
            [sgId("newapi-dev-alb-sg"), "203.0.113.0/24", 80, 80],
            [sgId("newapi-dev-alb-sg"), "198.51.100.0/24", 80, 80],
        ]);
        const defaults = await program();
        expect(ofType(defaults, T.ingress).filter((r) => r.inputs.cidrIpv4 === "0.0.0.0/0").map((r) => r.inputs.fromPort)).toEqual([80]);
    });

    test("every rule and group says why it exists", async () => {
        const run = await program();
        for (const r of [...ofType(run, T.ingress), ...ofType(run, T.egress), ...ofType(run, T.sg)]) {
            expect(r.inputs.description).toMatch(/\w+/);
        }
    });
});

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

describe("load balancer", () => {
    test("internet-facing in the public subnets, dropping invalid headers", async () => {
        const run = await program();
        expect(ofType(run, T.alb)[0].inputs).toMatchObject({
            internal: false,
            loadBalancerType: "application",
            dropInvalidHeaderFields: true,
            subnets: ["newapi-dev-public-0-id", "newapi-dev-public-1-id"],
            securityGroups: [sgId("newapi-dev-alb-sg")],
        });
    });

    test("two target groups on 3000, health-checked where New API never rate-limits, drained as long as New API lets a request finish", async () => {
        const run = await program();
        const groups = ofType(run, T.targetGroup);
        expect(groups.map((g) => g.name).sort()).toEqual(["newapi-dev-master", "newapi-dev-slaves"]);
        for (const g of groups) {
            expect(g.inputs).toMatchObject({
                port: 3000,
                protocol: "HTTP",
                deregistrationDelay: 300,
                healthCheck: { path: "/v1/models", matcher: "401", interval: 30, timeout: 10, unhealthyThreshold: 3 },
            });
        }
    });

    test.each([
        ["0", [["master", 1], ["slaves", 0]]],
        ["1", [["master", 3], ["slaves", 5]]],
        ["2", [["master", 3], ["slaves", 10]]],
        ["4", [["master", 3], ["slaves", 20]]],
    ])("slaveCount %s: the listener forwards with the guide's weights", async (slaves, expected) => {
        const run = await program({ slaveCount: slaves });
        const listener = ofType(run, T.listener)[0].inputs;
        expect(listener).toMatchObject({ port: 80, protocol: "HTTP" });
        const groups = listener.defaultActions[0].forward.targetGroups.map((g: { arn: string; weight: number }) => [
            g.arn.replace(/.*\/newapi-dev-/, ""),
            g.weight,
        ]);
        expect(groups).toEqual(expected);
    });

    test("the listener that forwards refuses New API's setup wizard, first of all its rules", async () => {
        const plain = await program();
        const rules = ofType(plain, "aws:lb/listenerRule:ListenerRule");
        expect(rules.map((r) => [r.name, r.inputs.listenerArn])).toEqual([["newapi-dev-refuse-setup", expect.stringMatching(/Listener\/newapi-dev-http$/)]]);
        expect(rules[0].inputs).toMatchObject({
            priority: 1,
            conditions: [{ pathPattern: { regexValues: [anySpellingOf("/api/setup")] } }],
            actions: [{ type: "fixed-response", fixedResponse: { statusCode: "403", contentType: "application/json", messageBody: SETUP_REFUSED_BODY } }],
        });
        // With HTTPS, port 80 only redirects: the HTTPS listener refuses it.
        const https = await program({ domainName: "api.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ" });
        expect(ofType(https, "aws:lb/listenerRule:ListenerRule").map((r) => r.inputs.listenerArn)).toEqual([expect.stringMatching(/Listener\/newapi-dev-https$/)]);
    });

    test("weights follow masterWeight and slaveWeight, reduced and capped at 999", async () => {
        // 1 : 999 x 2 exceeds 999: scaled to the closest pair (test/weights.test.ts covers the function).
        const run = await program({ slaveCount: "2", masterWeight: "1", slaveWeight: "999" });
        const weights = ofType(run, T.listener)[0].inputs.defaultActions[0].forward.targetGroups.map((g: { weight: number }) => g.weight);
        expect(weights).toEqual([1, 999]);
        expect(run.exports.listenerWeights).toEqual({ master: 1, slaves: 999 });
    });
});

describe("network", () => {
    test("a new VPC over two zones with one NAT per zone by default", async () => {
        const run = await program();
        expect(ofType(run, T.vpc)[0].inputs).toMatchObject({ cidrBlock: "10.0.0.0/16", enableDnsHostnames: true });
        expect(ofType(run, T.subnet).map((s) => [s.name, s.inputs.cidrBlock, s.inputs.availabilityZone])).toEqual(
            expect.arrayContaining([
                ["newapi-dev-public-0", "10.0.0.0/20", "us-east-1a"],
                ["newapi-dev-public-1", "10.0.16.0/20", "us-east-1b"],
                ["newapi-dev-private-0", "10.0.128.0/20", "us-east-1a"],
                ["newapi-dev-private-1", "10.0.144.0/20", "us-east-1b"],
            ]),
        );
        expect(ofType(run, T.subnet)).toHaveLength(4);
        expect(ofType(run, T.nat)).toHaveLength(2);
        for (const s of ofType(run, T.subnet)) {
            expect(s.inputs.mapPublicIpOnLaunch ?? false).toBe(false);
        }
    });

    test("subnets only in the region's own zones, never a Local Zone the account opted in to", async () => {
        const run = await program();
        const lookups = run.invokes.filter((i) => i.token === "aws:index/getAvailabilityZones:getAvailabilityZones");
        expect(lookups.map((i) => i.inputs.filters)).toEqual([[{ name: "opt-in-status", values: ["opt-in-not-required"] }]]);
        expect(new Set(ofType(run, T.subnet).map((s) => s.inputs.availabilityZone))).toEqual(new Set(["us-east-1a", "us-east-1b"]));
    });

    test("three zones and a single NAT gateway", async () => {
        const run = await program({ azCount: "3", natGateways: "single", slaveCount: "3" });
        expect(ofType(run, T.subnet)).toHaveLength(6);
        expect(ofType(run, T.nat)).toHaveLength(1);
        expect([0, 1, 2].map((i) => named(run, T.instance, `newapi-dev-slave-${i}`).inputs.subnetId)).toEqual([
            "newapi-dev-private-1-id",
            "newapi-dev-private-2-id",
            "newapi-dev-private-0-id",
        ]);
    });

    /** For each private subnet, by zone: the zone of the NAT its route table sends 0.0.0.0/0 to. */
    function natZoneOfPrivateZones(run: ProgramRun): Record<string, string | undefined> {
        const byId = (type: string) => new Map(ofType(run, type).map((r) => [`${r.name}-id`, r]));
        const subnets = byId(T.subnet);
        const tables = byId("aws:ec2/routeTable:RouteTable");
        const nats = byId(T.nat);
        const associations = ofType(run, "aws:ec2/routeTableAssociation:RouteTableAssociation");
        return Object.fromEntries(
            ofType(run, T.subnet)
                .filter((s) => s.name.includes("-private-"))
                .map((subnet) => {
                    const tableIds = associations.filter((a) => a.inputs.subnetId === `${subnet.name}-id`).map((a) => a.inputs.routeTableId);
                    expect(tableIds).toHaveLength(1);
                    const route = (tables.get(tableIds[0])?.inputs.routes ?? []).find((r: { cidrBlock: string }) => r.cidrBlock === "0.0.0.0/0");
                    const nat = nats.get(route?.natGatewayId);
                    return [subnet.inputs.availabilityZone, subnets.get(nat?.inputs.subnetId)?.inputs.availabilityZone];
                }),
        );
    }

    test("one NAT per zone: each private subnet goes out through the NAT in its own zone", async () => {
        const run = await program();
        expect(natZoneOfPrivateZones(run)).toEqual({ "us-east-1a": "us-east-1a", "us-east-1b": "us-east-1b" });
    });

    test("a single NAT: every private subnet goes out through it", async () => {
        const run = await program({ azCount: "3", natGateways: "single", slaveCount: "3" });
        expect(natZoneOfPrivateZones(run)).toEqual({ "us-east-1a": "us-east-1a", "us-east-1b": "us-east-1a", "us-east-1c": "us-east-1a" });
    });

    test("an existing VPC: nothing of the network is created, its subnets are used", async () => {
        const run = await program({
            vpcId: "vpc-0123456789abcdef0",
            publicSubnetIds: '["subnet-0000000000000000a","subnet-0000000000000000b"]',
            privateSubnetIds: '["subnet-0000000000000000c","subnet-0000000000000000d"]',
        });
        for (const type of [T.vpc, T.subnet, T.nat]) {
            expect(ofType(run, type)).toEqual([]);
        }
        expect(ofType(run, T.alb)[0].inputs.subnets).toEqual(["subnet-0000000000000000a", "subnet-0000000000000000b"]);
        expect(named(run, T.instance, "newapi-dev-master").inputs.subnetId).toBe("subnet-0000000000000000c");
        expect(named(run, T.instance, "newapi-dev-slave-0").inputs.subnetId).toBe("subnet-0000000000000000d");
        expect(ofType(run, T.sg).map((s) => s.inputs.vpcId)).toEqual(Array(4).fill("vpc-0123456789abcdef0"));
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

describe("ALB access logs", () => {
    const BUCKET = "newapi-dev-alb-logs";
    const bucketName = `${BUCKET}-${MOCK_AUTONAME_SUFFIX}`;
    const s3 = (type: string) => `aws:s3/${type}:${type[0].toUpperCase()}${type.slice(1)}`;

    test("off by default: no bucket, and the ALB writes none", async () => {
        const run = await program();
        expect(run.resources.filter((r) => r.type.startsWith("aws:s3/"))).toEqual([]);
        expect(ofType(run, T.alb)[0].inputs).not.toHaveProperty("accessLogs");
    });

    test("albAccessLogs: a private, SSE-S3, owner-enforced bucket that expires logs, and the ALB writes to it once it is ready", async () => {
        const run = await program({ albAccessLogs: "true" });
        expect(named(run, s3("bucket"), BUCKET).inputs).toMatchObject({ forceDestroy: true });
        expect(named(run, s3("bucket"), BUCKET).inputs).not.toHaveProperty("bucket");
        expect(named(run, s3("bucketServerSideEncryptionConfiguration"), BUCKET).inputs).toEqual({
            bucket: bucketName,
            rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
        });
        expect(named(run, s3("bucketPublicAccessBlock"), BUCKET).inputs).toEqual({
            bucket: bucketName,
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
        });
        expect(named(run, s3("bucketOwnershipControls"), BUCKET).inputs).toEqual({ bucket: bucketName, rule: { objectOwnership: "BucketOwnerEnforced" } });
        expect(named(run, s3("bucketLifecycleConfiguration"), BUCKET).inputs.rules).toEqual([
            expect.objectContaining({ status: "Enabled", filter: {}, expiration: { days: 90 } }),
        ]);
        const alb = ofType(run, T.alb)[0];
        expect(alb.inputs.accessLogs).toEqual({ bucket: bucketName, enabled: true });
        // ELB checks the bucket when access logs are turned on: its policy and encryption come first.
        const urnOf = (type: string) => named(run, s3(type), BUCKET).options.urn;
        expect(alb.options.dependencies).toEqual(
            expect.arrayContaining([urnOf("bucketPolicy"), urnOf("bucketServerSideEncryptionConfiguration"), urnOf("bucketOwnershipControls")]),
        );
    });

    test("the bucket policy: in us-east-1 ELB's account and log delivery service write under AWSLogs/<account>/, nobody without TLS", async () => {
        const run = await program({ albAccessLogs: "true" });
        const policy = named(run, s3("bucketPolicy"), BUCKET);
        expect(policy.inputs.bucket).toBe(bucketName);
        expect(JSON.parse(policy.inputs.policy).Statement).toEqual([
            {
                Sid: "ElbLogDelivery",
                Effect: "Allow",
                // The Region's ELB account (AWS's list of the Regions available before August 2022) and the service AWS now recommends.
                Principal: { AWS: "arn:aws:iam::127311923021:root", Service: "logdelivery.elasticloadbalancing.amazonaws.com" },
                Action: "s3:PutObject",
                Resource: `arn:aws:s3:::${bucketName}/AWSLogs/${MOCK_ACCOUNT}/*`,
            },
            {
                Sid: "TlsOnly",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:*",
                Resource: [`arn:aws:s3:::${bucketName}`, `arn:aws:s3:::${bucketName}/*`],
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
        ]);
        // S3 takes one change to a bucket's access at a time.
        expect(policy.options.dependencies).toContain(named(run, s3("bucketPublicAccessBlock"), BUCKET).options.urn);
    });

    test("albAccessLogDays sets the expiry; a protected stack keeps the bucket when destroyed", async () => {
        const run = await program({ albAccessLogs: "true", albAccessLogDays: "30" });
        expect(named(run, s3("bucketLifecycleConfiguration"), BUCKET).inputs.rules[0].expiration).toEqual({ days: 30 });
        const prod = await program({ albAccessLogs: "true", protect: "true", domainName: "api.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ" });
        expect(named(prod, s3("bucket"), BUCKET).inputs.forceDestroy).toBe(false);
    });
});

describe("VPC flow logs and the default security group", () => {
    test("a new VPC's default security group is adopted with no rules at all", async () => {
        const run = await program();
        expect(ofType(run, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup").map((g) => g.inputs)).toEqual([
            expect.objectContaining({ vpcId: "newapi-dev-vpc-id", ingress: [], egress: [] }),
        ]);
    });

    test("an existing VPC's default group is left alone", async () => {
        const run = await program({
            vpcId: "vpc-0123456789abcdef0",
            publicSubnetIds: '["subnet-0000000000000000a","subnet-0000000000000000b"]',
            privateSubnetIds: '["subnet-0000000000000000c","subnet-0000000000000000d"]',
        });
        expect(ofType(run, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")).toEqual([]);
    });

    test("off by default", async () => {
        expect(ofType(await program(), "aws:ec2/flowLog:FlowLog")).toEqual([]);
    });

    test("vpcFlowLogs: all traffic to an encrypted log group kept logRetentionDays, through a role only the flow-logs service assumes", async () => {
        const run = await program({ vpcFlowLogs: "true", logRetentionDays: "90" });
        const groupArn = `arn:aws:logs:${MOCK_REGION}:${MOCK_ACCOUNT}:log-group:/new-api/newapi-dev/vpc-flow-logs`;
        expect(named(run, "aws:cloudwatch/logGroup:LogGroup", "newapi-dev-flow-logs").inputs).toMatchObject({
            name: "/new-api/newapi-dev/vpc-flow-logs",
            retentionInDays: 90,
            kmsKeyId: `arn:aws:kms:${MOCK_REGION}:${MOCK_ACCOUNT}:key/${mockKeyId("newapi-dev-key")}`,
        });
        const flowLog = named(run, "aws:ec2/flowLog:FlowLog", "newapi-dev-flow-log");
        expect(flowLog.inputs).toMatchObject({
            vpcId: "newapi-dev-vpc-id",
            trafficType: "ALL",
            logDestinationType: "cloud-watch-logs",
            logDestination: groupArn,
            iamRoleArn: expect.stringMatching(/newapi-dev-flow-logs-role$/),
        });
        const role = named(run, "aws:iam/role:Role", "newapi-dev-flow-logs-role");
        expect(JSON.parse(role.inputs.assumeRolePolicy).Statement).toEqual([
            {
                Effect: "Allow",
                Principal: { Service: "vpc-flow-logs.amazonaws.com" },
                Action: "sts:AssumeRole",
                Condition: {
                    StringEquals: { "aws:SourceAccount": MOCK_ACCOUNT },
                    ArnLike: { "aws:SourceArn": `arn:aws:ec2:${MOCK_REGION}:${MOCK_ACCOUNT}:vpc-flow-log/*` },
                },
            },
        ]);
        const policy = JSON.parse(named(run, T.rolePolicy, "newapi-dev-flow-logs-policy").inputs.policy).Statement;
        expect(policy[0]).toMatchObject({ Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"], Resource: [groupArn, `${groupArn}:*`] });
        // The role may write before the flow log is created.
        expect(flowLog.options.dependencies).toContain(named(run, T.rolePolicy, "newapi-dev-flow-logs-policy").options.urn);
    });
});
