// The Pulumi side of the configuration: collects the running project's raw config strings from the
// stack and hands them to parseClusterConfig (index.ts), which is pure.
import * as pulumi from "@pulumi/pulumi";
import { ClusterConfig, TargetCheck, parseClusterConfig } from "./index";
import { RawConfig } from "./reader";

/**
 * Whether the stack stores a config key as a secret. allConfig() hands out plain strings; the
 * SDK keeps the secret keys beside them (runtime.isConfigSecret, exported but marked @internal,
 * so not in its typings). @pulumi/pulumi 3.276 has no public way to tell: Config.getSecret marks
 * a value secret whatever the stack stores.
 */
function isConfigSecret(key: string): boolean {
    const runtime = pulumi.runtime as unknown as { isConfigSecret?: (key: string) => boolean };
    if (runtime.isConfigSecret === undefined) {
        throw new Error("@pulumi/pulumi no longer tells secret config apart (runtime.isConfigSecret); update components/config/stack.ts");
    }
    return runtime.isConfigSecret(key);
}

/**
 * Collects the running project's raw config from Pulumi (pulumi.getProject(): `pulumi new` may
 * have renamed it) and validates it, the targets' `targetChecks` included.
 */
export function loadClusterConfig(targetChecks: readonly TargetCheck[] = []): ClusterConfig {
    const project = pulumi.getProject();
    const prefix = `${project}:`;
    const raw: RawConfig = {};
    const secretKeys: string[] = [];
    const otherKeys: string[] = [];
    const awsSettings: RawConfig = {};
    for (const [key, value] of Object.entries(pulumi.runtime.allConfig())) {
        if (key.startsWith("aws:")) {
            awsSettings[key.slice("aws:".length)] = value;
        }
        if (!key.startsWith(prefix)) {
            otherKeys.push(key);
            continue;
        }
        raw[key.slice(prefix.length)] = value;
        if (isConfigSecret(key)) {
            secretKeys.push(key.slice(prefix.length));
        }
    }
    return parseClusterConfig(raw, pulumi.getStack(), new pulumi.Config("aws").get("region"), secretKeys, { project, otherKeys, awsSettings }, targetChecks);
}
