// The alerting tier: an SNS topic (with an email subscription when alertEmail is set) and
// CloudWatch alarms on the load balancer, its target groups, the databases and the cache.
// Per-node alarms (status checks, auto-recovery) live with each node (nodes.ts).
import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as sns from "@pulumi/aws/sns";
import * as pulumi from "@pulumi/pulumi";
import { AlarmThresholds } from "../config";
import { CACHE, CacheEngine } from "../versions";
import { METRICS, MetricSpec, alarmMetric, queryMetric } from "./metrics";

export interface MonitoredDatabase {
    /** A short label for alarm names, e.g. "db" or "logdb". */
    label: string;
    instanceId: pulumi.Input<string>;
}

export interface MonitoringArgs {
    alertEmail?: string;
    alarmThresholds: AlarmThresholds;
    /** ALB and target group ARN suffixes: CloudWatch's dimensions for them. */
    loadBalancerArnSuffix: pulumi.Input<string>;
    masterTargetGroupArnSuffix: pulumi.Input<string>;
    slavesTargetGroupArnSuffix: pulumi.Input<string>;
    databases: MonitoredDatabase[];
    dbMaxConnections: number;
    /** SYNC_FREQUENCY: every node reads New API's options from the main database this often. */
    syncFrequency: number;
    /** The cache's engine, which names its alarms (the metrics are the same for Valkey and Redis OSS). */
    cacheEngine: CacheEngine;
    /** The cache's member clusters (replication group id -001, -002, …). */
    cacheClusterIds: pulumi.Input<string>[];
    /** The cluster's KMS key, which lets CloudWatch alarms publish to the topic it encrypts. */
    kmsKeyArn?: pulumi.Input<string>;
    tags: Record<string, string>;
}

/** The alert topic's logical name; the provider appends a random suffix to make its name. */
export function alertTopicLogicalName(name: string): string {
    return `${name}-alerts`;
}

/** ElastiCache names a replication group's nodes <group id>-001, -002, …: the suffixes. */
export function cacheMemberSuffixes(nodeCount: number): string[] {
    return Array.from({ length: nodeCount }, (_, i) => String(i + 1).padStart(3, "0"));
}

const GIB = 2 ** 30;

/**
 * How long the main database may see no connection before `db-unreachable` fires: every node
 * reads New API's options from it every SYNC_FREQUENCY seconds (model/option.go, SyncOptions),
 * so a healthy cluster connects at least that often. Two syncs, at least 15 minutes, in
 * 5-minute periods, and at most CloudWatch's one day of evaluation.
 */
export function dbUnreachablePeriods(syncFrequency: number): number {
    const window = Math.min(86400, Math.max(900, 2 * syncFrequency));
    return Math.ceil(window / 300);
}

/** The alarms' thresholds in the metrics' own units: the dashboard draws the same lines. */
export interface AlarmLines {
    http5xxPercent: number;
    responseTimeSeconds: number;
    dbCpuPercent: number;
    dbFreeStorageBytes: number;
    dbConnections: number;
    cacheMemoryPercent: number;
    cacheCpuPercent: number;
}

export function alarmLines(t: AlarmThresholds, dbMaxConnections: number): AlarmLines {
    return {
        http5xxPercent: t.http5xxPercent,
        responseTimeSeconds: t.responseTimeSeconds,
        dbCpuPercent: t.dbCpuPercent,
        dbFreeStorageBytes: t.dbFreeStorageGb * GIB,
        dbConnections: Math.floor((dbMaxConnections * t.dbConnectionsPercent) / 100),
        cacheMemoryPercent: t.cacheMemoryPercent,
        cacheCpuPercent: t.cacheCpuPercent,
    };
}

export class Monitoring extends pulumi.ComponentResource {
    readonly topicArn: pulumi.Output<string>;

    constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("new-api:monitoring:Monitoring", name, {}, opts);
        const parent = { parent: this };
        const t = args.alarmThresholds;
        const lines = alarmLines(t, args.dbMaxConnections);

        const topic = new sns.Topic(alertTopicLogicalName(name), { kmsMasterKeyId: args.kmsKeyArn, tags: args.tags }, parent);
        if (args.alertEmail !== undefined) {
            // AWS mails a confirmation link first; alerts arrive once it is followed.
            new sns.TopicSubscription(`${name}-alerts-email`, { topic: topic.arn, protocol: "email", endpoint: args.alertEmail }, parent);
        }

