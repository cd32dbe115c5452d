// One metric table (components/aws/metrics.ts) for the alarms and the dashboard: the table
// against AWS's pages, and every alarm and every dashboard metric the program registers
// against the table, so that a wrong dimension or a comparison the wrong way fails here.
import { DashboardInputs, dashboardBody, dashboardName, dashboardUrl, intendedShares, metricEntry } from "../components/aws/dashboard";
import { METRICS, MetricSpec } from "../components/aws/metrics";
import { dbUnreachablePeriods } from "../components/aws/monitoring";
import { DEFAULT_ALARM_THRESHOLDS } from "../components/config";
import { ProgramRun, named, ofType, program } from "./harness";

const ALB_METRICS = "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html";
const RDS_METRICS = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-metrics.html";
const RDS_DIMENSIONS = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/dimensions.html";
const ELASTICACHE_HOST = "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/CacheMetrics.HostLevel.html";
const ELASTICACHE_REDIS = "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/CacheMetrics.Redis.html";
const ELASTICACHE_DIMENSIONS = "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/CacheMetrics.html";
const EC2_METRICS = "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/viewing_metrics_with_cloudwatch.html";

/** What AWS's pages say of each metric: the dimension sets it is published with, and its unit. */
interface Documented {
    dimensionSets: string[][];
    unit: MetricSpec["unit"];
    refs: string[];
}

// ALB: each metric's "Dimensions" line in the metrics table of the page.
const ALB_TARGET_GROUP_SETS = [["TargetGroup", "LoadBalancer"], ["TargetGroup", "AvailabilityZone", "LoadBalancer"]];
const ALB_ALL_SETS = [["LoadBalancer"], ["AvailabilityZone", "LoadBalancer"], ...ALB_TARGET_GROUP_SETS];
// RDS publishes every instance metric under each of these dimensions alone.
const RDS_SETS = [["DBInstanceIdentifier"], ["DatabaseClass"], ["EngineName"], ["SourceRegion"]];
// ElastiCache: per cluster (for a replication group, per member <group>-00N), and per node of it
// (the same two sets aws-cdk-lib's ElastiCacheMetrics, generated from AWS's metric specs, offers).
const ELASTICACHE_SETS = [["CacheClusterId"], ["CacheClusterId", "CacheNodeId"]];
const EC2_SETS = [["InstanceId"], ["AutoScalingGroupName"], ["ImageId"], ["InstanceType"]];

const DOCUMENTED: Record<string, Documented> = {
    "AWS/ApplicationELB RequestCount": { dimensionSets: ALB_ALL_SETS, unit: "Count", refs: [ALB_METRICS] },
    "AWS/ApplicationELB HealthyHostCount": { dimensionSets: ALB_TARGET_GROUP_SETS, unit: "Count", refs: [ALB_METRICS] },
    "AWS/ApplicationELB UnHealthyHostCount": { dimensionSets: ALB_TARGET_GROUP_SETS, unit: "Count", refs: [ALB_METRICS] },
    "AWS/ApplicationELB HTTPCode_ELB_5XX_Count": { dimensionSets: [["LoadBalancer"], ["AvailabilityZone", "LoadBalancer"]], unit: "Count", refs: [ALB_METRICS] },
    "AWS/ApplicationELB HTTPCode_Target_5XX_Count": { dimensionSets: ALB_ALL_SETS, unit: "Count", refs: [ALB_METRICS] },
    "AWS/ApplicationELB TargetResponseTime": { dimensionSets: ALB_ALL_SETS, unit: "Seconds", refs: [ALB_METRICS] },
    "AWS/RDS CPUUtilization": { dimensionSets: RDS_SETS, unit: "Percent", refs: [RDS_METRICS, RDS_DIMENSIONS] },
    "AWS/RDS DatabaseConnections": { dimensionSets: RDS_SETS, unit: "Count", refs: [RDS_METRICS, RDS_DIMENSIONS] },
    "AWS/RDS FreeStorageSpace": { dimensionSets: RDS_SETS, unit: "Bytes", refs: [RDS_METRICS, RDS_DIMENSIONS] },
    "AWS/ElastiCache DatabaseMemoryUsagePercentage": { dimensionSets: ELASTICACHE_SETS, unit: "Percent", refs: [ELASTICACHE_REDIS, ELASTICACHE_DIMENSIONS] },
    "AWS/ElastiCache EngineCPUUtilization": { dimensionSets: ELASTICACHE_SETS, unit: "Percent", refs: [ELASTICACHE_REDIS, ELASTICACHE_HOST, ELASTICACHE_DIMENSIONS] },
    "AWS/EC2 CPUUtilization": { dimensionSets: EC2_SETS, unit: "Percent", refs: [EC2_METRICS] },
    "AWS/EC2 StatusCheckFailed": { dimensionSets: EC2_SETS, unit: "Count", refs: [EC2_METRICS] },
    "AWS/EC2 StatusCheckFailed_System": { dimensionSets: EC2_SETS, unit: "Count", refs: [EC2_METRICS] },
};

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x) => b.includes(x));

