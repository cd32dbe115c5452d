// The values config validation refuses, each naming the key, the value and what is allowed; the
// values at the edges that it accepts; and how a refusal is reported.
import { RunError } from "@pulumi/pulumi/errors";
import { ConfigError, RawConfig, parseClusterConfig } from "../components/config";
import { problemsOf } from "./configProblems";

describe("parseClusterConfig", () => {
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
