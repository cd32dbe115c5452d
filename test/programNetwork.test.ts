// The whole program under the mocks: the network (a new VPC or an existing one, its zones and
// NAT gateways), the security groups, the VPC's flow logs and its default security group.
import { MOCK_ACCOUNT, MOCK_REGION, ProgramRun, mockKeyId, named, ofType, program } from "./harness";
import { T, sgId } from "./programFixtures";

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
