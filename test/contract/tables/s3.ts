// The S3 tables: the bucket the load balancer writes its access logs to, with its public
// access block, ownership, encryption, lifecycle and policy.
import { MOCK_ACCOUNT, MOCK_REGION } from "../../mockRuntime";
import { Constraint, Context, Table, count, field, integer, length, oneOf, required, rule, unique, valuesAt, withValueAt } from "../rules";
import { ELB_GUIDE, TAG_CHARACTERS, listOf, policyOfAtMost, statementsOf, tagRule } from "./common";

const S3 = "https://docs.aws.amazon.com/AmazonS3/latest/API";
const S3_GUIDE = "https://docs.aws.amazon.com/AmazonS3/latest/userguide";

/** S3 general purpose bucket names. */
const S3_BUCKET_NAME: Constraint = {
    says: "is 3-63 lower-case letters, digits, dots and hyphens, a letter or digit at each end, no '..', not an IP address, none of S3's reserved prefixes and suffixes",
    test: (v) => {
        const name = String(v);
        if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) || name.includes("..")) {
            return "must be 3-63 lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit, without '..'";
        }
        if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) {
            return "must not look like an IP address";
        }
        if (/^(xn--|sthree-|amzn-s3-demo-)/.test(name) || /(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(name)) {
            return "must not use a prefix or suffix S3 reserves";
        }
        return undefined;
    },
    bad: "newapi-dev-alb-logs--ol-s3",
};

/** us-east-1's Elastic Load Balancing account, as AWS lists it (ELB guide, enable-access-logging.html). */
const MOCK_REGION_ELB_ACCOUNT = "127311923021";

/** The ALBs that write access logs to `bucket`. */
const loggingTo = (context: Context, bucket: unknown) =>
    context.resources.filter(
        (r) => r.type === "aws:lb/loadBalancer:LoadBalancer" && r.inputs.accessLogs?.enabled === true && r.inputs.accessLogs.bucket === bucket,
    );

export const BUCKETS: Record<string, Table> = {
    "aws:s3/bucket:Bucket": {
        // The provider lower-cases the name it makes: bucket names allow no capitals.
        autonaming: { property: "bucket", separator: "-", maxLength: 63, lowerCase: true },
        rules: [field("bucket", S3_BUCKET_NAME, `${S3_GUIDE}/bucketnamingrules.html`), tagRule(`${S3}/API_PutBucketTagging.html`, TAG_CHARACTERS)],
        collective: [unique("bucket", `${S3_GUIDE}/bucketnamingrules.html`, "in the partition")],
    },
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": {
        rules: [
            required("bucket", `${S3}/API_PutPublicAccessBlock.html`),
            ...["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"].map((flag) =>
                field(flag, oneOf([true, false]), `${S3}/API_PublicAccessBlockConfiguration.html`),
            ),
        ],
        collective: [unique("bucket", `${S3}/API_PutPublicAccessBlock.html`, "per bucket")],
    },
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": {
        rules: [
            required("bucket", `${S3}/API_PutBucketOwnershipControls.html`),
            field("rule.objectOwnership", oneOf(["BucketOwnerPreferred", "ObjectWriter", "BucketOwnerEnforced"]), `${S3}/API_OwnershipControlsRule.html`),
        ],
    },
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": {
        rules: [
            required("bucket", `${S3}/API_PutBucketEncryption.html`),
            field("rules[].applyServerSideEncryptionByDefault.sseAlgorithm", oneOf(["AES256", "aws:kms", "aws:kms:dsse"]), `${S3}/API_ServerSideEncryptionByDefault.html`),
            rule(
                "a bucket an ALB writes access logs to uses SSE-S3 (AES256), the only encryption ELB log delivery supports",
                `${ELB_GUIDE}/enable-access-logging.html`,
                (i, context) =>
                    loggingTo(context, i.bucket).length === 0 ||
                    valuesAt(i, "rules[].applyServerSideEncryptionByDefault.sseAlgorithm").every((a) => a === "AES256"),
                (i) => withValueAt(i, "rules[].applyServerSideEncryptionByDefault", { sseAlgorithm: "aws:kms", kmsMasterKeyId: "alias/new-api/logs" }),
            ),
        ],
    },
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": {
        rules: [
            required("bucket", `${S3}/API_PutBucketLifecycleConfiguration.html`),
            field("rules", count(1, 1000), `${S3_GUIDE}/intro-lifecycle-rules.html`),
            field("rules[].id", length(1, 255), `${S3}/API_LifecycleRule.html`),
            field("rules[].status", oneOf(["Enabled", "Disabled"]), `${S3}/API_LifecycleRule.html`),
            // "The value must be a non-zero positive integer."
            field("rules[].expiration.days", integer(1, 2147483647), `${S3}/API_LifecycleExpiration.html`),
            field("rules[].abortIncompleteMultipartUpload.daysAfterInitiation", integer(1, 2147483647), `${S3}/API_AbortIncompleteMultipartUpload.html`),
        ],
    },
    "aws:s3/bucketPolicy:BucketPolicy": {
        rules: [
            required("bucket", `${S3}/API_PutBucketPolicy.html`),
            // "Bucket policies are limited to 20 KB in size."
            policyOfAtMost(20480, `${S3_GUIDE}/bucket-policies.html`),
            rule(
                `a bucket an ALB writes access logs to lets ELB put objects under AWSLogs/<account>/: in ${MOCK_REGION}, a Region available before August 2022, its ELB account ${MOCK_REGION_ELB_ACCOUNT}, and the log delivery service`,
                `${ELB_GUIDE}/enable-access-logging.html`,
                (i, context) =>
                    loggingTo(context, i.bucket).length === 0 ||
                    statementsOf(i.policy).some((s) => {
                        const principal = (s.Principal ?? {}) as { AWS?: string; Service?: string };
                        return (
                            s.Effect === "Allow" &&
                            principal.AWS === `arn:aws:iam::${MOCK_REGION_ELB_ACCOUNT}:root` &&
                            principal.Service === "logdelivery.elasticloadbalancing.amazonaws.com" &&
                            listOf(s.Action).includes("s3:PutObject") &&
                            listOf(s.Resource).includes(`arn:aws:s3:::${i.bucket}/AWSLogs/${MOCK_ACCOUNT}/*`)
                        );
                    }),
                (i) => ({ ...i, policy: i.policy.replaceAll(`arn:aws:iam::${MOCK_REGION_ELB_ACCOUNT}:root`, `arn:aws:iam::${MOCK_ACCOUNT}:root`) }),
            ),
        ],
        collective: [unique("bucket", `${S3}/API_PutBucketPolicy.html`, "per bucket")],
    },
};
