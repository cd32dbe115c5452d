// The CloudWatch metrics the cluster is watched by: namespace, name, the dimensions CloudWatch
// publishes them with, statistic and unit. The alarms (monitoring.ts, nodes.ts) and the
// dashboard (dashboard.ts) take their metrics from here, and test/metrics.test.ts checks every
// alarm and every dashboard metric against this table, and the table against AWS's pages.
import * as pulumi from "@pulumi/pulumi";

export interface MetricSpec {
    namespace: string;
    metricName: string;
    /** The dimension names, in order: one of the sets CloudWatch publishes the metric with. */
    dimensions: readonly string[];
    /** The statistics worth reading it with; the first is the one its alarm uses. */
    statistics: readonly string[];
    /** The unit CloudWatch reports it in. */
    unit: "Count" | "Percent" | "Seconds" | "Bytes";
    /** Which way is trouble, for a metric an alarm watches: the alarm's comparison must agree (both ways: two alarms). */
    troubleWhen?: "above" | "below" | readonly ["above", "below"];
}

const ALB = "AWS/ApplicationELB";
const TARGET_GROUP = ["TargetGroup", "LoadBalancer"] as const;

export const METRICS = {
    albRequests: { namespace: ALB, metricName: "RequestCount", dimensions: ["LoadBalancer"], statistics: ["Sum"], unit: "Count" },
    targetGroupRequests: { namespace: ALB, metricName: "RequestCount", dimensions: TARGET_GROUP, statistics: ["Sum"], unit: "Count" },
    healthyHosts: { namespace: ALB, metricName: "HealthyHostCount", dimensions: TARGET_GROUP, statistics: ["Minimum"], unit: "Count", troubleWhen: "below" },
    unhealthyHosts: { namespace: ALB, metricName: "UnHealthyHostCount", dimensions: TARGET_GROUP, statistics: ["Maximum"], unit: "Count", troubleWhen: "above" },
    albElb5xx: { namespace: ALB, metricName: "HTTPCode_ELB_5XX_Count", dimensions: ["LoadBalancer"], statistics: ["Sum"], unit: "Count", troubleWhen: "above" },
    albTarget5xx: { namespace: ALB, metricName: "HTTPCode_Target_5XX_Count", dimensions: ["LoadBalancer"], statistics: ["Sum"], unit: "Count", troubleWhen: "above" },
    responseTime: {
        namespace: ALB,
        metricName: "TargetResponseTime",
        dimensions: ["LoadBalancer"],
        statistics: ["p90", "p50", "p99"],
        unit: "Seconds",
        troubleWhen: "above",
    },
    dbCpu: { namespace: "AWS/RDS", metricName: "CPUUtilization", dimensions: ["DBInstanceIdentifier"], statistics: ["Average"], unit: "Percent", troubleWhen: "above" },
    // Too many (the pools outgrow max_connections), or none: no node reaches the database.
    dbConnections: {
        namespace: "AWS/RDS",
        metricName: "DatabaseConnections",
        dimensions: ["DBInstanceIdentifier"],
        statistics: ["Maximum"],
        unit: "Count",
        troubleWhen: ["above", "below"],
    },
    dbFreeStorage: { namespace: "AWS/RDS", metricName: "FreeStorageSpace", dimensions: ["DBInstanceIdentifier"], statistics: ["Minimum"], unit: "Bytes", troubleWhen: "below" },
    // The same names and dimensions for Valkey and Redis OSS ("Metrics for Valkey and Redis OSS":
    // "These metrics are the same when using the Valkey engine").
    cacheMemory: {
        namespace: "AWS/ElastiCache",
        metricName: "DatabaseMemoryUsagePercentage",
        dimensions: ["CacheClusterId"],
        statistics: ["Maximum"],
        unit: "Percent",
        troubleWhen: "above",
    },
    cacheEngineCpu: { namespace: "AWS/ElastiCache", metricName: "EngineCPUUtilization", dimensions: ["CacheClusterId"], statistics: ["Average"], unit: "Percent", troubleWhen: "above" },
    nodeCpu: { namespace: "AWS/EC2", metricName: "CPUUtilization", dimensions: ["InstanceId"], statistics: ["Average"], unit: "Percent" },
    nodeStatusCheck: { namespace: "AWS/EC2", metricName: "StatusCheckFailed", dimensions: ["InstanceId"], statistics: ["Maximum"], unit: "Count", troubleWhen: "above" },
    nodeSystemCheck: { namespace: "AWS/EC2", metricName: "StatusCheckFailed_System", dimensions: ["InstanceId"], statistics: ["Maximum"], unit: "Count", troubleWhen: "above" },
} as const satisfies Record<string, MetricSpec>;

export type MetricKey = keyof typeof METRICS;

/** The dimensions of a metric as PutMetricAlarm takes them, from its values in the table's order. */
export function dimensionsOf<T>(spec: MetricSpec, values: readonly T[]): Record<string, T> {
    if (values.length !== spec.dimensions.length) {
        throw new Error(`${spec.metricName} takes ${spec.dimensions.join(", ")}: ${values.length} values given`);
    }
    return Object.fromEntries(spec.dimensions.map((name, i) => [name, values[i]]));
}

/** A single-metric alarm's metric: namespace, name, its statistic (extended for percentiles) and dimensions. */
export function alarmMetric(spec: MetricSpec, values: readonly pulumi.Input<string>[]) {
    const statistic = spec.statistics[0];
    return {
        namespace: spec.namespace,
        metricName: spec.metricName,
        ...(/^p\d/.test(statistic) ? { extendedStatistic: statistic } : { statistic }),
        dimensions: dimensionsOf(spec, values),
    };
}

/** The same metric inside a metric-math alarm's query (MetricStat). */
export function queryMetric(spec: MetricSpec, values: readonly pulumi.Input<string>[], period: number) {
    return { namespace: spec.namespace, metricName: spec.metricName, stat: spec.statistics[0], period, dimensions: dimensionsOf(spec, values) };
}
