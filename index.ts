// new-api-cluster: a New API master/slave cluster on AWS, or on the local Docker engine
// (`target: docker`). Config is validated before anything is created; the components in
// components/ do the rest. The program is a function (Pulumi calls it and takes what it
// returns as the stack outputs), so that the tests can run it once per configuration; it is
// async, so that the snapshots a restore names are checked before anything is created.
import { NewApiCluster } from "./components/aws/cluster";
import { checkSnapshots } from "./components/aws/database";
import { loadClusterConfig } from "./components/config";
import { LocalCluster } from "./components/docker/cluster";

export = async () => {
    const config = loadClusterConfig();
    if (config.target === "aws") {
        await checkSnapshots(config);
    }
    const cluster =
        config.target === "docker"
            ? new LocalCluster(config.clusterName, { config })
            : new NewApiCluster(config.clusterName, { config });
    const onAws = cluster instanceof NewApiCluster ? cluster : undefined;
    const local = cluster instanceof LocalCluster ? cluster : undefined;
    return {
        target: config.target,
        url: cluster.url,
        listenerWeights: cluster.listenerWeights,
        adminUsername: cluster.adminUsername,

        // AWS
        albDnsName: onAws?.albDnsName,
        masterInstanceId: onAws?.master.instanceId,
        masterPrivateIp: onAws?.master.privateIp,
        slaveInstanceIds: onAws?.slaves.map((s) => s.instanceId),
        slavePrivateIps: onAws?.slaves.map((s) => s.privateIp),
        databaseAddress: onAws?.databaseAddress,
        redisPrimaryEndpoint: onAws?.redisPrimaryEndpoint,
        secretParameterPath: onAws?.secretParameterPath,
        sessionCommands:
            onAws && Object.fromEntries([onAws.master, ...onAws.slaves].map((node) => [node.name, node.sessionCommand])),
        masterPortForwardCommand: onAws?.masterPortForwardCommand,
        masterImage: onAws?.masterImage,
        slaveImage: onAws?.slaveImage,
        alertTopicArn: onAws?.alertTopicArn,
        logGroupName: onAws?.logGroupName,
        logDatabaseAddress: onAws?.logDatabaseAddress,
        finalSnapshots: onAws?.finalSnapshots,

        // Docker
        masterContainer: local?.masterContainer,
        slaveContainers: local?.slaveContainers,

        // Pulumi secrets: `pulumi stack output --show-secrets` reveals them.
        ...cluster.secrets,
        adminPassword: cluster.adminPassword,
    };
};
