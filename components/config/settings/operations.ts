// Operating the AWS stack (section operations, after frontDoor.ts's): alarms, log retention, the log
// database, the plain-HTTP waiver, how long `pulumi up` verifies, and the ALB's access logs.
import { DEFAULT_ALARM_THRESHOLDS, AlarmThresholds, matches, thresholdProblem } from "../checks";
import { Setting, boolean, code, integer, optionalText } from "../kinds";

/** The operations settings, in reading order. */
export const OPERATIONS_SETTINGS = {
    alertEmail: optionalText({
        scope: "aws",
        section: "operations",
        check: matches(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, "must be an email address such as oncall@example.com"),
        allowed: "an email address",
        doc: "subscribed to the alarms' SNS topic",
    }),
    alarmThresholds: thresholds(),
    logRetentionDays: integer({
        scope: "aws",
        section: "operations",
        default: 30,
        min: 1,
        max: 3653,
        unit: "days, one of CloudWatch's periods (1, 3, 5, 7, 14, 30, 60, 90, …)",
        doc: "how long CloudWatch keeps the nodes' logs (and the flow logs)",
    }),
    logDatabase: boolean({ scope: "aws", section: "operations", default: false, doc: "a separate RDS instance for New API's log table, as `LOG_SQL_DSN` on every node" }),
    allowPlainHttp: boolean({
        scope: "aws",
        section: "operations",
        default: false,
        doc:
            "`true` lets a protected stack serve plain HTTP (refused otherwise: API keys would cross the internet in clear); the policy pack's " +
            "`alb-https-when-protected` must then be made advisory too",
    }),
    verifyTimeout: integer({
        scope: "aws",
        section: "operations",
        default: 900,
        min: 30,
        max: 3600,
        unit: "seconds",
        doc: "how long `pulumi up` waits for the cluster to answer through the load balancer",
    }),
    albAccessLogs: boolean({
        scope: "aws",
        section: "operations",
        default: false,
        doc:
            "`true`: the load balancer writes access logs to an S3 bucket of the stack's (see [Encryption and audit logs](operations.md#encryption-and-audit-logs)); " +
            "config and the policy pack (`alb-access-logs-when-protected`) require it of a protected stack",
    }),
    albAccessLogDays: integer({
        scope: "aws",
        section: "operations",
        default: 90,
        min: 1,
        max: 3653,
        unit: "days",
        doc: "how long S3 keeps the access logs; only with `albAccessLogs`",
    }),
};

/** The alarms' thresholds: a map of known names over the defaults. */
function thresholds(): Setting<AlarmThresholds> {
    return {
        scope: "aws",
        section: "operations",
        allowed: `a map of ${Object.keys(DEFAULT_ALARM_THRESHOLDS).map(code).join(", ")}`,
        shownDefault: "see [Alerts](operations.md#alerts)",
        doc: "CloudWatch alarm thresholds; other names are refused",
        read: (reader, key) => {
            const values = { ...DEFAULT_ALARM_THRESHOLDS };
            for (const [name, value] of Object.entries(reader.stringMap(key, thresholdProblem))) {
                values[name as keyof AlarmThresholds] = Number(value);
            }
            return values;
        },
    };
}
