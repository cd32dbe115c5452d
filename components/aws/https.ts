// HTTPS for the load balancer: the certificate (given, or requested from ACM for domainName
// and validated through DNS in hostedZoneId) and the domain's alias record.
import * as acm from "@pulumi/aws/acm";
import * as route53 from "@pulumi/aws/route53";
import * as pulumi from "@pulumi/pulumi";
import { HttpsConfig } from "../config";

export interface HttpsArgs {
    config: HttpsConfig;
    loadBalancerDnsName: pulumi.Input<string>;
    loadBalancerZoneId: pulumi.Input<string>;
    tags: Record<string, string>;
}

/** TLS 1.3 and 1.2 only. */
export const TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";

export class Https extends pulumi.ComponentResource {
    /** Validated: a listener given it can serve at once. */
    readonly certificateArn: pulumi.Output<string>;
    /** The name clients use: the domain, or the load balancer's own name. */
    readonly hostName: pulumi.Output<string>;

    constructor(name: string, args: HttpsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("new-api:https:Https", name, {}, opts);
        const parent = { parent: this };
        const { certificateArn, domainName, hostedZoneId } = args.config;

        if (certificateArn !== undefined) {
            this.certificateArn = pulumi.output(certificateArn);
        } else if (domainName !== undefined && hostedZoneId !== undefined) {
            const certificate = new acm.Certificate(
                `${name}-certificate`,
                { domainName, validationMethod: "DNS", tags: args.tags },
                parent,
            );
            const option = certificate.domainValidationOptions[0];
            const validationRecord = new route53.Record(
                `${name}-certificate-validation`,
                {
                    zoneId: hostedZoneId,
                    name: option.resourceRecordName,
                    type: option.resourceRecordType,
                    records: [option.resourceRecordValue],
                    ttl: 300,
                    allowOverwrite: true,
                },
                parent,
            );
            this.certificateArn = new acm.CertificateValidation(
                `${name}-certificate`,
                { certificateArn: certificate.arn, validationRecordFqdns: [validationRecord.fqdn] },
                parent,
            ).certificateArn;
        } else {
            throw new pulumi.ResourceError("HTTPS needs certificateArn, or domainName with hostedZoneId", this, true);
        }

        if (domainName !== undefined && hostedZoneId !== undefined) {
            new route53.Record(
                `${name}-alias`,
                {
                    zoneId: hostedZoneId,
                    name: domainName,
                    type: "A",
                    aliases: [{ name: args.loadBalancerDnsName, zoneId: args.loadBalancerZoneId, evaluateTargetHealth: true }],
                },
                parent,
            );
            this.hostName = pulumi.output(domainName);
        } else {
            this.hostName = pulumi.output(args.loadBalancerDnsName);
        }
        this.registerOutputs({ certificateArn: this.certificateArn, hostName: this.hostName });
    }
}
