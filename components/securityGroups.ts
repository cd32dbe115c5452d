// Security groups of the private services (MySQL, Redis): one port, from one source group.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface ServiceSecurityGroupArgs {
    vpcId: pulumi.Input<string>;
    /** What the service is, e.g. "MySQL": used in descriptions. */
    service: string;
    port: number;
    /** The only security group admitted on `port`. */
    sourceSecurityGroupId: pulumi.Input<string>;
    tags: Record<string, string>;
}

/**
 * A security group that admits `port` from the source group and nothing else, with no
 * egress (the provider removes AWS's default allow-all rule): a service never dials out.
 */
export function serviceSecurityGroup(
    name: string,
    args: ServiceSecurityGroupArgs,
    opts: pulumi.CustomResourceOptions,
): aws.ec2.SecurityGroup {
    const securityGroup = new aws.ec2.SecurityGroup(
        name,
        {
            vpcId: args.vpcId,
            description: `New API ${args.service}: admits ${args.port} from the New API nodes only`,
            tags: { ...args.tags, Name: name },
        },
        opts,
    );
    new aws.vpc.SecurityGroupIngressRule(
        `${name}-from-nodes`,
        {
            securityGroupId: securityGroup.id,
            referencedSecurityGroupId: args.sourceSecurityGroupId,
            ipProtocol: "tcp",
            fromPort: args.port,
            toPort: args.port,
            description: `${args.service} from the New API nodes`,
        },
        opts,
    );
    return securityGroup;
}
