// The load-balancer tier: an internet-facing ALB with two target groups, master and slaves,
// and a listener that forwards to both, weighted like the guide's nginx upstream (weights.ts).
import * as ec2 from "@pulumi/aws/ec2";
import * as lb from "@pulumi/aws/lb";
import * as s3 from "@pulumi/aws/s3";
import * as vpc from "@pulumi/aws/vpc";
import * as pulumi from "@pulumi/pulumi";
import { APP_PORT, HEALTH_CHECK, SETUP_PATH, SETUP_REFUSED_BODY } from "../environment";
import { elbLogDeliveryPrincipal } from "./elbLogDelivery";
import { TLS_POLICY } from "./https";
import { ListenerWeights } from "../weights";

export interface LoadBalancerArgs {
    vpcId: pulumi.Input<string>;
    publicSubnetIds: pulumi.Input<string>[];
    allowedCidrs: string[];
    deregistrationDelay: number;
    /** Deletion protection on the ALB. */
    protect: boolean;
    /** Also admit 443 (the listener then serves HTTPS and port 80 redirects). */
    https: boolean;
    /** Set: the ALB writes access logs to a bucket of its own, kept this many days. */
    accessLogs?: AccessLogSettings;
    tags: Record<string, string>;
}

/** Where the ALB's access logs go: the account and Region decide who may deliver them. */
export interface AccessLogSettings {
    albAccessLogDays: number;
    account: pulumi.Input<string>;
    region: pulumi.Input<string>;
}

/**
 * The access-log bucket's policy: ELB may put objects under AWSLogs/<account>/ (the account in
 * the path, so that only this account's load balancers write there), as the Region's principal
 * (elbLogDelivery.ts), and nobody may use the bucket without TLS.
 */
export function accessLogBucketPolicy(bucketArn: string, account: string, region: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "ElbLogDelivery",
                Effect: "Allow",
                Principal: elbLogDeliveryPrincipal(region),
                Action: "s3:PutObject",
                Resource: `${bucketArn}/AWSLogs/${account}/*`,
            },
            {
                Sid: "TlsOnly",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:*",
                Resource: [bucketArn, `${bucketArn}/*`],
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
        ],
    });
}

/** An S3 bucket for the ALB's access logs, ready before the ALB points at it (ELB checks it then). */
class AccessLogBucket {
    readonly bucketName: pulumi.Output<string>;
    /** What the ALB must wait for: ELB writes a test object when access logs are turned on. */
    readonly ready: pulumi.Resource[];

    constructor(name: string, args: AccessLogSettings & { protect: boolean; tags: Record<string, string> }, parent: pulumi.Resource) {
        const opts = { parent };
        // Autonamed (bucket names are global); emptied on destroy unless the stack is protected.
        const bucket = new s3.Bucket(`${name}-alb-logs`, { forceDestroy: !args.protect, tags: args.tags }, opts);
        const publicAccess = new s3.BucketPublicAccessBlock(
            `${name}-alb-logs`,
            { bucket: bucket.bucket, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
            opts,
        );
        const ownership = new s3.BucketOwnershipControls(
            `${name}-alb-logs`,
            { bucket: bucket.bucket, rule: { objectOwnership: "BucketOwnerEnforced" } },
            opts,
        );
        // ELB access logs support SSE-S3 only, not SSE-KMS (ELB Guide, enable-access-logging.html).
        const encryption = new s3.BucketServerSideEncryptionConfiguration(
            `${name}-alb-logs`,
            { bucket: bucket.bucket, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
            opts,
        );
        new s3.BucketLifecycleConfiguration(
            `${name}-alb-logs`,
            {
                bucket: bucket.bucket,
                rules: [
                    {
                        id: "expire-access-logs",
                        status: "Enabled",
                        filter: {},
                        expiration: { days: args.albAccessLogDays },
                        abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
                    },
                ],
            },
            opts,
        );
        const policy = new s3.BucketPolicy(
            `${name}-alb-logs`,
            {
                bucket: bucket.bucket,
                policy: pulumi.all([bucket.arn, args.account, args.region]).apply(([arn, account, region]) => accessLogBucketPolicy(arn, account, region)),
            },
            // One change to the bucket's access at a time: concurrent ones fail with OperationAborted.
            { parent, dependsOn: [publicAccess] },
        );
        this.bucketName = bucket.bucket;
        this.ready = [policy, encryption, ownership];
    }
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

        const securityGroup = new ec2.SecurityGroup(
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
                new vpc.SecurityGroupIngressRule(
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

        const accessLogs = args.accessLogs
            ? new AccessLogBucket(name, { ...args.accessLogs, protect: args.protect, tags: args.tags }, this)
            : undefined;
        const alb = new lb.LoadBalancer(
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
                ...(accessLogs ? { accessLogs: { bucket: accessLogs.bucketName, enabled: true } } : {}),
                tags: args.tags,
            },
            { parent: this, dependsOn: accessLogs?.ready ?? [] },
        );

        const targetGroup = (role: string) =>
            new lb.TargetGroup(
                `${name}-${role}`,
                {
                    vpcId: args.vpcId,
                    port: APP_PORT,
                    protocol: "HTTP",
                    targetType: "instance",
                    deregistrationDelay: args.deregistrationDelay,
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
    readonly listeners: lb.Listener[];

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
            new lb.Listener(
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
                new lb.Listener(
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
        new lb.ListenerRule(
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
