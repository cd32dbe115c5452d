// The README's cost table is monthlyCost's output for the shipped dev and prod stack files,
// docs/cost.md lists every price it uses with its source and AWS's page, and what it counts
// (nodes, NAT gateways, databases, cache nodes, alarm metrics, keys) is what the program
// registers for those files under mocks.
import * as fs from "fs";
import * as path from "path";
import { ASSUMED, CACHE_NODE_HOUR_PRICES, HOURS_PER_MONTH, INSTANCE_HOUR_PRICES, PRICES, alarmMetricCount, costTable, monthlyCost, priceList } from "../components/aws/cost";
import { ClusterConfig, parseClusterConfig } from "../components/config";
import { ofType, program } from "./harness";
import { readStackFile } from "./stackFiles";

const EXAMPLES = ["Pulumi.dev.yaml", "Pulumi.prod.yaml"];

function example(file: string): { file: string; config: ClusterConfig; raw: Record<string, string> } {
    const { stack, config, document } = readStackFile(file);
    const region = document["aws:region"] as string;
    return { file, config: parseClusterConfig(config, stack, region), raw: { ...config, "aws:region": region } };
}

const read = (file: string) => fs.readFileSync(path.join(__dirname, "..", file), "utf8");
function between(file: string, start: string, end: string): string {
    const text = read(file);
    expect(text).toContain(start);
    return text.slice(text.indexOf(start) + start.length, text.indexOf(end)).trim();
}

describe("the README's cost table", () => {
    test("is monthlyCost's table of Pulumi.dev.yaml and Pulumi.prod.yaml; docs/cost.md lists every price and its source", () => {
        const stacks = EXAMPLES.map(example);
        expect(between("README.md", "<!-- cost-table:start -->", "<!-- cost-table:end -->")).toBe(costTable(stacks));
        expect(between("docs/cost.md", "<!-- cost-prices:start -->", "<!-- cost-prices:end -->")).toBe(priceList());
        expect(read("README.md")).not.toContain("<!-- cost-prices:start -->");
    });

    test("every price names where and when it was read, and AWS's own pricing page for it", () => {
        const prices = [...Object.values(PRICES), ...Object.values(INSTANCE_HOUR_PRICES)];
        for (const price of prices) {
            expect(price.source).toMatch(/read \d{4}-\d{2}-\d{2}/);
            expect(price.awsPage).toMatch(/^https:\/\/aws\.amazon\.com\/[a-z0-9/-]+\/pricing\/(on-demand\/)?$/);
            // Facts are cited by public page or repository, never by an index or a file id.
            expect(price.source).not.toMatch(/stored|index file|file \d{6,}/i);
        }
    });

    test.each(EXAMPLES)("%s: what the table counts is what the program registers", async (file) => {
        const { config, raw } = example(file);
        const run = await program(raw, { stack: file.split(".")[1] });
        const natGateways = ofType(run, "aws:ec2/natGateway:NatGateway").length;
        const alarmMetrics = ofType(run, "aws:cloudwatch/metricAlarm:MetricAlarm").reduce(
            (sum, a) => sum + (a.inputs.metricQueries ? a.inputs.metricQueries.filter((q: { metric?: unknown }) => q.metric).length : 1),
            0,
        );
        const lines = Object.fromEntries(monthlyCost(config).map((l) => [l.component, l.quantity]));
        expect(lines["EC2 nodes"]).toContain(`x ${HOURS_PER_MONTH} h`);
        expect(ofType(run, "aws:ec2/instance:Instance").length).toBe(1 + config.slaveCount);
        expect(lines["NAT gateways + data"]).toMatch(new RegExp(`^${natGateways} x `));
        expect(ofType(run, "aws:ec2/eip:Eip").length).toBe(natGateways);
        expect(lines["RDS instances"]).toMatch(new RegExp(`^${ofType(run, "aws:rds/instance:Instance").length} database`));
        expect(ofType(run, "aws:rds/instance:Instance").every((db) => db.inputs.multiAz === config.dbMultiAz)).toBe(true);
        expect(ofType(run, "aws:elasticache/replicationGroup:ReplicationGroup")[0].inputs.numCacheClusters).toBe(config.cacheNodeCount);
        expect(alarmMetricCount(config)).toBe(alarmMetrics);
        expect(ofType(run, "aws:cloudwatch/dashboard:Dashboard")).toHaveLength(1);
        expect(ofType(run, "aws:kms/key:Key")).toHaveLength(1);
        expect(ofType(run, "aws:s3/bucket:Bucket").length > 0).toBe(lines["S3 ALB access logs"] !== undefined);
        expect(ofType(run, "aws:ec2/instance:Instance").every((i) => i.inputs.rootBlockDevice.volumeType === "gp3")).toBe(true);
    });
});

