// The shared data tier: MySQL (and the log database), Redis, and the check that keeps a
// destroy from losing the secrets a restore of their final snapshots needs. A factory rather
// than a component, so that these resources stay children of the cluster (their URNs).
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { ClusterConfig } from "../config";
import { GeneratedSecrets } from "../secrets";
import { Cache } from "./cache";
import { Database } from "./database";
import { exportCheckScript } from "./exportCheck";
import { LOCAL_SHELL } from "./localCommands";

export interface DataTierArgs {
    config: ClusterConfig;
    vpcId: pulumi.Input<string>;
    privateSubnetIds: pulumi.Input<string>[];
    /** The nodes' security group: the only one the data tier admits. */
    clientSecurityGroupId: pulumi.Input<string>;
    generated: GeneratedSecrets;
    /** What the export check must outlive (deleted after it): the cluster key and the secret parameters. */
    secretStores: pulumi.Resource[];
    tags: Record<string, string>;
}

export interface DataTier {
    database: Database;
    cache: Cache;
    logDatabase?: Database;
}

export function createDataTier(args: DataTierArgs, parent: pulumi.Resource): DataTier {
    const { config, generated } = args;
    const clusterName = config.clusterName;
    const privateService = {
        vpcId: args.vpcId,
        subnetIds: args.privateSubnetIds,
        clientSecurityGroupId: args.clientSecurityGroupId,
        protect: config.protect,
        finalSnapshot: config.finalSnapshot,
        clusterName,
        tags: args.tags,
    };
    const database = new Database(
        `${clusterName}-db`,
        { ...privateService, tier: "mysql", config, password: generated.values.dbPassword, snapshotIdentifier: config.dbSnapshotIdentifier },
        { parent },
    );
    const cache = new Cache(`${clusterName}-redis`, { ...privateService, config, authToken: generated.values.redisAuthToken }, { parent });
    // The guide's "independent log database": New API's log table on its own instance,
    // same size, user and password as the main one.
    const logDatabase = config.logDatabase
        ? new Database(
              `${clusterName}-logdb`,
              { ...privateService, tier: "mysql-log", config, password: generated.values.dbPassword, snapshotIdentifier: config.logDbSnapshotIdentifier },
              { parent },
          )
        : undefined;
    // Final snapshots keep the data; the secrets it needs go with the stack unless they are in
    // its config. Deleted before the parameters, databases and key, this refuses until they are.
    if (config.finalSnapshot) {
        new command.local.Command(
            `${clusterName}-secrets-export-check`,
            {
                interpreter: LOCAL_SHELL,
                delete: exportCheckScript(),
                environment: {
                    STACK: pulumi.getStack(),
                    SESSION_SECRET: generated.values.sessionSecret,
                    CRYPTO_SECRET: generated.values.cryptoSecret,
                },
            },
            { parent, dependsOn: [...args.secretStores, database, ...(logDatabase ? [logDatabase] : [])] },
        );
    }
    return { database, cache, logDatabase };
}
