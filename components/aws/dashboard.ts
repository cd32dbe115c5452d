// The cluster's CloudWatch dashboard: traffic per target group beside the share the listener
// weights intend, target health, 5xx rate, response time, every node's CPU and status checks,
// the databases and the cache, with each alarm's threshold drawn as a line. The body is a pure
// function of plain inputs (dashboardBody); every metric it names comes from metrics.ts.
import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as pulumi from "@pulumi/pulumi";
import { AlarmThresholds } from "../config";
import { CACHE, CacheEngine } from "../versions";
import { ListenerWeights } from "../weights";
import { METRICS, MetricSpec } from "./metrics";
import { AlarmLines, alarmLines } from "./monitoring";

export interface DashboardNode {
    name: string;
    instanceId: string;
}

/** What the body is drawn from: plain values (ids and names as AWS knows them). */
export interface DashboardInputs {
    clusterName: string;
    region: string;
    loadBalancer: string;
    masterTargetGroup: string;
    slavesTargetGroup: string;
    weights: ListenerWeights;
    /** The master first, then the slaves in order. */
    nodes: DashboardNode[];
    /** Database label (db, logdb) and instance identifier. */
    databases: { label: string; instanceId: string }[];
    dbMaxConnections: number;
    cacheEngine: CacheEngine;
    cacheClusterIds: string[];
    alarmThresholds: AlarmThresholds;
}

/** One entry of a metric widget's `metrics` array: a metric with its options, or an expression. */
export type MetricEntry = (string | Record<string, unknown>)[] | [Record<string, unknown>];

export interface Annotation {
    label: string;
    value: number;
}

interface Graph {
    title: string;
    metrics: MetricEntry[];
    annotations?: Annotation[];
    period?: number;
}

/** The grid is 24 units wide (Dashboard Body Structure, widgets: x 0-23, width 1-24). */
const GRID_WIDTH = 24;
const GRAPH_WIDTH = 12;
const GRAPH_HEIGHT = 6;
const HEADER_HEIGHT = 2;
const PERIOD = 300;

/** [namespace, name, dimension name, value, …, options]: the metrics array format of a metric widget. */
export function metricEntry(spec: MetricSpec, values: readonly string[], options: Record<string, unknown> = {}): MetricEntry {
    if (values.length !== spec.dimensions.length) {
        throw new Error(`${spec.metricName} takes ${spec.dimensions.join(", ")}: ${values.length} values given`);
    }
    const stat = (options.stat as string | undefined) ?? spec.statistics[0];
    if (!spec.statistics.includes(stat)) {
        throw new Error(`${spec.metricName} is not read with ${stat} (${spec.statistics.join(", ")})`);
    }
    return [spec.namespace, spec.metricName, ...spec.dimensions.flatMap((name, i) => [name, values[i]]), { ...options, stat }];
}

const expression = (id: string, text: string, label: string): MetricEntry => [{ id, expression: text, label }];

/** The share of requests each target group should get: its weight over the sum, in percent. */
export function intendedShares(weights: ListenerWeights): { master: number; slaves: number } {
    const total = weights.master + weights.slaves;
    const percent = (w: number) => Math.round((10000 * w) / total) / 100;
    return { master: percent(weights.master), slaves: percent(weights.slaves) };
}

