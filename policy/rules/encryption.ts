// Encryption with the cluster's KMS key: SecureString parameters, the alarms' SNS topic and the
// CloudWatch log groups.
import { Rule, TYPES, perResource } from "./rule";

/** Whether a key reference names the AWS managed key of a service (alias/aws/ssm, or its alias ARN). */
const isAwsManagedKey = (key: unknown, service: string) => new RegExp(`(^|:)alias/aws/${service}$`).test(String(key));

export const ENCRYPTION_RULES: Rule[] = [
    perResource(
        "ssm-secrets-cmk",
        "SecureString parameters are encrypted with a customer-managed KMS key, not the account-wide aws/ssm.",
        TYPES.parameter,
        (p) =>
            p.type !== "SecureString" || (p.keyId && !isAwsManagedKey(p.keyId, "ssm"))
                ? undefined
                : "is encrypted with the AWS managed aws/ssm key, which any principal allowed to read the parameter may use; set keyId to the cluster's key",
    ),
    perResource(
        "sns-encrypted",
        "SNS topics are encrypted with a customer-managed KMS key (CloudWatch alarms cannot publish under aws/sns).",
        TYPES.topic,
        (p) =>
            !p.kmsMasterKeyId
                ? "is not encrypted; set kmsMasterKeyId to the cluster's key"
                : isAwsManagedKey(p.kmsMasterKeyId, "sns")
                  ? "is encrypted with aws/sns, which CloudWatch alarms may not use; set kmsMasterKeyId to the cluster's key"
                  : undefined,
    ),
    perResource("logs-encrypted", "CloudWatch log groups are encrypted with a KMS key.", TYPES.logGroup, (p) =>
        p.kmsKeyId ? undefined : "is not encrypted with a KMS key; set kmsKeyId to the cluster's key",
    ),
];
