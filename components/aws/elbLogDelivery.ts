// Who may write an ALB's access logs into its bucket, by Region. Pure: the load balancer tier
// (loadBalancer.ts) puts the principal into the bucket policy.
//
// AWS, "Enable access logs for your Application Load Balancer", Step 2
// (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html):
// the policy grants s3:PutObject to the log delivery service
// logdelivery.elasticloadbalancing.amazonaws.com; "for Regions available before August 2022"
// it required instead the Region's own Elastic Load Balancing account, a policy AWS still
// supports and lists the accounts of (Regions not in that list never supported it). In those
// Regions the stack grants both, so that delivery works by either version of the page.
// AWS China's Regions are not on that page; their accounts are those the AWS provider grants
// (hashicorp/terraform-provider-aws, internal/service/elb/service_account_data_source.go), and
// only the account is granted there.

/** ELB's log delivery service principal (Availability Zones and Local Zones; not Outposts). */
export const ELB_LOG_DELIVERY_SERVICE = "logdelivery.elasticloadbalancing.amazonaws.com";

/** The Regions available before August 2022, with their Elastic Load Balancing account (AWS's list). */
export const ELB_ACCOUNTS: Readonly<Record<string, string>> = {
    "us-east-1": "127311923021", // US East (N. Virginia)
    "us-east-2": "033677994240", // US East (Ohio)
    "us-west-1": "027434742980", // US West (N. California)
    "us-west-2": "797873946194", // US West (Oregon)
    "af-south-1": "098369216593", // Africa (Cape Town)
    "ap-east-1": "754344448648", // Asia Pacific (Hong Kong)
    "ap-southeast-3": "589379963580", // Asia Pacific (Jakarta)
    "ap-south-1": "718504428378", // Asia Pacific (Mumbai)
    "ap-northeast-3": "383597477331", // Asia Pacific (Osaka)
    "ap-northeast-2": "600734575887", // Asia Pacific (Seoul)
    "ap-southeast-1": "114774131450", // Asia Pacific (Singapore)
    "ap-southeast-2": "783225319266", // Asia Pacific (Sydney)
    "ap-northeast-1": "582318560864", // Asia Pacific (Tokyo)
    "ca-central-1": "985666609251", // Canada (Central)
    "eu-central-1": "054676820928", // Europe (Frankfurt)
    "eu-west-1": "156460612806", // Europe (Ireland)
    "eu-west-2": "652711504416", // Europe (London)
    "eu-south-1": "635631232127", // Europe (Milan)
    "eu-west-3": "009996457667", // Europe (Paris)
    "eu-north-1": "897822967062", // Europe (Stockholm)
    "me-south-1": "076674570225", // Middle East (Bahrain)
    "sa-east-1": "507241528517", // South America (São Paulo)
    "us-gov-east-1": "190560391635", // AWS GovCloud (US-East)
    "us-gov-west-1": "048591011584", // AWS GovCloud (US-West)
};

/** AWS China's Regions and their Elastic Load Balancing account. */
export const ELB_ACCOUNTS_CHINA: Readonly<Record<string, string>> = {
    "cn-north-1": "638102146993", // China (Beijing)
    "cn-northwest-1": "037604701340", // China (Ningxia)
};

/** A bucket policy statement's Principal: an account's root ARN, the service, or both. */
export interface LogDeliveryPrincipal {
    AWS?: string;
    Service?: string;
}

/**
 * Whether the ELB guide gives the access-log bucket permissions of `region`: not for the
 * isolated partitions (us-iso*, eu-isoe*) nor the European Sovereign Cloud (eusc-*).
 */
export function elbGuideCovers(region: string): boolean {
    return !/^([a-z]{2}-iso[a-z]?|eusc)-/.test(region);
}

/** Why albAccessLogs cannot be on in `region`, and what is allowed (config validation says it too). */
export function uncoveredRegionProblem(region: string): string {
    return (
        `the load balancer is in ${region}, a Region whose access-log bucket permissions the ELB guide does not give; ` +
        "allowed: a commercial, AWS GovCloud (US) or China Region, or albAccessLogs false"
    );
}

/**
 * The Principal of the statement that lets ELB deliver access logs in `region`. Throws for a
 * Region the ELB guide does not cover (config validation refuses it first when aws:region
 * names it).
 */
export function elbLogDeliveryPrincipal(region: string): LogDeliveryPrincipal {
    const china = ELB_ACCOUNTS_CHINA[region];
    if (china !== undefined) {
        return { AWS: `arn:aws-cn:iam::${china}:root` };
    }
    if (!elbGuideCovers(region)) {
        throw new Error(`albAccessLogs = true: ${uncoveredRegionProblem(region)}`);
    }
    const account = ELB_ACCOUNTS[region];
    if (account === undefined) {
        return { Service: ELB_LOG_DELIVERY_SERVICE };
    }
    const partition = region.startsWith("us-gov-") ? "aws-us-gov" : "aws";
    return { AWS: `arn:${partition}:iam::${account}:root`, Service: ELB_LOG_DELIVERY_SERVICE };
}
