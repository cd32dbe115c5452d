// The problems config validation reports for a raw config it refuses (the test fails if it is
// accepted), the AWS target's own checks included, as index.ts runs them.
import { AWS_CONFIG_CHECKS } from "../components/aws/configChecks";
import { ConfigError, RawConfig, parseClusterConfig } from "../components/config";

export function problemsOf(raw: RawConfig): string[] {
    try {
        parseClusterConfig(raw, "dev", undefined, [], undefined, AWS_CONFIG_CHECKS);
    } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as ConfigError).problems;
    }
    throw new Error(`expected ${JSON.stringify(raw).slice(0, 200)} to be refused`);
}
