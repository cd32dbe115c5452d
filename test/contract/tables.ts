// The AWS API contract, one table per resource type the program registers: what AWS accepts
// for every field the program sets, each rule citing the reference that states it. Mocks accept
// anything; these are what a real `pulumi up` would be refused for. Adding a resource type to
// the program means adding its table here (check.ts reports a type without one).
import { supportsRecoverAction } from "../../components/aws/instanceTypes";
import { SNAPSHOT_ARN, SNAPSHOT_NAME } from "../../components/config/settings/dataTier";
import { MOCK_ACCOUNT, MOCK_REGION, mockKeyId } from "../mockRuntime";
import {
    Constraint,
    Context,
    Rule,
    Table,
    cidr,
    count,
    bytes,
    field,
    integer,
    jsonDocument,
    length,
    oneOf,
    pattern,
    perParent,
    required,
    rule,
    unique,
    valuesAt,
    withValueAt,
} from "./rules";

const EC2 = "https://docs.aws.amazon.com/AWSEC2/latest/APIReference";
const EC2_GUIDE = "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide";
const RDS = "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference";
const RDS_GUIDE = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide";
const ELASTICACHE = "https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference";
const ELASTICACHE_GUIDE = "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg";
const ELB = "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference";
const ELB_GUIDE = "https://docs.aws.amazon.com/elasticloadbalancing/latest/application";
const IAM = "https://docs.aws.amazon.com/IAM/latest/APIReference";
const IAM_QUOTAS = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html";
const SSM = "https://docs.aws.amazon.com/systems-manager/latest/APIReference";
const SNS = "https://docs.aws.amazon.com/sns/latest/api";
const CLOUDWATCH = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference";
const DASHBOARD_BODY = `${CLOUDWATCH}/CloudWatch-Dashboard-Body-Structure.html`;
const CLOUDWATCH_QUOTAS = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_limits.html";
const LOGS = "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference";
const ACM = "https://docs.aws.amazon.com/acm/latest/APIReference";
const ROUTE53 = "https://docs.aws.amazon.com/Route53/latest/APIReference";
const KMS = "https://docs.aws.amazon.com/kms/latest/APIReference";
const KMS_GUIDE = "https://docs.aws.amazon.com/kms/latest/developerguide";
const S3 = "https://docs.aws.amazon.com/AmazonS3/latest/API";
const S3_GUIDE = "https://docs.aws.amazon.com/AmazonS3/latest/userguide";
const VPC_GUIDE = "https://docs.aws.amazon.com/vpc/latest/userguide";

/** Letters, digits, white space and _ . : / = + - @: the tag characters of most services. */
const TAG_CHARACTERS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
/** ElastiCache's node-based engine versions by engine (Redis OSS stops at 7.1; Valkey 9.x needs the valkey9 family, which CreateCacheParameterGroup does not list). */
const ELASTICACHE_VERSIONS: Record<string, string[]> = { redis: ["6.0", "6.2", "7.0", "7.1"], valkey: ["7.2", "8.0", "8.1", "8.2"] };
/** CreateCacheParameterGroup's CacheParameterGroupFamily values for these engines. */
const CACHE_PARAMETER_GROUP_FAMILIES = ["redis6.x", "redis7", "valkey7", "valkey8"];

/** ElastiCache's narrower set (ASCII only). */
const ELASTICACHE_TAG_CHARACTERS = /^[a-zA-Z0-9 _./=+:\-@]*$/;

/**
 * A service's tag rules: at most 50 tags, keys of 1-128 and values of at most 256 characters,
 * no `aws:` prefix, and (outside EC2, which allows any character) only `characters`.
 */
function tags(ref: string, characters?: RegExp): Constraint {
    return {
        says: `are at most 50 tags, keys 1-128 and values 0-256 characters${characters ? `, matching ${characters}` : ""}, no aws: prefix`,
        test: (value) => {
            const entries = Object.entries(value as Record<string, unknown>);
            if (entries.length > 50) {
                return `${entries.length} tags, more than 50`;
            }
            for (const [key, v] of entries) {
                const text = String(v);
                if (key.length < 1 || key.length > 128 || text.length > 256) {
                    return `tag ${key}: keys have 1-128 and values 0-256 characters`;
                }
                if (/^aws:/i.test(key)) {
                    return `tag ${key}: the aws: prefix is reserved`;
                }
                if (characters && (!characters.test(key) || !characters.test(text))) {
                    return `tag ${key} = ${JSON.stringify(text)}: only letters, digits, white space and _ . : / = + - @ (${ref})`;
                }
            }
            return undefined;
        },
        bad: characters ? { "new-api:why": "it's; not allowed" } : { "aws:cloudformation:stack-name": "reserved" },
    };
}

const tagRule = (ref: string, characters?: RegExp) => field("tags", tags(ref, characters), ref);

/** RDS and ElastiCache identifiers: a letter first, then letters, digits and single hyphens, no hyphen last. */
function awsIdentifier(max: number, lowerCase: boolean): Constraint {
    const letters = lowerCase ? "a-z" : "a-zA-Z";
    const re = new RegExp(`^(?=.{1,${max}}$)[${letters}](?!.*--)[${letters}0-9-]*(?<!-)$`);
    return pattern(re, `1-${max} ${lowerCase ? "lower-case " : ""}letters, digits and single hyphens, a letter first and no hyphen last`, "final--snapshot-");
}