        const alarm = (suffix: string, description: string, alarmArgs: Partial<cloudwatch.MetricAlarmArgs>) =>
            new cloudwatch.MetricAlarm(
                `${name}-${suffix}`,
                {
                    alarmDescription: description,
                    comparisonOperator: "GreaterThanThreshold",
                    evaluationPeriods: 3,
                    period: 60,
                    treatMissingData: "notBreaching",
                    alarmActions: [topic.arn],
                    okActions: [topic.arn],
                    tags: args.tags,
                    ...alarmArgs,
                } as cloudwatch.MetricAlarmArgs,
                parent,
            );

        const targetGroup = (group: pulumi.Input<string>) => [group, args.loadBalancerArnSuffix];
        alarm("master-unhealthy", "The master target is failing its health check", {
            ...alarmMetric(METRICS.unhealthyHosts, targetGroup(args.masterTargetGroupArnSuffix)),
            threshold: 0,
        });
        alarm("master-down", "No healthy master: the admin UI and background jobs are down", {
            ...alarmMetric(METRICS.healthyHosts, targetGroup(args.masterTargetGroupArnSuffix)),
            comparisonOperator: "LessThanThreshold",
            threshold: 1,
            // The target group reports nothing until a listener forwards to it: a new stack's
            // first minutes are not an outage. Once it reports, a master down reports 0.
            treatMissingData: "notBreaching",
        });
        alarm("slaves-unhealthy", "A slave target is failing its health check", {
            ...alarmMetric(METRICS.unhealthyHosts, targetGroup(args.slavesTargetGroupArnSuffix)),
            threshold: 0,
        });
        const albMetric = (id: string, spec: MetricSpec) => ({ id, metric: queryMetric(spec, [args.loadBalancerArnSuffix], 300) });
        alarm("http-5xx-rate", `More than ${t.http5xxPercent}% of requests answered 5xx (load balancer or nodes)`, {
            evaluationPeriods: 1,
            period: undefined,
            threshold: lines.http5xxPercent,
            metricQueries: [
                albMetric("elb5xx", METRICS.albElb5xx),
                albMetric("target5xx", METRICS.albTarget5xx),
                albMetric("requests", METRICS.albRequests),
                {
                    id: "rate",
                    expression: "100 * (FILL(elb5xx, 0) + FILL(target5xx, 0)) / requests",
                    label: "5xx responses (%)",
                    returnData: true,
                },
            ],
        });
        alarm("response-time", `p90 time to first response byte above ${t.responseTimeSeconds} s`, {
            ...alarmMetric(METRICS.responseTime, [args.loadBalancerArnSuffix]),
            period: 300,
            evaluationPeriods: 2,
            threshold: lines.responseTimeSeconds,
        });

        // The main database only: nothing visits the log database on a schedule.
        alarm("db-unreachable", "No node is connected to MySQL: the nodes cannot reach the database (docs/troubleshooting.md)", {
            ...alarmMetric(METRICS.dbConnections, [args.databases[0].instanceId]),
            period: 300,
            evaluationPeriods: dbUnreachablePeriods(args.syncFrequency),
            comparisonOperator: "LessThanThreshold",
            threshold: 1,
        });
        for (const db of args.databases) {
            alarm(`${db.label}-cpu`, `${db.label}: CPU above ${t.dbCpuPercent}%`, {
                ...alarmMetric(METRICS.dbCpu, [db.instanceId]),
                period: 300,
                threshold: lines.dbCpuPercent,
            });
            alarm(`${db.label}-free-storage`, `${db.label}: less than ${t.dbFreeStorageGb} GiB free`, {
                ...alarmMetric(METRICS.dbFreeStorage, [db.instanceId]),
                period: 300,
                comparisonOperator: "LessThanThreshold",
                threshold: lines.dbFreeStorageBytes,
            });
            alarm(
                `${db.label}-connections`,
                `${db.label}: connections above ${t.dbConnectionsPercent}% of max_connections (${args.dbMaxConnections})`,
                {
                    ...alarmMetric(METRICS.dbConnections, [db.instanceId]),
                    period: 300,
                    threshold: lines.dbConnections,
                },
            );
        }

        const cacheName = CACHE[args.cacheEngine].label;
        args.cacheClusterIds.forEach((cacheClusterId, i) => {
            alarm(`cache-memory-${i}`, `${cacheName} node ${i}: memory above ${t.cacheMemoryPercent}%`, {
                ...alarmMetric(METRICS.cacheMemory, [cacheClusterId]),
                period: 300,
                threshold: lines.cacheMemoryPercent,
            });
            alarm(`cache-cpu-${i}`, `${cacheName} node ${i}: engine CPU above ${t.cacheCpuPercent}%`, {
                ...alarmMetric(METRICS.cacheEngineCpu, [cacheClusterId]),
                period: 300,
                threshold: lines.cacheCpuPercent,
            });
        });

        this.topicArn = topic.arn;
        this.registerOutputs({ topicArn: this.topicArn });
    }
}
