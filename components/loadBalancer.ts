// The load-balancer tier: an internet-facing ALB whose listener forwards to two target
// groups, master and slaves, weighted like the guide's nginx upstream (see weights.ts).
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { APP_PORT } from "./environment";
import { ListenerWeights } from "./weights";

export interface LoadBalancerArgs {
    vpcId: pulumi.Input<string>;
    publicSubnetIds: pulumi.Input<string>[];
    allowedCidrs: string[];
    /** See listenerWeights: without a slaves weight the listener forwards to the master only. */
    weights: ListenerWeights;
    deregistrationDelaySeconds: number;
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
    readonly listenerArn: pulumi.Output<string>;

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

        const targetGroups = [{ arn: masterGroup.arn, weight: args.weights.master }];
        if (args.weights.slaves !== undefined) {
            targetGroups.push({ arn: slavesGroup.arn, weight: args.weights.slaves });
        }
        const listener = new aws.lb.Listener(
            `${name}-http`,
            {
                loadBalancerArn: alb.arn,
                port: 80,
                protocol: "HTTP",
                defaultActions: [{ type: "forward", forward: { targetGroups } }],
                tags: args.tags,
            },
            parent,
        );

        this.securityGroupId = securityGroup.id;
        this.dnsName = alb.dnsName;
        this.arn = alb.arn;
        this.masterTargetGroupArn = masterGroup.arn;
        this.slavesTargetGroupArn = slavesGroup.arn;
        this.listenerArn = listener.arn;
        this.registerOutputs({
            securityGroupId: this.securityGroupId,
            dnsName: this.dnsName,
            masterTargetGroupArn: this.masterTargetGroupArn,
            slavesTargetGroupArn: this.slavesTargetGroupArn,
            listenerArn: this.listenerArn,
        });
    }
}