/** Why a table entry disagrees with AWS's pages, if it does. */
function tableProblem(spec: MetricSpec): string | undefined {
    const documented = DOCUMENTED[`${spec.namespace} ${spec.metricName}`];
    if (documented === undefined) {
        return `${spec.namespace} ${spec.metricName} is not a metric the pages list`;
    }
    if (!documented.dimensionSets.some((set) => sameSet(set, spec.dimensions))) {
        return `${spec.metricName} is not published with dimensions ${spec.dimensions.join(", ")}`;
    }
    return spec.unit === documented.unit ? undefined : `${spec.metricName} is in ${documented.unit}, not ${spec.unit}`;
}

/** The table entry for a metric as an alarm or a widget names it: namespace, name and dimension names (CloudWatch ignores their order). */
function entryFor(namespace: string, metricName: string, dimensionNames: string[]): MetricSpec | undefined {
    return Object.values(METRICS).find(
        (m: MetricSpec) =>
            m.namespace === namespace &&
            m.metricName === metricName &&
            sameSet(m.dimensions, dimensionNames),
    );
}

const OPERATORS = {
    above: ["GreaterThanThreshold", "GreaterThanOrEqualToThreshold"],
    below: ["LessThanThreshold", "LessThanOrEqualToThreshold"],
};

type AlarmInputs = Record<string, any>;

/** Every way an alarm's metrics disagree with the table: unknown metric or dimensions, another statistic, a comparison the wrong way. */
function alarmProblems(name: string, alarm: AlarmInputs): string[] {
    const problems: string[] = [];
    const metrics: { metric: AlarmInputs; statistic: string }[] =
        alarm.metricQueries === undefined
            ? [{ metric: alarm, statistic: alarm.statistic ?? alarm.extendedStatistic }]
            : alarm.metricQueries.filter((q: AlarmInputs) => q.metric).map((q: AlarmInputs) => ({ metric: q.metric, statistic: q.metric.stat }));
    const directions = new Set<string>();
    for (const { metric, statistic } of metrics) {
        const spec = entryFor(metric.namespace, metric.metricName, Object.keys(metric.dimensions ?? {}));
        if (spec === undefined) {
            problems.push(`${name}: ${metric.namespace} ${metric.metricName} with ${Object.keys(metric.dimensions ?? {}).join(", ")} is not in the metric table`);
            continue;
        }
        if (statistic !== spec.statistics[0]) {
            problems.push(`${name}: ${metric.metricName} read with ${statistic}, the table says ${spec.statistics[0]}`);
        }
        if (spec.troubleWhen) {
            directions.add([spec.troubleWhen].flat().join(" or "));
        }
    }
    if (problems.length === 0 && directions.size !== 1) {
        problems.push(`${name}: its metrics say no single direction of trouble (${[...directions].join(", ")})`);
    }
    for (const direction of directions) {
        if (!direction.split(" or ").some((d) => OPERATORS[d as keyof typeof OPERATORS].includes(alarm.comparisonOperator))) {
            problems.push(`${name}: ${alarm.comparisonOperator}, but its metric is in trouble ${direction} the threshold`);
        }
    }
    return problems;
}

