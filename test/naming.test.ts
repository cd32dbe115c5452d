import * as fs from "fs";
import * as path from "path";
import { parseCidr, planSubnets } from "../components/cidr";
import { isExtendedSupportMysql, mysqlParameterGroupFamily, mysqlParameters } from "../components/aws/database";
import { anySpellingOf } from "../components/aws/loadBalancer";
import {
    clusterKeyAlias,
    clusterTags,
    finalSnapshotIdentifier,
    flowLogGroupName,
    logGroupName,
    nodeName,
    nodeSubnetIndex,
    clusterParameterNames,
    secretParameterName,
    secretParameterPath,
} from "../components/naming";
import { instanceArchitecture, supportsRecoverAction } from "../components/aws/instanceTypes";
import { defaultCacheParameterGroup } from "../components/versions";
import { nodePolicyDocument } from "../components/aws/nodes";
import { zoneShortage } from "../components/aws/network";
import { parseClusterConfig } from "../components/config";

describe("naming", () => {
    test("node names are stable and never depend on slaveCount", () => {
        expect(nodeName("newapi-dev", "master")).toBe("newapi-dev-master");
        expect(nodeName("newapi-dev", "slave", 0)).toBe("newapi-dev-slave-0");
        expect(nodeName("newapi-dev", "slave", 12)).toBe("newapi-dev-slave-12");
    });

    test("slaves spread round robin after the master's zone; adding one never moves another", () => {
        expect(nodeSubnetIndex("master", 0, 2)).toBe(0);
        expect([0, 1, 2, 3].map((i) => nodeSubnetIndex("slave", i, 2))).toEqual([1, 0, 1, 0]);
        expect([0, 1, 2, 3].map((i) => nodeSubnetIndex("slave", i, 3))).toEqual([1, 2, 0, 1]);
    });

    test("secret parameters live under one path per cluster", () => {
        expect(secretParameterPath("newapi-dev")).toBe("/new-api/newapi-dev");
        expect(secretParameterName("newapi-dev", "sessionSecret")).toBe("/new-api/newapi-dev/session-secret");
        expect(secretParameterName("newapi-dev", "redisAuthToken")).toBe("/new-api/newapi-dev/redis-auth-token");
    });

    test("tags name the cluster and stack", () => {
        expect(clusterTags("newapi-dev", "dev", "x")).toEqual({
            Name: "x",
            "new-api:cluster": "newapi-dev",
            "pulumi:stack": "dev",
            "managed-by": "pulumi",
        });
    });

    test("a resource given no name gets no Name tag", () => {
        expect(Object.keys(clusterTags("newapi-dev", "dev"))).not.toContain("Name");
    });

    test("the log groups and the key alias operators look up (docs/operations.md)", () => {
        expect(logGroupName("newapi-dev")).toBe("/new-api/newapi-dev");
        expect(flowLogGroupName("newapi-dev")).toBe("/new-api/newapi-dev/vpc-flow-logs");
        expect(clusterKeyAlias("newapi-dev")).toBe("alias/new-api/newapi-dev");
    });

    test("the longest cluster name keeps autonamed target groups within ALB's 32 characters", () => {
        const longest = parseClusterConfig({ clusterName: "a".repeat(17) }, "dev").clusterName;
        expect(`${longest}-slaves`.length + 8).toBeLessThanOrEqual(32);
    });
});

describe("availability zones", () => {
    test("azCount must fit in the zones the region offers the account", () => {
        expect(zoneShortage(["us-east-1a", "us-east-1b", "us-east-1c"], 3)).toBeUndefined();
        expect(zoneShortage(["us-west-1a", "us-west-1c"], 2)).toBeUndefined();
        expect(zoneShortage(["us-west-1a", "us-west-1c"], 3)).toBe(
            "new-api-cluster:azCount = 3, but this region offers this account 2 availability zones (us-west-1a, us-west-1c): set azCount to 2",
        );
    });
});

