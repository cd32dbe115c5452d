// The shared cache tier: one ElastiCache replication group with cluster mode disabled
// (New API has a single-node client), TLS and AUTH, reachable only from the nodes. Its engine
// is Valkey or Redis OSS (cacheEngine); New API speaks the same protocol to both.
import * as elasticache from "@pulumi/aws/elasticache";
import * as pulumi from "@pulumi/pulumi";
import { CacheSettings } from "../config";
import { REDIS_PORT } from "../environment";
import { defaultCacheParameterGroup } from "../versions";
import { PrivateServiceArgs, createFinalSnapshotName, createServiceSecurityGroup } from "./privateService";

export interface CacheArgs extends PrivateServiceArgs {
    config: CacheSettings;
    authToken: pulumi.Input<string>;
}

/**
 * The inputs whose every change makes the AWS provider replace a replication group (schema
 * ForceNew in hashicorp/terraform-provider-aws internal/service/elasticache/replication_group.go;
 * test/replacement.ts reads them too).
 */
export const REPLICATION_GROUP_FORCE_NEW_INPUTS = [
    "atRestEncryptionEnabled",
    "dataTieringEnabled",
    "globalReplicationGroupId",
    "kmsKeyId",
    "networkType",
    "port",
    "replicationGroupId",
    "securityGroupNames",
    "snapshotArns",
    "snapshotName",
    "subnetGroupName",
] as const;

/**
 * What keeps the suffix of the cache's final snapshot: the ForceNew inputs, and those whose
 * change replaces it only sometimes (engine and engineVersion: any engine change but redis to
 * valkey, a downgrade; transitEncryptionEnabled below Redis 7.0.5), counted as if always.
 */
export const REPLICATION_GROUP_REPLACING_INPUTS = [...REPLICATION_GROUP_FORCE_NEW_INPUTS, "engine", "engineVersion", "transitEncryptionEnabled"] as const;

/** Days of automatic snapshots a protected cache keeps. */
export const PROTECTED_SNAPSHOT_RETENTION_DAYS = 7;

export class Cache extends pulumi.ComponentResource {
    readonly securityGroupId: pulumi.Output<string>;
    /** The primary endpoint: the one address New API's single-node client talks to. */
    readonly primaryEndpoint: pulumi.Output<string>;
    readonly replicationGroupId: pulumi.Output<string>;
    /** Set when the cache takes a final snapshot on deletion: that snapshot's name. */
    readonly finalSnapshotIdentifier?: pulumi.Output<string>;

    constructor(name: string, args: CacheArgs, opts?: pulumi.ComponentResourceOptions) {
        super("new-api:cache:Cache", name, {}, opts);
        const parent = { parent: this };
        const config = args.config;
        const replicated = config.cacheNodeCount >= 2;

        const securityGroup = createServiceSecurityGroup(name, "Redis", REDIS_PORT, args, parent);

        const subnetGroup = new elasticache.SubnetGroup(
            `${name}-subnets`,
            { subnetIds: args.subnetIds, description: "New API Redis private subnets", tags: args.tags },
            parent,
        );

        const inputs: elasticache.ReplicationGroupArgs = {
            description: "New API shared Redis (cluster mode disabled)",
            // From redis to valkey the provider modifies the group in place (ModifyReplicationGroup
            // with the new engine, version and parameter group); any other engine change replaces
            // it (test/replacement.ts).
            engine: config.cacheEngine,
            engineVersion: config.cacheEngineVersion,
            parameterGroupName: defaultCacheParameterGroup(config.cacheEngine, config.cacheEngineVersion),
            // Unset, ElastiCache applies an engine or node change in the cache's next maintenance
            // window; left out when false, so that a stack made before the setting shows no change.
            applyImmediately: config.cacheApplyImmediately ? true : undefined,
            nodeType: config.cacheNodeType,
            numCacheClusters: config.cacheNodeCount,
            port: REDIS_PORT,
            automaticFailoverEnabled: replicated,
            multiAzEnabled: replicated,
            atRestEncryptionEnabled: true,
            transitEncryptionEnabled: true,
            authToken: args.authToken,
            // On a new token (redisAuthTokenRotation) the provider modifies the group with
            // ROTATE: old and new tokens both work while the nodes restart; then the
            // rotation's SET step (rotation.ts) leaves only the new one.
            authTokenUpdateStrategy: "ROTATE",
            subnetGroupName: subnetGroup.name,
            securityGroupIds: [securityGroup.id],
            snapshotRetentionLimit: args.protect ? PROTECTED_SNAPSHOT_RETENTION_DAYS : 0,
            tags: args.tags,
        };
        const finalSnapshotIdentifier = createFinalSnapshotName(name, args, "redis", { ...inputs }, REPLICATION_GROUP_REPLACING_INPUTS, this);
        const group = new elasticache.ReplicationGroup(name, { ...inputs, finalSnapshotIdentifier }, { parent: this, protect: args.protect });

        this.securityGroupId = securityGroup.id;
        this.primaryEndpoint = group.primaryEndpointAddress;
        this.replicationGroupId = group.id;
        this.finalSnapshotIdentifier = finalSnapshotIdentifier;
        this.registerOutputs({
            securityGroupId: this.securityGroupId,
            primaryEndpoint: this.primaryEndpoint,
            replicationGroupId: this.replicationGroupId,
        });
    }
}