/** EC2 security group names and descriptions (CreateSecurityGroup) and rule descriptions (IpRange). */
const EC2_DESCRIPTION = pattern(/^[a-zA-Z0-9 ._\-:/()#,@[\]+=&;{}!$*]{0,255}$/, "at most 255 of a-zA-Z0-9, space and ._-:/()#,@[]+=&;{}!$*", "Slaves poll the master's status");
/** A rule that names another group (UserIdGroupPair) allows the same set without '&'. */
const EC2_GROUP_RULE_DESCRIPTION = pattern(/^[a-zA-Z0-9 ._\-:/()#,@[\]+=;{}!$*]{0,255}$/, "at most 255 of a-zA-Z0-9, space and ._-:/()#,@[]+=;{}!$*", "nodes & load balancer");

/** A region's own availability zone (us-east-1a), not a Local Zone (us-east-1-bos-1a) or Wavelength Zone. */
const STANDARD_ZONE = pattern(/^[a-z]{2}(-[a-z]+)+-\d[a-z]$/, "a standard availability zone such as us-east-1a", "us-east-1-bos-1a");

const securityGroupRule = (groupRuleDescription: boolean): Table => ({
    rules: [
        required("securityGroupId", `${EC2}/API_AuthorizeSecurityGroupIngress.html`),
        field("ipProtocol", oneOf(["tcp", "udp", "icmp", "icmpv6", "-1"]), `${EC2}/API_IpPermission.html`),
        field("fromPort", integer(0, 65535), `${EC2}/API_IpPermission.html`),
        field("toPort", integer(0, 65535), `${EC2}/API_IpPermission.html`),
        rule(
            "fromPort is at most toPort",
            `${EC2}/API_IpPermission.html`,
            (i) => i.fromPort === undefined || i.fromPort <= i.toPort,
            (i) => ({ ...i, fromPort: 443, toPort: 80 }),
        ),
        rule(
            "exactly one source or destination: cidrIpv4, cidrIpv6, prefixListId or referencedSecurityGroupId",
            `${EC2}/API_IpPermission.html`,
            (i) => ["cidrIpv4", "cidrIpv6", "prefixListId", "referencedSecurityGroupId"].filter((k) => i[k] !== undefined).length === 1,
            (i) => ({ ...i, cidrIpv4: "10.0.0.0/16", referencedSecurityGroupId: "sg-0123456789abcdef0" }),
        ),
        field("cidrIpv4", cidr(0, 32), `${EC2}/API_IpRange.html`),
        rule(
            `description: ${EC2_DESCRIPTION.says}${groupRuleDescription ? "; without '&' where the rule names a group" : ""}`,
            `${EC2}/API_UserIdGroupPair.html`,
            (i) =>
                i.description === undefined ||
                (i.referencedSecurityGroupId === undefined ? EC2_DESCRIPTION : EC2_GROUP_RULE_DESCRIPTION).test(i.description, i) === undefined,
            (i) => ({ ...i, description: "Slaves poll the master's status" }),
        ),
    ],
    // "Inbound or outbound rules per security group": 60 by default, each way.
    collective: [perParent("securityGroupId", 60, "at most 60 rules per security group and direction", "https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html")],
});

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

/** A reference to a KMS key where services take one: key id, key ARN, alias name or alias ARN. */
const KMS_KEY_REFERENCE = pattern(
    /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key\/[0-9a-f-]{36}|alias\/[a-zA-Z0-9/_-]+)|alias\/[a-zA-Z0-9/_-]+)$/,
    "a KMS key id, key ARN, alias name or alias ARN",
    "my key",
);

/** A KMS key's ARN, where a service takes nothing else (CloudWatch Logs). */
const KMS_KEY_ARN = pattern(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]{36}$/, "a KMS key ARN", "alias/new-api/logs");

/** S3 general purpose bucket names. */
const S3_BUCKET_NAME: Constraint = {
    says: "is 3-63 lower-case letters, digits, dots and hyphens, a letter or digit at each end, no '..', not an IP address, none of S3's reserved prefixes and suffixes",
    test: (v) => {
        const name = String(v);
        if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) || name.includes("..")) {
            return "must be 3-63 lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit, without '..'";
        }
        if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) {
            return "must not look like an IP address";
        }
        if (/^(xn--|sthree-|amzn-s3-demo-)/.test(name) || /(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(name)) {
            return "must not use a prefix or suffix S3 reserves";
        }
        return undefined;
    },
    bad: "newapi-dev-alb-logs--ol-s3",
};

/** A policy document of at most `maxBytes`, white space counted (KMS and S3 count the document as sent). */
function policyOfAtMost(maxBytes: number, ref: string): Rule {
    return rule(
        `policy is a JSON document of at most ${maxBytes} bytes`,
        ref,
        (i) => {
            try {
                JSON.parse(i.policy);
            } catch {
                return false;
            }
            return Buffer.byteLength(i.policy, "utf8") <= maxBytes;
        },
        (i) => ({ ...i, policy: JSON.stringify({ Version: "2012-10-17", Statement: [], Padding: "x".repeat(maxBytes) }) }),
    );
}