describe("cidr", () => {
    test("parses and refuses", () => {
        expect(parseCidr("10.0.0.0/16")).toEqual({ ok: true, base: 10 * 2 ** 24, prefix: 16 });
        expect(parseCidr("0.0.0.0/0")).toMatchObject({ ok: true, prefix: 0 });
        expect(parseCidr("256.0.0.0/8")).toMatchObject({ ok: false });
        expect(parseCidr("10.0.0.1/16")).toEqual({ ok: false, problem: "has host bits set; did you mean 10.0.0.0/16?" });
        expect(parseCidr("10.0.0.0")).toMatchObject({ ok: false });
    });

    test("the whole text is the block: nothing before or after it", () => {
        expect(parseCidr("x10.0.0.0/16")).toMatchObject({ ok: false, problem: expect.stringMatching(/IPv4 CIDR block/) });
        expect(parseCidr("10.0.0.0/16x")).toMatchObject({ ok: false, problem: expect.stringMatching(/IPv4 CIDR block/) });
    });

    test("bounds: octets up to 255 and prefixes up to 32, every octet up to three digits", () => {
        expect(parseCidr("255.255.255.255/32")).toEqual({ ok: true, base: 2 ** 32 - 1, prefix: 32 });
        expect(parseCidr("192.168.100.128/25")).toEqual({ ok: true, base: (((192 * 256 + 168) * 256 + 100) * 256 + 128), prefix: 25 });
        expect(parseCidr("10.0.0.0/33")).toMatchObject({ ok: false, problem: expect.stringMatching(/prefix 0-32/) });
        expect(parseCidr("10.0.256.0/24")).toMatchObject({ ok: false, problem: expect.stringMatching(/octets 0-255/) });
    });

    test("a subnet plan of a block that is not one is refused with the reason", () => {
        expect(() => planSubnets("10.0.0.1/16", 2)).toThrow("vpcCidr 10.0.0.1/16 has host bits set; did you mean 10.0.0.0/16?");
    });

    test("subnet plan: public first, private from the middle, never renumbered by azCount", () => {
        expect(planSubnets("10.0.0.0/16", 2)).toEqual({
            publicCidrs: ["10.0.0.0/20", "10.0.16.0/20"],
            privateCidrs: ["10.0.128.0/20", "10.0.144.0/20"],
        });
        const three = planSubnets("10.0.0.0/16", 3);
        expect(three.publicCidrs.slice(0, 2)).toEqual(["10.0.0.0/20", "10.0.16.0/20"]);
        expect(three.privateCidrs[2]).toBe("10.0.160.0/20");
        expect(planSubnets("172.16.4.0/24", 2).privateCidrs).toEqual(["172.16.4.128/28", "172.16.4.144/28"]);
    });
});

