// The whole New API cluster: network, secrets, load balancer, shared MySQL and Redis,
// one master and slaveCount slaves, wired in the order the guide deploys them.
import { getCallerIdentityOutput } from "@pulumi/aws/getCallerIdentity";
import { getPartitionOutput } from "@pulumi/aws/getPartition";
import { getRegionOutput } from "@pulumi/aws/getRegion";
import * as pulumi from "@pulumi/pulumi";
import { ClusterKey } from "./clusterKey";
import { createDataTier } from "./dataTier";
import { createClusterNodes } from "./clusterNodes";
import { ClusterConfig } from "../config";
import { Dashboard } from "./dashboard";
import { APP_PORT } from "../environment";
import { EcrRegistry, ecrRegistry } from "../images";
import { LoadBalancer } from "./loadBalancer";
import { createAwsCliCheck } from "./localCommands";
import { createFrontDoor } from "./frontDoor";
import { Monitoring, alertTopicLogicalName, cacheMemberSuffixes } from "./monitoring";
import { clusterParameterNames, clusterTags, flowLogGroupName, logGroupName } from "../naming";
import { Network } from "./network";
import { ClusterNode, NodeAccess } from "./nodes";
import { DeployedCluster, StackOutputs } from "../outputs";
import { SecretRotation } from "./rotation";
import { restartTimeoutSeconds } from "./rotationScripts";
import { GeneratedSecrets, secretOutputs, secretRotations } from "../secrets";
import { SecretParameters } from "./secretParameters";
import { listenerWeights } from "../weights";

export interface NewApiClusterArgs {
    config: ClusterConfig;
}

export class NewApiCluster extends pulumi.ComponentResource implements DeployedCluster {
    readonly stackOutputs: StackOutputs;

