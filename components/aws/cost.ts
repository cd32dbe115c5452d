// What an AWS stack costs a month before anything is deployed: a pure function from the
// cluster's configuration and a table of on-demand us-east-1 prices, each with where it was read
// and AWS's own page for it. A price no source gave is left out and said so, never guessed. The
// README's cost table is this module's output, and docs/cost.md lists the prices
// (test/cost.test.ts keeps both equal to it).
import { ClusterConfig } from "../config";
import { CACHE, CacheEngine } from "../versions";
import { supportsRecoverAction } from "./instanceTypes";

/** Billing hours in a month, as AWS's own monthly examples count them. */
export const HOURS_PER_MONTH = 730;

export interface Price {
    /** US dollars per `unit`; undefined when no source gave it. */
    usd?: number;
    unit: string;
    /** Where the rate was read, and when; or where it was looked for. */
    source: string;
    /** AWS's own pricing page of the rate, where an operator checks it. */
    awsPage: string;
}

/** The day the third-party pages below were read. */
const READ = "read 2026-11-27";
const EC2_PAGE = "https://aws.amazon.com/ec2/pricing/on-demand/";
const ELB_PAGE = "https://aws.amazon.com/elasticloadbalancing/pricing/";
const VPC_PAGE = "https://aws.amazon.com/vpc/pricing/";
const EBS_PAGE = "https://aws.amazon.com/ebs/pricing/";
const RDS_PAGE = "https://aws.amazon.com/rds/mysql/pricing/";
const ELASTICACHE_PAGE = "https://aws.amazon.com/elasticache/pricing/";
const CLOUDWATCH_PAGE = "https://aws.amazon.com/cloudwatch/pricing/";
const KMS_PAGE = "https://aws.amazon.com/kms/pricing/";
const S3_PAGE = "https://aws.amazon.com/s3/pricing/";

const ALB_SOURCE =
    "AWS's pricing example for us-east-1 on aws.amazon.com/elasticloadbalancing/pricing/, as transcribed from that page on 2026-09-20 in github.com/api-evangelist/amazon-elastic-load-balancing plans/amazon-elastic-load-balancing-plans-pricing.yml, read 2026-12-04";
const NAT_SOURCE = `https://basavytix.com/blog/aws-nat-gateway-pricing (us-east-1 rates), ${READ}`;
const IPV4_SOURCE = `https://cloudburn.io/blog/aws-nat-gateway-pricing (Feb 2026), ${READ}`;
const RDS_STORAGE_SOURCE = `https://www.usage.ai/blogs/aws/reserved-instances/rds/pricing-calculator/ (us-east-1, June 2026), ${READ}`;
const CLOUDWATCH_SOURCE = `https://www.factualminds.com/blog/amazon-cloudwatch-pricing-metrics-logs-alarms-dashboards/ (June 2026), ${READ}`;
const ALARM_SOURCE = `https://c3x.dev/resources/aws/aws_cloudwatch_metric_alarm, ${READ}`;
const KMS_SOURCE = `${KMS_PAGE}, ${READ}`;
const S3_SOURCE = `https://zeonedge.com/blog/cloud-storage-cost-guide-s3-ebs-efs-fsx-choosing-right-tier (us-east-1, April 2026), ${READ}`;
const EBS_SOURCE = `https://menuvis1-blip.github.io/autonomous-researcher/aws/architecture/storage/2026/02/24/amazon-ebs.html (Feb 2026), ${READ}`;
const NOT_FOUND = (what: string) => `no source read gives it (looked for ${what})`;

export const PRICES = {
    albHour: { usd: 0.0225, unit: "load balancer-hour", source: ALB_SOURCE, awsPage: ELB_PAGE },
    lcuHour: { usd: 0.008, unit: "LCU-hour", source: ALB_SOURCE, awsPage: ELB_PAGE },
    natHour: { usd: 0.045, unit: "NAT gateway-hour", source: NAT_SOURCE, awsPage: VPC_PAGE },
    natGb: { usd: 0.045, unit: "GB processed", source: NAT_SOURCE, awsPage: VPC_PAGE },
    publicIpv4Hour: { usd: 0.005, unit: "public IPv4 address-hour", source: IPV4_SOURCE, awsPage: VPC_PAGE },
    ebsGp3GbMonth: { usd: 0.08, unit: "GB-month of gp3", source: EBS_SOURCE, awsPage: EBS_PAGE },
    rdsGp3GbMonth: { usd: 0.115, unit: "GB-month of RDS gp3 storage (per copy: Multi-AZ bills the standby's too)", source: RDS_STORAGE_SOURCE, awsPage: RDS_PAGE },
    cloudwatchAlarmMetric: { usd: 0.1, unit: "standard-resolution alarm metric-month", source: ALARM_SOURCE, awsPage: CLOUDWATCH_PAGE },
    cloudwatchDashboard: { usd: 3, unit: "dashboard-month", source: CLOUDWATCH_SOURCE, awsPage: CLOUDWATCH_PAGE },
    logsIngestedGb: { usd: 0.5, unit: "GB of logs ingested", source: CLOUDWATCH_SOURCE, awsPage: CLOUDWATCH_PAGE },
    kmsKeyMonth: { usd: 1, unit: "KMS key-month (each yearly rotation adds $1/month)", source: KMS_SOURCE, awsPage: KMS_PAGE },
    s3GbMonth: { usd: 0.023, unit: "GB-month of S3 Standard", source: S3_SOURCE, awsPage: S3_PAGE },
} as const satisfies Record<string, Price>;

