// The alerting tier: an SNS topic (with an email subscription when alertEmail is set) and
// CloudWatch alarms on the load balancer, its target groups, the databases and the cache.
// Per-node alarms (status checks, auto-recovery) live with each node (nodes.ts).
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AlarmThresholds } from "../config";

export interface MonitoredDatabase {
    /** A short label for alarm names, e.g. "db" or "logdb". */
    label: string;
    instanceId: pulumi.Input<string>;
}

export interface MonitoringArgs {
    alertEmail?: string;
    thresholds: AlarmThresholds;
    /** ALB and target group ARN suffixes: CloudWatch's dimensions for them. */
    loadBalancerArnSuffix: pulumi.Input<string>;
    masterTargetGroupArnSuffix: pulumi.Input<string>;
    slavesTargetGroupArnSuffix: pulumi.Input<string>;
    databases: MonitoredDatabase[];
    dbMaxConnections: number;
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

export class Monitoring extends pulumi.ComponentResource {
    readonly topicArn: pulumi.Output<string>;

    constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("new-api:monitoring:Monitoring", name, {}, opts);
        const parent = { parent: this };
        const t = args.thresholds;

        const topic = new aws.sns.Topic(alertTopicLogicalName(name), { kmsMasterKeyId: args.kmsKeyArn, tags: args.tags }, parent);
        if (args.alertEmail !== undefined) {
            // AWS mails a confirmation link first; alerts arrive once it is followed.
            new aws.sns.TopicSubscription(`${name}-alerts-email`, { topic: topic.arn, protocol: "email", endpoint: args.alertEmail }, parent);
        }

        const alarm = (suffix: string, description: string, alarmArgs: Partial<aws.cloudwatch.MetricAlarmArgs>) =>
            new aws.cloudwatch.MetricAlarm(
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
                } as aws.cloudwatch.MetricAlarmArgs,
                parent,
            );

        const targetGroupDimensions = (targetGroup: pulumi.Input<string>) => ({
            TargetGroup: targetGroup,
            LoadBalancer: args.loadBalancerArnSuffix,
        });
        alarm("master-unhealthy", "The master target is failing its health check", {
            namespace: "AWS/ApplicationELB",
            metricName: "UnHealthyHostCount",
            statistic: "Maximum",
            threshold: 0,
            dimensions: targetGroupDimensions(args.masterTargetGroupArnSuffix),
        });
        alarm("master-down", "No healthy master: the admin UI and background jobs are down", {
            namespace: "AWS/ApplicationELB",
            metricName: "HealthyHostCount",
            statistic: "Minimum",
            comparisonOperator: "LessThanThreshold",
            threshold: 1,
            // The target group reports nothing until a listener forwards to it: a new stack's
            // first minutes are not an outage. Once it reports, a master down reports 0.
            treatMissingData: "notBreaching",
            dimensions: targetGroupDimensions(args.masterTargetGroupArnSuffix),
        });
        alarm("slaves-unhealthy", "A slave target is failing its health check", {
            namespace: "AWS/ApplicationELB",
            metricName: "UnHealthyHostCount",
            statistic: "Maximum",
            threshold: 0,
            dimensions: targetGroupDimensions(args.slavesTargetGroupArnSuffix),
        });
        const albMetric = (id: string, metricName: string) => ({
            id,
            metric: {
                namespace: "AWS/ApplicationELB",
                metricName,
                stat: "Sum",
                period: 300,
                dimensions: { LoadBalancer: args.loadBalancerArnSuffix },
            },
        });
        alarm("http-5xx-rate", `More than ${t.http5xxPercent}% of requests answered 5xx (load balancer or nodes)`, {
            evaluationPeriods: 1,
            period: undefined,
            threshold: t.http5xxPercent,
            metricQueries: [
                albMetric("elb5xx", "HTTPCode_ELB_5XX_Count"),
                albMetric("target5xx", "HTTPCode_Target_5XX_Count"),
                albMetric("requests", "RequestCount"),
                {
                    id: "rate",
                    expression: "100 * (FILL(elb5xx, 0) + FILL(target5xx, 0)) / requests",
                    label: "5xx responses (%)",
                    returnData: true,
                },
            ],
        });
        alarm("response-time", `p90 time to first response byte above ${t.responseTimeSeconds} s`, {
            namespace: "AWS/ApplicationELB",
            metricName: "TargetResponseTime",
            extendedStatistic: "p90",
            period: 300,
            evaluationPeriods: 2,
            threshold: t.responseTimeSeconds,
            dimensions: { LoadBalancer: args.loadBalancerArnSuffix },
        });

        for (const db of args.databases) {
            const dimensions = { DBInstanceIdentifier: db.instanceId };
            alarm(`${db.label}-cpu`, `${db.label}: CPU above ${t.dbCpuPercent}%`, {
                namespace: "AWS/RDS",
                metricName: "CPUUtilization",
                statistic: "Average",
                period: 300,
                threshold: t.dbCpuPercent,
                dimensions,
            });
            alarm(`${db.label}-free-storage`, `${db.label}: less than ${t.dbFreeStorageGb} GiB free`, {
                namespace: "AWS/RDS",
                metricName: "FreeStorageSpace",
                statistic: "Minimum",
                period: 300,
                comparisonOperator: "LessThanThreshold",
                threshold: t.dbFreeStorageGb * GIB,
                dimensions,
            });
            alarm(
                `${db.label}-connections`,
                `${db.label}: connections above ${t.dbConnectionsPercent}% of max_connections (${args.dbMaxConnections})`,
                {
                    namespace: "AWS/RDS",
                    metricName: "DatabaseConnections",
                    statistic: "Maximum",
                    period: 300,
                    threshold: Math.floor((args.dbMaxConnections * t.dbConnectionsPercent) / 100),
                    dimensions,
                },
            );
        }

        args.cacheClusterIds.forEach((cacheClusterId, i) => {
            const dimensions = { CacheClusterId: cacheClusterId };
            alarm(`cache-memory-${i}`, `Redis node ${i}: memory above ${t.cacheMemoryPercent}%`, {
                namespace: "AWS/ElastiCache",
                metricName: "DatabaseMemoryUsagePercentage",
                statistic: "Maximum",
                period: 300,
                threshold: t.cacheMemoryPercent,
                dimensions,
            });
            alarm(`cache-cpu-${i}`, `Redis node ${i}: engine CPU above ${t.cacheCpuPercent}%`, {
                namespace: "AWS/ElastiCache",
                metricName: "EngineCPUUtilization",
                statistic: "Average",
                period: 300,
                threshold: t.cacheCpuPercent,
                dimensions,
            });
        });

        this.topicArn = topic.arn;
        this.registerOutputs({ topicArn: this.topicArn });
    }
}
