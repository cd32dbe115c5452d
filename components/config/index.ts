// The stack's configuration: one schema (schema.ts) of every setting, read and validated in
// one place before any resource is created. Everything here is pure; stack.ts collects the raw
// strings from Pulumi (and is the only part that loads the Pulumi SDK).
import { ConfigError, ConfigReader, RawConfig } from "./reader";
import { ClusterConfig, checkKeys, checkRestore, checkSettings, https, network } from "./rules";
import { CONFIG_KEYS, SETTINGS, Settings, Target, secretKeysOf } from "./schema";

export * from "./checks";
export { CONFIG_NAMESPACE, ConfigError } from "./reader";
export type { RawConfig } from "./reader";
export type { ClusterConfig, HttpsConfig, NetworkConfig } from "./rules";
export { CONFIG_KEYS, SECTIONS, SETTINGS, keysOf, secretKeysOf } from "./schema";
export type { Settings, Target } from "./schema";

/** The settings each tier reads, by their config keys. */
export type DatabaseSettings = Pick<
    Settings,
    "dbInstanceClass" | "dbAllocatedStorage" | "dbMaxAllocatedStorage" | "dbEngineVersion" | "dbMultiAz" | "dbBackupRetentionDays" | "dbMaxConnections" | "dbApplyImmediately"
>;
export type CacheSettings = Pick<Settings, "cacheNodeType" | "cacheNodeCount" | "cacheEngineVersion">;
/** The per-node New API settings; identical on every node of the cluster. */
export type NodeSettings = Pick<
    Settings,
    "syncFrequency" | "batchUpdateInterval" | "shutdownTimeout" | "timezone" | "redisPoolSize" | "sqlMaxOpenConns" | "sqlMaxIdleConns" | "extraEnv"
>;

/**
 * Validates raw config and returns the cluster's configuration, or throws a ConfigError
 * listing every problem. `stack` supplies the default cluster name; `awsRegion` (the
 * aws:region setting, when there is one) is where an ACM certificate must live; `secretKeys`
 * are the keys the stack stores as secrets.
 */
export function parseClusterConfig(raw: RawConfig, stack: string, awsRegion?: string, secretKeys: string[] = []): ClusterConfig {
    // Secret settings, and whatever the stack stores as a secret, are never quoted in a problem.
    const read = new ConfigReader(raw, new Set<string>([...secretKeysOf(), ...secretKeys]));
    const values: Record<string, unknown> = {};
    for (const key of CONFIG_KEYS) {
        values[key] = SETTINGS[key].read(read, key, { stack, earlier: values });
    }
    const settings = values as Settings;
    checkKeys(read, settings.target as Target, secretKeys);
    const config: ClusterConfig = { ...settings, network: network(read, settings), https: https(read, settings, awsRegion) };
    checkSettings(read, config);
    checkRestore(read, settings, awsRegion);
    if (read.problems.length > 0) {
        throw new ConfigError(read.problems);
    }
    return config;
}