type PolicyStatement = { Effect?: string; Principal?: unknown; Action?: string | string[]; Resource?: string | string[] };
const statementsOf = (policy: string): PolicyStatement[] => [JSON.parse(policy).Statement ?? []].flat();
const listOf = (value: string | string[] | undefined): string[] => [value ?? []].flat();

/** us-east-1's Elastic Load Balancing account, as AWS lists it (ELB guide, enable-access-logging.html). */
const MOCK_REGION_ELB_ACCOUNT = "127311923021";

/** The ALBs that write access logs to `bucket`. */
const loggingTo = (context: Context, bucket: unknown) =>
    context.resources.filter(
        (r) => r.type === "aws:lb/loadBalancer:LoadBalancer" && r.inputs.accessLogs?.enabled === true && r.inputs.accessLogs.bucket === bucket,
    );

export const CONTRACT: Record<string, Table> = {
    "aws:ec2/vpc:Vpc": {
        rules: [field("cidrBlock", cidr(16, 28), `${EC2}/API_CreateVpc.html`), tagRule(`${EC2_GUIDE}/Using_Tags.html`)],
    },
    "aws:ec2/internetGateway:InternetGateway": {
        rules: [required("vpcId", `${EC2}/API_AttachInternetGateway.html`), tagRule(`${EC2_GUIDE}/Using_Tags.html`)],
    },
    "aws:ec2/subnet:Subnet": {
        rules: [
            field("cidrBlock", cidr(16, 28), `${EC2}/API_CreateSubnet.html`),
            required("availabilityZone", `${EC2}/API_CreateSubnet.html`),
            // RDS and ElastiCache may not be offered in a Local Zone, where an opted-in account's zones list would put a subnet.
            field("availabilityZone", STANDARD_ZONE, `${EC2}/API_DescribeAvailabilityZones.html`),
            tagRule(`${EC2_GUIDE}/Using_Tags.html`),
        ],
        // Overlapping subnets are refused (InvalidSubnet.Conflict); the program makes one VPC's.
        collective: [unique("cidrBlock", `${EC2}/API_CreateSubnet.html`, "in the VPC")],
    },
    "aws:ec2/routeTable:RouteTable": {
        rules: [
            field("routes[].cidrBlock", cidr(0, 32), `${EC2}/API_CreateRoute.html`),
            rule(
                "every route has exactly one target",
                `${EC2}/API_CreateRoute.html`,
                (i) => (i.routes ?? []).every((r: Record<string, unknown>) => ["gatewayId", "natGatewayId"].filter((k) => r[k] !== undefined).length === 1),
                (i) => withValueAt(i, "routes[]", { cidrBlock: "0.0.0.0/0", gatewayId: "igw-1", natGatewayId: "nat-1" }),
            ),
            tagRule(`${EC2_GUIDE}/Using_Tags.html`),
        ],
    },
    "aws:ec2/routeTableAssociation:RouteTableAssociation": {
        rules: [required("subnetId", `${EC2}/API_AssociateRouteTable.html`), required("routeTableId", `${EC2}/API_AssociateRouteTable.html`)],
    },
    "aws:ec2/eip:Eip": {
        rules: [field("domain", oneOf(["vpc"]), `${EC2}/API_AllocateAddress.html`), tagRule(`${EC2_GUIDE}/Using_Tags.html`)],
    },
    "aws:ec2/natGateway:NatGateway": {
        rules: [
            required("subnetId", `${EC2}/API_CreateNatGateway.html`),
            required("allocationId", `${EC2}/API_CreateNatGateway.html`),
            tagRule(`${EC2_GUIDE}/Using_Tags.html`),
        ],
    },
    "aws:ec2/securityGroup:SecurityGroup": {
        autonaming: { property: "name", separator: "-", maxLength: 255 },
        rules: [
            field("name", pattern(/^(?!sg-)[a-zA-Z0-9 ._\-:/()#,@[\]+=&;{}!$*]{1,255}$/, "1-255 EC2 description characters, not starting with sg-", "sg-nodes"), `${EC2}/API_CreateSecurityGroup.html`),
            required("description", `${EC2}/API_CreateSecurityGroup.html`),
            field("description", EC2_DESCRIPTION, `${EC2}/API_CreateSecurityGroup.html`),
            tagRule(`${EC2_GUIDE}/Using_Tags.html`),
        ],
    },
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": securityGroupRule(true),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": securityGroupRule(true),
    "aws:ec2/instance:Instance": {
        rules: [
            field("instanceType", pattern(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, "an instance type such as t3.small", "t3_small"), `${EC2}/API_RunInstances.html`),
            field("userData", bytes(16384), `${EC2_GUIDE}/instancedata-add-user-data.html`),
            field("metadataOptions.httpPutResponseHopLimit", integer(1, 64), `${EC2}/API_InstanceMetadataOptionsRequest.html`),
            field("metadataOptions.httpTokens", oneOf(["optional", "required"]), `${EC2}/API_InstanceMetadataOptionsRequest.html`),
            field("rootBlockDevice.volumeType", oneOf(["standard", "io1", "io2", "gp2", "gp3", "sc1", "st1"]), `${EC2}/API_EbsBlockDevice.html`),
            field("rootBlockDevice.volumeSize", integer(1, 16384), `${EC2}/API_EbsBlockDevice.html`),
            tagRule(`${EC2_GUIDE}/Using_Tags.html`),
        ],
    },
    "aws:iam/role:Role": {
        autonaming: { property: "name", separator: "-", maxLength: 64 },
        rules: [
            field("name", pattern(/^[\w+=,.@-]{1,64}$/, "1-64 of letters, digits and _+=,.@-", "new api role"), `${IAM}/API_CreateRole.html`),
            field("description", pattern(/^[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]{0,1000}$/, "at most 1000 printable Latin-1 characters", "nodes \u2192 role"), `${IAM}/API_CreateRole.html`),
            // "Role trust policy length": 2,048 characters by default, white space not counted.
            field("assumeRolePolicy", jsonDocument(2048), IAM_QUOTAS),
            tagRule(`${IAM}/API_Tag.html`, TAG_CHARACTERS),
        ],
    },
    "aws:iam/rolePolicy:RolePolicy": {
        autonaming: { property: "name", separator: "-", maxLength: 255 },
        rules: [
            field("name", pattern(/^[\w+=,.@-]{1,128}$/, "1-128 of letters, digits and _+=,.@-", "x".repeat(129)), `${IAM}/API_PutRolePolicy.html`),
            required("role", `${IAM}/API_PutRolePolicy.html`),
            // All of a role's inline policies together: 10,240 characters, white space not counted.
            field("policy", jsonDocument(10240), IAM_QUOTAS),
        ],
        collective: [unique("name", `${IAM}/API_PutRolePolicy.html`, "per role")],
    },
    "aws:iam/instanceProfile:InstanceProfile": {
        autonaming: { property: "name", separator: "-", maxLength: 255 },
        rules: [
            field("name", pattern(/^[\w+=,.@-]{1,128}$/, "1-128 of letters, digits and _+=,.@-", "x".repeat(129)), `${IAM}/API_CreateInstanceProfile.html`),
            required("role", `${IAM}/API_AddRoleToInstanceProfile.html`),
            tagRule(`${IAM}/API_Tag.html`, TAG_CHARACTERS),
        ],
    },
    "aws:ssm/parameter:Parameter": {
        rules: [
            required("name", `${SSM}/API_PutParameter.html`),
            field(
                "name",
                pattern(/^(?!\/?(aws|ssm))(\/[a-zA-Z0-9_.-]+){1,15}$/i, "a path of 1-15 levels of a-zA-Z0-9_.-, not starting with aws or ssm", "/aws/new-api/secret"),
                `${SSM}/API_PutParameter.html`,
            ),
            // The name with its ARN prefix: at most 1011 characters.
            field("name", length(1, 1011 - `arn:aws:ssm:${MOCK_REGION}:${MOCK_ACCOUNT}:parameter`.length), `${SSM}/API_PutParameter.html`),
            field("description", length(0, 1024), `${SSM}/API_PutParameter.html`),
            field("type", oneOf(["String", "StringList", "SecureString"]), `${SSM}/API_PutParameter.html`),
            // Standard tier values hold 4 KB.
            field("value", length(1, 4096), `${SSM}/API_PutParameter.html`),
            field("insecureValue", length(1, 4096), `${SSM}/API_PutParameter.html`),
            field("keyId", KMS_KEY_REFERENCE, `${SSM}/API_PutParameter.html`),
            // Parameter Store encrypts only with symmetric encryption keys.
            rule(
                "keyId names a symmetric encryption key (the cluster key)",
                `${KMS_GUIDE}/services-parameter-store.html`,
                (i, context) =>
                    i.keyId === undefined ||
                    context.resources.some(
                        (k) =>
                            k.type === "aws:kms/key:Key" &&
                            [mockKeyId(k.name), `arn:aws:kms:${MOCK_REGION}:${MOCK_ACCOUNT}:key/${mockKeyId(k.name)}`].includes(i.keyId) &&
                            (k.inputs.customerMasterKeySpec ?? "SYMMETRIC_DEFAULT") === "SYMMETRIC_DEFAULT" &&
                            (k.inputs.keyUsage ?? "ENCRYPT_DECRYPT") === "ENCRYPT_DECRYPT",
                    ),
                (i) => ({ ...i, keyId: "0a1b2c3d-0a1b-0a1b-0a1b-0a1b2c3d4e5f" }),
            ),
            tagRule(`${SSM}/API_Tag.html`, TAG_CHARACTERS),
        ],
        collective: [unique("name", `${SSM}/API_PutParameter.html`)],
    },
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
    "aws:rds/subnetGroup:SubnetGroup": {
        autonaming: { property: "name", separator: "-", maxLength: 255 },
        rules: [
            field("name", pattern(/^(?!default$)[a-z][a-z0-9 ._-]{0,254}$/, "1-255 lower-case letters, digits, spaces, . _ and -, a letter first, not default", "Db_Subnets"), `${RDS}/API_CreateDBSubnetGroup.html`),
            field("description", length(1, 255), `${RDS}/API_CreateDBSubnetGroup.html`),
            // The group must cover at least two availability zones.
            field("subnetIds", count(2, 20), `${RDS}/API_CreateDBSubnetGroup.html`),
            tagRule(`${RDS}/API_Tag.html`, TAG_CHARACTERS),
        ],
    },
    "aws:rds/parameterGroup:ParameterGroup": {
        autonaming: { property: "name", separator: "-", maxLength: 255 },
        rules: [
            field("name", awsIdentifier(255, true), `${RDS}/API_CreateDBParameterGroup.html`),
            field("family", oneOf(["mysql8.0", "mysql8.4"]), `${RDS_GUIDE}/MySQL.Concepts.VersionMgmt.html`),
            field("description", length(1, 255), `${RDS}/API_CreateDBParameterGroup.html`),
            rule(
                "each parameter is set once",
                `${RDS}/API_ModifyDBParameterGroup.html`,
                (i) => new Set((i.parameters ?? []).map((p: { name: string }) => p.name)).size === (i.parameters ?? []).length,
                (i) => ({ ...i, parameters: [...(i.parameters ?? []), ...(i.parameters ?? [{ name: "max_connections", value: "1" }]).slice(0, 1)] }),
            ),
            tagRule(`${RDS}/API_Tag.html`, TAG_CHARACTERS),
        ],
    },
    "aws:rds/instance:Instance": {
        // The provider appends 7 hex characters to the logical name, with no separator.
        autonaming: { property: "identifier", separator: "", maxLength: 255 },
        rules: [
            field("identifier", awsIdentifier(63, true), `${RDS}/API_CreateDBInstance.html`),
            field("engine", oneOf(["mysql"]), `${RDS}/API_CreateDBInstance.html`),
            // MySQL 8.0 is in paid Extended Support since 2026-07-31; 8.4 is in standard support until 2029-07-31.
            field("engineVersion", pattern(/^8\.(0|4)(\.\d+)?$/, "a MySQL 8.0 or 8.4 version RDS offers", "5.7"), `${RDS_GUIDE}/MySQL.Concepts.VersionMgmt.html`),
            field("instanceClass", pattern(/^db\.[a-z0-9-]+\.[a-z0-9]+$/, "an instance class such as db.t4g.micro", "t4g.micro"), `${RDS}/API_CreateDBInstance.html`),
            field("storageType", oneOf(["gp2", "gp3", "io1", "io2", "standard"]), `${RDS}/API_CreateDBInstance.html`),
            field("allocatedStorage", integer(20, 65536), `${RDS}/API_CreateDBInstance.html`),
            rule(
                "maxAllocatedStorage, when set, is at least 10% above allocatedStorage",
                `${RDS_GUIDE}/USER_PIOPS.Autoscaling.html`,
                (i) => i.maxAllocatedStorage === undefined || i.maxAllocatedStorage >= i.allocatedStorage * 1.1,
                (i) => ({ ...i, maxAllocatedStorage: i.allocatedStorage }),
            ),
            field("dbName", pattern(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, "1-64 letters, digits and _, a letter first", "new-api"), `${RDS}/API_CreateDBInstance.html`),
            field("username", pattern(/^[A-Za-z][A-Za-z0-9_]{0,15}$/, "1-16 letters, digits and _, a letter first", "new-api-admin-user"), `${RDS}/API_CreateDBInstance.html`),
            required("password", `${RDS}/API_CreateDBInstance.html`),
            field("password", pattern(/^[\x21-\x7e]{8,41}$/, "8-41 printable ASCII characters", "x".repeat(48)), `${RDS}/API_CreateDBInstance.html`),
            field("password", pattern(/^[^/"@]*$/, 'free of /, " and @', "pass/word@123"), `${RDS}/API_CreateDBInstance.html`),
            field("port", integer(1150, 65535), `${RDS}/API_CreateDBInstance.html`),
            field("backupRetentionPeriod", integer(0, 35), `${RDS}/API_CreateDBInstance.html`),
            // FinalDBSnapshotIdentifier: "1 to 255 letters or numbers", a letter first, no hyphen last nor two in a row.
            field("finalSnapshotIdentifier", awsIdentifier(255, false), `${RDS}/API_DeleteDBInstance.html`),
            // A snapshot's identifier (CreateDBSnapshot), or a shared snapshot's ARN, which restoring one requires.
            field(
                "snapshotIdentifier",
                pattern(
                    new RegExp(`^(${SNAPSHOT_NAME}|${SNAPSHOT_ARN})$`),
                    "a DB snapshot identifier (1-255 letters, digits and single hyphens, a letter first) or a shared snapshot's ARN",
                    "rds:newapi-dev-2026-01-01-00-00",
                ),
                `${RDS}/API_RestoreDBInstanceFromDBSnapshot.html`,
            ),
            rule(
                "finalSnapshotIdentifier is given exactly when skipFinalSnapshot is false",
                `${RDS}/API_DeleteDBInstance.html`,
                (i) => (i.skipFinalSnapshot === false) === (i.finalSnapshotIdentifier !== undefined),
                (i) => ({ ...i, skipFinalSnapshot: false, finalSnapshotIdentifier: undefined }),
            ),
            tagRule(`${RDS}/API_Tag.html`, TAG_CHARACTERS),
        ],
        collective: [
            unique("identifier", `${RDS}/API_CreateDBInstance.html`),
            // DBSnapshotAlreadyExists would stop `pulumi destroy` at the second database.
            unique("finalSnapshotIdentifier", `${RDS}/API_DeleteDBInstance.html`),
        ],
    },
    "aws:elasticache/subnetGroup:SubnetGroup": {
        autonaming: { property: "name", separator: "-", maxLength: 255 },
        rules: [
            field("name", pattern(/^[a-z0-9-]{1,255}$/, "1-255 lower-case letters, digits and hyphens", "Redis_Subnets"), `${ELASTICACHE}/API_CreateCacheSubnetGroup.html`),
            field("description", length(1, 255), `${ELASTICACHE}/API_CreateCacheSubnetGroup.html`),
            field("subnetIds", count(1, 20), `${ELASTICACHE}/API_CreateCacheSubnetGroup.html`),
            tagRule(`${ELASTICACHE_GUIDE}/Tagging-Resources.html`, ELASTICACHE_TAG_CHARACTERS),
        ],
    },
    "aws:elasticache/replicationGroup:ReplicationGroup": {
        autonaming: { property: "replicationGroupId", separator: "-", maxLength: 40 },
        rules: [
            field("replicationGroupId", awsIdentifier(40, true), `${ELASTICACHE}/API_CreateReplicationGroup.html`),
            field("description", length(1, 255), `${ELASTICACHE}/API_CreateReplicationGroup.html`),
            field("engine", oneOf(["redis", "valkey"]), `${ELASTICACHE}/API_CreateReplicationGroup.html`),
            rule(
                "engineVersion is one ElastiCache offers for the engine (node-based, cluster mode disabled)",
                `${ELASTICACHE_GUIDE}/engine-versions.html`,
                (i) => (ELASTICACHE_VERSIONS[String(i.engine)] ?? []).includes(String(i.engineVersion)),
                (i) => ({ ...i, engine: "redis", engineVersion: "8.1" }),
            ),
            rule(
                "parameterGroupName is the default group of the engine's major version (a CacheParameterGroupFamily)",
                `${ELASTICACHE}/API_CreateCacheParameterGroup.html`,
                (i) => {
                    const major = String(i.engineVersion).split(".")[0];
                    const family = i.engine === "redis" && major === "6" ? "redis6.x" : `${i.engine}${major}`;
                    return CACHE_PARAMETER_GROUP_FAMILIES.includes(family) && i.parameterGroupName === `default.${family}`;
                },
                (i) => ({ ...i, parameterGroupName: i.engine === "valkey" ? "default.redis7" : "default.valkey8" }),
            ),
            field("numCacheClusters", integer(1, 6), `${ELASTICACHE}/API_CreateReplicationGroup.html`),
            rule(
                "automatic failover needs at least two nodes",
                `${ELASTICACHE}/API_CreateReplicationGroup.html`,
                (i) => !i.automaticFailoverEnabled || i.numCacheClusters >= 2,
                (i) => ({ ...i, automaticFailoverEnabled: true, numCacheClusters: 1 }),
            ),
            rule(
                "Multi-AZ needs automatic failover",
                `${ELASTICACHE_GUIDE}/AutoFailover.html`,
                (i) => !i.multiAzEnabled || i.automaticFailoverEnabled === true,
                (i) => ({ ...i, multiAzEnabled: true, automaticFailoverEnabled: false }),
            ),
            field(
                "authToken",
                pattern(/^[A-Za-z0-9!&#$^<>-]{16,128}$/, "16-128 printable characters, the only specials ! & # $ ^ < > -", "short@token"),
                `${ELASTICACHE}/API_CreateReplicationGroup.html`,
            ),
            rule(
                "an AUTH token needs in-transit encryption",
                `${ELASTICACHE}/API_CreateReplicationGroup.html`,
                (i) => i.authToken === undefined || i.transitEncryptionEnabled === true,
                (i) => ({ ...i, authToken: "a".repeat(32), transitEncryptionEnabled: false }),
            ),
            field("authTokenUpdateStrategy", oneOf(["SET", "ROTATE", "DELETE"]), `${ELASTICACHE}/API_ModifyReplicationGroup.html`),
            field("port", integer(1, 65535), `${ELASTICACHE}/API_CreateReplicationGroup.html`),
            field("snapshotRetentionLimit", integer(0, 35), `${ELASTICACHE_GUIDE}/backups-automatic.html`),
            // The API reference gives FinalSnapshotIdentifier (a snapshot name, CreateSnapshot) no pattern, and serverless
            // snapshot names 1-255 characters; the stack holds it to RDS's snapshot identifier rules, which it meets.
            field("finalSnapshotIdentifier", awsIdentifier(255, false), `${ELASTICACHE}/API_DeleteReplicationGroup.html`),
            tagRule(`${ELASTICACHE_GUIDE}/Tagging-Resources.html`, ELASTICACHE_TAG_CHARACTERS),
        ],
        collective: [unique("replicationGroupId", `${ELASTICACHE}/API_CreateReplicationGroup.html`), unique("finalSnapshotIdentifier", `${ELASTICACHE}/API_CreateSnapshot.html`)],
    },
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
    "aws:acm/certificate:Certificate": {
        rules: [
            // The first name becomes the certificate's Common Name, at most 64 octets.
            field(
                "domainName",
                pattern(/^(?=.{1,64}$)(\*\.)?(((?!-)[A-Za-z0-9-]{0,62}[A-Za-z0-9])\.)+((?!-)[A-Za-z0-9-]{1,62}[A-Za-z0-9])$/, "a DNS name of at most 64 characters", `${"a".repeat(60)}.example.com`),
                `${ACM}/API_RequestCertificate.html`,
            ),
            field("validationMethod", oneOf(["DNS", "EMAIL"]), `${ACM}/API_RequestCertificate.html`),
            tagRule(`${ACM}/API_Tag.html`, TAG_CHARACTERS),
        ],
    },
    "aws:acm/certificateValidation:CertificateValidation": {
        rules: [required("certificateArn", `${ACM}/API_DescribeCertificate.html`)],
    },
    "aws:route53/record:Record": {
        rules: [
            field("name", length(1, 1024), `${ROUTE53}/API_ResourceRecordSet.html`),
            field("type", oneOf(["A", "AAAA", "CAA", "CNAME", "DS", "MX", "NAPTR", "NS", "PTR", "SOA", "SPF", "SRV", "TXT"]), `${ROUTE53}/API_ResourceRecordSet.html`),
            field("ttl", integer(0, 2147483647), `${ROUTE53}/API_ResourceRecordSet.html`),
            rule(
                "an alias record has no TTL and no records; any other record has both",
                `${ROUTE53}/API_ResourceRecordSet.html`,
                (i) => (i.aliases === undefined ? i.ttl !== undefined && i.records !== undefined : i.ttl === undefined && i.records === undefined),
                (i) => ({ ...i, aliases: [{ name: "alb.example.com", zoneId: "Z35SXDOTRQ7X7K", evaluateTargetHealth: true }], ttl: 300 }),
            ),
        ],
    },
    "aws:kms/key:Key": {
        rules: [
            field("description", length(0, 8192), `${KMS}/API_CreateKey.html`),
            // Parameter Store, CloudWatch Logs and SNS use symmetric encryption keys only.
            field("keyUsage", oneOf(["ENCRYPT_DECRYPT"]), `${KMS_GUIDE}/services-parameter-store.html`),
            field("customerMasterKeySpec", oneOf(["SYMMETRIC_DEFAULT"]), `${KMS_GUIDE}/services-parameter-store.html`),
            field("deletionWindowInDays", integer(7, 30), `${KMS}/API_ScheduleKeyDeletion.html`),
            field("enableKeyRotation", oneOf([true, false]), `${KMS}/API_EnableKeyRotation.html`),
            // "The key policy size quota is 32 kilobytes (32768 bytes)."
            policyOfAtMost(32768, `${KMS}/API_CreateKey.html`),
            rule(
                "the policy lets the account's principals manage the key (kms:PutKeyPolicy), or the lockout safety check refuses it",
                `${KMS}/API_CreateKey.html`,
                (i) =>
                    statementsOf(i.policy).some(
                        (s) =>
                            s.Effect === "Allow" &&
                            (s.Principal as { AWS?: string } | undefined)?.AWS === `arn:aws:iam::${MOCK_ACCOUNT}:root` &&
                            listOf(s.Action).some((a) => ["kms:*", "kms:Put*", "kms:PutKeyPolicy"].includes(a)),
                    ),
                (i) => ({
                    ...i,
                    policy: JSON.stringify({
                        ...JSON.parse(i.policy),
                        Statement: statementsOf(i.policy).map((s) => ({ ...s, Action: listOf(s.Action).filter((a) => !a.startsWith("kms:Put")) })),
                    }),
                }),
            ),
            tagRule(`${KMS}/API_TagResource.html`, TAG_CHARACTERS),
        ],
    },
    "aws:kms/alias:Alias": {
        rules: [
            required("name", `${KMS}/API_CreateAlias.html`),
            field(
                "name",
                pattern(/^(?=.{1,256}$)alias\/(?!aws\/)[a-zA-Z0-9/_-]+$/, "alias/ and letters, digits, / _ -, at most 256 characters, not under alias/aws/", "alias/aws/new-api"),
                `${KMS}/API_CreateAlias.html`,
            ),
            required("targetKeyId", `${KMS}/API_CreateAlias.html`),
        ],
        collective: [unique("name", `${KMS}/API_CreateAlias.html`)],
    },
    "aws:s3/bucket:Bucket": {
        // The provider lower-cases the name it makes: bucket names allow no capitals.
        autonaming: { property: "bucket", separator: "-", maxLength: 63, lowerCase: true },
        rules: [field("bucket", S3_BUCKET_NAME, `${S3_GUIDE}/bucketnamingrules.html`), tagRule(`${S3}/API_PutBucketTagging.html`, TAG_CHARACTERS)],
        collective: [unique("bucket", `${S3_GUIDE}/bucketnamingrules.html`, "in the partition")],
    },
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": {
        rules: [
            required("bucket", `${S3}/API_PutPublicAccessBlock.html`),
            ...["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"].map((flag) =>
                field(flag, oneOf([true, false]), `${S3}/API_PublicAccessBlockConfiguration.html`),
            ),
        ],
        collective: [unique("bucket", `${S3}/API_PutPublicAccessBlock.html`, "per bucket")],
    },
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": {
        rules: [
            required("bucket", `${S3}/API_PutBucketOwnershipControls.html`),
            field("rule.objectOwnership", oneOf(["BucketOwnerPreferred", "ObjectWriter", "BucketOwnerEnforced"]), `${S3}/API_OwnershipControlsRule.html`),
        ],
    },
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": {
        rules: [
            required("bucket", `${S3}/API_PutBucketEncryption.html`),
            field("rules[].applyServerSideEncryptionByDefault.sseAlgorithm", oneOf(["AES256", "aws:kms", "aws:kms:dsse"]), `${S3}/API_ServerSideEncryptionByDefault.html`),
            rule(
                "a bucket an ALB writes access logs to uses SSE-S3 (AES256), the only encryption ELB log delivery supports",
                `${ELB_GUIDE}/enable-access-logging.html`,
                (i, context) =>
                    loggingTo(context, i.bucket).length === 0 ||
                    valuesAt(i, "rules[].applyServerSideEncryptionByDefault.sseAlgorithm").every((a) => a === "AES256"),
                (i) => withValueAt(i, "rules[].applyServerSideEncryptionByDefault", { sseAlgorithm: "aws:kms", kmsMasterKeyId: "alias/new-api/logs" }),
            ),
        ],
    },
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": {
        rules: [
            required("bucket", `${S3}/API_PutBucketLifecycleConfiguration.html`),
            field("rules", count(1, 1000), `${S3_GUIDE}/intro-lifecycle-rules.html`),
            field("rules[].id", length(1, 255), `${S3}/API_LifecycleRule.html`),
            field("rules[].status", oneOf(["Enabled", "Disabled"]), `${S3}/API_LifecycleRule.html`),
            // "The value must be a non-zero positive integer."
            field("rules[].expiration.days", integer(1, 2147483647), `${S3}/API_LifecycleExpiration.html`),
            field("rules[].abortIncompleteMultipartUpload.daysAfterInitiation", integer(1, 2147483647), `${S3}/API_AbortIncompleteMultipartUpload.html`),
        ],
    },
    "aws:s3/bucketPolicy:BucketPolicy": {
        rules: [
            required("bucket", `${S3}/API_PutBucketPolicy.html`),
            // "Bucket policies are limited to 20 KB in size."
            policyOfAtMost(20480, `${S3_GUIDE}/bucket-policies.html`),
            rule(
                `a bucket an ALB writes access logs to lets ELB put objects under AWSLogs/<account>/: in ${MOCK_REGION}, a Region available before August 2022, its ELB account ${MOCK_REGION_ELB_ACCOUNT}, and the log delivery service`,
                `${ELB_GUIDE}/enable-access-logging.html`,
                (i, context) =>
                    loggingTo(context, i.bucket).length === 0 ||
                    statementsOf(i.policy).some((s) => {
                        const principal = (s.Principal ?? {}) as { AWS?: string; Service?: string };
                        return (
                            s.Effect === "Allow" &&
                            principal.AWS === `arn:aws:iam::${MOCK_REGION_ELB_ACCOUNT}:root` &&
                            principal.Service === "logdelivery.elasticloadbalancing.amazonaws.com" &&
                            listOf(s.Action).includes("s3:PutObject") &&
                            listOf(s.Resource).includes(`arn:aws:s3:::${i.bucket}/AWSLogs/${MOCK_ACCOUNT}/*`)
                        );
                    }),
                (i) => ({ ...i, policy: i.policy.replaceAll(`arn:aws:iam::${MOCK_REGION_ELB_ACCOUNT}:root`, `arn:aws:iam::${MOCK_ACCOUNT}:root`) }),
            ),
        ],
        collective: [unique("bucket", `${S3}/API_PutBucketPolicy.html`, "per bucket")],
    },
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": {
        rules: [
            required("vpcId", `${VPC_GUIDE}/default-security-group.html`),
            rule(
                "no name or description: a VPC's default group keeps its own (default)",
                `${VPC_GUIDE}/default-security-group.html`,
                (i) => i.name === undefined && i.description === undefined,
                (i) => ({ ...i, name: "nodes" }),
            ),
            tagRule(`${EC2_GUIDE}/Using_Tags.html`),
        ],
        collective: [unique("vpcId", `${VPC_GUIDE}/default-security-group.html`, "(one default group per VPC)")],
    },
    "aws:ec2/flowLog:FlowLog": {
        rules: [
            required("vpcId", `${EC2}/API_CreateFlowLogs.html`),
            field("trafficType", oneOf(["ACCEPT", "REJECT", "ALL"]), `${EC2}/API_CreateFlowLogs.html`),
            field("logDestinationType", oneOf(["cloud-watch-logs", "s3", "kinesis-data-firehose"]), `${EC2}/API_CreateFlowLogs.html`),
            field("maxAggregationInterval", oneOf([60, 600]), `${EC2}/API_CreateFlowLogs.html`),
            field(
                "logDestination",
                pattern(/^arn:aws[a-z-]*:logs:[a-z0-9-]+:\d{12}:log-group:[.\-_/#A-Za-z0-9]+$/, "a CloudWatch Logs log group ARN", "/new-api/flow-logs"),
                `${EC2}/API_CreateFlowLogs.html`,
            ),
            rule(
                "a CloudWatch Logs destination comes with the role that delivers to it (DeliverLogsPermissionArn)",
                `${EC2}/API_CreateFlowLogs.html`,
                (i) => i.logDestinationType !== "cloud-watch-logs" || i.iamRoleArn !== undefined,
                (i) => ({ ...i, logDestinationType: "cloud-watch-logs", iamRoleArn: undefined }),
            ),
            tagRule(`${EC2_GUIDE}/Using_Tags.html`),
        ],
    },
};