// The t3.small rate is a third-party copy of AWS's table; the other instance rates are AWS's own
// price data as kept in public repositories (Price List API answers quoted in a cost report, rows
// of AWS's bulk offer file) or, for the cache nodes, quoted by a cost tool whose repository could
// not be named.
const T3_SMALL_SOURCE = `https://cloud-bench.com/blog/aws-t3-micro-vs-t3-small (on-demand us-east-1; the page is undated), ${READ}`;
/** The cache node rates, per engine: there every node type both engines list costs 0.8 times as much on Valkey. */
const cachePriceList = (engine: CacheEngine) =>
    `the AWS Price List API (AmazonElastiCache, Cache Instance, cacheEngine ${engine === "valkey" ? "Valkey" : "Redis"}, us-east-1, read 2026-10-02) as quoted in a public cost tool's table of fallback prices, read 2026-11-27; ` +
    "the tool's repository could not be identified, so no public copy backs this rate: check it on AWS's page";
const M7I_LARGE_PRICE_LIST = `the AWS Price List API (AmazonEC2, us-east-1, SKU HDXWAGH5PKCWGFHZ, read 2026-10-05) as quoted in github.com/Potato1476/vllm-bench reports/production-cost-estimation-tco-2026-10-05.md section 13 (commit 25a356c9), whose us-east-1 bill charged BoxUsage:m7i.large (Linux) at the same $0.1008/h (reports/aws-continuous-cost-2026-10-07.md), ${READ}`;
const RDS_MYSQL_OFFER_FILE = `AWS's Price List bulk offer file AmazonRDS version 20260904172716 (us-east-1, databaseEngine MySQL, OnDemand), in a trimmed copy dated 2026-09-06: github.com/mooncitizen/togen internal/cost/prices/aws.json (commit 36c1abbf), ${READ}`;

/** Hourly on-demand prices of the instance types the examples use (EC2 Linux, RDS for MySQL Single-AZ). */
export const INSTANCE_HOUR_PRICES: Record<string, Price> = {
    "t3.small": { usd: 0.0208, unit: "instance-hour", source: T3_SMALL_SOURCE, awsPage: EC2_PAGE },
    "m7i.large": { usd: 0.1008, unit: "instance-hour", source: M7I_LARGE_PRICE_LIST, awsPage: EC2_PAGE },
    "db.t4g.micro": {
        usd: 0.016,
        unit: "DB instance-hour (Single-AZ)",
        source: `${RDS_MYSQL_OFFER_FILE}; Single-AZ SKU U4AUM7WC9VCSGAY9 (its Multi-AZ SKU F2KGHFYN45729EWR is $0.032, twice)`,
        awsPage: RDS_PAGE,
    },
    "db.r6g.large": {
        usd: 0.215,
        unit: "DB instance-hour (Single-AZ)",
        source: `${RDS_MYSQL_OFFER_FILE}; Single-AZ SKU 5KE8TCG3FP4Y4ZVZ (its Multi-AZ SKU SJZ23EJ356ZZU259 is $0.43, twice)`,
        awsPage: RDS_PAGE,
    },
};

/** Hourly on-demand prices of the cache node types the examples use, per engine: Valkey's are 20% lower. */
export const CACHE_NODE_HOUR_PRICES: Record<CacheEngine, Record<string, Price>> = {
    valkey: {
        "cache.t4g.micro": { usd: 0.0128, unit: "Valkey node-hour", source: cachePriceList("valkey"), awsPage: ELASTICACHE_PAGE },
        "cache.r7g.large": { usd: 0.1752, unit: "Valkey node-hour", source: cachePriceList("valkey"), awsPage: ELASTICACHE_PAGE },
    },
    redis: {
        "cache.t4g.micro": { usd: 0.016, unit: "Redis OSS node-hour", source: cachePriceList("redis"), awsPage: ELASTICACHE_PAGE },
        "cache.r7g.large": { usd: 0.219, unit: "Redis OSS node-hour", source: cachePriceList("redis"), awsPage: ELASTICACHE_PAGE },
    },
};

