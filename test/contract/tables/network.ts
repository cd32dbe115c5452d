// The network tier's tables: the VPC, its subnets, gateways and route tables, the security
// groups and their rules, and the new VPC's default security group and flow log.
import { Table, cidr, field, integer, oneOf, pattern, perParent, required, rule, unique, withValueAt } from "../rules";
import { EC2, EC2_GUIDE, tagRule } from "./common";

const VPC_GUIDE = "https://docs.aws.amazon.com/vpc/latest/userguide";

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

export const NETWORK: Record<string, Table> = {
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
};

/** The new VPC's default security group and its flow log (CONTRACT lists them after every other tier). */
export const VPC_DEFAULT_GROUP_AND_FLOW_LOG: Record<string, Table> = {
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
