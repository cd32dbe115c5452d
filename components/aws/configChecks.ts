// The AWS target's own checks of a whole configuration, which config validation runs last
// (index.ts hands them to it): what only this target's renderers know. Shared code imports
// nothing from components/aws/, so they live here and reach the validation as TargetChecks.
import type { ClusterConfig, ConfigReader, TargetCheck } from "../config";
import { elbGuideCovers, uncoveredRegionProblem } from "./elbLogDelivery";
import { USER_DATA_MAX_BYTES, largestUserDataBytes } from "./userdata";

/** Only extraEnv can grow a node's userData without bound; EC2 refuses more than 16 KB. */
function checkUserDataSize(read: ConfigReader, config: ClusterConfig): void {
    // A config with other problems may not render at all.
    if (read.problems.length > 0 || config.target !== "aws") {
        return;
    }
    const bytes = largestUserDataBytes(config);
    if (bytes > USER_DATA_MAX_BYTES) {
        read.fail(
            "extraEnv",
            read.raw.extraEnv,
            `makes a node's userData up to ${bytes} bytes, and EC2 allows ${USER_DATA_MAX_BYTES}; shorten extraEnv by at least ${bytes - USER_DATA_MAX_BYTES} bytes`,
        );
    }
}

/** ALB access logs only where the ELB guide says who delivers them (elbLogDelivery.ts). */
function checkAccessLogRegion(read: ConfigReader, config: ClusterConfig, awsRegion: string | undefined): void {
    if (config.target === "aws" && config.albAccessLogs && awsRegion !== undefined && !elbGuideCovers(awsRegion)) {
        read.fail("albAccessLogs", "true", uncoveredRegionProblem(awsRegion));
    }
}

/** Both, in the order their problems are listed. */
export const AWS_CONFIG_CHECKS: readonly TargetCheck[] = [checkAccessLogRegion, checkUserDataSize];
