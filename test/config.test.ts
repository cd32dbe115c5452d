// Config validation's defaults and parsing: what an empty config gives, how Pulumi's strings
// and JSON are read, the default cluster name, and the stack files as valid config.
import { DEFAULT_IMAGE, defaultClusterName, parseClusterConfig } from "../components/config";
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
