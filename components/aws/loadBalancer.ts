// The load-balancer tier: an internet-facing ALB with two target groups, master and slaves,
// and a listener that forwards to both, weighted like the guide's nginx upstream (weights.ts).
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { APP_PORT } from "../environment";
import { ListenerWeights } from "../weights";

export interface LoadBalancerArgs {
    vpcId: pulumi.Input<string>;
    publicSubnetIds: pulumi.Input<string>[];
    allowedCidrs: string[];
    deregistrationDelaySeconds: number;
    /** Deletion protection on the ALB. */
    protect: boolean;
    tags: Record<string, string>;
}

/** The guide's container health check, as an ALB target group health check. */
export const HEALTH_CHECK = {
    enabled: true,
    path: "/api/status",
    protocol: "HTTP",
    port: "traffic-port",
    matcher: "200",
    interval: 30,
    timeout: 10,
    healthyThreshold: 2,
    unhealthyThreshold: 3,
};

export class LoadBalancer extends pulumi.ComponentResource {
    readonly securityGroupId: pulumi.Output<string>;
    readonly dnsName: pulumi.Output<string>;
    readonly arn: pulumi.Output<string>;
    readonly masterTargetGroupArn: pulumi.Output<string>;
    readonly slavesTargetGroupArn: pulumi.Output<string>;

    constructor(name: string, args: LoadBalancerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("new-api:loadbalancer:LoadBalancer", name, {}, opts);
        const parent = { parent: this };

        const securityGroup = new aws.ec2.SecurityGroup(
            `${name}-alb-sg`,
            {
                vpcId: args.vpcId,
                description: "New API load balancer: HTTP from the allowed CIDRs",
                tags: { ...args.tags, Name: `${name}-alb-sg` },
            },
            parent,
        );
        args.allowedCidrs.forEach((cidr, index) => {
            new aws.vpc.SecurityGroupIngressRule(
                `${name}-alb-http-${index}`,
                {
                    securityGroupId: securityGroup.id,
                    cidrIpv4: cidr,
                    ipProtocol: "tcp",
                    fromPort: 80,
                    toPort: 80,
                    description: `HTTP from ${cidr}`,
                },
                parent,
            );
        });

        const alb = new aws.lb.LoadBalancer(
            `${name}-alb`,
            {
                loadBalancerType: "application",
                internal: false,
                subnets: args.publicSubnetIds,
                securityGroups: [securityGroup.id],
                dropInvalidHeaderFields: true,
                // Streaming completions can be quiet for a long time; New API's own limit is 300 s.
                idleTimeout: 300,
                enableDeletionProtection: args.protect,
                tags: args.tags,
            },
            parent,
        );

        const targetGroup = (role: string) =>
            new aws.lb.TargetGroup(
                `${name}-${role}`,
                {
                    vpcId: args.vpcId,
                    port: APP_PORT,
                    protocol: "HTTP",
                    targetType: "instance",
                    deregistrationDelay: args.deregistrationDelaySeconds,
                    healthCheck: HEALTH_CHECK,
                    tags: { ...args.tags, Name: `${name}-${role}` },
                },
                parent,
            );
        const masterGroup = targetGroup("master");
        const slavesGroup = targetGroup("slaves");

        this.securityGroupId = securityGroup.id;
        this.dnsName = alb.dnsName;
        this.arn = alb.arn;
        this.masterTargetGroupArn = masterGroup.arn;
        this.slavesTargetGroupArn = slavesGroup.arn;
        this.registerOutputs({
            securityGroupId: this.securityGroupId,
            dnsName: this.dnsName,
            masterTargetGroupArn: this.masterTargetGroupArn,
            slavesTargetGroupArn: this.slavesTargetGroupArn,
        });
    }
}

export interface WeightedListenerArgs {
    loadBalancerArn: pulumi.Input<string>;
    masterTargetGroupArn: pulumi.Input<string>;
    slavesTargetGroupArn: pulumi.Input<string>;
    weights: ListenerWeights;
    /** The nodes: the listener changes only after every one of them is created and warmed up. */
    waitFor: pulumi.Resource[];
    tags: Record<string, string>;
}

/**
 * The listener, apart from the load balancer so that it can depend on the nodes: new
 * weights take effect only once the nodes they send traffic to have been created and
 * given their warm-up time.
 */
export class WeightedListener extends pulumi.ComponentResource {
    readonly arn: pulumi.Output<string>;

    constructor(name: string, args: WeightedListenerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("new-api:loadbalancer:WeightedListener", name, {}, opts);
        const listener = new aws.lb.Listener(
            `${name}-http`,
            {
                loadBalancerArn: args.loadBalancerArn,
                port: 80,
                protocol: "HTTP",
                defaultActions: [
                    {
                        type: "forward",
                        forward: {
                            targetGroups: [
                                { arn: args.masterTargetGroupArn, weight: args.weights.master },
                                { arn: args.slavesTargetGroupArn, weight: args.weights.slaves },
                            ],
                        },
                    },
                ],
                tags: args.tags,
            },
            { parent: this, dependsOn: args.waitFor },
        );
        this.arn = listener.arn;
        this.registerOutputs({ arn: this.arn });
    }
}
