// new-api-cluster: a New API master/slave cluster on AWS, or on the local Docker engine
// (`target: docker`). Config is validated before anything is created; the components in
// components/ do the rest.
import { NewApiCluster } from "./components/aws/cluster";
import { loadClusterConfig } from "./components/config";
import { LocalCluster } from "./components/docker/cluster";

const config = loadClusterConfig();
const cluster =
    config.target === "docker"
        ? new LocalCluster(config.clusterName, { config })
        : new NewApiCluster(config.clusterName, { config });
const onAws = cluster instanceof NewApiCluster ? cluster : undefined;
const local = cluster instanceof LocalCluster ? cluster : undefined;

export const target = config.target;
export const url = cluster.url;
export const listenerWeights = cluster.listenerWeights;
export const adminUsername = cluster.adminUsername;

// AWS
export const albDnsName = onAws?.albDnsName;
export const masterInstanceId = onAws?.master.instanceId;
export const masterPrivateIp = onAws?.master.privateIp;
export const slaveInstanceIds = onAws?.slaves.map((s) => s.instanceId);
export const slavePrivateIps = onAws?.slaves.map((s) => s.privateIp);
export const databaseAddress = onAws?.databaseAddress;
export const redisPrimaryEndpoint = onAws?.redisPrimaryEndpoint;
export const secretParameterPath = onAws?.secretParameterPath;
export const sessionCommands =
    onAws && Object.fromEntries([onAws.master, ...onAws.slaves].map((node) => [node.name, node.sessionCommand]));
export const masterPortForwardCommand = onAws?.masterPortForwardCommand;

// Docker
export const masterContainer = local?.masterContainer;
export const slaveContainers = local?.slaveContainers;

// Pulumi secrets: `pulumi stack output --show-secrets` reveals them.
export const sessionSecret = cluster.secrets.sessionSecret;
export const cryptoSecret = cluster.secrets.cryptoSecret;
export const dbPassword = cluster.secrets.dbPassword;
export const redisAuthToken = cluster.secrets.redisAuthToken;
export const sqlDsn = cluster.secrets.sqlDsn;
export const redisConnectionString = cluster.secrets.redisConnectionString;
export const adminPassword = cluster.adminPassword;
