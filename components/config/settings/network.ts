// The AWS target's network (section network): a new VPC's address range, zones, NAT gateways and
// flow logs, or an existing VPC and its subnets.
import { matches, subnetIdCheck, vpcCidrCheck } from "../checks";
import { boolean, choice, integer, list, optionalText, text } from "../kinds";

/** The network's settings, in reading order. */
export const NETWORK_SETTINGS = {
    vpcCidr: text({
        scope: "aws",
        section: "network",
        default: "10.0.0.0/16",
        check: vpcCidrCheck,
        allowed: "an IPv4 CIDR from /16 to /24",
        doc: "new VPC only; cut into 16 subnets (public from the first, private from the middle)",
    }),
    azCount: integer({ scope: "aws", section: "network", default: 2, min: 2, max: 3, doc: "new VPC only; availability zones" }),
    natGateways: choice({
        scope: "aws",
        section: "network",
        values: ["onePerAz", "single"] as const,
        default: "onePerAz",
        doc: "new VPC only; `onePerAz` (a zone's outage leaves the others online) or `single` (cheaper)",
    }),
    vpcFlowLogs: boolean({
        scope: "aws",
        section: "network",
        default: false,
        doc:
            "new VPC only (refused with `vpcId`); `true` records the VPC's traffic (all of it, accepted and rejected) in the log group " +
            "`/new-api/<clusterName>/vpc-flow-logs`, kept `logRetentionDays` and encrypted with the cluster key",
    }),
    vpcId: optionalText({
        scope: "aws",
        section: "network",
        check: matches(/^vpc-[0-9a-f]{8,17}$/, "must be a VPC id such as vpc-0123456789abcdef0"),
        allowed: "a VPC id",
        doc: "an existing VPC; needs the two keys below too, and excludes the four above",
    }),
    publicSubnetIds: list({
        scope: "aws",
        section: "network",
        default: [],
        shownDefault: "—",
        item: subnetIdCheck,
        allowed: "subnet ids in at least two availability zones",
        doc: "existing VPC: ≥ 2 public subnets (ALB) in different AZs",
    }),
    privateSubnetIds: list({
        scope: "aws",
        section: "network",
        default: [],
        shownDefault: "—",
        item: subnetIdCheck,
        allowed: "subnet ids in at least two availability zones",
        doc: "existing VPC: ≥ 2 private subnets with NAT egress (nodes, RDS, Redis)",
    }),
};