/** Usage the prices multiply, which the configuration cannot know: stated in docs/cost.md. */
export const ASSUMED = {
    /** Average load balancer capacity units: a small API gateway's traffic. */
    lcus: 1,
    /** GB a month through the NAT gateways (image pulls, LLM provider calls, AWS APIs). */
    natGb: 100,
    /** GB of container logs each node ingests a month. */
    logGbPerNode: 1,
    /** GB of ALB access logs written a month (kept albAccessLogDays). */
    albAccessLogGb: 1,
};

export interface CostLine {
    component: string;
    /** What is counted, e.g. "3 x t3.small x 730 h". */
    quantity: string;
    /** Undefined when a price it needs was not found. */
    usd?: number;
    /** Every price the line multiplies. */
    prices: Price[];
}

const line = (component: string, quantity: string, parts: [number, Price][]): CostLine => ({
    component,
    quantity,
    usd: parts.every(([, price]) => price.usd !== undefined)
        ? parts.reduce((sum, [amount, price]) => sum + amount * (price.usd as number), 0)
        : undefined,
    prices: parts.map(([, price]) => price),
});

/** AWS's pricing page for an instance type's service, by the type's prefix. */
const instancePage = (type: string) => (type.startsWith("db.") ? RDS_PAGE : type.startsWith("cache.") ? ELASTICACHE_PAGE : EC2_PAGE);

const instancePrice = (type: string): Price =>
    INSTANCE_HOUR_PRICES[type] ?? { unit: "instance-hour", source: NOT_FOUND(`the price of ${type}`), awsPage: instancePage(type) };

const cacheNodePrice = (engine: CacheEngine, type: string): Price =>
    CACHE_NODE_HOUR_PRICES[engine][type] ?? { unit: `${CACHE[engine].name} node-hour`, source: NOT_FOUND(`the ${CACHE[engine].name} price of ${type}`) };

/** The number of CloudWatch alarm metrics the stack creates: monitoring.ts's and each node's (nodes.ts). */
export function alarmMetricCount(config: ClusterConfig): number {
    const databases = config.logDatabase ? 2 : 1;
    // Target groups (3), the 5xx rate (3 metrics in one alarm), response time (1).
    const loadBalancer = 3 + 3 + 1;
    const nodes = [config.masterInstanceType, ...Array.from({ length: config.slaveCount }, () => config.instanceType)];
    const perNode = nodes.reduce((sum, type) => sum + 1 + (supportsRecoverAction(type) ? 1 : 0), 0);
    // Per database CPU, storage, connections; the main database's unreachable alarm too.
    return loadBalancer + 3 * databases + 1 + 2 * config.cacheNodeCount + perNode;
}

