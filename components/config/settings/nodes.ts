// The AWS target's EC2 nodes: instance types, AMI and volume, how nodes are replaced and stopped,
// protection and final snapshots, and who may reach the load balancer (section nodes).
import { cidrCheck, matches } from "../checks";
import { boolean, earlier, integer, list, optionalText, text } from "../kinds";

const ec2InstanceType = matches(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, "must be an EC2 instance type such as t3.small");

/** The EC2 nodes' settings, in reading order: a default may use only the settings above it, or the cluster's. */
export const EC2_NODE_SETTINGS = {
    instanceType: text({
        scope: "aws",
        section: "nodes",
        default: "t3.small",
        check: ec2InstanceType,
        allowed: "an EC2 instance type",
        doc: "EC2 type of the slaves (and of the master unless `masterInstanceType` is set); Graviton types get the arm64 AMI",
    }),
    masterInstanceType: text({
        scope: "aws",
        section: "nodes",
        default: (context) => earlier<string>(context, "instanceType"),
        shownDefault: "`instanceType`",
        check: ec2InstanceType,
        allowed: "an EC2 instance type",
        doc: "EC2 type of the master",
    }),
    amiId: optionalText({
        scope: "aws",
        section: "nodes",
        check: matches(/^ami-[0-9a-f]{8,17}$/, "must be an AMI id such as ami-0123456789abcdef0"),
        allowed: "an AMI id",
        shownDefault: "newest AL2023",
        doc: "pin an AMI; unset, new nodes take the newest Amazon Linux 2023 and existing ones keep theirs",
    }),
    rootVolumeSize: integer({ scope: "aws", section: "nodes", default: 20, min: 8, max: 16384, unit: "GiB", doc: "each node's encrypted gp3 root volume" }),
    deregistrationDelay: integer({
        scope: "aws",
        section: "nodes",
        default: (context) => earlier<number>(context, "shutdownTimeout"),
        shownDefault: "`shutdownTimeout`",
        min: 0,
        max: 3600,
        unit: "seconds",
        doc:
            "how long the load balancer lets a leaving node finish its requests (it ends sooner once none is left); " +
            "`pulumi up` terminates the node only then; at least `shutdownTimeout`",
    }),
    nodeWarmup: integer({
        scope: "aws",
        section: "nodes",
        default: 900,
        min: 60,
        max: 3600,
        unit: "seconds",
        doc: "how long at most `pulumi up` waits for a new node to turn healthy in its target group before it shifts weights or removes old nodes; it moves on as soon as the node is healthy",
    }),
    slaveSetupTimeout: integer({
        scope: "aws",
        section: "nodes",
        default: 1800,
        min: 60,
        max: 86400,
        unit: "seconds",
        doc: "how long a new slave waits for the master's setup, and for the master to run the slave's release or a newer one, before starting anyway",
    }),
    protect: boolean({
        scope: "aws",
        section: "nodes",
        default: false,
        doc:
            "deletion protection on RDS and the ALB, 7 days of ElastiCache snapshots, and Pulumi `protect` on the database and cache; a protected stack must " +
            "serve HTTPS (`certificateArn`, or `domainName` with `hostedZoneId`) unless `allowPlainHttp`, and must keep ALB access logs (`albAccessLogs`); " +
            "the cluster key then waits 30 days, not 7, before deletion",
    }),
    finalSnapshot: boolean({
        scope: "aws",
        section: "nodes",
        default: (context) => earlier<boolean>(context, "protect"),
        shownDefault: "`protect`",
        doc:
            "final snapshots `<clusterName>-mysql-final-<suffix>`, `-mysql-log-final-<suffix>` (with `logDatabase`) and `-redis-final-<suffix>` when the " +
            "databases and cache are deleted; each `<suffix>` is a random id of its database or cache, new when the provider replaces it (output `finalSnapshots`)",
    }),
    allowedCidrs: list({
        scope: "aws",
        section: "nodes",
        default: ["0.0.0.0/0"],
        item: cidrCheck,
        allowed: "1-30 IPv4 CIDR blocks such as 203.0.113.0/24",
        doc: "admitted to the ALB on port 80 (and 443): one security group rule each per port, and EC2 allows 60",
    }),
};
