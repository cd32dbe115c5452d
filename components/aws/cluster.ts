// The whole New API cluster: network, secrets, load balancer, shared MySQL and Redis,
// one master and slaveCount slaves, wired in the order the guide deploys them.
import * as aws from "@pulumi/aws";
import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { Cache } from "./cache";
import { ClusterKey } from "./clusterKey";
import { ClusterConfig } from "../config";
import { Database } from "./database";
import { APP_PORT } from "../environment";
import { EcrRegistry, ecrRegistry, imageDigest, pinnedImage } from "../images";
import { memoize } from "../memoize";
import { Https } from "./https";
import { LoadBalancer, WeightedListener } from "./loadBalancer";
import { Monitoring, alertTopicLogicalName, cacheMemberSuffixes } from "./monitoring";
import { verifyScript } from "./verify";
import {
    ADMIN_PASSWORD_PARAMETER,
    MASTER_ADDRESS_PARAMETER,
    NodeRole,
    SnapshotTier,
    clusterParameterName,
    clusterTags,
    flowLogGroupName,
    logGroupName,
    nodeName,
    nodeSubnetIndex,
} from "../naming";
import { Network } from "./network";
import { AL2023_AMI_PARAMETERS, ClusterNode, NodeAccess, instanceArchitecture } from "./nodes";
import { SecretRotation } from "./rotation";
import { GeneratedSecrets, SecretOutputs, secretOutputs, secretRotations } from "../secrets";
import { SecretParameters } from "./secretParameters";
import { nodeBootSpec, renderNodeUserData } from "./userdata";
import { ListenerWeights, listenerWeights } from "../weights";

export interface NewApiClusterArgs {
    config: ClusterConfig;
}

export interface NodeOutputs {
    name: string;
    instanceId: pulumi.Output<string>;
    privateIp: pulumi.Output<string>;
    /** The command that opens a shell on the node through SSM Session Manager. */
    sessionCommand: pulumi.Output<string>;
}

export class NewApiCluster extends pulumi.ComponentResource {
    readonly url: pulumi.Output<string>;
    readonly albDnsName: pulumi.Output<string>;
    readonly listenerWeights: ListenerWeights;
    readonly master: NodeOutputs;
    readonly slaves: NodeOutputs[];
    /** Forwards localhost:3000 to the master: its setup wizard, whatever the ALB's weights. */
    readonly masterPortForwardCommand: pulumi.Output<string>;
    /** Set when the master completes setup itself; the password is a Pulumi secret. */
    readonly adminUsername?: string;
    readonly adminPassword?: pulumi.Output<string>;
    readonly databaseAddress: pulumi.Output<string>;
    readonly redisPrimaryEndpoint: pulumi.Output<string>;
    readonly secretParameterPath: string;
    /** The image references the nodes run, pinned to their registry digests. */
    readonly masterImage: pulumi.Output<string>;
    readonly slaveImage: pulumi.Output<string>;
    readonly alertTopicArn: pulumi.Output<string>;
    /** CloudWatch log group of every node's container (one stream per node). */
    readonly logGroupName: string;
    readonly logDatabaseAddress?: pulumi.Output<string>;
    /** With finalSnapshot: the snapshots `pulumi destroy` leaves behind, by data tier. */
    readonly finalSnapshots?: Partial<Record<SnapshotTier, pulumi.Output<string>>>;
    /** Each of these is a Pulumi secret. */
    readonly secrets: SecretOutputs;