/** The monthly cost of an AWS stack, by component. */
export function monthlyCost(config: ClusterConfig): CostLine[] {
    if (config.network.kind !== "new") {
        throw new Error("the cost table is drawn for stacks with their own VPC (NAT gateways included)");
    }
    const h = HOURS_PER_MONTH;
    const nodeCount = 1 + config.slaveCount;
    const azCount = config.network.azCount;
    const natGateways = config.network.natGateways === "single" ? 1 : azCount;
    const databases = config.logDatabase ? 2 : 1;
    // Multi-AZ bills the standby instance and its storage as well: AWS's price list gives these
    // classes' Multi-AZ instance-hour at exactly twice the Single-AZ one.
    const copies = config.dbMultiAz ? 2 : 1;
    const instances =
        config.masterInstanceType === config.instanceType
            ? [[nodeCount, config.instanceType] as const]
            : [[1, config.masterInstanceType] as const, [config.slaveCount, config.instanceType] as const];
    const lines: CostLine[] = [
        line(
            "EC2 nodes",
            instances.map(([n, type]) => `${n} x ${type}`).join(" + ") + ` x ${h} h`,
            instances.map(([n, type]) => [n * h, instancePrice(type)]),
        ),
        line("EBS root volumes (gp3)", `${nodeCount} x ${config.rootVolumeSize} GB`, [[nodeCount * config.rootVolumeSize, PRICES.ebsGp3GbMonth]]),
        line("ALB + LCUs", `${h} h + ${ASSUMED.lcus} LCU x ${h} h (assumed)`, [
            [h, PRICES.albHour],
            [ASSUMED.lcus * h, PRICES.lcuHour],
        ]),
        line("ALB public IPv4 addresses", `${azCount} (one per zone) x ${h} h`, [[azCount * h, PRICES.publicIpv4Hour]]),
        line("NAT gateways + data", `${natGateways} x ${h} h + ${ASSUMED.natGb} GB (assumed)`, [
            [natGateways * h, PRICES.natHour],
            [ASSUMED.natGb, PRICES.natGb],
        ]),
        line("NAT public IPv4 addresses", `${natGateways} x ${h} h`, [[natGateways * h, PRICES.publicIpv4Hour]]),
        line(
            "RDS instances",
            `${databases} database${databases > 1 ? "s (main + log)" : ""} x ${copies} (${config.dbMultiAz ? "Multi-AZ: primary + standby" : "Single-AZ"}) x ${config.dbInstanceClass} x ${h} h`,
            [[databases * copies * h, instancePrice(config.dbInstanceClass)]],
        ),
        line(
            "RDS storage (gp3)",
            `${databases * copies} x ${config.dbAllocatedStorage} GB`,
            [[databases * copies * config.dbAllocatedStorage, PRICES.rdsGp3GbMonth]],
        ),
        {
            component: "RDS backups",
            quantity: `${config.dbBackupRetentionDays} days kept`,
            usd: 0,
            prices: [{ usd: 0, unit: "GB-month up to the provisioned storage (free allowance; beyond it ~$0.095/GB-month)", source: RDS_STORAGE_SOURCE, awsPage: RDS_PAGE }],
        },
        line("ElastiCache nodes", `${config.cacheNodeCount} x ${config.cacheNodeType} (${CACHE[config.cacheEngine].name}) x ${h} h`, [
            [config.cacheNodeCount * h, cacheNodePrice(config.cacheEngine, config.cacheNodeType)],
        ]),
        line("CloudWatch alarms", `${alarmMetricCount(config)} alarm metrics`, [[alarmMetricCount(config), PRICES.cloudwatchAlarmMetric]]),
        line("CloudWatch dashboard", "1", [[1, PRICES.cloudwatchDashboard]]),
        line("CloudWatch logs ingested", `${nodeCount} nodes x ${ASSUMED.logGbPerNode} GB (assumed)`, [[nodeCount * ASSUMED.logGbPerNode, PRICES.logsIngestedGb]]),
        line("KMS key", "1 cluster key", [[1, PRICES.kmsKeyMonth]]),
    ];
    if (config.albAccessLogs) {
        const storedGb = (ASSUMED.albAccessLogGb * config.albAccessLogDays) / 30;
        lines.push(
            line("S3 ALB access logs", `${ASSUMED.albAccessLogGb} GB/month (assumed) kept ${config.albAccessLogDays} days`, [
                [storedGb, PRICES.s3GbMonth],
            ]),
        );
    }
    return lines;
}

const dollars = (usd: number) => `$${usd.toFixed(2)}`;

/** The README's table for the example stacks: one column per stack file, the total of the priced lines last. */
export function costTable(stacks: { file: string; config: ClusterConfig }[]): string {
    const costs = stacks.map((s) => monthlyCost(s.config));
    const components = [...new Set(costs.flatMap((lines) => lines.map((l) => l.component)))];
    const cell = (l: CostLine | undefined) =>
        l === undefined ? "—" : `${l.usd === undefined ? "price not found" : dollars(l.usd)} (${l.quantity})`;
    const rows = components.map((component) => `| ${component} | ${costs.map((lines) => cell(lines.find((l) => l.component === component))).join(" | ")} |`);
    const totals = costs.map((lines) => {
        const priced = lines.filter((l) => l.usd !== undefined);
        const missing = lines.filter((l) => l.usd === undefined).map((l) => l.component);
        return `**${dollars(priced.reduce((sum, l) => sum + (l.usd as number), 0))}**${missing.length ? ` + ${missing.join(", ")} (prices not found)` : ""}`;
    });
    return [
        `| component | ${stacks.map((s) => s.file).join(" | ")} |`,
        `|---|${stacks.map(() => "---").join("|")}|`,
        ...rows,
        `| total a month | ${totals.join(" | ")} |`,
    ].join("\n");
}

/** Every price the table uses, with where it was read and AWS's page for it: docs/cost.md lists them. */
export function priceList(): string {
    const entries: [string, Price][] = [
        ...Object.entries(PRICES),
        ...Object.entries(INSTANCE_HOUR_PRICES),
        ...Object.entries(CACHE_NODE_HOUR_PRICES).flatMap(([engine, prices]) => Object.entries(prices).map(([type, price]): [string, Price] => [`${type} (${engine})`, price])),
    ];
    return entries
        .map(([name, p]) => `- ${name}: ${p.usd === undefined ? "price not found" : `$${p.usd}`} per ${p.unit}. Source: ${p.source}. AWS's page: ${p.awsPage}`)
        .join("\n");
}
