// The load-balancer tier: an internet-facing ALB with two target groups, master and slaves,
// and a listener that forwards to both, weighted like the guide's nginx upstream (weights.ts).
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { APP_PORT, HEALTH_CHECK, SETUP_PATH, SETUP_REFUSED_BODY } from "../environment";
import { TLS_POLICY } from "./https";
import { ListenerWeights } from "../weights";

export interface LoadBalancerArgs {
    vpcId: pulumi.Input<string>;
    publicSubnetIds: pulumi.Input<string>[];
    allowedCidrs: string[];
    deregistrationDelaySeconds: number;
    /** Deletion protection on the ALB. */
    protect: boolean;
    /** Also admit 443 (the listener then serves HTTPS and port 80 redirects). */
    https: boolean;
    tags: Record<string, string>;
}

/** The nodes' health check (see environment.ts, HEALTH_CHECK: not rate-limited by New API). */
export const TARGET_HEALTH_CHECK = {
    enabled: true,
    path: HEALTH_CHECK.path,
    protocol: "HTTP",
    port: "traffic-port",
    matcher: String(HEALTH_CHECK.status),
    interval: 30,
    timeout: 10,
    healthyThreshold: 2,
    unhealthyThreshold: 3,
};

export class LoadBalancer extends pulumi.ComponentResource {
    readonly securityGroupId: pulumi.Output<string>;
    readonly dnsName: pulumi.Output<string>;
    readonly zoneId: pulumi.Output<string>;
    readonly arn: pulumi.Output<string>;
    readonly masterTargetGroupArn: pulumi.Output<string>;
    readonly slavesTargetGroupArn: pulumi.Output<string>;
    /** CloudWatch's dimensions for the load balancer and its target groups. */
    readonly arnSuffix: pulumi.Output<string>;
    readonly masterTargetGroupArnSuffix: pulumi.Output<string>;
    readonly slavesTargetGroupArnSuffix: pulumi.Output<string>;

    constructor(name: string, args: LoadBalancerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("new-api:loadbalancer:LoadBalancer", name, {}, opts);
        const parent = { parent: this };

        const securityGroup = new aws.ec2.SecurityGroup(
            `${name}-alb-sg`,
            {
                vpcId: args.vpcId,
                description: "New API load balancer: HTTP(S) from the allowed CIDRs",
                tags: { ...args.tags, Name: `${name}-alb-sg` },
            },
            parent,
        );
        const ports: [string, number][] = args.https ? [["http", 80], ["https", 443]] : [["http", 80]];
        for (const [protocol, port] of ports) {
            args.allowedCidrs.forEach((cidr, index) => {
                new aws.vpc.SecurityGroupIngressRule(
                    `${name}-alb-${protocol}-${index}`,
                    {
                        securityGroupId: securityGroup.id,
                        cidrIpv4: cidr,
                        ipProtocol: "tcp",
                        fromPort: port,
                        toPort: port,
                        description: `${protocol.toUpperCase()} from ${cidr}`,
                    },
                    parent,
                );
            });
        }

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
                    healthCheck: TARGET_HEALTH_CHECK,
                    tags: { ...args.tags, Name: `${name}-${role}` },
                },
                parent,
            );
        const masterGroup = targetGroup("master");
        const slavesGroup = targetGroup("slaves");

        this.securityGroupId = securityGroup.id;
        this.dnsName = alb.dnsName;
        this.zoneId = alb.zoneId;
        this.arn = alb.arn;
        this.arnSuffix = alb.arnSuffix;
        this.masterTargetGroupArn = masterGroup.arn;
        this.slavesTargetGroupArn = slavesGroup.arn;
        this.masterTargetGroupArnSuffix = masterGroup.arnSuffix;
        this.slavesTargetGroupArnSuffix = slavesGroup.arnSuffix;
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
    /** Set: HTTPS on 443 with this certificate, and port 80 only redirects to it. */
    certificateArn?: pulumi.Input<string>;
    /** The nodes: the listener changes only after every one of them is created and warmed up. */
    waitFor: pulumi.Resource[];
    tags: Record<string, string>;
}

/**
 * A regular expression for ALB's path condition that matches `path` (and anything below it)
 * however a client spells it to reach the same route: the load balancer compares the path as
 * sent, while New API's router matches it percent-decoded, so "/api/%73etup" or
 * "/api%2Fsetup" are the same route there.
 */
export function anySpellingOf(path: string): string {
    const char = (c: string) => {
        const hex = c.charCodeAt(0).toString(16);
        const encoded = `%${[...hex].map((d) => (/[a-f]/.test(d) ? `[${d}${d.toUpperCase()}]` : d)).join("")}`;
        return `(${c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}|${encoded})`;
    };
    return `^${[...path].map(char).join("")}(/.*)?$`;
}

/** Where the setup wizard's requests end on a public listener: refused, with New API's own JSON shape. */
const REFUSE_SETUP = {
    type: "fixed-response",
    fixedResponse: { contentType: "application/json", statusCode: "403", messageBody: SETUP_REFUSED_BODY },
};

/**
 * The listeners, apart from the load balancer so that they can depend on the nodes: new
 * weights take effect only once the nodes they send traffic to have been created and
 * given their warm-up time.
 */
export class WeightedListener extends pulumi.ComponentResource {
    /** The listeners, for what must follow them (the post-deploy check). */
    readonly listeners: aws.lb.Listener[];

    constructor(name: string, args: WeightedListenerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("new-api:loadbalancer:WeightedListener", name, {}, opts);
        const options = { parent: this, dependsOn: args.waitFor };
        const forward = {
            type: "forward",
            forward: {
                targetGroups: [
                    { arn: args.masterTargetGroupArn, weight: args.weights.master },
                    { arn: args.slavesTargetGroupArn, weight: args.weights.slaves },
                ],
            },
        };
        const redirectToHttps = {
            type: "redirect",
            redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" },
        };
        const https = args.certificateArn !== undefined;
        this.listeners = [
            new aws.lb.Listener(
                `${name}-http`,
                {
                    loadBalancerArn: args.loadBalancerArn,
                    port: 80,
                    protocol: "HTTP",
                    defaultActions: [https ? redirectToHttps : forward],
                    tags: args.tags,
                },
                options,
            ),
        ];
        if (https) {
            this.listeners.push(
                new aws.lb.Listener(
                    `${name}-https`,
                    {
                        loadBalancerArn: args.loadBalancerArn,
                        port: 443,
                        protocol: "HTTPS",
                        sslPolicy: TLS_POLICY,
                        certificateArn: args.certificateArn,
                        defaultActions: [forward],
                        tags: args.tags,
                    },
                    options,
                ),
            );
        }
        // The listener that forwards refuses the setup wizard (port 80 only redirects when there
        // is HTTPS): nobody on the internet can create the root user, set up by hand or not.
        const forwarding = this.listeners[this.listeners.length - 1];
        new aws.lb.ListenerRule(
            `${name}-refuse-setup`,
            {
                listenerArn: forwarding.arn,
                priority: 1,
                conditions: [{ pathPattern: { regexValues: [anySpellingOf(SETUP_PATH)] } }],
                actions: [REFUSE_SETUP],
                tags: args.tags,
            },
            { parent: this },
        );
        this.registerOutputs({ arns: this.listeners.map((l) => l.arn) });
    }
}