    constructor(name: string, args: NewApiClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("new-api:cluster:NewApiCluster", name, {}, opts);
        const config = args.config;
        // Every name, of a resource in Pulumi and in AWS alike, comes from this one value.
        const clusterName = config.clusterName;
        const parent = { parent: this };
        const tags = clusterTags(clusterName, pulumi.getStack());
        const region = getRegionOutput({}, parent).region;
        const partitionInfo = getPartitionOutput({}, parent);
        const partition = partitionInfo.partition;
        const account = getCallerIdentityOutput({}, parent).accountId;
        const weights = listenerWeights(config.masterWeight, config.slaveWeight, config.slaveCount);
        const rotations = secretRotations(config);
        const parameterNames = clusterParameterNames(clusterName);

        const flowLogs = config.network.kind === "new" && config.network.vpcFlowLogs;
        const clusterKey = new ClusterKey(
            clusterName,
            {
                clusterName,
                protect: config.protect,
                logGroupNames: [logGroupName(clusterName), ...(flowLogs ? [flowLogGroupName(clusterName)] : [])],
                alertTopicNamePrefix: `${alertTopicLogicalName(clusterName)}-`,
                partition,
                region,
                account,
                dnsSuffix: partitionInfo.dnsSuffix,
                tags,
            },
            parent,
        );
        const network = new Network(
            clusterName,
            {
                config: config.network,
                flowLogs: flowLogs
                    ? {
                          logGroupName: flowLogGroupName(clusterName),
                          logRetentionDays: config.logRetentionDays,
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
        const generated = new GeneratedSecrets(
            clusterName,
            {
                adminPassword: config.adminUsername !== undefined,
                carried: { sessionSecret: config.sessionSecret, cryptoSecret: config.cryptoSecret },
                rotations,
            },
            parent,
        );
        const secrets = new SecretParameters(
            clusterName,
            { clusterName, secrets: generated, kmsKeyId: clusterKey.keyId, tags },
            parent,
        );
        const loadBalancer = new LoadBalancer(
            clusterName,
            {
                vpcId: network.vpcId,
                publicSubnetIds: network.publicSubnetIds,
                allowedCidrs: config.allowedCidrs,
                deregistrationDelay: config.deregistrationDelay,
                protect: config.protect,
                https: config.https !== undefined,
                accessLogs: config.albAccessLogs ? { albAccessLogDays: config.albAccessLogDays, account, region } : undefined,
                tags,
            },
            parent,
        );
        const access = new NodeAccess(
            `${clusterName}-nodes`,
            {
                clusterName,
                region,
                vpcId: network.vpcId,
                loadBalancerSecurityGroupId: loadBalancer.securityGroupId,
                readableParameters: {
                    master: [
                        ...Object.values(secrets.parameterNames),
                        ...(config.adminUsername === undefined ? [] : [parameterNames.adminPassword]),
                    ],
                    slave: [...Object.values(secrets.parameterNames), parameterNames.masterAddress],
                },
                logGroupName: logGroupName(clusterName),
                logRetentionDays: config.logRetentionDays,
                imageRegistries: [...new Set([config.image, config.slaveImage])]
                    .map(ecrRegistry)
                    .filter((registry): registry is EcrRegistry => registry !== undefined),
                clusterKeyArn: clusterKey.arn,
                tags,
            },
            parent,
        );
        const { database, cache, logDatabase } = createDataTier(
            {
                config,
                vpcId: network.vpcId,
                privateSubnetIds: network.privateSubnetIds,
                clientSecurityGroupId: access.securityGroupId,
                generated,
                secretStores: [clusterKey, ...secrets.parameters],
                tags,
            },
            this,
        );
        const monitored = {
            loadBalancerArnSuffix: loadBalancer.arnSuffix,
            masterTargetGroupArnSuffix: loadBalancer.masterTargetGroupArnSuffix,
            slavesTargetGroupArnSuffix: loadBalancer.slavesTargetGroupArnSuffix,
            databases: [
                { label: "db", instanceId: database.instanceId },
                ...(logDatabase ? [{ label: "logdb", instanceId: logDatabase.instanceId }] : []),
            ],
            dbMaxConnections: config.dbMaxConnections,
            syncFrequency: config.syncFrequency,
            cacheEngine: config.cacheEngine,
            cacheClusterIds: cacheMemberSuffixes(config.cacheNodeCount).map((suffix) =>
                cache.replicationGroupId.apply((id) => `${id}-${suffix}`),
            ),
            alarmThresholds: config.alarmThresholds,
        };
        const monitoring = new Monitoring(
            clusterName,
            { ...monitored, alertEmail: config.alertEmail, kmsKeyArn: clusterKey.arn, tags },
            parent,
        );
        // The AWS CLI calls `pulumi up` makes (drains, warm-ups, rotation) run with the stack's credentials, in its account.
        const awsCli = createAwsCliCheck(clusterName, { credentials: config.awsCli ?? { assumeRoles: [] }, region, account }, this);
        const { master, slaves, images } = createClusterNodes(
            {
                config,
                region,
                privateSubnetIds: network.privateSubnetIds,
                access,
                targetGroupArns: { master: loadBalancer.masterTargetGroupArn, slave: loadBalancer.slavesTargetGroupArn },
                databaseHost: database.address,
                redisHost: cache.primaryEndpoint,
                logDatabaseHost: logDatabase?.address,
                loadBalancerDnsName: loadBalancer.dnsName,
                publicSubnetCidrs: network.publicSubnetCidrs,
                secretParameters: secrets.parameters,
                alarmTopicArn: monitoring.topicArn,
                recoverActionArn: pulumi.interpolate`arn:${partition}:automate:${region}:ec2:recover`,
                awsCli,
                tags,
            },
            this,
        );
        const dashboard = new Dashboard(
            clusterName,
            {
                ...monitored,
                clusterName,
                region,
                weights,
                nodes: [master, ...slaves].map((node) => ({ name: node.nodeName, instanceId: node.instanceId })),
            },
            parent,
        );
        new SecretRotation(
            clusterName,
            {
                rotations,
                master,
                slaves,
                targetGroupArns: { master: loadBalancer.masterTargetGroupArn, slave: loadBalancer.slavesTargetGroupArn },
                replicationGroupId: cache.replicationGroupId,
                authToken: generated.values.redisAuthToken,
                secretHolders: [secrets, database, cache, ...(logDatabase ? [logDatabase] : [])],
                restartTimeoutSeconds: restartTimeoutSeconds(config),
                batchPercent: config.rolloutBatchPercent,
                region,
                awsCli,
                adminPassword:
                    config.adminUsername === undefined
                        ? undefined
                        : {
                              username: config.adminUsername,
                              passwordParameter: parameterNames.adminPassword,
                              generation: config.adminPasswordRotation,
                          },
            },
            parent,
        );
        const { url } = createFrontDoor({ config, loadBalancer, weights, nodes: [master, ...slaves], tags }, this);

        const sessionCommand = (node: ClusterNode) => pulumi.interpolate`aws ssm start-session --region ${region} --target ${node.instanceId}`;
        this.stackOutputs = {
            target: "aws",
            url,
            listenerWeights: weights,
            albDnsName: loadBalancer.dnsName,
            masterInstanceId: master.instanceId,
            masterPrivateIp: master.privateIp,
            slaveInstanceIds: slaves.map((s) => s.instanceId),
            slavePrivateIps: slaves.map((s) => s.privateIp),
            databaseAddress: database.address,
            redisPrimaryEndpoint: cache.primaryEndpoint,
            secretParameterPath: secrets.parameterPath,
            sessionCommands: Object.fromEntries([master, ...slaves].map((node) => [node.nodeName, sessionCommand(node)])),
            masterPortForwardCommand: pulumi.interpolate`aws ssm start-session --region ${region} --target ${master.instanceId} --document-name AWS-StartPortForwardingSession --parameters portNumber=${APP_PORT},localPortNumber=${APP_PORT}`,
            masterImage: images.master,
            slaveImage: images.slave,
            alertTopicArn: monitoring.topicArn,
            dashboardUrl: dashboard.dashboardUrl,
            logGroupName: logGroupName(clusterName),
            logDatabaseAddress: logDatabase?.address,
            finalSnapshots: config.finalSnapshot
                ? {
                      mysql: database.finalSnapshotIdentifier,
                      "mysql-log": logDatabase?.finalSnapshotIdentifier,
                      redis: cache.finalSnapshotIdentifier,
                  }
                : undefined,
            ...secretOutputs(
                generated,
                pulumi.all([database.address, cache.primaryEndpoint]).apply(([databaseHost, redisHost]) => ({ databaseHost, redisHost, tls: true })),
            ),
            adminUsername: config.adminUsername,
            adminPassword: generated.adminPassword,
        };
        this.registerOutputs({
            url,
            albDnsName: loadBalancer.dnsName,
            masterInstanceId: master.instanceId,
            slaveInstanceIds: slaves.map((s) => s.instanceId),
            databaseAddress: database.address,
            redisPrimaryEndpoint: cache.primaryEndpoint,
        });
    }
}