describe("tier decisions", () => {
    test("MySQL parameter group: family and utf8mb4 with the connection budget", () => {
        expect(mysqlParameterGroupFamily("8.0")).toBe("mysql8.0");
        expect(mysqlParameterGroupFamily("8.0.40")).toBe("mysql8.0");
        expect(mysqlParameterGroupFamily("8.4.3")).toBe("mysql8.4");
        const params = Object.fromEntries(
            mysqlParameters(parseClusterConfig({}, "dev")).map((p) => [p.name, p.value]),
        );
        expect(params).toMatchObject({
            character_set_server: "utf8mb4",
            collation_server: "utf8mb4_unicode_ci",
            max_connections: "500",
        });
    });

    test("MySQL 8.0 is in RDS Extended Support, 8.4 is not", () => {
        for (const version of ["8.0", "8.0.40"]) {
            expect(isExtendedSupportMysql(version)).toBe(true);
        }
        for (const version of ["8.4", "8.4.7"]) {
            expect(isExtendedSupportMysql(version)).toBe(false);
        }
    });

    test("final snapshots: one name per data tier, with the stack's suffix", () => {
        const names = (["mysql", "mysql-log", "redis"] as const).map((tier) => finalSnapshotIdentifier("newapi-prod", tier, "0a1b2c3d"));
        expect(names).toEqual(["newapi-prod-mysql-final-0a1b2c3d", "newapi-prod-mysql-log-final-0a1b2c3d", "newapi-prod-redis-final-0a1b2c3d"]);
    });

    test("the EC2 recover action: EBS-only families yes, instance-store families and others no", () => {
        for (const type of ["t3.small", "t4g.micro", "m7i.large", "m7i-flex.large", "c7g.xlarge", "r6i.metal", "m5.24xlarge"]) {
            expect({ type, supported: supportsRecoverAction(type) }).toEqual({ type, supported: true });
        }
        for (const type of ["c5d.large", "m6gd.large", "i4i.large", "m5ad.large", "g4dn.xlarge", "z1d.large"]) {
            expect({ type, supported: supportsRecoverAction(type) }).toEqual({ type, supported: false });
        }
    });

    test("the setup path in every spelling New API's router decodes to it, and nothing else", () => {
        const refused = new RegExp(anySpellingOf("/api/setup"));
        for (const spelling of ["/api/setup", "/api/setup/", "/api/setup/x", "/api/%73etup", "/api/%73%65tup", "/api%2Fsetup", "/api%2fsetup", "/%61pi/setu%70"]) {
            expect({ spelling, refused: refused.test(spelling) }).toEqual({ spelling, refused: true });
        }
        for (const other of ["/api/status", "/api/setupx", "/api/setu", "/v1/api/setup", "/API/setup"]) {
            expect({ other, refused: refused.test(other) }).toEqual({ other, refused: false });
        }
        // ALB's limit for a regular expression in a condition.
        expect(anySpellingOf("/api/setup").length).toBeLessThanOrEqual(128);
    });

    test("the cache's default parameter groups, by engine and major version", () => {
        expect(defaultCacheParameterGroup("valkey", "8.1")).toBe("default.valkey8");
        expect(defaultCacheParameterGroup("valkey", "7.2")).toBe("default.valkey7");
        expect(defaultCacheParameterGroup("redis", "7.1")).toBe("default.redis7");
        expect(defaultCacheParameterGroup("redis", "6.2")).toBe("default.redis6.x");
    });

    test("Graviton instance types get the arm64 AMI", () => {
        for (const type of ["t4g.small", "m7g.large", "c7gn.xlarge", "x2gd.large", "r8g.medium"]) {
            expect(instanceArchitecture(type)).toBe("arm64");
        }
        for (const type of ["t3.small", "m7i-flex.large", "g5.xlarge", "g4dn.xlarge", "c6in.large"]) {
            expect(instanceArchitecture(type)).toBe("x86_64");
        }
    });

    test("the node policy reads only the parameters given, writes only its logs, and adds no account-wide SSM read", () => {
        const parameters = ["arn:aws:ssm:us-east-1:123456789012:parameter/new-api/newapi-dev/session-secret"];
        const doc = JSON.parse(nodePolicyDocument(parameters, "arn:aws:logs:us-east-1:123456789012:log-group:/new-api/newapi-dev"));
        expect(doc.Statement).toContainEqual(
            expect.objectContaining({
                Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                Resource: "arn:aws:logs:us-east-1:123456789012:log-group:/new-api/newapi-dev:*",
            }),
        );
        const reads = doc.Statement.filter((s: { Action: string[] }) => s.Action.some((a) => a.startsWith("ssm:Get")));
        expect(reads).toEqual([expect.objectContaining({ Resource: parameters })]);
        const wildcard = doc.Statement.find((s: { Resource: string }) => s.Resource === "*");
        expect(wildcard.Action.every((a: string) => a === "ssm:UpdateInstanceInformation" || a.startsWith("ssmmessages:"))).toBe(true);
    });
});

describe("the cluster's SSM parameters, named in one place", () => {
    test("clusterParameterNames: the secrets, the admin password and the master's address under the cluster's path", () => {
        expect(clusterParameterNames("newapi-dev")).toEqual({
            secrets: {
                sessionSecret: "/new-api/newapi-dev/session-secret",
                cryptoSecret: "/new-api/newapi-dev/crypto-secret",
                dbPassword: "/new-api/newapi-dev/db-password",
                redisAuthToken: "/new-api/newapi-dev/redis-auth-token",
            },
            adminPassword: "/new-api/newapi-dev/admin-password",
            masterAddress: "/new-api/newapi-dev/master-address",
        });
    });

    test("no module but naming.ts composes a parameter name from its leaf", () => {
        const folder = path.join(__dirname, "..", "components", "aws");
        const composing = fs.readdirSync(folder).filter((file) => /clusterParameterName\((?!s)[^)]*(ADMIN_PASSWORD|MASTER_ADDRESS)_PARAMETER/.test(fs.readFileSync(path.join(folder, file), "utf8")));
        expect(composing).toEqual([]);
    });
});