    constructor(name: string, args: NewApiClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("new-api:cluster:NewApiCluster", name, {}, opts);
        const config = args.config;
        const parent = { parent: this };
        const tags = clusterTags(config.clusterName, pulumi.getStack());
        const region = aws.getRegionOutput({}, parent).region;
        const partitionInfo = aws.getPartitionOutput({}, parent);
        const partition = partitionInfo.partition;
        const account = aws.getCallerIdentityOutput({}, parent).accountId;
        this.listenerWeights = listenerWeights(config.masterWeight, config.slaveWeight, config.slaveCount);

        const flowLogs = config.network.kind === "new" && config.network.vpcFlowLogs;
        const clusterKey = new ClusterKey(
            name,
            {
                clusterName: config.clusterName,
                protect: config.protect,
                logGroupNames: [logGroupName(config.clusterName), ...(flowLogs ? [flowLogGroupName(config.clusterName)] : [])],
                alertTopicNamePrefix: `${alertTopicLogicalName(name)}-`,
                partition,
                region,
                account,
                dnsSuffix: partitionInfo.dnsSuffix,
                tags,
            },
            parent,
        );
        const network = new Network(
            name,
            {
                config: config.network,
                flowLogs: flowLogs
                    ? {
                          logGroupName: flowLogGroupName(config.clusterName),
                          retentionDays: config.logRetentionDays,
                          kmsKeyArn: clusterKey.arn,
                          partition,
                          region,
                          account,
                      }
                    : undefined,
                tags,
            },
            parent,
        );
        const generated = new GeneratedSecrets(name, { adminPassword: config.adminUsername !== undefined, rotations: secretRotations(config) }, parent);
        const secrets = new SecretParameters(
            name,
            { clusterName: config.clusterName, secrets: generated, kmsKeyId: clusterKey.keyId, tags },
            parent,
        );
        const loadBalancer = new LoadBalancer(
            name,
            {
                vpcId: network.vpcId,
                publicSubnetIds: network.publicSubnetIds,
                allowedCidrs: config.allowedCidrs,
                deregistrationDelay: config.deregistrationDelay,
                protect: config.protect,
                https: config.https !== undefined,
                accessLogs: config.albAccessLogs ? { retentionDays: config.albAccessLogDays, account } : undefined,
                tags,
            },
            parent,
        );
        const access = new NodeAccess(
            `${name}-nodes`,
            {
                clusterName: config.clusterName,
                region,
                vpcId: network.vpcId,
                loadBalancerSecurityGroupId: loadBalancer.securityGroupId,
                readableParameters: {
                    master: [
                        ...Object.values(secrets.parameterNames),
                        ...(config.adminUsername === undefined ? [] : [clusterParameterName(config.clusterName, ADMIN_PASSWORD_PARAMETER)]),
                    ],
                    slave: [...Object.values(secrets.parameterNames), clusterParameterName(config.clusterName, MASTER_ADDRESS_PARAMETER)],
                },
                logGroupName: logGroupName(config.clusterName),
                logRetentionDays: config.logRetentionDays,
                imageRegistries: [...new Set([config.image, config.slaveImage])]
                    .map(ecrRegistry)
                    .filter((registry): registry is EcrRegistry => registry !== undefined),
                clusterKeyArn: clusterKey.arn,
                tags,
            },
            parent,
        );
        const privateService = {
            vpcId: network.vpcId,
            subnetIds: network.privateSubnetIds,
            clientSecurityGroupId: access.securityGroupId,
            protect: config.protect,
            finalSnapshotSuffix: config.finalSnapshot
                ? new random.RandomId(`${name}-final-snapshot`, { byteLength: 4 }, parent).hex
                : undefined,
            clusterName: config.clusterName,
            tags,
        };
        const database = new Database(
            `${name}-db`,
            { ...privateService, tier: "mysql", config, password: generated.values.dbPassword },
            parent,
        );
        const cache = new Cache(
            `${name}-redis`,
            { ...privateService, config, authToken: generated.values.redisAuthToken },
            parent,
        );
        // The guide's "independent log database": New API's log table on its own instance,
        // same size, user and password as the main one.
        const logDatabase = config.logDatabase
            ? new Database(
                  `${name}-logdb`,
                  { ...privateService, tier: "mysql-log", config, password: generated.values.dbPassword },
                  parent,
              )
            : undefined;
        const monitoring = new Monitoring(
            name,
            {
                alertEmail: config.alertEmail,
                thresholds: config.alarmThresholds,
                loadBalancerArnSuffix: loadBalancer.arnSuffix,
                masterTargetGroupArnSuffix: loadBalancer.masterTargetGroupArnSuffix,
                slavesTargetGroupArnSuffix: loadBalancer.slavesTargetGroupArnSuffix,
                databases: [
                    { label: "db", instanceId: database.instanceId },
                    ...(logDatabase ? [{ label: "logdb", instanceId: logDatabase.instanceId }] : []),
                ],
                dbMaxConnections: config.dbMaxConnections,
                cacheClusterIds: cacheMemberSuffixes(config.cacheNodeCount).map((suffix) =>
                    cache.replicationGroupId.apply((id) => `${id}-${suffix}`),
                ),
                kmsKeyArn: clusterKey.arn,
                tags,
            },
            parent,
        );
        const recoverActionArn = pulumi.interpolate`arn:${partition}:automate:${region}:ec2:recover`;

        // Every node of a role runs one digest, resolved from its tag once per deployment, so
        // that a tag moved on the registry can never make nodes drift apart.
        const pinned = memoize((image): pulumi.Output<string> =>
            imageDigest(image) !== undefined
                ? pulumi.output(image)
                : docker
                      .getRegistryImageOutput({ name: image }, parent)
                      .sha256Digest.apply((digest) => pinnedImage(image, digest)),
        );
        this.masterImage = pinned(config.image);
        this.slaveImage = pinned(config.slaveImage);

        // One AMI lookup per architecture, shared by the nodes that need it.
        const latestAmi = memoize((parameter) => aws.ssm.getParameterOutput({ name: parameter }, parent).value);
        const amiFor = (instanceType: string): pulumi.Output<string> =>
            config.amiId !== undefined
                ? pulumi.output(config.amiId)
                : latestAmi(AL2023_AMI_PARAMETERS[instanceArchitecture(instanceType)]);

        // The warm-up's AWS CLI calls use the stack's credentials: its profile, when it names one.
        const awsProfile = new pulumi.Config("aws").get("profile");
        const createNode = (role: NodeRole, index: number, bootDependencies: pulumi.Resource[]): ClusterNode => {
            const instanceType = role === "master" ? config.masterInstanceType : config.instanceType;
            const subnets = network.privateSubnetIds;
            const userData = pulumi
                .all([
                    region,
                    database.address,
                    cache.primaryEndpoint,
                    logDatabase?.address,
                    role === "master" ? this.masterImage : this.slaveImage,
                ])
                .apply(([regionName, databaseHost, redisHost, logDatabaseHost, image]) =>
                    renderNodeUserData(
                        nodeBootSpec(config, role, index, { region: regionName, image, databaseHost, redisHost, logDatabaseHost }),
                    ),
                );
            return new ClusterNode(
                nodeName(config.clusterName, role, index),
                {
                    role,
                    instanceType,
                    amiId: amiFor(instanceType),
                    amiFollowsLatest: config.amiId === undefined,
                    subnetId: subnets[nodeSubnetIndex(role, index, subnets.length)],
                    securityGroupId: access.securityGroupId,
                    instanceProfileName: access.instanceProfileNames[role],
                    rootVolumeSize: config.rootVolumeSize,
                    userData,
                    targetGroupArn:
                        role === "master" ? loadBalancer.masterTargetGroupArn : loadBalancer.slavesTargetGroupArn,
                    deregistrationDelay: config.deregistrationDelay,
                    // A slave of a cluster set up by hand waits for the operator's setup wizard.
                    warmup: { timeoutSeconds: config.nodeWarmup, mustTurnHealthy: role === "master" || config.adminUsername !== undefined },
                    region,
                    awsProfile,
                    bootDependencies: [...bootDependencies, access.logGroup],
                    alarmTopicArn: monitoring.topicArn,
                    recoverActionArn,
                    tags,
                },
                parent,
            );
        };
        const outputsOf = (node: ClusterNode): NodeOutputs => ({
            name: node.nodeName,
            instanceId: node.instanceId,
            privateIp: node.privateIp,
            sessionCommand: pulumi.interpolate`aws ssm start-session --region ${region} --target ${node.instanceId}`,
        });

        // The master first; slaves find it through a parameter, so that replacing the master
        // (a new address) never touches a slave's userData.
        const master = createNode("master", 0, secrets.parameters);
        const masterAddress = new aws.ssm.Parameter(
            `${name}-${MASTER_ADDRESS_PARAMETER}`,
            {
                name: clusterParameterName(config.clusterName, MASTER_ADDRESS_PARAMETER),
                description: "Private address of the New API master; slaves wait for its setup",
                type: "String",
                // Not `value`, which the provider always treats as a secret.
                insecureValue: master.privateIp,
                tags,
            },
            parent,
        );
        const slaves = Array.from({ length: config.slaveCount }, (_, index) =>
            createNode("slave", index, [...secrets.parameters, masterAddress]),
        );
        new SecretRotation(
            name,
            {
                rotations: secretRotations(config),
                master,
                slaves,
                targetGroupArns: { master: loadBalancer.masterTargetGroupArn, slave: loadBalancer.slavesTargetGroupArn },
                replicationGroupId: cache.replicationGroupId,
                authToken: generated.values.redisAuthToken,
                secretHolders: [secrets, database, cache, ...(logDatabase ? [logDatabase] : [])],
                restartTimeoutSeconds: config.deregistrationDelay + config.nodeWarmup,
                region,
                awsProfile,
            },
            parent,
        );
        const https = config.https
            ? new Https(
                  name,
                  {
                      config: config.https,
                      loadBalancerDnsName: loadBalancer.dnsName,
                      loadBalancerZoneId: loadBalancer.zoneId,
                      tags,
                  },
                  parent,
              )
            : undefined;
        const listener = new WeightedListener(
            name,
            {
                loadBalancerArn: loadBalancer.arn,
                masterTargetGroupArn: loadBalancer.masterTargetGroupArn,
                slavesTargetGroupArn: loadBalancer.slavesTargetGroupArn,
                weights: this.listenerWeights,
                certificateArn: https?.certificateArn,
                waitFor: [master, ...slaves],
                tags,
            },
            parent,
        );
        this.url = https ? pulumi.interpolate`https://${https.hostName}` : pulumi.interpolate`http://${loadBalancer.dnsName}`;

        // `pulumi up` ends only when the cluster answers through the load balancer. It runs
        // again when a node or listener is replaced, and never during a preview.
        new command.local.Command(
            `${name}-verify`,
            {
                interpreter: ["/bin/sh", "-c"],
                create: verifyScript(config.verifyTimeout, https !== undefined && config.https?.domainName === undefined),
                environment: { URL: this.url },
                triggers: [...listener.listeners.map((l) => l.arn), ...[master, ...slaves].map((n) => n.instanceId)],
            },
            { parent: this, dependsOn: listener.listeners },
        );

        this.master = outputsOf(master);
        this.slaves = slaves.map(outputsOf);
        this.masterPortForwardCommand = pulumi.interpolate`aws ssm start-session --region ${region} --target ${master.instanceId} --document-name AWS-StartPortForwardingSession --parameters portNumber=${APP_PORT},localPortNumber=${APP_PORT}`;
        this.adminUsername = config.adminUsername;
        this.adminPassword = generated.adminPassword;
        this.albDnsName = loadBalancer.dnsName;
        this.alertTopicArn = monitoring.topicArn;
        this.logGroupName = logGroupName(config.clusterName);
        this.logDatabaseAddress = logDatabase?.address;
        this.finalSnapshots = config.finalSnapshot
            ? {
                  mysql: database.finalSnapshotIdentifier,
                  "mysql-log": logDatabase?.finalSnapshotIdentifier,
                  redis: cache.finalSnapshotIdentifier,
              }
            : undefined;
        this.databaseAddress = database.address;
        this.redisPrimaryEndpoint = cache.primaryEndpoint;
        this.secretParameterPath = secrets.parameterPath;
        this.secrets = secretOutputs(
            generated,
            pulumi.all([database.address, cache.primaryEndpoint]).apply(([databaseHost, redisHost]) => ({
                databaseHost,
                redisHost,
                tls: true,
            })),
        );


        this.registerOutputs({
            url: this.url,
            albDnsName: this.albDnsName,
            masterInstanceId: this.master.instanceId,
            slaveInstanceIds: this.slaves.map((s) => s.instanceId),
            databaseAddress: this.databaseAddress,
            redisPrimaryEndpoint: this.redisPrimaryEndpoint,
        });
    }
}
