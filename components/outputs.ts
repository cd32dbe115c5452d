// What `pulumi stack output` shows, declared once for both targets: index.ts exports a
// cluster's `stackOutputs` as they are.
import * as pulumi from "@pulumi/pulumi";
import { Target } from "./config";
import { SnapshotTier } from "./naming";
import { SecretOutputs } from "./secrets";
import { ListenerWeights } from "./weights";

export interface StackOutputs extends SecretOutputs {
    target: Target;
    url: pulumi.Input<string>;
    listenerWeights: ListenerWeights;
    /** Set when the master completes setup itself (always on docker). */
    adminUsername?: string;
    /** A Pulumi secret, with adminUsername. */
    adminPassword?: pulumi.Output<string>;

    // AWS
    albDnsName?: pulumi.Output<string>;
    masterInstanceId?: pulumi.Output<string>;
    masterPrivateIp?: pulumi.Output<string>;
    slaveInstanceIds?: pulumi.Output<string>[];
    slavePrivateIps?: pulumi.Output<string>[];
    databaseAddress?: pulumi.Output<string>;
    redisPrimaryEndpoint?: pulumi.Output<string>;
    secretParameterPath?: string;
    /** By node name: the command that opens a shell on the node through SSM Session Manager. */
    sessionCommands?: Record<string, pulumi.Output<string>>;
    /** Forwards localhost:3000 to the master: its setup wizard, whatever the ALB's weights. */
    masterPortForwardCommand?: pulumi.Output<string>;
    /** The image references the nodes run, pinned to their registry digests. */
    masterImage?: pulumi.Output<string>;
    slaveImage?: pulumi.Output<string>;
    alertTopicArn?: pulumi.Output<string>;
    /** The CloudWatch console's page of the cluster's dashboard. */
    dashboardUrl?: pulumi.Output<string>;
    /** CloudWatch log group of every node's container (one stream per node). */
    logGroupName?: string;
    logDatabaseAddress?: pulumi.Output<string>;
    /** With finalSnapshot: the snapshots `pulumi destroy` leaves behind, by data tier. */
    finalSnapshots?: Partial<Record<SnapshotTier, pulumi.Output<string>>>;

    // Docker
    masterContainer?: string;
    slaveContainers?: string[];
    /** MySQL's root password, a Pulumi secret: what the database password rotation logs in with. */
    mysqlRootPassword?: pulumi.Output<string>;
}

/** A cluster on either target. */
export interface DeployedCluster {
    readonly stackOutputs: StackOutputs;
}
