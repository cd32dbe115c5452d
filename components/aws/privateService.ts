// What the private services (MySQL, Redis) share: their placement and protection, and a
// security group that admits one port from one source group.
import * as ec2 from "@pulumi/aws/ec2";
import * as vpc from "@pulumi/aws/vpc";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { SnapshotTier, finalSnapshotIdentifier } from "../naming";

/** Where a private service lives, who may reach it, and how it is protected. */
export interface PrivateServiceArgs {
    vpcId: pulumi.Input<string>;
    subnetIds: pulumi.Input<string>[];
    /** The nodes' security group: the only source admitted on the service's port. */
    clientSecurityGroupId: pulumi.Input<string>;
    /** Deletion protection and Pulumi's protect; off, destroy needs no manual step. */
    protect: boolean;
    /** A final snapshot when the service is deleted (finalSnapshot), named by finalSnapshotIdentifier. */
    finalSnapshot: boolean;
    clusterName: string;
    tags: Record<string, string>;
}

/**
 * The keepers of a final snapshot's suffix: the values among `inputs` of the properties for
 * which the provider replaces the resource (`replacing`), as strings (RandomId keeps strings).
 */
export function replacementKeepers(inputs: Record<string, unknown>, replacing: readonly string[]): Record<string, string> {
    return Object.fromEntries(
        replacing.filter((key) => inputs[key] !== undefined).map((key) => [key, typeof inputs[key] === "string" ? (inputs[key] as string) : JSON.stringify(inputs[key])]),
    );
}

/**
 * The final snapshot identifier of the service `name`, when it takes one. Snapshot names are
 * unique in an account and Region and outlive what made them, so the suffix is a random id of
 * this one resource, `<name>-final-snapshot`, kept by its replacing inputs: a database or cache
 * the provider replaces gets a new id with them, and its deletion never meets the snapshot of
 * the one before it (DBSnapshotAlreadyExists, SnapshotAlreadyExistsFault).
 */
export function createFinalSnapshotName(
    name: string,
    args: PrivateServiceArgs,
    tier: SnapshotTier,
    inputs: Record<string, pulumi.Input<unknown> | undefined>,
    replacing: readonly string[],
    parent: pulumi.Resource,
): pulumi.Output<string> | undefined {
    if (!args.finalSnapshot) {
        return undefined;
    }
    const kept = Object.fromEntries(replacing.map((key) => [key, inputs[key]]));
    const suffix = new random.RandomId(
        `${name}-final-snapshot`,
        { byteLength: 4, keepers: pulumi.output(kept).apply((values) => replacementKeepers(values, replacing)) },
        { parent },
    );
    return suffix.hex.apply((hex) => finalSnapshotIdentifier(args.clusterName, tier, hex));
}

/**
 * The service's security group, `<name>-sg`: admits `port` from the nodes' group and nothing
 * else, with no egress (the provider removes AWS's default allow-all rule): a service never
 * dials out.
 */
export function createServiceSecurityGroup(
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
