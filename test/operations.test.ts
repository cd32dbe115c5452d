// Operations on AWS under mocks: HTTPS, alarms and notifications, logs, the log database,
// the post-deploy check and digest pinning.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseClusterConfig } from "../components/config";
import { verifyScript } from "../components/aws/verify";
import { writtenScriptParameters } from "./cloudConfig";
import { ProgramRun, Registered, mockDigest, named, ofType, program } from "./harness";

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const LISTENER = "aws:lb/listener:Listener";
const INSTANCE = "aws:ec2/instance:Instance";
const COMMAND = "command:local:Command";
const CERT_ARN = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-0a1b-0a1b-0a1b-0a1b2c3d4e5f";
const DOMAIN = { domainName: "api.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ" };
const alarms = (run: ProgramRun) => Object.fromEntries(ofType(run, ALARM).map((a) => [a.name.replace(/^newapi-dev-/, ""), a.inputs]));
/** What a node's start script is given (components/aws/userdata.ts startParameters). */
const startParameters = (instance: Registered) => writtenScriptParameters(instance.inputs.userData, "/usr/local/sbin/new-api-start");

describe("HTTPS", () => {
    test("without a certificate: HTTP on 80 only", async () => {
        const run = await program();
        expect(ofType(run, LISTENER).map((l) => [l.inputs.port, l.inputs.protocol, l.inputs.defaultActions[0].type])).toEqual([
            [80, "HTTP", "forward"],
        ]);
        expect(run.exports.url).toMatch(/^http:\/\//);
    });

    test("with certificateArn: HTTPS on 443 with TLS 1.3/1.2, and 80 only redirects", async () => {
        const run = await program({ certificateArn: CERT_ARN });
        const https = named(run, LISTENER, "newapi-dev-https").inputs;
        expect(https).toMatchObject({ port: 443, protocol: "HTTPS", certificateArn: CERT_ARN, sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06" });
        expect(https.defaultActions[0].forward.targetGroups.map((g: { weight: number }) => g.weight)).toEqual([3, 10]);
        expect(named(run, LISTENER, "newapi-dev-http").inputs.defaultActions).toEqual([
            { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } },
        ]);
        const open = ofType(run, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter((r) => r.inputs.cidrIpv4 === "0.0.0.0/0");
        expect(open.map((r) => r.inputs.fromPort).sort()).toEqual([443, 80]);
        expect(run.exports.url).toBe("https://newapi-dev-alb-123456.us-east-1.elb.amazonaws.com");
        expect(ofType(run, "aws:acm/certificate:Certificate")).toEqual([]);
    });

    test("with domainName and hostedZoneId: an ACM certificate validated by DNS, and the alias record", async () => {
        const run = await program(DOMAIN);
        expect(ofType(run, "aws:acm/certificate:Certificate")[0].inputs).toMatchObject({ domainName: "api.example.com", validationMethod: "DNS" });
        const records = ofType(run, "aws:route53/record:Record");
        expect(records.map((r) => r.inputs)).toEqual(
            expect.arrayContaining([
                expect.objectContaining({ zoneId: DOMAIN.hostedZoneId, type: "CNAME", name: "_x1.api.example.com." }),
                expect.objectContaining({
                    zoneId: DOMAIN.hostedZoneId,
                    name: "api.example.com",
                    type: "A",
                    aliases: [expect.objectContaining({ name: "newapi-dev-alb-123456.us-east-1.elb.amazonaws.com", zoneId: "Z35SXDOTRQ7X7K" })],
                }),
            ]),
        );
        expect(ofType(run, "aws:acm/certificateValidation:CertificateValidation")[0].inputs.validationRecordFqdns).toEqual([
            "_x1.api.example.com.",
        ]);
        expect(named(run, LISTENER, "newapi-dev-https").inputs.protocol).toBe("HTTPS");
        expect(run.exports.url).toBe("https://api.example.com");
    });

    test("half an HTTPS config, a malformed ARN, a malformed domain are refused", () => {
        expect(() => parseClusterConfig({ domainName: "api.example.com" }, "dev")).toThrow(/domainName = "api.example.com": needs hostedZoneId too/);
        expect(() => parseClusterConfig({ hostedZoneId: "Z0123456789ABCDEFGHIJ" }, "dev")).toThrow(/hostedZoneId = .*needs domainName too/);
        expect(() => parseClusterConfig({ certificateArn: "arn:aws:acm:us-east-1:123:certificate/x" }, "dev")).toThrow(
            /certificateArn = .*must be an ACM certificate ARN/,
        );
        expect(() => parseClusterConfig({ ...DOMAIN, domainName: "API.example.com" }, "dev")).toThrow(/domainName = "API.example.com": must be a lower-case DNS name/);
    });
});

describe("alarms and notifications", () => {
    test("an SNS topic; an email subscription only with alertEmail", async () => {
        expect(ofType(await program(), "aws:sns/topic:Topic")).toHaveLength(1);
        expect(ofType(await program(), "aws:sns/topicSubscription:TopicSubscription")).toEqual([]);
        const run = await program({ alertEmail: "oncall@example.com" });
        expect(ofType(run, "aws:sns/topicSubscription:TopicSubscription")[0].inputs).toMatchObject({
            protocol: "email",
            endpoint: "oncall@example.com",
        });
        expect(() => parseClusterConfig({ alertEmail: "oncall.example.com" }, "dev")).toThrow(/alertEmail = "oncall.example.com": must be an email address/);
    });

    test("every alarm, with the defaults, notifying the topic", async () => {
        const run = await program({ slaveCount: "1" });
        const a = alarms(run);
        expect(Object.keys(a).sort()).toEqual(
            [
                "master-unhealthy",
                "master-down",
                "slaves-unhealthy",
                "http-5xx-rate",
                "response-time",
                "db-cpu",
                "db-free-storage",
                "db-connections",
                "db-unreachable",
                "cache-memory-0",
                "cache-cpu-0",
                "cache-memory-1",
                "cache-cpu-1",
                "master-status-check",
                "master-recover",
                "slave-0-status-check",
                "slave-0-recover",
            ].sort(),
        );
        const tg = (group: string) => ({ TargetGroup: `targetgroup/newapi-dev-${group}/0123456789abcdef`, LoadBalancer: "app/newapi-dev-alb/0123456789abcdef" });
        expect(a["master-unhealthy"]).toMatchObject({ metricName: "UnHealthyHostCount", threshold: 0, dimensions: tg("master") });
        expect(a["master-down"]).toMatchObject({ metricName: "HealthyHostCount", comparisonOperator: "LessThanThreshold", threshold: 1, treatMissingData: "notBreaching" });
        expect(a["slaves-unhealthy"]).toMatchObject({ metricName: "UnHealthyHostCount", dimensions: tg("slaves") });
        expect(a["http-5xx-rate"].threshold).toBe(5);
        expect(a["http-5xx-rate"].metricQueries.find((q: { id: string }) => q.id === "rate").expression).toBe(
            "100 * (FILL(elb5xx, 0) + FILL(target5xx, 0)) / requests",
        );
        expect(a["http-5xx-rate"]).not.toHaveProperty("period");
        expect(a["response-time"]).toMatchObject({ metricName: "TargetResponseTime", extendedStatistic: "p90", threshold: 30 });
        expect(a["db-cpu"]).toMatchObject({ namespace: "AWS/RDS", metricName: "CPUUtilization", threshold: 80, dimensions: { DBInstanceIdentifier: "newapi-dev-db" } });
        expect(a["db-free-storage"]).toMatchObject({ metricName: "FreeStorageSpace", comparisonOperator: "LessThanThreshold", threshold: 2 * 2 ** 30 });
        expect(a["db-connections"]).toMatchObject({ metricName: "DatabaseConnections", threshold: 400 });
        expect(a["cache-memory-1"]).toMatchObject({ metricName: "DatabaseMemoryUsagePercentage", threshold: 80, dimensions: { CacheClusterId: "newapi-dev-redis-id-002" } });
        expect(a["cache-cpu-0"]).toMatchObject({ metricName: "EngineCPUUtilization", dimensions: { CacheClusterId: "newapi-dev-redis-id-001" } });
        for (const [name, alarm] of Object.entries(a)) {
            expect({ name, notifies: alarm.alarmActions.includes("arn:aws:mock:us-east-1:123456789012:aws:sns/topic:Topic/newapi-dev-alerts") }).toEqual({
                name,
                notifies: true,
            });
        }
    });

    test("EC2 auto-recovery on the system status check of every node", async () => {
        const a = alarms(await program({ slaveCount: "1" }));
        expect(a["slave-0-recover"]).toMatchObject({
            namespace: "AWS/EC2",
            metricName: "StatusCheckFailed_System",
            dimensions: { InstanceId: "newapi-dev-slave-0-id" },
            alarmActions: ["arn:aws:automate:us-east-1:ec2:recover", expect.stringMatching(/Topic\/newapi-dev-alerts$/)],
        });
        expect(a["master-status-check"]).toMatchObject({ metricName: "StatusCheckFailed", dimensions: { InstanceId: "newapi-dev-master-id" } });
    });

    test("thresholds come from alarmThresholds; unknown names and bad numbers are refused", async () => {
        const a = alarms(await program({ alarmThresholds: '{"http5xxPercent":2,"dbConnectionsPercent":50,"responseTimeSeconds":60}' }));
        expect([a["http-5xx-rate"].threshold, a["db-connections"].threshold, a["response-time"].threshold]).toEqual([2, 250, 60]);
        expect(() => parseClusterConfig({ alarmThresholds: '{"cpuPercent":50}' }, "dev")).toThrow(
            /alarmThresholds = .*cpuPercent is not a threshold; known: http5xxPercent/,
        );
        expect(() => parseClusterConfig({ alarmThresholds: '{"dbCpuPercent":150}' }, "dev")).toThrow(/dbCpuPercent must be a number above 0 and at most 100/);
        expect(() => parseClusterConfig({ alarmThresholds: '{"dbFreeStorageGb":"lots"}' }, "dev")).toThrow(/dbFreeStorageGb must be a number above 0/);
    });
});

describe("logs", () => {
    test("one log group per cluster with the configured retention; each node streams to it", async () => {
        const run = await program({ logRetentionDays: "90", slaveCount: "1" });
        expect(ofType(run, "aws:cloudwatch/logGroup:LogGroup").map((g) => g.inputs)).toEqual([
            expect.objectContaining({ name: "/new-api/newapi-dev", retentionInDays: 90 }),
        ]);
        for (const instance of ofType(run, INSTANCE)) {
            // The start script logs the container to LOG_GROUP, in a stream named NODE_NAME (test/nodeStart.test.ts).
            expect(startParameters(instance)).toMatchObject({ LOG_GROUP: "/new-api/newapi-dev", NODE_NAME: instance.name });
            expect(instance.options.dependencies).toContainEqual(expect.stringMatching(/LogGroup::newapi-dev-nodes-logs$/));
        }
        expect(run.exports.logGroupName).toBe("/new-api/newapi-dev");
        expect(() => parseClusterConfig({ logRetentionDays: "45" }, "dev")).toThrow(/logRetentionDays = "45": must be one of CloudWatch's periods/);
    });

    test("the instance role may write only to that log group", async () => {
        const policy = JSON.parse(ofType(await program(), "aws:iam/rolePolicy:RolePolicy")[0].inputs.policy);
        const logs = policy.Statement.filter((s: { Action: string[] }) => s.Action.some((a) => a.startsWith("logs:")));
        expect(logs).toEqual([
            expect.objectContaining({
                Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                Resource: "arn:aws:logs:us-east-1:123456789012:log-group:/new-api/newapi-dev:*",
            }),
        ]);
    });

    test("logDatabase: a separate RDS instance, LOG_SQL_DSN on every node, and its alarms", async () => {
        expect(ofType(await program(), "aws:rds/instance:Instance")).toHaveLength(1);
        const run = await program({ logDatabase: "true", slaveCount: "1" });
        const dbs = ofType(run, "aws:rds/instance:Instance");
        expect(dbs.map((d) => d.name).sort()).toEqual(["newapi-dev-db", "newapi-dev-logdb"]);
        expect(named(run, "aws:rds/instance:Instance", "newapi-dev-logdb").inputs).toMatchObject({ storageEncrypted: true, publiclyAccessible: false });
        for (const instance of ofType(run, INSTANCE)) {
            expect(startParameters(instance).SECRETS_ENV).toContain(
                "\nLOG_SQL_DSN=newapi:{{db_password}}@tcp(newapi-dev-logdb.abc123.us-east-1.rds.amazonaws.com:3306)/newapi?tls=true",
            );
            expect(startParameters(instance).DATABASE_HOSTS).toBe(
                "newapi-dev-db.abc123.us-east-1.rds.amazonaws.com newapi-dev-logdb.abc123.us-east-1.rds.amazonaws.com",
            );
        }
        expect(Object.keys(alarms(run))).toEqual(expect.arrayContaining(["logdb-cpu", "logdb-free-storage", "logdb-connections"]));
        expect(run.exports.logDatabaseAddress).toBe("newapi-dev-logdb.abc123.us-east-1.rds.amazonaws.com");
    });
});

describe("verification after deploy", () => {
    test("a local command polls the URL, after the listeners, re-run when a node or listener changes", async () => {
        const run = await program({ slaveCount: "1", verifyTimeout: "600" });
        const verify = named(run, COMMAND, "newapi-dev-verify");
        expect(verify.inputs.interpreter).toEqual(["/bin/sh", "-c"]);
        expect(verify.inputs.environment).toEqual({ URL: "http://newapi-dev-alb-123456.us-east-1.elb.amazonaws.com" });
        expect(verify.inputs.create).toBe(verifyScript(600, false));
        expect(verify.inputs).not.toHaveProperty("update");
        expect(verify.inputs.triggers).toEqual([
            "arn:aws:mock:us-east-1:123456789012:aws:lb/listener:Listener/newapi-dev-http",
            "newapi-dev-master-id",
            "newapi-dev-slave-0-id",
        ]);
        expect(verify.options.dependencies).toContainEqual(expect.stringMatching(/Listener::newapi-dev-http$/));
    });

    test("the script is POSIX sh that shellcheck accepts, and it fails with a clear message on timeout", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "new-api-verify-"));
        try {
            const file = path.join(dir, "verify.sh");
            fs.writeFileSync(file, verifyScript(900, true));
            const check = spawnSync("shellcheck", ["--shell=sh", "--severity=style", file], { encoding: "utf8", timeout: 30000 });
            expect({ status: check.status, output: `${check.stdout}${check.stderr}` }).toEqual({ status: 0, output: "" });
            // Nothing listens on this port: the check must give up after its timeout, and say so.
            const started = Date.now();
            const run = spawnSync("/bin/sh", ["-c", verifyScript(1, false)], {
                encoding: "utf8",
                timeout: 30000,
                env: { ...process.env, URL: "http://127.0.0.1:9" },
            });
            expect(run.status).toBe(1);
            expect(run.stderr).toMatch(/http:\/\/127.0.0.1:9\/api\/status did not report success within 1 s \(last: no answer \(curl exit 7\)\); check the target groups' health/);
            // Its progress lines are the stub clock's to test (operatorScripts.test.ts): with a real
            // clock and a 1 s deadline, whether one is due depends on when the second turns.
            expect(Date.now() - started).toBeLessThan(25000);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("digest pinning", () => {
    test("the tag is resolved once and every node runs that digest; it is a stack output", async () => {
        const run = await program({ slaveCount: "3" });
        const pinned = `calciumion/new-api@${mockDigest("calciumion/new-api:v0.13.2")}`;
        for (const instance of ofType(run, INSTANCE)) {
            expect(startParameters(instance).IMAGE).toBe(pinned);
        }
        expect(run.invokes.filter((i) => i.token === "docker:index/getRegistryImage:getRegistryImage").map((i) => i.inputs.name)).toEqual([
            "calciumion/new-api:v0.13.2",
        ]);
        expect(run.exports.masterImage).toBe(pinned);
        expect(run.exports.slaveImage).toBe(pinned);
        expect(run.secretExports.includes("masterImage")).toBe(false);
    });

    test("slaveImage: the slaves run its digest, the master the other", async () => {
        const run = await program({ slaveCount: "2", slaveImage: "calciumion/new-api:v0.9.21" });
        expect(startParameters(named(run, INSTANCE, "newapi-dev-master")).IMAGE).toMatch(new RegExp(`@${mockDigest("calciumion/new-api:v0.13.2")}$`));
        for (const i of [0, 1]) {
            expect(startParameters(named(run, INSTANCE, `newapi-dev-slave-${i}`)).IMAGE).toMatch(new RegExp(`@${mockDigest("calciumion/new-api:v0.9.21")}$`));
        }
    });

    test("an image given by digest is used as it is", async () => {
        const image = `calciumion/new-api@sha256:${"c".repeat(64)}`;
        const run = await program({ image });
        expect(run.invokes.filter((i) => i.token.startsWith("docker:"))).toEqual([]);
        expect(startParameters(named(run, INSTANCE, "newapi-dev-master")).IMAGE).toBe(image);
    });
});
