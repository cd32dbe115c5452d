// Names and tags. Logical names never depend on slaveCount, so scaling never renames a node.

export type NodeRole = "master" | "slave";

/** The node's name: logical resource name prefix, EC2 Name tag and New API's NODE_NAME. */
export function nodeName(clusterName: string, role: NodeRole, index = 0): string {
    return role === "master" ? `${clusterName}-master` : `${clusterName}-slave-${index}`;
}

/**
 * Which private subnet (and so which availability zone) a node lives in. The master takes
 * the first; slave i takes the one after the master's, round robin, so slave-0 never
 * shares the master's zone when there are two, and adding a slave never moves another.
 */
export function nodeSubnetIndex(role: NodeRole, index: number, subnetCount: number): number {
    return role === "master" ? 0 : (index + 1) % subnetCount;
}

/** The generated secrets, and their SSM parameter names under the cluster's path. */
export const SECRET_PARAMETERS = {
    sessionSecret: "session-secret",
    cryptoSecret: "crypto-secret",
    dbPassword: "db-password",
    redisAuthToken: "redis-auth-token",
} as const;

export type SecretName = keyof typeof SECRET_PARAMETERS;

/** The root user's generated password, when the master completes setup itself. */
export const ADMIN_PASSWORD_PARAMETER = "admin-password";

/** The master's private address (not secret), which slaves poll before their first start. */
export const MASTER_ADDRESS_PARAMETER = "master-address";

/** The SSM path that holds this cluster's parameters; the nodes' role may read only below it. */
export function secretParameterPath(clusterName: string): string {
    return `/new-api/${clusterName}`;
}

/** A parameter of the cluster: one of SECRET_PARAMETERS' values, or the two names above. */
export function clusterParameterName(clusterName: string, leaf: string): string {
    return `${secretParameterPath(clusterName)}/${leaf}`;
}

export function secretParameterName(clusterName: string, secret: SecretName): string {
    return clusterParameterName(clusterName, SECRET_PARAMETERS[secret]);
}

/** Every SSM parameter of a cluster, by what it holds: what the nodes, their roles and the stack read. */
export function clusterParameterNames(clusterName: string): { secrets: Record<SecretName, string>; adminPassword: string; masterAddress: string } {
    const secrets = Object.fromEntries((Object.keys(SECRET_PARAMETERS) as SecretName[]).map((s) => [s, secretParameterName(clusterName, s)]));
    return {
        secrets: secrets as Record<SecretName, string>,
        adminPassword: clusterParameterName(clusterName, ADMIN_PASSWORD_PARAMETER),
        masterAddress: clusterParameterName(clusterName, MASTER_ADDRESS_PARAMETER),
    };
}

/** The tag that names the cluster a resource belongs to (and, copied, a database snapshot's). */
export const CLUSTER_TAG = "new-api:cluster";

/**
 * The tags a database carries, and copies to its snapshots, that name its master user and
 * database: what a restore must match (RDS keeps a snapshot's own), and what no RDS snapshot
 * API the provider reads tells otherwise.
 */
export const DATABASE_LOGIN_TAGS = { username: "new-api:db-username", dbName: "new-api:db-name" } as const;

/** Tags every resource carries: who owns it, never anything secret. */
export function clusterTags(clusterName: string, stack: string, name?: string): Record<string, string> {
    return {
        ...(name === undefined ? {} : { Name: name }),
        [CLUSTER_TAG]: clusterName,
        "pulumi:stack": stack,
        "managed-by": "pulumi",
    };
}

/** The CloudWatch log group of the cluster's containers: one stream per node, named after it. */
export function logGroupName(clusterName: string): string {
    return `/new-api/${clusterName}`;
}

/** The CloudWatch log group of the new VPC's flow logs (with vpcFlowLogs). */
export function flowLogGroupName(clusterName: string): string {
    return `${logGroupName(clusterName)}/vpc-flow-logs`;
}

/** The alias of the cluster's customer-managed KMS key. */
export function clusterKeyAlias(clusterName: string): string {
    return `alias/new-api/${clusterName}`;
}

/** The data tiers that take a final snapshot when they are deleted. */
export type SnapshotTier = "mysql" | "mysql-log" | "redis";

/**
 * The final snapshot taken when a database or cache is deleted. Snapshot names are unique in
 * an account and Region and outlive the stack, so each carries a suffix of its own resource's,
 * replaced with it (privateService.ts, finalSnapshotName): neither a re-created cluster of the
 * same name nor a replaced database or cache meets an earlier snapshot's name at its deletion
 * (DBSnapshotAlreadyExists would stop `pulumi destroy` half-way).
 */
export function finalSnapshotIdentifier(clusterName: string, tier: SnapshotTier, suffix: string): string {
    return `${clusterName}-${tier}-final-${suffix}`;
}
