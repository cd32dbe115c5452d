import { RunError } from "@pulumi/pulumi/errors";
import { ConfigError, DEFAULT_IMAGE, RawConfig, defaultClusterName, parseClusterConfig } from "../components/config";
import { problemsOf } from "./configProblems";
import { STACK_FILES, readStackFile } from "./stackFiles";

describe("parseClusterConfig", () => {
    test("an empty config gives the documented defaults", () => {
        const config = parseClusterConfig({}, "dev");
        expect(config).toMatchObject({
            clusterName: "newapi-dev",
            slaveCount: 2,
            image: DEFAULT_IMAGE,
            instanceType: "t3.small",
            masterInstanceType: "t3.small",
            amiId: undefined,
            masterWeight: 3,
            slaveWeight: 5,
            allowedCidrs: ["0.0.0.0/0"],
            syncFrequency: 60,
            batchUpdateInterval: 5,
            timezone: "UTC",
            redisPoolSize: 10,
            extraEnv: {},
            dbEngineVersion: "8.4",
            dbMultiAz: false,
            dbBackupRetentionDays: 7,
            dbInstanceClass: "db.t4g.micro",
            dbApplyImmediately: false,
            cacheNodeCount: 2,
            cacheNodeType: "cache.t4g.micro",
            network: { kind: "new", vpcCidr: "10.0.0.0/16", azCount: 2, natGateways: "onePerAz" },
        });
        expect(DEFAULT_IMAGE).toMatch(/^calciumion\/new-api:v\d/);
    });

    test("values arrive as Pulumi's strings and structured values as JSON", () => {
        const config = parseClusterConfig(
            {
                slaveCount: "4",
                masterInstanceType: "t3.medium",
                dbMultiAz: "true",
                allowedCidrs: '["203.0.113.0/24","198.51.100.7/32"]',
                extraEnv: '{"STREAMING_TIMEOUT":600,"ERROR_LOG_ENABLED":true}',
                vpcId: "vpc-0123456789abcdef0",
                publicSubnetIds: '["subnet-0123456789abcdef0","subnet-0123456789abcdef1"]',
                privateSubnetIds: '["subnet-0123456789abcdef2","subnet-0123456789abcdef3"]',
            },
            "prod",
        );
        expect(config.slaveCount).toBe(4);
        expect(config.instanceType).toBe("t3.small");
        expect(config.masterInstanceType).toBe("t3.medium");
        expect(config.dbMultiAz).toBe(true);
        expect(config.allowedCidrs).toEqual(["203.0.113.0/24", "198.51.100.7/32"]);
        expect(config.extraEnv).toEqual({ STREAMING_TIMEOUT: "600", ERROR_LOG_ENABLED: "true" });
        expect(config.network).toEqual({
            kind: "existing",
            vpcId: "vpc-0123456789abcdef0",
            publicSubnetIds: ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
            privateSubnetIds: ["subnet-0123456789abcdef2", "subnet-0123456789abcdef3"],
        });
    });

    test("sqlMaxIdleConns defaults to 10, or less when sqlMaxOpenConns is lower", () => {
        expect(parseClusterConfig({}, "dev").sqlMaxIdleConns).toBe(10);
        expect(parseClusterConfig({ sqlMaxOpenConns: "4" }, "dev").sqlMaxIdleConns).toBe(4);
    });

    test("ALB access logs and VPC flow logs are off by default; access logs are kept 90 days unless albAccessLogDays says", () => {
        const config = parseClusterConfig({}, "dev");
        expect(config.albAccessLogs).toBe(false);
        expect(config.network).toMatchObject({ kind: "new", vpcFlowLogs: false });
        expect(parseClusterConfig({ albAccessLogs: "true" }, "dev").albAccessLogDays).toBe(90);
        expect(parseClusterConfig({ albAccessLogs: "true", albAccessLogDays: "365" }, "dev").albAccessLogDays).toBe(365);
        expect(parseClusterConfig({ vpcFlowLogs: "true" }, "dev").network).toMatchObject({ kind: "new", vpcFlowLogs: true });
        expect(parseClusterConfig({ vpcFlowLogs: "false", vpcId: "vpc-0123456789abcdef0", publicSubnetIds: '["subnet-0123456789abcdef0","subnet-0123456789abcdef1"]', privateSubnetIds: '["subnet-0123456789abcdef2","subnet-0123456789abcdef3"]' }, "dev").network.kind).toBe("existing");
    });

    test("masterInstanceType defaults to instanceType", () => {
        expect(parseClusterConfig({ instanceType: "m7i.large" }, "dev").masterInstanceType).toBe("m7i.large");
    });

    test.each([
        ["0", 0],
        ["1", 1],
        ["15", 15],
    ])("slaveCount %s is accepted", (value, expected) => {
        expect(parseClusterConfig({ slaveCount: value }, "dev").slaveCount).toBe(expected);
    });

    // Each bad value must be refused with the key, the value and what is allowed.
    test.each<[string, RawConfig, RegExp]>([
        ["negative slaveCount", { slaveCount: "-1" }, /slaveCount = "-1": must be a whole number from 0 to 100/],
        ["fractional slaveCount", { slaveCount: "2.5" }, /slaveCount = "2.5": must be a whole number from 0 to 100/],
        ["huge slaveCount", { slaveCount: "1000" }, /slaveCount = "1000": must be a whole number from 0 to 100/],
        ["non-numeric slaveCount", { slaveCount: "abc" }, /slaveCount = "abc": must be a whole number/],
        ["exponent slaveCount", { slaveCount: "1e2" }, /slaveCount = "1e2": must be a whole number/],
        ["empty slaveCount", { slaveCount: "" }, /slaveCount = "": must be a whole number/],
        ["empty image", { image: "" }, /image = "": must be an image reference with a pinned tag or digest/],
        ["latest image", { image: "calciumion/new-api:latest" }, /image = "calciumion\/new-api:latest": .*never latest/],
        ["untagged image", { image: "calciumion/new-api" }, /image = "calciumion\/new-api": .*pinned tag/],
        ["image with spaces", { image: "calciumion/new-api: v1" }, /image = .*pinned tag/],
        ["master weight 0", { masterWeight: "0" }, /masterWeight = "0": must be a whole number from 1 to 999/],
        ["slave weight over 999", { slaveWeight: "1000" }, /slaveWeight = "1000": must be a whole number from 1 to 999/],
        ["malformed allowed CIDR", { allowedCidrs: '["10.0.0.0/33"]' }, /allowedCidrs = .*"10.0.0.0\/33" is not an IPv4 CIDR block/],
        ["CIDR with host bits", { allowedCidrs: '["203.0.113.7/24"]' }, /allowedCidrs = .*host bits set; did you mean 203.0.113.0\/24\?/],
        ["allowedCidrs not a list", { allowedCidrs: "0.0.0.0/0" }, /allowedCidrs = "0.0.0.0\/0": must be a non-empty list/],
        ["empty allowedCidrs", { allowedCidrs: "[]" }, /allowedCidrs = "\[\]": must be a non-empty list/],
        ["malformed vpcCidr", { vpcCidr: "10.0.0/16" }, /vpcCidr = "10.0.0\/16": is not an IPv4 CIDR block/],
        ["vpcCidr too small", { vpcCidr: "10.0.0.0/26" }, /vpcCidr = "10.0.0.0\/26": must have a prefix length from \/16 to \/24/],
        ["azCount 4", { azCount: "4" }, /azCount = "4": must be a whole number from 2 to 3/],
        ["half-given existing VPC", { vpcId: "vpc-0123456789abcdef0" }, /vpcId = "vpc-0123456789abcdef0": an existing VPC needs vpcId, publicSubnetIds and privateSubnetIds together; missing: publicSubnetIds, privateSubnetIds/],
        [
            "existing VPC with one private subnet",
            {
                vpcId: "vpc-0123456789abcdef0",
                publicSubnetIds: '["subnet-0123456789abcdef0","subnet-0123456789abcdef1"]',
                privateSubnetIds: '["subnet-0123456789abcdef2"]',
            },
            /privateSubnetIds = .*at least two distinct subnets/,
        ],
        [
            "existing VPC with a new-VPC key",
            {
                vpcId: "vpc-0123456789abcdef0",
                publicSubnetIds: '["subnet-0123456789abcdef0","subnet-0123456789abcdef1"]',
                privateSubnetIds: '["subnet-0123456789abcdef2","subnet-0123456789abcdef3"]',
                azCount: "3",
            },
            /azCount = "3": applies only to a new VPC/,
        ],
        ["bad subnet id", { vpcId: "vpc-0123456789abcdef0", publicSubnetIds: '["sub-1","subnet-0123456789abcdef1"]', privateSubnetIds: '["subnet-0123456789abcdef2","subnet-0123456789abcdef3"]' }, /publicSubnetIds = .*"sub-1" is not a subnet id/],
        [
            "flow logs of an existing VPC",
            {
                vpcId: "vpc-0123456789abcdef0",
                publicSubnetIds: '["subnet-0123456789abcdef0","subnet-0123456789abcdef1"]',
                privateSubnetIds: '["subnet-0123456789abcdef2","subnet-0123456789abcdef3"]',
                vpcFlowLogs: "true",
            },
            /vpcFlowLogs = "true": applies only to a new VPC .*remove it when vpcId is set/,
        ],
        ["vpcFlowLogs as a word", { vpcFlowLogs: "on" }, /vpcFlowLogs = "on": must be true or false/],
        ["albAccessLogs as a word", { albAccessLogs: "yes" }, /albAccessLogs = "yes": must be true or false/],
        ["access logs kept 0 days", { albAccessLogs: "true", albAccessLogDays: "0" }, /albAccessLogDays = "0": must be a whole number from 1 to 3653/],
        ["access log days without access logs", { albAccessLogDays: "30" }, /albAccessLogDays = "30": keeps access logs, which are off: set albAccessLogs true too/],
        ["access logs on the local target", { target: "docker", albAccessLogs: "true" }, /albAccessLogs = "true": applies only to target aws/],
        ["unknown key", { slavecount: "3" }, /slavecount = "3": is not a setting of this stack; known keys: .*slaveCount/],
        ["boolean as word", { dbMultiAz: "yes" }, /dbMultiAz = "yes": must be true or false/],
        ["time zone", { timezone: "Mars/Olympus" }, /timezone = "Mars\/Olympus": must be an IANA time zone/],
        ["instance type", { instanceType: "small" }, /instanceType = "small": must be an EC2 instance type/],
        ["db class", { dbInstanceClass: "t4g.micro" }, /dbInstanceClass = "t4g.micro": must be an RDS instance class/],
        ["cache node count", { cacheNodeCount: "0" }, /cacheNodeCount = "0": must be a whole number from 1 to 6/],
        ["backup days 0", { dbBackupRetentionDays: "0" }, /dbBackupRetentionDays = "0": must be a whole number from 1 to 35/],
        ["an nginx too old to re-resolve the nodes", { target: "docker", nginxImage: "nginx:1.26.2-alpine" }, /nginxImage = "nginx:1.26.2-alpine": must be nginx 1.27.3 or later/],
        ["a Redis version ElastiCache does not offer", { cacheEngine: "redis", cacheEngineVersion: "7.3" }, /cacheEngineVersion = "7.3": must be one of 7.1, 7.0, 6.2, 6.0 with cacheEngine redis/],
        ["MySQL 5.7", { dbEngineVersion: "5.7" }, /dbEngineVersion = "5.7": must be a MySQL 8.4 or 8.0 engine version/],
        ["natGateways", { natGateways: "none" }, /natGateways = "none": must be one of onePerAz, single/],
        ["cluster name", { clusterName: "New_API" }, /clusterName = "New_API": must be 1-17 characters/],
        ["cluster name too long", { clusterName: "a-very-long-cluster-name" }, /clusterName = "a-very-long-cluster-name": must be 1-17/],
        ["cluster name trailing hyphen", { clusterName: "newapi-" }, /clusterName = "newapi-": must be 1-17/],
        ["idle over open conns", { sqlMaxOpenConns: "10", sqlMaxIdleConns: "20" }, /sqlMaxIdleConns = "20": must not exceed sqlMaxOpenConns \(10\)/],
        ["storage autoscaling below storage", { dbAllocatedStorage: "100", dbMaxAllocatedStorage: "50" }, /dbMaxAllocatedStorage = "50": must be 0 .* or at least 110: .*dbAllocatedStorage \(100\)/],
        // RDS refuses a ceiling that is not 10% above the storage ("Invalid max storage size").
        ["storage autoscaling ceiling equal to storage", { dbAllocatedStorage: "100", dbMaxAllocatedStorage: "100" }, /dbMaxAllocatedStorage = "100": must be 0 .* or at least 110/],
        ["storage autoscaling ceiling under 10% above", { dbAllocatedStorage: "25", dbMaxAllocatedStorage: "27" }, /dbMaxAllocatedStorage = "27": must be 0 .* or at least 28/],
        ["a domain too long for an ACM certificate", { domainName: `${"a".repeat(60)}.example.com`, hostedZoneId: "Z0123456789ABCDEFGHIJ" }, /domainName = "a{60}\.example\.com": is 72 characters; ACM can request a certificate for at most 64/],
        ["more CIDRs than the ALB's security group holds", { allowedCidrs: JSON.stringify(Array.from({ length: 31 }, (_, i) => `198.51.${i}.0/24`)) }, /allowedCidrs = .*lists 31 blocks; at most 30 fit/],
        ["extraEnv that makes userData larger than EC2 allows", { extraEnv: JSON.stringify(Object.fromEntries(Array.from({ length: 120 }, (_, i) => [`EXTRA_${i}`, "x".repeat(90)]))) }, /extraEnv = "\{.*… \(\d+ characters\)": makes a node's userData up to \d+ bytes, and EC2 allows 16384; shorten extraEnv by at least \d+ bytes/],
        ["amiId", { amiId: "ami-xyz" }, /amiId = "ami-xyz": must be an AMI id/],
        ["extraEnv not a map", { extraEnv: '["A=1"]' }, /extraEnv = .*must be a map of NAME: value/],
        ["extraEnv overriding NODE_TYPE", { extraEnv: '{"NODE_TYPE":"master"}' }, /extraEnv = .*NODE_TYPE is set by the stack itself/],
        ["extraEnv FRONTEND_BASE_URL", { extraEnv: '{"FRONTEND_BASE_URL":"https://x"}' }, /extraEnv = .*redirect to it in a loop/],
        ["extraEnv secret", { extraEnv: '{"OPENAI_API_KEY":"sk-x"}' }, /extraEnv = .*OPENAI_API_KEY looks like a secret/],
        ["extraEnv LOG_SQL_DSN", { extraEnv: '{"LOG_SQL_DSN":"root:pw@tcp(h)/db"}' }, /extraEnv = .*LOG_SQL_DSN is set by the stack itself/],
        ["extraEnv bad name", { extraEnv: '{"lower":"x"}' }, /extraEnv = .*lower is not an environment variable name/],
        ["extraEnv line break", { extraEnv: '{"A":"x\\ny"}' }, /extraEnv = .*A has a line break/],
        ["unknown target", { target: "gcp" }, /target = "gcp": must be one of aws, docker/],
        ["malformed certificate ARN", { certificateArn: "arn:aws:acm:us-east-1:12345:certificate/x" }, /certificateArn = .*: must be an ACM certificate ARN/],
        ["an IAM ARN as certificate", { certificateArn: "arn:aws:iam::123456789012:server-certificate/x" }, /certificateArn = .*: must be an ACM certificate ARN/],
        ["malformed email", { alertEmail: "oncall@example" }, /alertEmail = "oncall@example": must be an email address/],
        ["unknown key in alarmThresholds", { alarmThresholds: '{"dbCPU":50}' }, /alarmThresholds = .*dbCPU is not a threshold; known: /],
        ["alarmThresholds not a map", { alarmThresholds: "80" }, /alarmThresholds = "80": must be a map/],
        ["domainName without hostedZoneId", { domainName: "api.example.com" }, /domainName = "api.example.com": needs hostedZoneId too/],
        ["logRetentionDays CloudWatch does not offer", { logRetentionDays: "10" }, /logRetentionDays = "10": must be one of CloudWatch's periods/],
        ["an AWS key on the docker target", { target: "docker", dbMultiAz: "true" }, /dbMultiAz = "true": applies only to target aws; this stack's target is docker/],
        ["a docker key on the AWS target", { localPort: "9000" }, /localPort = "9000": applies only to target docker; this stack's target is aws/],
        ["local port 0", { target: "docker", localPort: "0" }, /localPort = "0": must be a whole number from 1 to 65535/],
        ["latest mysql image", { target: "docker", mysqlImage: "mysql:latest" }, /mysqlImage = "mysql:latest": .*never latest/],
        ["image with a capital letter", { image: "Calciumion/new-api:v1" }, /image = "Calciumion\/new-api:v1": .*pinned tag/],
        ["vpcCidr too large", { vpcCidr: "10.0.0.0/15" }, /vpcCidr = "10.0.0.0\/15": must have a prefix length from \/16 to \/24/],
        ["vpcCidr /25", { vpcCidr: "10.0.0.0/25" }, /vpcCidr = "10.0.0.0\/25": must have a prefix length from \/16 to \/24/],
        [
            "subnet ids with more before or after them",
            { vpcId: "vpc-0123456789abcdef0", publicSubnetIds: '["xsubnet-0123456789abcdef0","subnet-0123456789abcdef1-x"]', privateSubnetIds: '["subnet-0123456789abcdef2","subnet-0123456789abcdef3"]' },
            /publicSubnetIds = .*"xsubnet-0123456789abcdef0" is not a subnet id.*"subnet-0123456789abcdef1-x" is not a subnet id/,
        ],
        [
            "the same private subnet twice",
            { vpcId: "vpc-0123456789abcdef0", publicSubnetIds: '["subnet-0123456789abcdef0","subnet-0123456789abcdef1"]', privateSubnetIds: '["subnet-0123456789abcdef2","subnet-0123456789abcdef2"]' },
            /privateSubnetIds = .*at least two distinct subnets/,
        ],
        ["hostedZoneId without domainName", { hostedZoneId: "Z0123456789ABCDEFGHIJ" }, /hostedZoneId = "Z0123456789ABCDEFGHIJ": needs domainName too/],
        ["adminPasswordRotation without adminUsername", { adminPasswordRotation: "1" }, /adminPasswordRotation = "1": rotates the root user's password the master's setup created/],
        ["an empty time zone", { timezone: "" }, /timezone = "": must be an IANA time zone/],
        ["nginx 1.27.2", { target: "docker", nginxImage: "nginx:1.27.2-alpine" }, /nginxImage = "nginx:1.27.2-alpine": must be nginx 1.27.3 or later/],
        ["extraEnv names with more before or after a valid one", { extraEnv: '{"a_B":1,"A-b":1}' }, /extraEnv = .*a_B is not an environment variable name.*A-b is not an environment variable name/],
        ["a list with an item that is not a string", { allowedCidrs: '["10.0.0.0/16",1]' }, /allowedCidrs = .*must be a non-empty list of strings/],
        ["extraEnv that is not JSON", { extraEnv: "{" }, /extraEnv = "\{": must be a map of NAME: value/],
        ["extraEnv null", { extraEnv: "null" }, /extraEnv = "null": must be a map of NAME: value/],
        ["extraEnv with an object value", { extraEnv: '{"A":{"b":1}}' }, /extraEnv = .*A must be a string, number or boolean/],
        // What New API reads at start and refuses to start on: the stack sets these from the load balancer.
        ["extraEnv TRUSTED_PROXIES", { extraEnv: '{"TRUSTED_PROXIES":"10.0.0.0/8"}' }, /extraEnv = .*TRUSTED_PROXIES is set by the stack itself/],
        ["extraEnv SESSION_COOKIE_SECURE", { extraEnv: '{"SESSION_COOKIE_SECURE":"false"}' }, /extraEnv = .*SESSION_COOKIE_SECURE is set by the stack itself/],
        ["extraEnv SESSION_COOKIE_TRUSTED_URL", { extraEnv: '{"SESSION_COOKIE_TRUSTED_URL":"http://x"}' }, /extraEnv = .*SESSION_COOKIE_TRUSTED_URL is set by the stack itself/],
        ["extraEnv SHUTDOWN_TIMEOUT_SECONDS", { extraEnv: '{"SHUTDOWN_TIMEOUT_SECONDS":"5"}' }, /extraEnv = .*SHUTDOWN_TIMEOUT_SECONDS is set by the stack itself/],
        // New API would refuse these as SESSION_COOKIE_TRUSTED_URL's origin, and stop every node.
        ["a domainName in upper case", { domainName: "API.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ" }, /domainName = "API.example.com": must be a lower-case DNS name/],
        ["a domainName with a port", { domainName: "api.example.com:8443", hostedZoneId: "Z0123456789ABCDEFGHIJ" }, /domainName = "api.example.com:8443": must be a lower-case DNS name/],
        ["a domainName with a wildcard", { domainName: "*.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ" }, /domainName = "\*.example.com": must be a lower-case DNS name/],
        [
            "a drain shorter than New API's window",
            { deregistrationDelay: "30" },
            /deregistrationDelay = "30": is shorter than shutdownTimeout \(300 s\): the load balancer would cut off requests that New API still lets finish/,
        ],
        ["a window of under 10 s", { shutdownTimeout: "5" }, /shutdownTimeout = "5": must be a whole number from 10 to 3600/],
        ["a batch share of 0", { rolloutBatchPercent: "0" }, /rolloutBatchPercent = "0": must be a whole number from 1 to 100/],
    ])("%s is refused", (_, raw, message) => {
        const problems = problemsOf(raw);
        expect(problems).toHaveLength(1);
        expect(problems[0]).toMatch(new RegExp(`^new-api-cluster:${message.source}`));
    });

    test("values at the edges of what is allowed are accepted", () => {
        expect(parseClusterConfig({ vpcCidr: "10.0.0.0/16" }, "dev").vpcCidr).toBe("10.0.0.0/16");
        expect(parseClusterConfig({ vpcCidr: "10.0.0.0/24" }, "dev").vpcCidr).toBe("10.0.0.0/24");
        for (const nginxImage of ["nginx:1.27.3-alpine", "nginx:1.27.10-alpine", "nginx:1.28.0-alpine"]) {
            expect(parseClusterConfig({ target: "docker", nginxImage }, "dev").nginxImage).toBe(nginxImage);
        }
        const digestOnly = `nginx@sha256:${"0".repeat(64)}`;
        expect(parseClusterConfig({ target: "docker", nginxImage: digestOnly }, "dev").nginxImage).toBe(digestOnly);
        expect(parseClusterConfig({ adminUsername: "root", adminPasswordRotation: "1" }, "dev").adminPasswordRotation).toBe(1);
        expect(parseClusterConfig({ timezone: "Asia/Shanghai" }, "dev").timezone).toBe("Asia/Shanghai");
        expect(parseClusterConfig({ slaveCount: " 3 " }, "dev").slaveCount).toBe(3);
        expect(parseClusterConfig({ dbMaxAllocatedStorage: "0" }, "dev").dbMaxAllocatedStorage).toBe(0);
        // Only a name that ends in _KEY, or is KEY, looks like a secret.
        const extraEnv = { MONKEY: "1", KEYBOARD: "1", API_KEY_ID: "1" };
        expect(parseClusterConfig({ extraEnv: JSON.stringify(extraEnv) }, "dev").extraEnv).toEqual(extraEnv);
    });

    test("a refused value is quoted whole up to 120 characters, cut short beyond", () => {
        expect(problemsOf({ image: "a".repeat(120) })[0]).toContain(`image = "${"a".repeat(120)}": `);
        expect(problemsOf({ image: "a".repeat(121) })[0]).toContain(`image = "${"a".repeat(120)}… (121 characters)": `);
    });

    test("the drain may equal New API's window, and the docker target has no drain to check", () => {
        expect(parseClusterConfig({ shutdownTimeout: "60", deregistrationDelay: "60" }, "dev").deregistrationDelay).toBe(60);
        expect(parseClusterConfig({ shutdownTimeout: "60" }, "dev").deregistrationDelay).toBe(60);
        expect(parseClusterConfig({ target: "docker", shutdownTimeout: "3600" }, "dev").shutdownTimeout).toBe(3600);
    });

    test("with a log database, the connection budget says it counts on each instance", () => {
        expect(problemsOf({ slaveCount: "16", logDatabase: "true" })).toEqual([
            expect.stringMatching(/510 connections on each database instance \(every node has a pool on the log database too\), more than dbMaxConnections 500/),
        ]);
    });

    test("the connection budget refuses a slaveCount the database cannot serve", () => {
        // (1 + 16) x 30 = 510 > 500
        const problems = problemsOf({ slaveCount: "16" });
        expect(problems).toEqual([
            expect.stringMatching(
                /^new-api-cluster:slaveCount = "16": \(1 master \+ 16 slaves\) x sqlMaxOpenConns 30 = 510 connections, more than dbMaxConnections 500/,
            ),
        ]);
        expect(parseClusterConfig({ slaveCount: "15" }, "dev").slaveCount).toBe(15);
        expect(parseClusterConfig({ slaveCount: "100", sqlMaxOpenConns: "10", dbMaxConnections: "1010" }, "dev").slaveCount).toBe(100);
    });

    test("the limits AWS sets are accepted up to the edge", () => {
        expect(parseClusterConfig({ dbAllocatedStorage: "100", dbMaxAllocatedStorage: "110" }, "dev").dbMaxAllocatedStorage).toBe(110);
        expect(parseClusterConfig({ dbAllocatedStorage: "25", dbMaxAllocatedStorage: "28" }, "dev").dbMaxAllocatedStorage).toBe(28);
        const cidrs = Array.from({ length: 30 }, (_, i) => `198.51.${i}.0/24`);
        expect(parseClusterConfig({ allowedCidrs: JSON.stringify(cidrs) }, "dev").allowedCidrs).toEqual(cidrs);
        const domainName = `${"a".repeat(52)}.example.com`;
        expect(parseClusterConfig({ domainName, hostedZoneId: "Z0123456789ABCDEFGHIJ" }, "dev").https?.domainName).toBe(domainName);
        // A long name is fine with a certificate of the operator's own: nothing is requested.
        const long = `${"a".repeat(60)}.example.com`;
        const certificateArn = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-0a1b-0a1b-0a1b-0a1b2c3d4e5f";
        expect(parseClusterConfig({ domainName: long, hostedZoneId: "Z0123456789ABCDEFGHIJ", certificateArn }, "dev").https?.domainName).toBe(long);
    });

    test("a key stored as a secret is refused by name, its value never shown; other secret keys are not ours", () => {
        expect(() => parseClusterConfig({ extraEnv: '{"A":"hidden-value"}' }, "dev", undefined, ["extraEnv"])).toThrow(
            /^(?![\s\S]*hidden-value)[\s\S]*new-api-cluster:extraEnv = \[secret\]: is stored as a secret/,
        );
        expect(parseClusterConfig({ extraEnv: '{"A":"1"}' }, "dev", undefined, ["slaveCount"]).extraEnv).toEqual({ A: "1" });
    });

    test("a protected stack must serve HTTPS, unless it says plainly it need not", () => {
        expect(() => parseClusterConfig({ protect: "true" }, "prod")).toThrow(
            /new-api-cluster:protect = "true": a protected stack must serve HTTPS, or API keys cross the internet in clear: set certificateArn, or domainName with hostedZoneId/,
        );
        expect(parseClusterConfig({ protect: "true", allowPlainHttp: "true", albAccessLogs: "true" }, "prod").protect).toBe(true);
        expect(parseClusterConfig({ protect: "true", albAccessLogs: "true", domainName: "api.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ" }, "prod").protect).toBe(true);
        // ... and keep access logs.
        expect(() => parseClusterConfig({ protect: "true", allowPlainHttp: "true" }, "prod")).toThrow(
            /new-api-cluster:protect = "true": a protected stack keeps ALB access logs: set albAccessLogs true/,
        );
        expect(() => parseClusterConfig({ allowPlainHttp: "yes" }, "dev")).toThrow(/allowPlainHttp = "yes": must be true or false/);
    });

    test("a certificate from another region than aws:region is refused", () => {
        const certificateArn = "arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-0a1b-0a1b-0a1b-0a1b2c3d4e5f";
        expect(() => parseClusterConfig({ certificateArn }, "dev", "us-east-1")).toThrow(
            /certificateArn = "arn:aws:acm:eu-west-1:.*": is a certificate in eu-west-1; the load balancer is in aws:region us-east-1/,
        );
        expect(parseClusterConfig({ certificateArn }, "dev", "eu-west-1").https?.certificateArn).toBe(certificateArn);
    });

    test("the userData limit applies to the AWS target only, and names extraEnv alone", () => {
        const extraEnv = JSON.stringify(Object.fromEntries(Array.from({ length: 120 }, (_, i) => [`EXTRA_${i}`, "x".repeat(90)])));
        expect(problemsOf({ extraEnv })).toEqual([expect.stringMatching(/^new-api-cluster:extraEnv = /)]);
        expect(parseClusterConfig({ extraEnv, target: "docker" }, "dev").extraEnv).toHaveProperty("EXTRA_119");
    });

    test("every problem is reported at once", () => {
        const problems = problemsOf({ slaveCount: "abc", masterWeight: "0", image: "" });
        expect(problems.map((p) => p.split(" = ")[0])).toEqual([
            "new-api-cluster:slaveCount",
            "new-api-cluster:image",
            "new-api-cluster:masterWeight",
        ]);
        expect(String(new ConfigError(problems).message)).toMatch(/nothing was created/);
    });

    test("the error is Pulumi's RunError, which the CLI prints once as its message alone", () => {
        let thrown: unknown;
        try {
            parseClusterConfig({ slaveCount: "abc", timezone: "Mars/Base" }, "dev");
        } catch (e) {
            thrown = e;
        }
        // The Node.js language host prints a RunError's message and nothing else (no stack, no
        // inspect dump of the object); any other Error is printed with its stack.
        expect(RunError.isInstance(thrown)).toBe(true);
        expect((thrown as Error).message).toBe(
            "Invalid new-api-cluster configuration (nothing was created):\n" +
                '  - new-api-cluster:slaveCount = "abc": must be a whole number from 0 to 100\n' +
                '  - new-api-cluster:timezone = "Mars/Base": must be an IANA time zone such as UTC or Asia/Shanghai',
        );
    });

    test("images pinned by tag or digest are accepted", () => {
        for (const image of [
            "calciumion/new-api:v0.13.2",
            "registry.example.com:5000/team/new-api:v1",
            `calciumion/new-api@sha256:${"a".repeat(64)}`,
            `calciumion/new-api:v1@sha256:${"b".repeat(64)}`,
        ]) {
            expect(parseClusterConfig({ image }, "dev").image).toBe(image);
        }
    });
});

describe("secret settings: sessionSecret and cryptoSecret", () => {
    const carried = "Abcdefgh1234Abcdefgh1234Abcdefgh1234Abcdefgh1234";
    const parse = (raw: RawConfig, secretKeys: string[], target = "aws") => parseClusterConfig({ target, ...raw }, "dev", undefined, secretKeys);
    const refusal = (raw: RawConfig, secretKeys: string[]): string => {
        try {
            parse(raw, secretKeys);
        } catch (e) {
            expect(e).toBeInstanceOf(ConfigError);
            return (e as Error).message;
        }
        throw new Error("expected a refusal");
    };

    test.each(["aws", "docker"])("stored with --secret and shaped as the stack generates them, they are taken as they are (%s)", (target) => {
        const config = parse({ sessionSecret: carried, cryptoSecret: carried.toLowerCase() }, ["sessionSecret", "cryptoSecret"], target);
        expect([config.sessionSecret, config.cryptoSecret]).toEqual([carried, carried.toLowerCase()]);
        expect(parse({}, []).sessionSecret).toBeUndefined();
    });

    test("stored in clear, it is refused without quoting the value", () => {
        const message = refusal({ sessionSecret: carried }, []);
        expect(message).toMatch(
            /new-api-cluster:sessionSecret = \[secret\]: is a secret and is stored in clear in the stack's settings: remove it, then set it with pulumi config set --secret sessionSecret/,
        );
        expect(message).not.toContain(carried);
    });

    test.each([
        ["too short", "Abc123"],
        ["other characters", `${carried.slice(0, 40)}+/=-_!#$`],
        ["a trailing line break", `${carried}\n`],
        ["too long", "a1".repeat(65)],
    ])("of the wrong shape (%s), it is refused without quoting the value", (_, value) => {
        const message = refusal({ cryptoSecret: value }, ["cryptoSecret"]);
        expect(message).toMatch(/new-api-cluster:cryptoSecret = \[secret\]: must be 16-128 letters and digits \(the stack generates 48\)/);
        expect(message).not.toContain(value.trim());
    });

    test("the edges of the shape the nodes' start script accepts are accepted", () => {
        for (const value of ["a1".repeat(8), "Z9".repeat(64)]) {
            expect(parse({ sessionSecret: value }, ["sessionSecret"]).sessionSecret).toBe(value);
        }
    });
});

describe("restore keys: dbSnapshotIdentifier and logDbSnapshotIdentifier", () => {
    const shared = "arn:aws:rds:us-east-1:210987654321:snapshot:newapi-prod-mysql-final-0a1b2c3d";

    test("a snapshot's name or a shared snapshot's ARN is accepted", () => {
        expect(parseClusterConfig({ dbSnapshotIdentifier: "newapi-prod-mysql-final-0a1b2c3d" }, "dev").dbSnapshotIdentifier).toBe("newapi-prod-mysql-final-0a1b2c3d");
        const config = parseClusterConfig({ dbSnapshotIdentifier: shared, logDatabase: "true", logDbSnapshotIdentifier: "Manual-Copy-1" }, "dev", "us-east-1");
        expect([config.dbSnapshotIdentifier, config.logDbSnapshotIdentifier]).toEqual([shared, "Manual-Copy-1"]);
    });

    test.each(["rds:newapi-prod-2026-01-01-00-00", "1snapshot", "final--snapshot", "snapshot-", "a".repeat(256), "arn:aws:rds:us-east-1:2109:snapshot:x"])(
        "%s is refused as no snapshot RDS can restore by that name",
        (identifier) => {
            expect(problemsOf({ dbSnapshotIdentifier: identifier })).toEqual([
                expect.stringMatching(/^new-api-cluster:dbSnapshotIdentifier = .*: must be a manual RDS snapshot's identifier/),
            ]);
        },
    );

    test("the log database's snapshot needs the log database", () => {
        expect(problemsOf({ logDbSnapshotIdentifier: "newapi-dev-mysql-log-final-0a1b2c3d" })).toEqual([
            'new-api-cluster:logDbSnapshotIdentifier = "newapi-dev-mysql-log-final-0a1b2c3d": creates the log database, which is off: set logDatabase true too, or remove it',
        ]);
    });

    test("a shared snapshot of another region is refused: RDS restores only from its own", () => {
        expect(() => parseClusterConfig({ dbSnapshotIdentifier: shared }, "dev", "eu-west-1")).toThrow(
            /dbSnapshotIdentifier = "arn:aws:rds:us-east-1:.*": is a snapshot in us-east-1; RDS restores only a snapshot of aws:region eu-west-1: copy it there first/,
        );
    });

    test("the docker target does not restore: the keys are refused there", () => {
        expect(() => parseClusterConfig({ target: "docker", dbSnapshotIdentifier: "newapi-dev-mysql-final-0a1b2c3d" }, "dev")).toThrow(
            /dbSnapshotIdentifier = "newapi-dev-mysql-final-0a1b2c3d": applies only to target aws; this stack's target is docker/,
        );
    });
});

describe("defaultClusterName", () => {
    test("derives a valid name from the stack", () => {
        expect(defaultClusterName("a__b")).toBe("newapi-a-b");
        expect(defaultClusterName("dev__")).toBe("newapi-dev");
        expect(defaultClusterName("dev")).toBe("newapi-dev");
        expect(defaultClusterName("Prod_EU")).toBe("newapi-prod-eu");
        expect(defaultClusterName("org/stage--")).toBe("newapi-org-stage");
    });

    test("a stack name too long for AWS names asks for clusterName", () => {
        expect(() => parseClusterConfig({}, "production-europe")).toThrow(/clusterName = "newapi-production-europe": must be 1-17/);
        expect(parseClusterConfig({ clusterName: "prod-eu" }, "production-europe").clusterName).toBe("prod-eu");
    });
});

describe("the stack files", () => {
    test("there are a dev, a prod and a local example", () => {
        expect(STACK_FILES).toEqual(["Pulumi.dev.yaml", "Pulumi.local.yaml", "Pulumi.prod.yaml"]);
    });

    test.each(STACK_FILES)("%s is valid config, as Pulumi would hand it to the program", (file) => {
        const { stack, config: raw, document } = readStackFile(file);
        const config = parseClusterConfig(raw, stack);
        expect(config.protect).toBe(file === "Pulumi.prod.yaml");
        // A protected example passes the pack's alb-access-logs-when-protected.
        expect(config.albAccessLogs).toBe(config.protect);
        expect(config.target).toBe(file === "Pulumi.local.yaml" ? "docker" : "aws");
        if (config.target === "aws") {
            expect(document["aws:region"]).toMatch(/^[a-z]{2}-[a-z]+-\d$/);
        }
    });
});
