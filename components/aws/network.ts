// The network tier: a new VPC with public subnets (ALB, NAT) and private subnets (nodes,
// database, cache) in 2-3 availability zones, or an operator's existing VPC.
import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as ec2 from "@pulumi/aws/ec2";
import { getAvailabilityZonesOutput } from "@pulumi/aws/getAvailabilityZones";
import * as iam from "@pulumi/aws/iam";
import * as pulumi from "@pulumi/pulumi";
import { planSubnets } from "../cidr";
import { NetworkConfig } from "../config";

/**
 * Only the region's own availability zones: an account that has opted in to a Local Zone or a
 * Wavelength Zone sees those too, where RDS and ElastiCache may not be offered
 * (DescribeAvailabilityZones, filter opt-in-status).
 */
export const STANDARD_ZONES_FILTER = { name: "opt-in-status", values: ["opt-in-not-required"] };

/**
 * Why the region's zones cannot hold azCount subnets of each kind, or undefined when they can:
 * with fewer zones, two of the ALB's subnets would share one, which ELB refuses. Known only
 * once the zones are listed, so it fails the deployment rather than config validation.
 */
export function zoneShortage(zones: string[], azCount: number): string | undefined {
    return zones.length < azCount
        ? `new-api-cluster:azCount = ${azCount}, but this region offers this account ${zones.length} ` +
              `availability zones (${zones.join(", ")}): set azCount to ${zones.length}`
        : undefined;
}

/** VPC flow logs to an encrypted CloudWatch log group (new VPC only). */
export interface FlowLogArgs {
    logGroupName: string;
    logRetentionDays: number;
    kmsKeyArn: pulumi.Input<string>;
    partition: pulumi.Input<string>;
    region: pulumi.Input<string>;
    account: pulumi.Input<string>;
}

export interface NetworkArgs {
    config: NetworkConfig;
    /** Set (with a new VPC): the VPC's flow logs go to this log group. */
    flowLogs?: FlowLogArgs;
    tags: Record<string, string>;
}

/** What the flow-logs service may do with the role: write to the flow logs' group (VPC User Guide, flow-logs-iam-role.html). */
export function flowLogRolePolicy(logGroupArn: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "WriteFlowLogs",
                Effect: "Allow",
                Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                Resource: [logGroupArn, `${logGroupArn}:*`],
            },
            // DescribeLogGroups lists groups: it takes no single group as its resource.
            { Sid: "FindLogGroup", Effect: "Allow", Action: "logs:DescribeLogGroups", Resource: "*" },
        ],
    });
}

/** Only the flow-logs service, for this account's flow logs, may assume the role (confused deputy). */
export function flowLogTrustPolicy(partition: string, region: string, account: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Service: "vpc-flow-logs.amazonaws.com" },
                Action: "sts:AssumeRole",
                Condition: {
                    StringEquals: { "aws:SourceAccount": account },
                    ArnLike: { "aws:SourceArn": `arn:${partition}:ec2:${region}:${account}:vpc-flow-log/*` },
                },
            },
        ],
    });
}

export class Network extends pulumi.ComponentResource {
    readonly vpcId: pulumi.Output<string>;
    /** One per availability zone; the array's length is known without resolving anything. */
    readonly publicSubnetIds: pulumi.Output<string>[];
    readonly privateSubnetIds: pulumi.Output<string>[];
    /**
     * The public subnets' address blocks: the load balancer's nodes take their addresses there,
     * so these are the proxies New API trusts (TRUSTED_PROXIES), and nothing else.
     */
    readonly publicSubnetCidrs: pulumi.Output<string>[];

    constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("new-api:network:Network", name, {}, opts);
        const config = args.config;

