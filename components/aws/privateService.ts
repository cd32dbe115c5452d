// What the private services (MySQL, Redis) share: their placement and protection, and a
// security group that admits one port from one source group.
import * as ec2 from "@pulumi/aws/ec2";
import * as vpc from "@pulumi/aws/vpc";
import * as pulumi from "@pulumi/pulumi";
import { SnapshotTier, finalSnapshotIdentifier } from "../naming";

/** Where a private service lives, who may reach it, and how it is protected. */
export interface PrivateServiceArgs {
    vpcId: pulumi.Input<string>;
    subnetIds: pulumi.Input<string>[];
    /** The nodes' security group: the only source admitted on the service's port. */
    clientSecurityGroupId: pulumi.Input<string>;
    /** Deletion protection and Pulumi's protect; off, destroy needs no manual step. */
    protect: boolean;
    /** Set: a final snapshot when the service is deleted, named by finalSnapshotIdentifier with this suffix. */
    finalSnapshotSuffix?: pulumi.Input<string>;
    clusterName: string;
    tags: Record<string, string>;
}

/** The service's final snapshot identifier, when it takes one. */
export function finalSnapshotName(args: PrivateServiceArgs, tier: SnapshotTier): pulumi.Output<string> | undefined {
    const suffix = args.finalSnapshotSuffix;
    return suffix === undefined
        ? undefined
        : pulumi.output(suffix).apply((s) => finalSnapshotIdentifier(args.clusterName, tier, s));
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
): ec2.SecurityGroup {
    const securityGroup = new ec2.SecurityGroup(
        `${name}-sg`,
        {
            vpcId: args.vpcId,
            description: `New API ${service}: admits ${port} from the New API nodes only`,
            tags: { ...args.tags, Name: `${name}-sg` },
        },
        opts,
    );
    new vpc.SecurityGroupIngressRule(
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
