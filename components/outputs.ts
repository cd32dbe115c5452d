// What `pulumi stack output` shows, declared once for both targets: index.ts exports a
// cluster's `stackOutputs` as they are. What each output means is OUTPUT_DOCS below, the one
// place it is written: `npm run docs` makes docs/operations.md's table of outputs from it.
import * as pulumi from "@pulumi/pulumi";
import { Target } from "./config";
import type { SettingKey } from "./config/schema";
import { SnapshotTier } from "./naming";
import { SecretOutputs } from "./secrets";
import { ListenerWeights } from "./weights";

export interface StackOutputs extends SecretOutputs {
    target: Target;
    url: pulumi.Input<string>;
    listenerWeights: ListenerWeights;
    adminUsername?: string;
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
    sessionCommands?: Record<string, pulumi.Output<string>>;
    masterPortForwardCommand?: pulumi.Output<string>;
    masterImage?: pulumi.Output<string>;
    slaveImage?: pulumi.Output<string>;
    alertTopicArn?: pulumi.Output<string>;
    dashboardUrl?: pulumi.Output<string>;
    logGroupName?: string;
    logDatabaseAddress?: pulumi.Output<string>;
    finalSnapshots?: Partial<Record<SnapshotTier, pulumi.Output<string>>>;

    // Docker
    masterContainer?: string;
    slaveContainers?: string[];
    mysqlRootPassword?: pulumi.Output<string>;
}

/** A cluster on either target. */
export interface DeployedCluster {
    readonly stackOutputs: StackOutputs;
}

export interface OutputDoc {
    /** The targets whose stacks have the output. */
    targets: readonly Target[];
    /** A Pulumi secret: `pulumi stack output --show-secrets <name>` shows it. */
    secret: boolean;
    /** On AWS, the setting without which the stack has no such output (on docker it always has it). */
    onlyWith?: SettingKey;
    /** What it is, for an operator. */
    doc: string;
}

const BOTH = ["aws", "docker"] as const;
const AWS = ["aws"] as const;
const DOCKER = ["docker"] as const;

/** Every stack output, in the order of the reference table; a key missing here does not compile. */
export const OUTPUT_DOCS: { [K in keyof Required<StackOutputs>]: OutputDoc } = {
    target: { targets: BOTH, secret: false, doc: "where the cluster runs: `aws` or `docker`" },
    url: {
        targets: BOTH,
        secret: false,
        doc: "New API's address: `https://<domainName>` with HTTPS, else `http://<albDnsName>`; on docker `http://127.0.0.1:<localPort>`",
    },
    listenerWeights: {
        targets: BOTH,
        secret: false,
        doc: "the load balancer's weights, `{ master, slaves }`: `masterWeight`, and `slaveWeight` × slaves (0 with no slaves)",
    },
    adminUsername: {
        targets: BOTH,
        secret: false,
        onlyWith: "adminUsername",
        doc: "the root user the master set up itself (README, First run); without it on AWS you create the root user in the setup wizard",
    },
    adminPassword: {
        targets: BOTH,
        secret: true,
        onlyWith: "adminUsername",
        doc: "that root user's generated password (on AWS also in the SSM parameter `<secretParameterPath>/admin-password`)",
    },
    sessionSecret: { targets: BOTH, secret: true, doc: "`SESSION_SECRET` of every node: copy it to config before a restore (docs/operations.md, Disaster recovery)" },
    cryptoSecret: { targets: BOTH, secret: true, doc: "`CRYPTO_SECRET` of every node: copy it to config before a restore, as `sessionSecret`" },
    dbPassword: { targets: BOTH, secret: true, doc: "the MySQL password of New API's user (`dbPasswordRotation` replaces it)" },
    redisAuthToken: { targets: BOTH, secret: true, doc: "the Redis AUTH token (`redisAuthTokenRotation` replaces it)" },
    sqlDsn: { targets: BOTH, secret: true, doc: "`SQL_DSN` exactly as the nodes get it" },
    redisConnectionString: { targets: BOTH, secret: true, doc: "`REDIS_CONN_STRING` exactly as the nodes get it" },
    albDnsName: { targets: AWS, secret: false, doc: "the load balancer's DNS name" },
    masterInstanceId: { targets: AWS, secret: false, doc: "the master's EC2 instance id" },
    masterPrivateIp: { targets: AWS, secret: false, doc: "the master's private address" },
    slaveInstanceIds: { targets: AWS, secret: false, doc: "the slaves' EC2 instance ids, slave-0 first" },
    slavePrivateIps: { targets: AWS, secret: false, doc: "the slaves' private addresses, slave-0 first" },
    databaseAddress: { targets: AWS, secret: false, doc: "the RDS MySQL endpoint's host name" },
    redisPrimaryEndpoint: { targets: AWS, secret: false, doc: "the ElastiCache primary endpoint's host name (TLS, port 6379)" },
    secretParameterPath: { targets: AWS, secret: false, doc: "the SSM path of the cluster's parameters, `/new-api/<clusterName>`" },
    sessionCommands: {
        targets: AWS,
        secret: false,
        doc: "by node name, the `aws ssm start-session` command that opens a shell on the node (needs the Session Manager plugin)",
    },
    masterPortForwardCommand: {
        targets: AWS,
        secret: false,
        doc: "the `aws ssm start-session` command that forwards localhost:3000 to the master: its setup wizard, whatever the weights",
    },
    masterImage: { targets: AWS, secret: false, doc: "the image the master runs, pinned to its registry digest" },
    slaveImage: { targets: AWS, secret: false, doc: "the image the slaves run, pinned to its registry digest" },
    alertTopicArn: { targets: AWS, secret: false, doc: "the SNS topic the alarms notify (`alertEmail` subscribes to it)" },
    dashboardUrl: { targets: AWS, secret: false, doc: "the CloudWatch console's page of the cluster's dashboard" },
    logGroupName: { targets: AWS, secret: false, doc: "the CloudWatch log group of every node's container, a stream per node" },
    logDatabaseAddress: { targets: AWS, secret: false, onlyWith: "logDatabase", doc: "the endpoint host name of the RDS instance for New API's log table" },
    finalSnapshots: {
        targets: AWS,
        secret: false,
        onlyWith: "finalSnapshot",
        doc: "by data tier (`mysql`, `mysql-log`, `redis`), the final snapshots `pulumi destroy` leaves behind",
    },
    masterContainer: { targets: DOCKER, secret: false, doc: "the master's container name (`docker logs <name>`)" },
    slaveContainers: { targets: DOCKER, secret: false, doc: "the slaves' container names, slave-0 first" },
    mysqlRootPassword: { targets: DOCKER, secret: true, doc: "MySQL's root password, which the database password rotation logs in with" },
};
