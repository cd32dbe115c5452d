// The monitoring tier's tables: the SNS alert topic and its subscription, CloudWatch Logs log
// groups, CloudWatch alarms and the dashboard.
import { supportsRecoverAction } from "../../../components/aws/instanceTypes";
import { MOCK_REGION } from "../../mockRuntime";
import { Constraint, Table, count, field, integer, length, oneOf, pattern, required, rule, unique, valuesAt } from "../rules";
import { EC2_GUIDE, KMS_KEY_REFERENCE, TAG_CHARACTERS, tagRule } from "./common";

const SNS = "https://docs.aws.amazon.com/sns/latest/api";
const CLOUDWATCH = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference";
const DASHBOARD_BODY = `${CLOUDWATCH}/CloudWatch-Dashboard-Body-Structure.html`;
const CLOUDWATCH_QUOTAS = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_limits.html";
const LOGS = "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference";

/** CloudWatch alarm periods: 10, 20, 30 or a multiple of 60 seconds. */
const ALARM_PERIOD: Constraint = {
    says: "is 10, 20, 30 or a multiple of 60",
    test: (v) => ([10, 20, 30].includes(v) || (Number.isInteger(v) && v > 0 && v % 60 === 0) ? undefined : "must be 10, 20, 30 or a multiple of 60"),
    bad: 90,
};

/** A dashboard body's widgets, and the metrics (not expressions) of each metric widget. */
const widgetsOf = (body: string): any[] => JSON.parse(body).widgets;
const metricsOf = (widget: any): unknown[][] =>
    (widget.properties?.metrics ?? []).filter((m: unknown[]) => !(m.length === 1 && typeof m[0] === "object"));
/** A dashboard body with `widgets` in place of its own. */
const withWidgets = (inputs: Record<string, any>, change: (widgets: any[]) => any[]) => ({
    ...inputs,
    dashboardBody: JSON.stringify({ ...JSON.parse(inputs.dashboardBody), widgets: change(widgetsOf(inputs.dashboardBody)) }),
});

/** A KMS key's ARN, where a service takes nothing else (CloudWatch Logs). */
const KMS_KEY_ARN = pattern(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]{36}$/, "a KMS key ARN", "alias/new-api/logs");