interface WidgetMetric {
    namespace: string;
    metricName: string;
    dimensions: Record<string, string>;
    options: Record<string, any>;
}

/** The metrics of a metric widget, parsed from its [namespace, name, dimension, value, …, options] entries. */
function widgetMetrics(widget: any): { metrics: WidgetMetric[]; expressions: Record<string, any>[] } {
    const metrics: WidgetMetric[] = [];
    const expressions: Record<string, any>[] = [];
    for (const entry of widget.properties.metrics as any[][]) {
        const last = entry[entry.length - 1];
        const options = typeof last === "object" ? last : {};
        if (options.expression !== undefined) {
            expressions.push(options);
            continue;
        }
        const [namespace, metricName, ...rest] = entry.slice(0, typeof last === "object" ? -1 : undefined) as string[];
        const dimensions: Record<string, string> = {};
        for (let i = 0; i < rest.length; i += 2) {
            dimensions[rest[i]] = rest[i + 1];
        }
        metrics.push({ namespace, metricName, dimensions, options });
    }
    return { metrics, expressions };
}

/** Every way a dashboard body's metrics disagree with the table, or its expressions name what the widget lacks. */
function dashboardProblems(body: string): string[] {
    const problems: string[] = [];
    for (const widget of JSON.parse(body).widgets.filter((w: any) => w.type === "metric")) {
        const title = widget.properties.title;
        const { metrics, expressions } = widgetMetrics(widget);
        for (const m of metrics) {
            const names = Object.keys(m.dimensions);
            const spec = entryFor(m.namespace, m.metricName, names);
            if (spec === undefined) {
                problems.push(`${title}: ${m.namespace} ${m.metricName} with ${names.join(", ")} is not in the metric table`);
            } else if (!spec.statistics.includes(m.options.stat)) {
                problems.push(`${title}: ${m.metricName} read with ${m.options.stat}, the table says ${spec.statistics.join(" or ")}`);
            }
            if (Object.values(m.dimensions).some((v) => typeof v !== "string" || v.length === 0)) {
                problems.push(`${title}: ${m.metricName} has an empty dimension value`);
            }
        }
        const ids = new Set(metrics.map((m) => m.options.id).filter((id) => id !== undefined));
        for (const e of expressions) {
            const named = (e.expression as string).match(/\b[a-z][a-zA-Z0-9_]*\b(?!\()/g) ?? [];
            for (const id of named.filter((n) => !ids.has(n))) {
                problems.push(`${title}: expression ${e.id} names ${id}, which no metric of the widget is`);
            }
        }
    }
    return problems;
}

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const DASHBOARD = "aws:cloudwatch/dashboard:Dashboard";
/** Everything that adds alarms or lines: a log database, three cache nodes, three slaves. */
const FULL = { slaveCount: "3", logDatabase: "true", cacheNodeCount: "3" };

describe("the metric table", () => {
    test.each(Object.entries(METRICS))("%s is published by AWS with those dimensions, in that unit", (_, spec) => {
        expect(tableProblem(spec)).toBeUndefined();
    });

    test("a dimension AWS does not publish the metric with, or a wrong unit, is caught", () => {
        expect(tableProblem({ ...METRICS.healthyHosts, dimensions: ["LoadBalancer"] })).toMatch(/not published with dimensions LoadBalancer/);
        expect(tableProblem({ ...METRICS.albElb5xx, dimensions: ["TargetGroup", "LoadBalancer"] })).toMatch(/not published/);
        expect(tableProblem({ ...METRICS.dbCpu, dimensions: ["DbInstanceIdentifier"] })).toMatch(/not published/);
        expect(tableProblem({ ...METRICS.dbFreeStorage, unit: "Count" })).toMatch(/in Bytes/);
        expect(tableProblem({ ...METRICS.nodeCpu, metricName: "CpuUtilization" })).toMatch(/not a metric the pages list/);
    });
});

describe("every alarm takes its metric from the table", () => {
    let run: ProgramRun;
    beforeAll(async () => {
        run = await program(FULL);
    });

    test("every alarm of a cluster with everything matches the table, statistic and comparison included", () => {
        const alarms = ofType(run, ALARM);
        // 3 target group, 5xx, response time; the main database unreachable; 3 per database x 2; 2 per cache node x 3; 2 per node x 4.
        expect(alarms).toHaveLength(5 + 1 + 6 + 6 + 8);
        expect(alarms.flatMap((a) => alarmProblems(a.name, a.inputs))).toEqual([]);
    });

    test("a wrong dimension, statistic or comparison on an alarm is caught", () => {
        const alarm = (suffix: string) => named(run, ALARM, `newapi-dev-${suffix}`).inputs;
        const masterDown = alarm("master-down");
        expect(alarmProblems("x", { ...masterDown, dimensions: { LoadBalancer: "app/x/1" } })).toEqual([
            expect.stringMatching(/HealthyHostCount with LoadBalancer is not in the metric table/),
        ]);
        expect(alarmProblems("x", { ...masterDown, comparisonOperator: "GreaterThanThreshold" })).toEqual([
            expect.stringMatching(/in trouble below the threshold/),
        ]);
        expect(alarmProblems("x", { ...alarm("db-free-storage"), comparisonOperator: "GreaterThanOrEqualToThreshold" })).toHaveLength(1);
        expect(alarmProblems("x", { ...alarm("cache-cpu-0"), statistic: "Maximum" })).toEqual([expect.stringMatching(/read with Maximum/)]);
        const rate = alarm("http-5xx-rate");
        const renamed = structuredClone(rate);
        renamed.metricQueries[0].metric.dimensions = { TargetGroup: "tg", LoadBalancer: "lb" };
        expect(alarmProblems("x", renamed)).toEqual([expect.stringMatching(/HTTPCode_ELB_5XX_Count with TargetGroup, LoadBalancer/)]);
        expect(alarmProblems("x", { ...rate, comparisonOperator: "LessThanThreshold" })).toEqual([expect.stringMatching(/in trouble above/)]);
    });
});

describe("the dashboard", () => {
    let run: ProgramRun;
    let body: string;
    beforeAll(async () => {
        run = await program(FULL);
        body = named(run, DASHBOARD, "newapi-dev").inputs.dashboardBody;
    });

    test("every metric it draws is in the table, with a statistic the table allows; expressions name the widget's own metrics", () => {
        expect(dashboardProblems(body)).toEqual([]);
    });

    test("a metric outside the table, a wrong statistic or an expression naming nothing is caught", () => {
        const widgetIndex = (title: string) => JSON.parse(body).widgets.findIndex((w: any) => w.properties.title === title);
        const broken = (change: (widgets: any[]) => void) => {
            const parsed = JSON.parse(body);
            change(parsed.widgets);
            return dashboardProblems(JSON.stringify(parsed));
        };
        expect(broken((w) => (w[widgetIndex("RDS CPU (%)")].properties.metrics[0][2] = "DBClusterIdentifier"))).toEqual([
            expect.stringMatching(/CPUUtilization with DBClusterIdentifier is not in the metric table/),
        ]);
        expect(broken((w) => (w[widgetIndex("Target response time (s)")].properties.metrics[0][4].stat = "Sum"))).toEqual([
            expect.stringMatching(/read with Sum/),
        ]);
        expect(broken((w) => (w[widgetIndex("5xx responses (% of requests)")].properties.metrics[3][0].expression = "100 * elb4xx / requests"))).toEqual([
            expect.stringMatching(/names elb4xx/),
        ]);
    });

    test("every alarm's threshold is drawn as a line on the widget that shows its metric", () => {
        const widgets = JSON.parse(body).widgets.filter((w: any) => w.type === "metric");
        const sorted = (d: Record<string, string>) => JSON.stringify(Object.entries(d).sort());
        const sameMetric = (a: WidgetMetric, namespace: string, metricName: string, dimensions: Record<string, string>) =>
            a.namespace === namespace && a.metricName === metricName && sorted(a.dimensions) === sorted(dimensions);
        // StatusCheckFailed_System (the recover alarm) is part of StatusCheckFailed, which the dashboard draws.
        const alarms = ofType(run, ALARM).filter((a) => !a.name.endsWith("-recover"));
        const undrawn = alarms.filter((a) => {
            const metric = a.inputs.metricQueries?.[0].metric ?? a.inputs;
            const widget = widgets.find((w: any) => widgetMetrics(w).metrics.some((m) => sameMetric(m, metric.namespace, metric.metricName, metric.dimensions)));
            return !(widget?.properties.annotations?.horizontal ?? []).some((line: { value: number }) => line.value === a.inputs.threshold);
        });
        expect(undrawn.map((a) => a.name)).toEqual([]);
    });

    test("the databases, the log database included, and every cache node have their lines", () => {
        const labels = (title: string) =>
            widgetMetrics(JSON.parse(body).widgets.find((w: any) => w.properties.title === title)).metrics.map((m) => Object.values(m.dimensions)[0]);
        for (const title of ["RDS CPU (%)", "RDS connections", "RDS free storage (bytes)"]) {
            expect(labels(title)).toEqual(["newapi-dev-db", "newapi-dev-logdb"]);
        }
        for (const title of ["Valkey memory used (%)", "Valkey engine CPU (%)"]) {
            expect(labels(title)).toEqual(["newapi-dev-redis-id-001", "newapi-dev-redis-id-002", "newapi-dev-redis-id-003"]);
        }
    });

    test("dashboardUrl opens it in the console of the stack's region", async () => {
        expect(run.exports.dashboardUrl).toBe(
            "https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards/dashboard/newapi-dev-us-east-1",
        );
        expect(named(run, DASHBOARD, "newapi-dev").inputs.dashboardName).toBe(dashboardName("newapi-dev", "us-east-1"));
        expect(dashboardUrl("eu-west-3", "x")).toBe("https://eu-west-3.console.aws.amazon.com/cloudwatch/home?region=eu-west-3#dashboards/dashboard/x");
    });
});

describe("db-unreachable", () => {
    test("waits two syncs of New API's options, at least 15 minutes and at most a day, in 5-minute periods", () => {
        expect(dbUnreachablePeriods(60)).toBe(3);
        expect(dbUnreachablePeriods(600)).toBe(4);
        expect(dbUnreachablePeriods(86400)).toBe(288);
    });

    test("fires when the main database has no connection; the log database has none", async () => {
        const run = await program({ logDatabase: "true", syncFrequency: "600" });
        const alarm = named(run, ALARM, "newapi-dev-db-unreachable").inputs;
        expect(alarm).toMatchObject({ metricName: "DatabaseConnections", comparisonOperator: "LessThanThreshold", threshold: 1, period: 300, evaluationPeriods: 4 });
        expect(alarm.dimensions).toEqual({ DBInstanceIdentifier: expect.stringMatching(/newapi-dev-db$/) });
        expect(ofType(run, ALARM).filter((a) => a.name.includes("unreachable"))).toHaveLength(1);
    });
});

describe("dashboardBody (pure)", () => {
    const inputs = (slaves: number): DashboardInputs => ({
        clusterName: "newapi-dev",
        region: "us-east-1",
        loadBalancer: "app/lb/1",
        masterTargetGroup: "targetgroup/master/1",
        slavesTargetGroup: "targetgroup/slaves/1",
        weights: { master: 3, slaves: 5 * slaves },
        nodes: [{ name: "m", instanceId: "i-m" }, ...Array.from({ length: slaves }, (_, i) => ({ name: `s${i}`, instanceId: `i-s${i}` }))],
        databases: [{ label: "db", instanceId: "db-1" }],
        dbMaxConnections: 500,
        cacheEngine: "valkey",
        cacheClusterIds: ["r-001", "r-002"],
        alarmThresholds: DEFAULT_ALARM_THRESHOLDS,
    });
    const widget = (body: string, title: RegExp) => JSON.parse(body).widgets.find((w: any) => title.test(w.properties.title ?? ""));

    test("the share widget draws the weights' intended shares beside the measured ones", () => {
        expect(intendedShares({ master: 3, slaves: 10 })).toEqual({ master: 23.08, slaves: 76.92 });
        expect(intendedShares({ master: 1, slaves: 0 })).toEqual({ master: 100, slaves: 0 });
        const share = widget(dashboardBody(inputs(2)), /^Share of requests/);
        expect(share.properties.title).toBe("Share of requests (%): the weights intend master 23.08%, slaves 76.92%");
        expect(share.properties.annotations.horizontal.map((a: { value: number }) => a.value)).toEqual([23.08, 76.92]);
        expect(share.properties.metrics.filter((m: any[]) => m[0].expression).map((m: any[]) => m[0].label)).toEqual(["master (actual)", "slaves (actual)"]);
    });

    test("connections are drawn against max_connections, the alarm's 80% of it, and the unreachable alarm's 1", () => {
        const lines = widget(dashboardBody(inputs(1)), /^RDS connections/).properties.annotations.horizontal;
        expect(lines.map((l: { value: number }) => l.value)).toEqual([500, 400, 1]);
    });

    test("widgets tile the 24-unit grid without overlapping", () => {
        const widgets = JSON.parse(dashboardBody(inputs(3))).widgets;
        const cells = new Set<string>();
        for (const w of widgets) {
            expect(w.x + w.width).toBeLessThanOrEqual(24);
            for (let x = w.x; x < w.x + w.width; x++) {
                for (let y = w.y; y < w.y + w.height; y++) {
                    expect(cells.has(`${x},${y}`)).toBe(false);
                    cells.add(`${x},${y}`);
                }
            }
        }
    });

    test("at 100 slaves with the longest names: the same 13 widgets, 101 lines per node widget, a body of bounded size", () => {
        const longest: DashboardInputs = {
            ...inputs(100),
            clusterName: "newapi-production",
            region: "ap-southeast-2",
            nodes: Array.from({ length: 101 }, (_, i) => ({ name: `newapi-production-slave-${i}`, instanceId: "i-0123456789abcdef0" })),
            databases: [
                { label: "db", instanceId: "newapi-production-db1234567" },
                { label: "logdb", instanceId: "newapi-production-logdb1234567" },
            ],
            cacheClusterIds: Array.from({ length: 6 }, (_, i) => `newapi-production-redis-1234567-00${i + 1}`),
        };
        const body = dashboardBody(longest);
        const widgets = JSON.parse(body).widgets;
        expect(widgets).toHaveLength(JSON.parse(dashboardBody(inputs(0))).widgets.length);
        expect(widgets).toHaveLength(13);
        expect(widget(body, /^Node CPU/).properties.metrics).toHaveLength(101);
        // PutDashboard states no byte limit for DashboardBody (the contract checks the widget and
        // metric counts AWS does limit); this bound only shows the body grows by node lines alone.
        expect(Buffer.byteLength(body)).toBeLessThan(40 * 1024);
    });

    test("a metric given the wrong number of dimension values, or a statistic the table does not allow, is refused", () => {
        expect(() => metricEntry(METRICS.healthyHosts, ["only-one"])).toThrow(/takes TargetGroup, LoadBalancer/);
        expect(() => metricEntry(METRICS.dbCpu, ["db-1"], { stat: "p99" })).toThrow(/not read with p99/);
    });
});
