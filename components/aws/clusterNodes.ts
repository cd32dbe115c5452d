// The cluster's nodes: the master, the parameter through which slaves find it, and the
// slaves, each booting from its role's pinned image and AMI with its own boot spec. A factory
// rather than a component, so that the nodes stay children of the cluster (their URNs).
import * as ssm from "@pulumi/aws/ssm";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { ClusterConfig } from "../config";
import { imageDigest, pinnedImage } from "../images";
import { memoize } from "../memoize";
import { MASTER_ADDRESS_PARAMETER, NodeRole, clusterParameterNames, nodeName, nodeSubnetIndex } from "../naming";
import { rolloutBatches } from "../rollout";
import { stopBudget } from "../stopBudget";
import { AL2023_AMI_PARAMETERS } from "../versions";
import { instanceArchitecture } from "./instanceTypes";
import { CheckedAwsCli } from "./localCommands";
import { ClusterNode, NodeAccess } from "./nodes";
import { NodeBootPlacement, httpsOrigins, nodeBootSpec, renderNodeUserData } from "./userdata";

export interface ClusterNodesArgs {
    config: ClusterConfig;
    region: pulumi.Output<string>;
    privateSubnetIds: pulumi.Output<string>[];
    access: NodeAccess;
    /** Target groups by role. */
    targetGroupArns: Record<NodeRole, pulumi.Output<string>>;
    /** The data tiers' endpoints, as the nodes' userData names them. */
    databaseHost: pulumi.Output<string>;
    redisHost: pulumi.Output<string>;
    logDatabaseHost?: pulumi.Output<string>;
    /** The load balancer: its name (an https origin when it serves HTTPS) and its subnets' address blocks (TRUSTED_PROXIES). */
    loadBalancerDnsName: pulumi.Output<string>;
    publicSubnetCidrs: pulumi.Output<string>[];
    /** The secret parameters: no node boots before they exist. */
    secretParameters: pulumi.Resource[];
    alarmTopicArn: pulumi.Output<string>;
    recoverActionArn: pulumi.Output<string>;
    /** The AWS CLI the drains and warm-ups run: the stack's credentials, checked before the first wait. */
    awsCli: CheckedAwsCli;
    tags: Record<string, string>;
}

export interface ClusterNodes {
    master: ClusterNode;
    slaves: ClusterNode[];
    /** The image references the nodes run, pinned to their registry digests. */
    images: Record<NodeRole, pulumi.Output<string>>;
}

type PlacementInputs = { [K in keyof NodeBootPlacement]: pulumi.Input<NodeBootPlacement[K]> };

/** A node's userData once its placement (region, image, endpoints) is known. */
export function nodeUserData(config: ClusterConfig, role: NodeRole, index: number, placement: PlacementInputs): pulumi.Output<string> {
    return pulumi.output(placement).apply((resolved) => renderNodeUserData(nodeBootSpec(config, role, index, resolved)));
}

/** Creates the master, its address parameter and the slaves, as children of `parent`. */
export function createClusterNodes(args: ClusterNodesArgs, parent: pulumi.Resource): ClusterNodes {
    const config = args.config;
    const opts = { parent };

    // Every node of a role runs one digest, resolved from its tag once per deployment, so
    // that a tag moved on the registry can never make nodes drift apart.
    const pinned = memoize((image): pulumi.Output<string> =>
        imageDigest(image) !== undefined
            ? pulumi.output(image)
            : docker.getRegistryImageOutput({ name: image }, opts).sha256Digest.apply((digest) => pinnedImage(image, digest)),
    );
    const images: Record<NodeRole, pulumi.Output<string>> = { master: pinned(config.image), slave: pinned(config.slaveImage) };

    // One AMI lookup per architecture, shared by the nodes that need it.
    const latestAmi = memoize((parameter) => ssm.getParameterOutput({ name: parameter }, opts).value);
    const amiFor = (instanceType: string): pulumi.Output<string> =>
        config.amiId !== undefined ? pulumi.output(config.amiId) : latestAmi(AL2023_AMI_PARAMETERS[instanceArchitecture(instanceType)]);

    const frontDoor = pulumi.all([args.loadBalancerDnsName, pulumi.all(args.publicSubnetCidrs)]).apply(([dnsName, trustedProxies]) => ({
        trustedProxies,
        httpsOrigins: config.https === undefined ? [] : httpsOrigins(config, dnsName),
    }));
    const stop = stopBudget(config);

    const createNode = (role: NodeRole, index: number, bootDependencies: pulumi.Resource[], rolloutAfter: pulumi.Resource[]): ClusterNode => {
        const instanceType = role === "master" ? config.masterInstanceType : config.instanceType;
        const subnets = args.privateSubnetIds;
        const placement = {
            region: args.region,
            image: images[role],
            databaseHost: args.databaseHost,
            redisHost: args.redisHost,
            logDatabaseHost: args.logDatabaseHost,
            frontDoor,
        };
        return new ClusterNode(
            nodeName(config.clusterName, role, index),
            {
                role,
                instanceType,
                amiId: amiFor(instanceType),
                amiFollowsLatest: config.amiId === undefined,
                subnetId: subnets[nodeSubnetIndex(role, index, subnets.length)],
                securityGroupId: args.access.securityGroupId,
                instanceProfileName: args.access.instanceProfileNames[role],
                rootVolumeSize: config.rootVolumeSize,
                userData: nodeUserData(config, role, index, placement),
                targetGroupArn: args.targetGroupArns[role],
                stop,
                // A slave of a cluster set up by hand waits for the operator's setup wizard.
                warmup: { nodeWarmup: config.nodeWarmup, mustTurnHealthy: role === "master" || config.adminUsername !== undefined },
                awsCli: args.awsCli,
                bootDependencies: [...bootDependencies, args.access.logGroup],
                rolloutAfter,
                alarmTopicArn: args.alarmTopicArn,
                recoverActionArn: args.recoverActionArn,
                tags: args.tags,
            },
            opts,
        );
    };

    // The master first; slaves find it through a parameter, so that replacing the master
    // (a new address) never touches a slave's userData.
    const master = createNode("master", 0, args.secretParameters, []);
    const masterAddress = new ssm.Parameter(
        `${config.clusterName}-${MASTER_ADDRESS_PARAMETER}`,
        {
            name: clusterParameterNames(config.clusterName).masterAddress,
            description: "Private address of the New API master; slaves wait for its setup",
            type: "String",
            // Not `value`, which the provider always treats as a secret.
            insecureValue: master.privateIp,
            tags: args.tags,
        },
        opts,
    );
    // Then the slaves, a batch at a time, each once the one before it is healthy: only the master
    // migrates the database, and a slave newer than the schema exits at start. On an upgrade the
    // new master is healthy (migrated) before the first new slave boots; the old nodes are
    // deleted, drained, at the end of the update.
    const slaves: ClusterNode[] = [];
    let previous: pulumi.Resource[] = [master.ready];
    for (const batch of rolloutBatches(config.slaveCount, config.rolloutBatchPercent)) {
        const created = batch.map((index) => createNode("slave", index, [...args.secretParameters, masterAddress], previous));
        slaves.push(...created);
        previous = created.map((node) => node.ready);
    }
    return { master, slaves, images };
}
