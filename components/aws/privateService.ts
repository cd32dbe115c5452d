// What the private services (MySQL, Redis) share: their placement and protection, and a
// security group that admits one port from one source group.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** Where a private service lives, who may reach it, and how it is protected. */
export interface PrivateServiceArgs {
    vpcId: pulumi.Input<string>;
    subnetIds: pulumi.Input<string>[];
    /** The nodes' security group: the only source admitted on the service's port. */
    clientSecurityGroupId: pulumi.Input<string>;
    /** Deletion protection and Pulumi's protect; off, destroy needs no manual step. */
    protect: boolean;
    /** A final snapshot, named after the cluster, when the service is deleted. */
    finalSnapshot: boolean;
    clusterName: string;
    tags: Record<string, string>;
}

/**
 * The service's security group, `<name>-sg`: admits `port` from the nodes' group and nothing
 * else, with no egress (the provider removes AWS's default allow-all rule): a service never
 * dials out.
 */
export function serviceSecurityGroup(
    name: string,
    service: string,
    port: number,
    args: PrivateServiceArgs,
    opts: pulumi.CustomResourceOptions,
): aws.ec2.SecurityGroup {
    const securityGroup = new aws.ec2.SecurityGroup(
        `${name}-sg`,
        {
            vpcId: args.vpcId,
            description: `New API ${service}: admits ${port} from the New API nodes only`,
            tags: { ...args.tags, Name: `${name}-sg` },
        },
        opts,
    );
    new aws.vpc.SecurityGroupIngressRule(
        `${name}-sg-from-nodes`,
        {
            securityGroupId: securityGroup.id,
            referencedSecurityGroupId: args.clientSecurityGroupId,
            ipProtocol: "tcp",
            fromPort: port,
            toPort: port,
            description: `${service} from the New API nodes`,
        },
        opts,
    );
    return securityGroup;
}