function graphs(inputs: DashboardInputs, lines: AlarmLines): Graph[] {
    const groups = [
        { id: "master", arnSuffix: inputs.masterTargetGroup },
        { id: "slaves", arnSuffix: inputs.slavesTargetGroup },
    ];
    const targetGroup = (arnSuffix: string) => [arnSuffix, inputs.loadBalancer];
    const lb = [inputs.loadBalancer];
    const shares = intendedShares(inputs.weights);
    const slaveCount = inputs.nodes.length - 1;
    const perNode = (spec: MetricSpec) => inputs.nodes.map((node) => metricEntry(spec, [node.instanceId], { label: node.name }));
    const perDatabase = (spec: MetricSpec) => inputs.databases.map((db) => metricEntry(spec, [db.instanceId], { label: db.label }));
    const perCacheNode = (spec: MetricSpec) => inputs.cacheClusterIds.map((id) => metricEntry(spec, [id], { label: id }));
    const filled = (id: string) => `FILL(${id}, 0)`;
    return [
        {
            title: "Requests per target group",
            metrics: groups.map((g) => metricEntry(METRICS.targetGroupRequests, targetGroup(g.arnSuffix), { id: g.id, label: g.id })),
        },
        {
            title: `Share of requests (%): the weights intend master ${shares.master}%, slaves ${shares.slaves}%`,
            metrics: [
                ...groups.map((g) => metricEntry(METRICS.targetGroupRequests, targetGroup(g.arnSuffix), { id: g.id, visible: false })),
                ...groups.map((g) =>
                    expression(`${g.id}Share`, `100 * ${filled(g.id)} / (${filled("master")} + ${filled("slaves")})`, `${g.id} (actual)`),
                ),
            ],
            annotations: [
                { label: `master intended (weight ${inputs.weights.master})`, value: shares.master },
                { label: `slaves intended (weight ${inputs.weights.slaves})`, value: shares.slaves },
            ],
        },
        {
            title: "Healthy and unhealthy hosts per target group",
            metrics: groups.flatMap((g) => [
                metricEntry(METRICS.healthyHosts, targetGroup(g.arnSuffix), { label: `${g.id} healthy` }),
                metricEntry(METRICS.unhealthyHosts, targetGroup(g.arnSuffix), { label: `${g.id} unhealthy` }),
            ]),
            annotations: [
                { label: "master-down alarm: healthy master below", value: 1 },
                { label: "unhealthy alarms: above", value: 0 },
                { label: "slaves configured", value: slaveCount },
            ],
        },
        {
            title: "5xx responses (% of requests)",
            metrics: [
                metricEntry(METRICS.albElb5xx, lb, { id: "elb5xx", visible: false }),
                metricEntry(METRICS.albTarget5xx, lb, { id: "target5xx", visible: false }),
                metricEntry(METRICS.albRequests, lb, { id: "requests", visible: false }),
                expression("rate", "100 * (FILL(elb5xx, 0) + FILL(target5xx, 0)) / requests", "5xx responses (%)"),
            ],
            annotations: [{ label: "http-5xx-rate alarm", value: lines.http5xxPercent }],
        },
        {
            title: "Target response time (s)",
            metrics: ["p50", "p90", "p99"].map((stat) => metricEntry(METRICS.responseTime, lb, { stat, label: stat })),
            annotations: [{ label: "response-time alarm (p90)", value: lines.responseTimeSeconds }],
        },
        { title: "Node CPU (%)", metrics: perNode(METRICS.nodeCpu) },
        {
            title: "Node status checks failed",
            metrics: perNode(METRICS.nodeStatusCheck),
            annotations: [{ label: "status-check alarm: 1 or more", value: 1 }],
            period: 60,
        },
        { title: "RDS CPU (%)", metrics: perDatabase(METRICS.dbCpu), annotations: [{ label: "cpu alarm", value: lines.dbCpuPercent }] },
        {
            title: "RDS connections",
            metrics: perDatabase(METRICS.dbConnections),
            annotations: [
                { label: "max_connections (dbMaxConnections)", value: inputs.dbMaxConnections },
                { label: "connections alarm", value: lines.dbConnections },
                { label: "db-unreachable alarm: below (main database)", value: 1 },
            ],
        },
        {
            title: "RDS free storage (bytes)",
            metrics: perDatabase(METRICS.dbFreeStorage),
            annotations: [{ label: "free-storage alarm: below", value: lines.dbFreeStorageBytes }],
        },
        {
            title: `${CACHE[inputs.cacheEngine].label} memory used (%)`,
            metrics: perCacheNode(METRICS.cacheMemory),
            annotations: [{ label: "cache-memory alarm", value: lines.cacheMemoryPercent }],
        },
        {
            title: `${CACHE[inputs.cacheEngine].label} engine CPU (%)`,
            metrics: perCacheNode(METRICS.cacheEngineCpu),
            annotations: [{ label: "cache-cpu alarm", value: lines.cacheCpuPercent }],
        },
    ];
}

