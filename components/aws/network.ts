// The network tier: a new VPC with public subnets (ALB, NAT) and private subnets (nodes,
// database, cache) in 2-3 availability zones, or an operator's existing VPC.
import * as aws from "@pulumi/aws";
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

export interface NetworkArgs {
    config: NetworkConfig;
    tags: Record<string, string>;
}

export class Network extends pulumi.ComponentResource {
    readonly vpcId: pulumi.Output<string>;
    /** One per availability zone; the array's length is known without resolving anything. */
    readonly publicSubnetIds: pulumi.Output<string>[];
    readonly privateSubnetIds: pulumi.Output<string>[];

    constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("new-api:network:Network", name, {}, opts);
        const config = args.config;

        if (config.kind === "existing") {
            this.vpcId = pulumi.output(config.vpcId);
            this.publicSubnetIds = config.publicSubnetIds.map((id) => pulumi.output(id));
            this.privateSubnetIds = config.privateSubnetIds.map((id) => pulumi.output(id));
        } else {
            const parent = { parent: this };
            const tags = (suffix: string) => ({ ...args.tags, Name: `${name}-${suffix}` });
            const plan = planSubnets(config.vpcCidr, config.azCount);
            const zones = aws
                .getAvailabilityZonesOutput({ state: "available", filters: [STANDARD_ZONES_FILTER] }, parent)
                .names.apply((names) => {
                    const problem = zoneShortage(names, config.azCount);
                    if (problem) {
                        throw new pulumi.ResourceError(problem, this);
                    }
                    return names;
                });

            const vpc = new aws.ec2.Vpc(
                `${name}-vpc`,
                { cidrBlock: config.vpcCidr, enableDnsHostnames: true, enableDnsSupport: true, tags: tags("vpc") },
                parent,
            );
            const internetGateway = new aws.ec2.InternetGateway(
                `${name}-igw`,
                { vpcId: vpc.id, tags: tags("igw") },
                parent,
            );
            const publicRouteTable = new aws.ec2.RouteTable(
                `${name}-public`,
                {
                    vpcId: vpc.id,
                    routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: internetGateway.id }],
                    tags: tags("public"),
                },
                parent,
            );

            const publicSubnets = plan.publicCidrs.map((cidrBlock, az) => {
                const subnet = new aws.ec2.Subnet(
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
                new aws.ec2.RouteTableAssociation(
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
                const eip = new aws.ec2.Eip(`${name}-nat-${az}`, { domain: "vpc", tags: tags(`nat-${az}`) }, parent);
                return new aws.ec2.NatGateway(
                    `${name}-nat-${az}`,
                    { allocationId: eip.id, subnetId: subnet.id, tags: tags(`nat-${az}`) },
                    { parent: this, dependsOn: [internetGateway] },
                );
            });

            const privateSubnets = plan.privateCidrs.map((cidrBlock, az) => {
                const subnet = new aws.ec2.Subnet(
                    `${name}-private-${az}`,
                    { vpcId: vpc.id, cidrBlock, availabilityZone: zones.apply((names) => names[az]), tags: tags(`private-${az}`) },
                    parent,
                );
                const routeTable = new aws.ec2.RouteTable(
                    `${name}-private-${az}`,
                    {
                        vpcId: vpc.id,
                        routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: natGateways[az % natCount].id }],
                        tags: tags(`private-${az}`),
                    },
                    parent,
                );
                new aws.ec2.RouteTableAssociation(
                    `${name}-private-${az}`,
                    { subnetId: subnet.id, routeTableId: routeTable.id },
                    parent,
                );
                return subnet;
            });

            this.vpcId = vpc.id;
            this.publicSubnetIds = publicSubnets.map((s) => s.id);
            this.privateSubnetIds = privateSubnets.map((s) => s.id);
        }

        this.registerOutputs({
            vpcId: this.vpcId,
            publicSubnetIds: this.publicSubnetIds,
            privateSubnetIds: this.privateSubnetIds,
        });
    }
}
