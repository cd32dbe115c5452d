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

/** The SSM path that holds this cluster's secrets; the nodes' role may read only below it. */
export function secretParameterPath(clusterName: string): string {
    return `/new-api/${clusterName}`;
}

export function secretParameterName(clusterName: string, secret: SecretName): string {
    return `${secretParameterPath(clusterName)}/${SECRET_PARAMETERS[secret]}`;
}

/** Tags every resource carries: who owns it, never anything secret. */
export function clusterTags(clusterName: string, stack: string, name?: string): Record<string, string> {
    return {
        ...(name === undefined ? {} : { Name: name }),
        "new-api:cluster": clusterName,
        "pulumi:stack": stack,
        "managed-by": "pulumi",
    };
}
