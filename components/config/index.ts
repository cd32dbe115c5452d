// The stack's configuration: one schema (schema.ts) of every setting, read and validated in
// one place before any resource is created. Everything here is pure; stack.ts collects the raw
// strings from Pulumi (and is the only part that loads the Pulumi SDK).
import { readAwsCliCredentials } from "./awsCredentials";
import { CONFIG_NAMESPACE, ConfigError, ConfigReader, RawConfig } from "./reader";
import { ClusterConfig, TargetCheck, checkKeys, checkRestore, checkSettings, https, network } from "./rules";
import { CONFIG_KEYS, SETTINGS, Settings, Target, secretKeysOf } from "./schema";
import { checkDataServices, dataServiceNotices } from "./dataServices";

export * from "./checks";
export { CONFIG_NAMESPACE, ConfigError } from "./reader";
export type { RawConfig } from "./reader";
export type { ClusterConfig, HttpsConfig, NetworkConfig, TargetCheck } from "./rules";
export { ConfigReader } from "./reader";
export type { AssumedRole, AwsCliCredentials } from "./awsCredentials";
export { CONFIG_KEYS, SECTIONS, SETTINGS, keysOf, secretKeysOf } from "./schema";
export type { Settings, Target } from "./schema";

/** The settings each tier reads, by their config keys. */
export type DatabaseSettings = Pick<
    Settings,
    "dbInstanceClass" | "dbAllocatedStorage" | "dbMaxAllocatedStorage" | "dbEngineVersion" | "dbMultiAz" | "dbBackupRetentionDays" | "dbMaxConnections" | "dbApplyImmediately"
>;
export type CacheSettings = Pick<Settings, "cacheNodeType" | "cacheNodeCount" | "cacheEngine" | "cacheEngineVersion" | "cacheApplyImmediately">;
/** The per-node New API settings; identical on every node of the cluster. */
export type NodeSettings = Pick<
    Settings,
    "syncFrequency" | "batchUpdateInterval" | "shutdownTimeout" | "timezone" | "redisPoolSize" | "sqlMaxOpenConns" | "sqlMaxIdleConns" | "extraEnv"
>;

/** Where the raw config came from: the running project (its namespace) and the keys the stack holds under other namespaces. */
export interface ConfigSource {
    readonly project: string;
    /** Every key outside the project's namespace, namespaced (`aws:region`, `new-api-cluster:slaveCount`). */
    readonly otherKeys: readonly string[];
    /** The AWS provider's settings (the aws: namespace, without it), which `pulumi up`'s AWS CLI calls follow. */
    readonly awsSettings?: RawConfig;
}

/**
 * The keys left under another project's namespace: this repository's project name (a project
 * renamed by `pulumi new` keeps none of its settings there), or any namespace but a setting's
 * name. Pulumi hands the program every namespace; it would ignore these without a word.
 */
export function foreignKeyProblems(source: ConfigSource): string[] {
    const known: readonly string[] = CONFIG_KEYS;
    return source.otherKeys.flatMap((key) => {
        const separator = key.indexOf(":");
        const [namespace, name] = [key.slice(0, separator), key.slice(separator + 1)];
        if (namespace === source.project || (namespace !== CONFIG_NAMESPACE && !known.includes(name))) {
            return [];
        }
        return [
            `${key} is under another project's namespace, so this program would ignore it: this project is ${source.project} and reads ` +
                `${source.project}:<key>; move it (pulumi config rm ${key}, then pulumi config set${(secretKeysOf() as string[]).includes(name) ? " --secret" : ""} ${name} <value>)`,
        ];
    });
}

/**
 * Validates raw config and returns the cluster's configuration, or throws a ConfigError
 * listing every problem. `raw` is the running project's keys without the namespace; `stack`
 * supplies the default cluster name; `awsRegion` (the aws:region setting, when there is one)
 * is where an ACM certificate must live; `secretKeys` are the keys the stack stores as secrets;
 * `source` names the project and the keys under other namespaces; `targetChecks` are the
 * targets' own checks of the whole (index.ts passes components/aws/configChecks.ts's).
 */
export function parseClusterConfig(
    raw: RawConfig,
    stack: string,
    awsRegion?: string,
    secretKeys: string[] = [],
    source: ConfigSource = { project: CONFIG_NAMESPACE, otherKeys: [] },
    targetChecks: readonly TargetCheck[] = [],
): ClusterConfig {
    // Secret settings, and whatever the stack stores as a secret, are never quoted in a problem.
    const read = new ConfigReader(raw, new Set<string>([...secretKeysOf(), ...secretKeys]), source.project);
    read.problems.push(...foreignKeyProblems(source));
    const values: Record<string, unknown> = {};
    for (const key of CONFIG_KEYS) {
        values[key] = SETTINGS[key].read(read, key, { stack, earlier: values });
    }
    const settings = values as Settings;
    checkKeys(read, settings.target as Target, secretKeys);
    const config: ClusterConfig = {
        ...settings,
        network: network(read, settings),
        https: https(read, settings, awsRegion),
        notices: dataServiceNotices(read, settings),
    };
    checkSettings(read, config);
    checkDataServices(read, settings);
    checkRestore(read, settings, awsRegion);
    if (settings.target === "aws") {
        const aws = readAwsCliCredentials(source.awsSettings ?? {});
        config.awsCli = aws.credentials;
        read.problems.push(...aws.problems);
    }
    for (const check of targetChecks) {
        check(read, config, awsRegion);
    }
    if (read.problems.length > 0) {
        throw new ConfigError(read.problems, source.project);
    }
    return config;
}
