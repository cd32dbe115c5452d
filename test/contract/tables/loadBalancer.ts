// The front door's load balancer tables: the Application Load Balancer, its target groups,
// listeners, listener rules and target registrations.
import { Table, count, field, integer, length, oneOf, pattern, required, rule, unique, withValueAt } from "../rules";
import { ELB_GUIDE, TAG_CHARACTERS, tagRule } from "./common";

const ELB = "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference";

export const LOAD_BALANCER: Record<string, Table> = {
    "aws:lb/loadBalancer:LoadBalancer": {
        autonaming: { property: "name", separator: "-", maxLength: 255 },
        rules: [
            field(
                "name",
                pattern(/^(?!internal-)(?!-)[a-zA-Z0-9-]{1,32}(?<!-)$/, "1-32 letters, digits and hyphens, no hyphen first or last, not starting with internal-", "x".repeat(33)),
                `${ELB}/API_CreateLoadBalancer.html`,
            ),
            field("loadBalancerType", oneOf(["application", "network", "gateway"]), `${ELB}/API_CreateLoadBalancer.html`),
            // An Application Load Balancer needs subnets in at least two availability zones.
            field("subnets", count(2, 200), `${ELB}/API_CreateLoadBalancer.html`),
            field("idleTimeout", integer(1, 4000), `${ELB}/API_LoadBalancerAttribute.html`),
            rule(
                "enabled access logs name a bucket",
                `${ELB}/API_LoadBalancerAttribute.html`,
                (i) => i.accessLogs?.enabled !== true || (typeof i.accessLogs.bucket === "string" && i.accessLogs.bucket !== ""),
                (i) => ({ ...i, accessLogs: { enabled: true } }),
            ),
            field("accessLogs.prefix", pattern(/^(?!.*AWSLogs)/s, "free of the string AWSLogs", "logs/AWSLogs"), `${ELB_GUIDE}/enable-access-logging.html`),
            tagRule(`${ELB}/API_Tag.html`, TAG_CHARACTERS),
        ],
        collective: [unique("name", `${ELB}/API_CreateLoadBalancer.html`)],
    },
    "aws:lb/targetGroup:TargetGroup": {
        autonaming: { property: "name", separator: "-", maxLength: 32 },
        rules: [
            field("name", pattern(/^(?!-)[a-zA-Z0-9-]{1,32}(?<!-)$/, "1-32 letters, digits and hyphens, no hyphen first or last", "-slaves"), `${ELB}/API_CreateTargetGroup.html`),
            field("port", integer(1, 65535), `${ELB}/API_CreateTargetGroup.html`),
            field("protocol", oneOf(["HTTP", "HTTPS"]), `${ELB}/API_CreateTargetGroup.html`),
            field("targetType", oneOf(["instance", "ip", "lambda", "alb"]), `${ELB}/API_CreateTargetGroup.html`),
            field("deregistrationDelay", integer(0, 3600), `${ELB}/API_TargetGroupAttribute.html`),
            field("healthCheck.interval", integer(5, 300), `${ELB}/API_CreateTargetGroup.html`),
            field("healthCheck.timeout", integer(2, 120), `${ELB}/API_CreateTargetGroup.html`),
            rule(
                "the health check timeout is shorter than its interval",
                `${ELB}/API_CreateTargetGroup.html`,
                (i) => i.healthCheck === undefined || i.healthCheck.timeout < i.healthCheck.interval,
                (i) => withValueAt(i, "healthCheck.timeout", i.healthCheck?.interval ?? 30),
            ),
            field("healthCheck.healthyThreshold", integer(2, 10), `${ELB}/API_CreateTargetGroup.html`),
            field("healthCheck.unhealthyThreshold", integer(2, 10), `${ELB}/API_CreateTargetGroup.html`),
            field("healthCheck.path", pattern(/^\/.{0,1023}$/s, "a path of 1-1024 characters starting with /", "api/status"), `${ELB}/API_CreateTargetGroup.html`),
            field("healthCheck.matcher", pattern(/^([2-4]\d\d)([,-][2-4]\d\d)*$/, "HTTP codes from 200 to 499, as a list or range", "500"), `${ELB}/API_Matcher.html`),
            tagRule(`${ELB}/API_Tag.html`, TAG_CHARACTERS),
        ],
        collective: [unique("name", `${ELB}/API_CreateTargetGroup.html`)],
    },
    "aws:lb/listener:Listener": {
        rules: [
            field("port", integer(1, 65535), `${ELB}/API_CreateListener.html`),
            field("protocol", oneOf(["HTTP", "HTTPS"]), `${ELB}/API_CreateListener.html`),
            rule(
                "an HTTPS listener has a certificate and a security policy",
                `${ELB}/API_CreateListener.html`,
                (i) => i.protocol !== "HTTPS" || (i.certificateArn !== undefined && i.sslPolicy !== undefined),
                (i) => ({ ...i, protocol: "HTTPS", certificateArn: undefined }),
            ),
            field("sslPolicy", pattern(/^ELBSecurityPolicy-[A-Za-z0-9-]+$/, "an ELB security policy name", "TLS13"), `${ELB_GUIDE}/describe-ssl-policies.html`),
            field("defaultActions[].type", oneOf(["forward", "redirect", "fixed-response"]), `${ELB}/API_Action.html`),
            // "Target groups per action per Application Load Balancer": 5.
            field("defaultActions[].forward.targetGroups", count(1, 5), `${ELB_GUIDE}/load-balancer-limits.html`),
            field("defaultActions[].forward.targetGroups[].weight", integer(0, 999), `${ELB}/API_TargetGroupTuple.html`),
            field("defaultActions[].redirect.statusCode", oneOf(["HTTP_301", "HTTP_302"]), `${ELB}/API_RedirectActionConfig.html`),
            field("defaultActions[].redirect.protocol", oneOf(["HTTP", "HTTPS", "#{protocol}"]), `${ELB}/API_RedirectActionConfig.html`),
            tagRule(`${ELB}/API_Tag.html`, TAG_CHARACTERS),
        ],
    },
    "aws:lb/listenerRule:ListenerRule": {
        rules: [
            required("listenerArn", `${ELB}/API_CreateRule.html`),
            field("priority", integer(1, 50000), `${ELB}/API_CreateRule.html`),
            field("conditions", count(1, 5), `${ELB}/API_CreateRule.html`),
            rule(
                "at most 3 comparison strings per condition and 5 per rule",
                `${ELB_GUIDE}/listener-rules.html`,
                (i) => {
                    const counts = (i.conditions ?? []).map((c: Record<string, any>) =>
                        Object.values(c).reduce((n: number, config: any) => n + (config?.values?.length ?? 0) + (config?.regexValues?.length ?? 0), 0),
                    );
                    return counts.every((n: number) => n <= 3) && counts.reduce((a: number, b: number) => a + b, 0) <= 5;
                },
                (i) => ({ ...i, conditions: [{ pathPattern: { values: ["/a", "/b", "/c", "/d"] } }] }),
            ),
            field("conditions[].pathPattern.regexValues[]", length(1, 128), `${ELB}/API_PathPatternConditionConfig.html`),
            field(
                "conditions[].pathPattern.values[]",
                pattern(/^[A-Za-z0-9_\-.$/~"'@:+&*?]{1,128}$/, "1-128 of A-Za-z0-9 _-.$/~\"'@:+&*?", "/api/%73etup"),
                `${ELB}/API_PathPatternConditionConfig.html`,
            ),
            field("actions[].type", oneOf(["forward", "redirect", "fixed-response", "authenticate-oidc", "authenticate-cognito"]), `${ELB}/API_Action.html`),
            field("actions[].fixedResponse.statusCode", pattern(/^[245]\d\d$/, "an HTTP status code 2XX, 4XX or 5XX", "302"), `${ELB}/API_FixedResponseActionConfig.html`),
            field(
                "actions[].fixedResponse.contentType",
                oneOf(["text/plain", "text/css", "text/html", "application/javascript", "application/json"]),
                `${ELB}/API_FixedResponseActionConfig.html`,
            ),
            field("actions[].fixedResponse.messageBody", length(0, 1024), `${ELB}/API_FixedResponseActionConfig.html`),
            tagRule(`${ELB}/API_Tag.html`, TAG_CHARACTERS),
        ],
        collective: [
            {
                says: "priority is unique per listener",
                ref: `${ELB}/API_CreateRule.html`,
                check: (rules) => {
                    const seen = new Set<string>();
                    return rules.flatMap((r) => {
                        const key = `${r.inputs.listenerArn} ${r.inputs.priority}`;
                        const problem = seen.has(key) ? [`priority ${r.inputs.priority} used twice on ${r.inputs.listenerArn}`] : [];
                        seen.add(key);
                        return problem;
                    });
                },
                breaks: (rules) => [...rules, { ...rules[0], name: `${rules[0].name}-copy` }],
            },
        ],
    },
    "aws:lb/targetGroupAttachment:TargetGroupAttachment": {
        rules: [field("port", integer(1, 65535), `${ELB}/API_TargetDescription.html`), required("targetId", `${ELB}/API_RegisterTargets.html`)],
    },
};
