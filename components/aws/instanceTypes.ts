// What an EC2 instance type implies for a node: its AMI's architecture, and whether CloudWatch
// can recover it. Pure, so that the cost estimate and the tests need no provider SDK.
import { AL2023_AMI_PARAMETERS } from "../versions";

/** Graviton instance families carry a "g" after the generation digit (t4g, m7g, c7gn, x2gd). */
export function instanceArchitecture(instanceType: string): keyof typeof AL2023_AMI_PARAMETERS {
    return /^[a-z]+\d+[a-z-]*g[a-z-]*\./.test(instanceType) ? "arm64" : "x86_64";
}

/**
 * Instance families whose instances CloudWatch's EC2 recover action can move to healthy
 * hardware (EC2 User Guide, "Recover your instance", cloudwatch-recovery.html). Instance-store
 * variants ("d" families such as c5d or m6gd) are not among them: PutMetricAlarm refuses the
 * action for those instances.
 */
const RECOVERABLE_FAMILIES = new Set([
    // General purpose
    "a1", "m3", "m4", "m5", "m5a", "m5n", "m5zn", "m6a", "m6g", "m6i", "m6in", "m7a", "m7g", "m7i", "m7i-flex",
    "m8a", "m8azn", "m8g", "m8gb", "m8gn", "m8i", "m8i-flex", "t1", "t2", "t3", "t3a", "t4g",
    // Compute optimized
    "c3", "c4", "c5", "c5a", "c5n", "c6a", "c6g", "c6gn", "c6i", "c6in", "c7a", "c7g", "c7gn", "c7i", "c7i-flex",
    "c8a", "c8g", "c8gb", "c8gn", "c8i", "c8i-flex",
    // Memory optimized
    "r3", "r4", "r5", "r5a", "r5b", "r5n", "r6a", "r6g", "r6i", "r6in", "r7a", "r7g", "r7i", "r7iz", "r8a", "r8g",
    "r8gb", "r8gn", "r8i", "r8i-flex", "x1", "x1e", "x2idn", "x2iedn", "x2iezn", "x8g", "x8i",
    // Accelerated computing and HPC
    "g3", "g5g", "inf1", "p3", "vt1", "hpc6a", "hpc7a", "hpc7g", "hpc8a",
]);

/** Whether CloudWatch's EC2 recover action supports this instance type (metal sizes included). */
export function supportsRecoverAction(instanceType: string): boolean {
    return RECOVERABLE_FAMILIES.has(instanceType.split(".")[0]);
}