describe("monthlyCost", () => {
    const dev = example("Pulumi.dev.yaml").config;

    test("multiplies hours, counts and prices; a line whose price was not found has no amount and says so", () => {
        const lines = Object.fromEntries(monthlyCost(dev).map((l) => [l.component, l]));
        expect(lines["NAT gateways + data"].usd).toBeCloseTo(HOURS_PER_MONTH * PRICES.natHour.usd + ASSUMED.natGb * PRICES.natGb.usd);
        expect(lines["ALB + LCUs"].usd).toBeCloseTo(HOURS_PER_MONTH * (PRICES.albHour.usd + ASSUMED.lcus * PRICES.lcuHour.usd));
        expect(lines["RDS storage (gp3)"].usd).toBeCloseTo(20 * PRICES.rdsGp3GbMonth.usd);
        expect(lines["EC2 nodes"].usd).toBeCloseTo(3 * HOURS_PER_MONTH * INSTANCE_HOUR_PRICES["t3.small"].usd!);
        expect(lines["ElastiCache nodes"].usd).toBeCloseTo(2 * HOURS_PER_MONTH * CACHE_NODE_HOUR_PRICES.valkey["cache.t4g.micro"].usd!);
        expect(lines["RDS instances"].usd).toBeCloseTo(HOURS_PER_MONTH * INSTANCE_HOUR_PRICES["db.t4g.micro"].usd!);
        const unpriced = { ...dev, dbInstanceClass: "db.m5.large" };
        const unpricedRds = monthlyCost(unpriced).find((l) => l.component === "RDS instances")!;
        expect(unpricedRds.usd).toBeUndefined();
        expect(unpricedRds.prices[0].source).toMatch(/^no source read gives it/);
        expect(unpricedRds.prices[0].awsPage).toBe("https://aws.amazon.com/rds/mysql/pricing/");
        expect(costTable([{ file: "dev", config: unpriced }])).toMatch(
            /\| RDS instances \| price not found \(1 database x 1 \(Single-AZ\) x db\.m5\.large x 730 h\) \|/,
        );
    });

    test("the knobs move it: NAT per zone, Multi-AZ, the log database, cache nodes", () => {
        const usd = (config: ClusterConfig, component: string) => monthlyCost(config).find((l) => l.component === component)?.usd;
        const network = dev.network.kind === "new" ? dev.network : undefined;
        const perAz = { ...dev, network: { ...network!, natGateways: "onePerAz" as const } };
        expect(usd(perAz, "NAT gateways + data")! - usd(dev, "NAT gateways + data")!).toBeCloseTo(HOURS_PER_MONTH * PRICES.natHour.usd);
        const multiAz = { ...dev, dbMultiAz: true };
        expect(usd(multiAz, "RDS storage (gp3)")).toBeCloseTo(2 * usd(dev, "RDS storage (gp3)")!);
        expect(usd(multiAz, "RDS instances")).toBeCloseTo(2 * usd(dev, "RDS instances")!);
        const withLogDb = { ...dev, logDatabase: true };
        expect(usd(withLogDb, "RDS storage (gp3)")).toBeCloseTo(2 * usd(dev, "RDS storage (gp3)")!);
        expect(alarmMetricCount(withLogDb) - alarmMetricCount(dev)).toBe(3);
        expect(alarmMetricCount({ ...dev, cacheNodeCount: 3 }) - alarmMetricCount(dev)).toBe(2);
    });

    test("the cache's line follows its engine: Valkey nodes cost 20% less than Redis OSS ones of the same type, on AWS's price list", () => {
        const cache = (config: ClusterConfig) => monthlyCost(config).find((l) => l.component === "ElastiCache nodes")!;
        const redis = { ...dev, cacheEngine: "redis" as const, cacheEngineVersion: "7.1" };
        expect(cache(dev).quantity).toBe("2 x cache.t4g.micro (Valkey) x 730 h");
        expect(cache(redis).quantity).toBe("2 x cache.t4g.micro (Redis OSS) x 730 h");
        expect(cache(dev).usd! / cache(redis).usd!).toBeCloseTo(0.8);
        for (const type of Object.keys(CACHE_NODE_HOUR_PRICES.redis)) {
            expect(CACHE_NODE_HOUR_PRICES.valkey[type].usd! / CACHE_NODE_HOUR_PRICES.redis[type].usd!).toBeCloseTo(0.8);
            expect(CACHE_NODE_HOUR_PRICES.valkey[type].source).toMatch(/AmazonElastiCache, Cache Instance, cacheEngine Valkey, us-east-1, read 2026-10-02/);
            expect(CACHE_NODE_HOUR_PRICES.valkey[type].awsPage).toBe("https://aws.amazon.com/elasticache/pricing/");
        }
        // A node type without a Valkey price is said so, never priced at Redis OSS's rate.
        expect(cache({ ...dev, cacheNodeType: "cache.m5.large" }).usd).toBeUndefined();
    });
});