export const MONITORING: Record<string, Table> = {
    "aws:sns/topic:Topic": {
        autonaming: { property: "name", separator: "-", maxLength: 80 },
        rules: [
            field("name", pattern(/^[A-Za-z0-9_-]{1,256}$/, "1-256 of letters, digits, _ and -", "alerts.topic"), `${SNS}/API_CreateTopic.html`),
            field("kmsMasterKeyId", KMS_KEY_REFERENCE, `${SNS}/API_SetTopicAttributes.html`),
            // CloudWatch alarms cannot publish to a topic under aws/sns, whose policy AWS keeps.
            field(
                "kmsMasterKeyId",
                pattern(/^(?!(arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:)?alias\/aws\/sns$).*/, "not the AWS managed aws/sns key", "alias/aws/sns"),
                "https://repost.aws/knowledge-center/cloudwatch-configure-alarm-sns",
            ),
            tagRule(`${SNS}/API_Tag.html`, TAG_CHARACTERS),
        ],
    },
    "aws:sns/topicSubscription:TopicSubscription": {
        rules: [
            field("protocol", oneOf(["http", "https", "email", "email-json", "sms", "sqs", "application", "lambda", "firehose"]), `${SNS}/API_Subscribe.html`),
            rule(
                "an email subscription's endpoint is an email address",
                `${SNS}/API_Subscribe.html`,
                (i) => i.protocol !== "email" || /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(i.endpoint),
                (i) => ({ ...i, protocol: "email", endpoint: "oncall" }),
            ),
            required("topic", `${SNS}/API_Subscribe.html`),
        ],
    },
    "aws:cloudwatch/logGroup:LogGroup": {
        rules: [
            field("name", pattern(/^(?!aws\/)[.\-_/#A-Za-z0-9]{1,512}$/, "1-512 of .-_/#A-Za-z0-9, not starting with aws/", "/new api/logs"), `${LOGS}/API_CreateLogGroup.html`),
            field("retentionInDays", oneOf([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]), `${LOGS}/API_PutRetentionPolicy.html`),
            field("kmsKeyId", KMS_KEY_ARN, `${LOGS}/API_CreateLogGroup.html`),
            tagRule(`${LOGS}/API_CreateLogGroup.html`, TAG_CHARACTERS),
        ],
        collective: [unique("name", `${LOGS}/API_CreateLogGroup.html`)],
    },
    "aws:cloudwatch/metricAlarm:MetricAlarm": {
        autonaming: { property: "name", separator: "-", maxLength: 255 },
        rules: [
            field("name", length(1, 255), `${CLOUDWATCH}/API_PutMetricAlarm.html`),
            field("alarmDescription", length(0, 1024), `${CLOUDWATCH}/API_PutMetricAlarm.html`),
            field(
                "comparisonOperator",
                oneOf(["GreaterThanOrEqualToThreshold", "GreaterThanThreshold", "LessThanThreshold", "LessThanOrEqualToThreshold"]),
                `${CLOUDWATCH}/API_PutMetricAlarm.html`,
            ),
            field("evaluationPeriods", integer(1, 86400), `${CLOUDWATCH}/API_PutMetricAlarm.html`),
            field("period", ALARM_PERIOD, `${CLOUDWATCH}/API_PutMetricAlarm.html`),
            field("metricQueries[].metric.period", ALARM_PERIOD, `${CLOUDWATCH}/API_MetricStat.html`),
            rule(
                "period x evaluationPeriods is at most one day (7 days for periods of an hour or more)",
                `${CLOUDWATCH}/API_PutMetricAlarm.html`,
                (i) => {
                    const period = i.period ?? valuesAt(i, "metricQueries[].metric.period")[0];
                    return period === undefined || period * i.evaluationPeriods <= (period < 3600 ? 86400 : 604800);
                },
                (i) => ({ ...i, period: 60, evaluationPeriods: 1441 }),
            ),
            field("statistic", oneOf(["SampleCount", "Average", "Sum", "Minimum", "Maximum"]), `${CLOUDWATCH}/API_PutMetricAlarm.html`),
            field("extendedStatistic", pattern(/^p(\d{1,2}(\.\d{1,2})?|100)$/, "a percentile such as p90", "p900"), `${CLOUDWATCH}/API_PutMetricAlarm.html`),
            field("treatMissingData", oneOf(["breaching", "notBreaching", "ignore", "missing"]), `${CLOUDWATCH}/API_PutMetricAlarm.html`),
            rule(
                "a single metric (metricName with exactly one of statistic and extendedStatistic), or metricQueries and none of those",
                `${CLOUDWATCH}/API_PutMetricAlarm.html`,
                (i) =>
                    i.metricQueries === undefined
                        ? i.metricName !== undefined && (i.statistic === undefined) !== (i.extendedStatistic === undefined)
                        : ["metricName", "namespace", "statistic", "extendedStatistic", "period", "dimensions"].every((k) => i[k] === undefined),
                (i) => ({ ...i, statistic: "Average", extendedStatistic: "p90" }),
            ),
            field("metricQueries", count(1, 20), `${CLOUDWATCH}/API_PutMetricAlarm.html`),
            field("metricQueries[].id", pattern(/^[a-z][a-zA-Z0-9_]{0,254}$/, "a lower-case letter, then letters, digits and _", "5xx"), `${CLOUDWATCH}/API_MetricDataQuery.html`),
            rule(
                "exactly one metric query returns data",
                `${CLOUDWATCH}/API_PutMetricAlarm.html`,
                (i) => i.metricQueries === undefined || i.metricQueries.filter((q: { returnData?: boolean }) => q.returnData).length === 1,
                (i) => ({ ...i, metricQueries: [...(i.metricQueries ?? []), { id: "other", expression: "1", returnData: true }, { id: "again", expression: "2", returnData: true }] }),
            ),
            rule(
                "at most 30 dimensions, each value 1-1024 characters",
                `${CLOUDWATCH}/API_Dimension.html`,
                (i) =>
                    [i.dimensions, ...valuesAt(i, "metricQueries[].metric.dimensions")]
                        .filter((d) => d !== undefined)
                        .every((d) => Object.keys(d).length <= 30 && Object.values(d).every((v) => String(v).length >= 1 && String(v).length <= 1024)),
                (i) => ({ ...i, dimensions: { ...i.dimensions, InstanceId: "" } }),
            ),
            field("alarmActions", count(0, 5), `${CLOUDWATCH}/API_PutMetricAlarm.html`),
            field("okActions", count(0, 5), `${CLOUDWATCH}/API_PutMetricAlarm.html`),
            rule(
                "the EC2 recover action only on StatusCheckFailed_System of an instance whose type supports it",
                `${EC2_GUIDE}/cloudwatch-recovery.html`,
                (i, context) => {
                    if (!(i.alarmActions ?? []).some((a: string) => /:ec2:recover$/.test(a))) {
                        return true;
                    }
                    const instance = context.byId("aws:ec2/instance:Instance", i.dimensions?.InstanceId);
                    return i.metricName === "StatusCheckFailed_System" && instance !== undefined && supportsRecoverAction(instance.inputs.instanceType);
                },
                (i) => ({ ...i, metricName: "StatusCheckFailed", alarmActions: [`arn:aws:automate:${MOCK_REGION}:ec2:recover`] }),
            ),
            tagRule(`${CLOUDWATCH}/API_Tag.html`, TAG_CHARACTERS),
        ],
        collective: [unique("name", `${CLOUDWATCH}/API_PutMetricAlarm.html`)],
    },
    "aws:cloudwatch/dashboard:Dashboard": {
        rules: [
            // PutDashboard states no size limit for DashboardBody; what AWS limits is counted below.
            field("dashboardName", pattern(/^[A-Za-z0-9_-]{1,255}$/, "1-255 of A-Z, a-z, 0-9, - and _", "newapi dev"), `${CLOUDWATCH}/API_PutDashboard.html`),
            required("dashboardBody", `${CLOUDWATCH}/API_PutDashboard.html`),
            rule(
                "dashboardBody is a JSON object with a widgets array of 0-500 widgets",
                DASHBOARD_BODY,
                (i) => {
                    try {
                        const widgets = widgetsOf(i.dashboardBody);
                        return Array.isArray(widgets) && widgets.length <= 500;
                    } catch {
                        return false;
                    }
                },
                (i) => withWidgets(i, (widgets) => Array.from({ length: 501 }, () => widgets[0])),
            ),
            rule(
                "every widget has a type, x 0-23, y 0 or more, width 1-24 and height 1-1000",
                DASHBOARD_BODY,
                (i) =>
                    widgetsOf(i.dashboardBody).every(
                        (w) =>
                            ["metric", "text", "log", "alarm", "explorer"].includes(w.type) &&
                            Number.isInteger(w.x) && w.x >= 0 && w.x <= 23 &&
                            Number.isInteger(w.y) && w.y >= 0 &&
                            Number.isInteger(w.width) && w.width >= 1 && w.width <= 24 &&
                            Number.isInteger(w.height) && w.height >= 1 && w.height <= 1000,
                    ),
                (i) => withWidgets(i, (widgets) => [{ ...widgets[0], width: 25 }, ...widgets.slice(1)]),
            ),
            rule(
                "at most 500 metrics per widget",
                CLOUDWATCH_QUOTAS,
                (i) => widgetsOf(i.dashboardBody).every((w) => metricsOf(w).length <= 500),
                (i) =>
                    withWidgets(i, (widgets) => {
                        const graph = widgets.find((w) => metricsOf(w).length > 0);
                        const metric = metricsOf(graph)[0];
                        return [...widgets, { ...graph, properties: { ...graph.properties, metrics: Array.from({ length: 501 }, () => metric) } }];
                    }),
            ),
            rule(
                "at most 2500 metrics per dashboard, across all widgets",
                CLOUDWATCH_QUOTAS,
                (i) => widgetsOf(i.dashboardBody).reduce((sum, w) => sum + metricsOf(w).length, 0) <= 2500,
                (i) =>
                    withWidgets(i, (widgets) => {
                        const graph = widgets.find((w) => metricsOf(w).length > 0);
                        const full = { ...graph, properties: { ...graph.properties, metrics: Array.from({ length: 500 }, () => metricsOf(graph)[0]) } };
                        return [...widgets, ...Array.from({ length: 6 }, () => full)];
                    }),
            ),
            rule(
                "every metric widget names its region",
                DASHBOARD_BODY,
                (i) => widgetsOf(i.dashboardBody).every((w) => w.type !== "metric" || typeof w.properties.region === "string"),
                (i) => withWidgets(i, (widgets) => widgets.map((w) => ({ ...w, properties: { ...w.properties, region: undefined } }))),
            ),
        ],
        // Dashboards are global to the account: one name, one dashboard, whatever the region.
        collective: [unique("dashboardName", `${CLOUDWATCH}/API_PutDashboard.html`, "in the account (dashboards are global)")],
    },
};