/** The dashboard's JSON body (CloudWatch Dashboard Body Structure and Syntax). */
export function dashboardBody(inputs: DashboardInputs): string {
    const lines = alarmLines(inputs.alarmThresholds, inputs.dbMaxConnections);
    const header = {
        type: "text",
        x: 0,
        y: 0,
        width: GRID_WIDTH,
        height: HEADER_HEIGHT,
        properties: {
            markdown: `# New API cluster ${inputs.clusterName}\nManaged by Pulumi (components/aws/dashboard.ts): edits made in the console are lost at the next \`pulumi up\`.`,
        },
    };
    const perRow = GRID_WIDTH / GRAPH_WIDTH;
    const widgets = graphs(inputs, lines).map((graph, i) => ({
        type: "metric",
        x: (i % perRow) * GRAPH_WIDTH,
        y: HEADER_HEIGHT + Math.floor(i / perRow) * GRAPH_HEIGHT,
        width: GRAPH_WIDTH,
        height: GRAPH_HEIGHT,
        properties: {
            title: graph.title,
            view: "timeSeries",
            region: inputs.region,
            period: graph.period ?? PERIOD,
            metrics: graph.metrics,
            ...(graph.annotations ? { annotations: { horizontal: graph.annotations } } : {}),
        },
    }));
    return JSON.stringify({ widgets: [header, ...widgets] });
}

/** Dashboards are global to the account: the region in the name keeps two regions' clusters apart. */
export function dashboardName(clusterName: string, region: string): string {
    return `${clusterName}-${region}`;
}

/**
 * The console's address of a dashboard: the one the CloudWatch console shows in the address bar
 * when it opens the dashboard (AWS documents no URL scheme for its console).
 */
export function dashboardUrl(region: string, name: string): string {
    return `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#dashboards/dashboard/${name}`;
}

export interface DashboardArgs {
    clusterName: string;
    region: pulumi.Input<string>;
    loadBalancerArnSuffix: pulumi.Input<string>;
    masterTargetGroupArnSuffix: pulumi.Input<string>;
    slavesTargetGroupArnSuffix: pulumi.Input<string>;
    weights: ListenerWeights;
    nodes: { name: string; instanceId: pulumi.Input<string> }[];
    databases: { label: string; instanceId: pulumi.Input<string> }[];
    dbMaxConnections: number;
    cacheEngine: CacheEngine;
    cacheClusterIds: pulumi.Input<string>[];
    alarmThresholds: AlarmThresholds;
}

export class Dashboard extends pulumi.ComponentResource {
    readonly dashboardName: pulumi.Output<string>;
    readonly dashboardUrl: pulumi.Output<string>;

    constructor(name: string, args: DashboardArgs, opts?: pulumi.ComponentResourceOptions) {
        super("new-api:monitoring:Dashboard", name, {}, opts);
        const region = pulumi.output(args.region);
        const body = pulumi
            .all([
                region,
                args.loadBalancerArnSuffix,
                args.masterTargetGroupArnSuffix,
                args.slavesTargetGroupArnSuffix,
                pulumi.all(args.nodes.map((n) => n.instanceId)),
                pulumi.all(args.databases.map((d) => d.instanceId)),
                pulumi.all(args.cacheClusterIds),
            ])
            .apply(([regionName, loadBalancer, masterTargetGroup, slavesTargetGroup, nodeIds, databaseIds, cacheClusterIds]) =>
                dashboardBody({
                    clusterName: args.clusterName,
                    region: regionName,
                    loadBalancer,
                    masterTargetGroup,
                    slavesTargetGroup,
                    weights: args.weights,
                    nodes: args.nodes.map((n, i) => ({ name: n.name, instanceId: nodeIds[i] })),
                    databases: args.databases.map((d, i) => ({ label: d.label, instanceId: databaseIds[i] })),
                    dbMaxConnections: args.dbMaxConnections,
                    cacheEngine: args.cacheEngine,
                    cacheClusterIds,
                    alarmThresholds: args.alarmThresholds,
                }),
            );
        const dashboard = new cloudwatch.Dashboard(
            name,
            { dashboardName: region.apply((r) => dashboardName(args.clusterName, r)), dashboardBody: body },
            { parent: this },
        );

        this.dashboardName = dashboard.dashboardName;
        this.dashboardUrl = pulumi.all([region, dashboard.dashboardName]).apply(([r, n]) => dashboardUrl(r, n));
        this.registerOutputs({ dashboardName: this.dashboardName, dashboardUrl: this.dashboardUrl });
    }
}