        if (config.kind === "existing") {
            this.vpcId = pulumi.output(config.vpcId);
            this.publicSubnetIds = config.publicSubnetIds.map((id) => pulumi.output(id));
            this.privateSubnetIds = config.privateSubnetIds.map((id) => pulumi.output(id));
            this.publicSubnetCidrs = config.publicSubnetIds.map((id) => ec2.getSubnetOutput({ id }, { parent: this }).cidrBlock);
        } else {
            const parent = { parent: this };
            const tags = (suffix: string) => ({ ...args.tags, Name: `${name}-${suffix}` });
            const plan = planSubnets(config.vpcCidr, config.azCount);
            const zones = getAvailabilityZonesOutput({ state: "available", filters: [STANDARD_ZONES_FILTER] }, parent)
                .names.apply((names) => {
                    const problem = zoneShortage(names, config.azCount);
                    if (problem) {
                        throw new pulumi.ResourceError(problem, this);
                    }
                    return names;
                });

            const vpc = new ec2.Vpc(
                `${name}-vpc`,
                { cidrBlock: config.vpcCidr, enableDnsHostnames: true, enableDnsSupport: true, tags: tags("vpc") },
                parent,
            );
            const internetGateway = new ec2.InternetGateway(
                `${name}-igw`,
                { vpcId: vpc.id, tags: tags("igw") },
                parent,
            );
            const publicRouteTable = new ec2.RouteTable(
                `${name}-public`,
                {
                    vpcId: vpc.id,
                    routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: internetGateway.id }],
                    tags: tags("public"),
                },
                parent,
            );

            const publicSubnets = plan.publicCidrs.map((cidrBlock, az) => {
                const subnet = new ec2.Subnet(
                    `${name}-public-${az}`,
                    {
                        vpcId: vpc.id,
                        cidrBlock,
                        availabilityZone: zones.apply((names) => names[az]),
                        mapPublicIpOnLaunch: false,
                        tags: tags(`public-${az}`),
                    },
                    parent,
                );
                new ec2.RouteTableAssociation(
                    `${name}-public-${az}`,
                    { subnetId: subnet.id, routeTableId: publicRouteTable.id },
                    parent,
                );
                return subnet;
            });

            // Nodes pull images and call LLM providers through NAT; one per zone keeps a
            // zone's outage from cutting the others off, "single" trades that for cost.
            const natCount = config.natGateways === "single" ? 1 : config.azCount;
            const natGateways = publicSubnets.slice(0, natCount).map((subnet, az) => {
                const eip = new ec2.Eip(`${name}-nat-${az}`, { domain: "vpc", tags: tags(`nat-${az}`) }, parent);
                return new ec2.NatGateway(
                    `${name}-nat-${az}`,
                    { allocationId: eip.id, subnetId: subnet.id, tags: tags(`nat-${az}`) },
                    { parent: this, dependsOn: [internetGateway] },
                );
            });

            const privateSubnets = plan.privateCidrs.map((cidrBlock, az) => {
                const subnet = new ec2.Subnet(
                    `${name}-private-${az}`,
                    { vpcId: vpc.id, cidrBlock, availabilityZone: zones.apply((names) => names[az]), tags: tags(`private-${az}`) },
                    parent,
                );
                const routeTable = new ec2.RouteTable(
                    `${name}-private-${az}`,
                    {
                        vpcId: vpc.id,
                        routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: natGateways[az % natCount].id }],
                        tags: tags(`private-${az}`),
                    },
                    parent,
                );
                new ec2.RouteTableAssociation(
                    `${name}-private-${az}`,
                    { subnetId: subnet.id, routeTableId: routeTable.id },
                    parent,
                );
                return subnet;
            });

            // The VPC's default group admits all traffic among its members; nothing here uses it, so
            // it is emptied: a resource left in it by mistake is cut off rather than exposed.
            new ec2.DefaultSecurityGroup(
                `${name}-default-sg`,
                { vpcId: vpc.id, ingress: [], egress: [], tags: tags("default-sg") },
                parent,
            );

            if (args.flowLogs) {
                const flow = args.flowLogs;
                const logGroup = new cloudwatch.LogGroup(
                    `${name}-flow-logs`,
                    { name: flow.logGroupName, retentionInDays: flow.logRetentionDays, kmsKeyId: flow.kmsKeyArn, tags: args.tags },
                    parent,
                );
                const role = new iam.Role(
                    `${name}-flow-logs-role`,
                    {
                        description: `VPC flow logs of ${name} to CloudWatch Logs`,
                        assumeRolePolicy: pulumi
                            .all([flow.partition, flow.region, flow.account])
                            .apply(([partition, region, account]) => flowLogTrustPolicy(partition, region, account)),
                        tags: args.tags,
                    },
                    parent,
                );
                const rolePolicy = new iam.RolePolicy(
                    `${name}-flow-logs-policy`,
                    { role: role.id, policy: logGroup.arn.apply(flowLogRolePolicy) },
                    parent,
                );
                new ec2.FlowLog(
                    `${name}-flow-log`,
                    {
                        vpcId: vpc.id,
                        trafficType: "ALL",
                        logDestinationType: "cloud-watch-logs",
                        logDestination: logGroup.arn,
                        iamRoleArn: role.arn,
                        maxAggregationInterval: 600,
                        tags: tags("flow-log"),
                    },
                    { parent: this, dependsOn: [rolePolicy] },
                );
            }

            this.vpcId = vpc.id;
            this.publicSubnetIds = publicSubnets.map((s) => s.id);
            this.privateSubnetIds = privateSubnets.map((s) => s.id);
            this.publicSubnetCidrs = plan.publicCidrs.map((cidr) => pulumi.output(cidr));
        }

        this.registerOutputs({
            vpcId: this.vpcId,
            publicSubnetIds: this.publicSubnetIds,
            privateSubnetIds: this.privateSubnetIds,
        });
    }
}
