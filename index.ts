// new-api-cluster: a New API master/slave cluster on AWS. Config is validated before
// anything is created; the components in components/ do the rest.
import { NewApiCluster } from "./components/aws/cluster";
import { loadClusterConfig } from "./components/config";

const config = loadClusterConfig();
const cluster = new NewApiCluster(config.clusterName, { config });

export const url = cluster.url;
export const albDnsName = cluster.albDnsName;
export const listenerWeights = cluster.listenerWeights;
export const masterInstanceId = cluster.master.instanceId;
export const masterPrivateIp = cluster.master.privateIp;
export const slaveInstanceIds = cluster.slaves.map((s) => s.instanceId);
export const slavePrivateIps = cluster.slaves.map((s) => s.privateIp);
export const databaseAddress = cluster.databaseAddress;
export const redisPrimaryEndpoint = cluster.redisPrimaryEndpoint;
export const secretParameterPath = cluster.secretParameterPath;
export const sessionCommands = Object.fromEntries(
    [cluster.master, ...cluster.slaves].map((node) => [node.name, node.sessionCommand]),
);
export const masterPortForwardCommand = cluster.masterPortForwardCommand;
export const adminUsername = cluster.adminUsername;
// Pulumi secrets: `pulumi stack output --show-secrets` reveals them.
export const sessionSecret = cluster.secrets.sessionSecret;
export const cryptoSecret = cluster.secrets.cryptoSecret;
export const dbPassword = cluster.secrets.dbPassword;
export const redisAuthToken = cluster.secrets.redisAuthToken;
export const sqlDsn = cluster.secrets.sqlDsn;
export const redisConnectionString = cluster.secrets.redisConnectionString;
export const adminPassword = cluster.adminPassword;
