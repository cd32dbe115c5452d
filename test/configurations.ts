// The configurations with every option on, which several test files run (the AWS contract, the
// outputs and deploy permissions docs): one shared run each.
const HOSTED_ZONE = "Z0123456789ABCDEFGHIJ";
const CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-0a1b-0a1b-0a1b-0a1b2c3d4e5f";
/** clusterName's longest allowed value (17 characters). */
const LONGEST_NAME = "newapi-production";
/** The longest name ACM can request a certificate for (64 characters). */
const LONGEST_DOMAIN = `${"a".repeat(52)}.example.com`;

/** Every optional feature at once, with the longest clusterName and domain, on a new VPC with a requested certificate. */
export const EVERYTHING: Record<string, string> = {
    clusterName: LONGEST_NAME,
    slaveCount: "3",
    azCount: "3",
    protect: "true",
    finalSnapshot: "true",
    logDatabase: "true",
    adminUsername: "operator-adm",
    alertEmail: "oncall@example.com",
    domainName: LONGEST_DOMAIN,
    hostedZoneId: HOSTED_ZONE,
    dbMultiAz: "true",
    dbApplyImmediately: "true",
    albAccessLogs: "true",
    albAccessLogDays: "3653",
    vpcFlowLogs: "true",
    allowedCidrs: JSON.stringify(Array.from({ length: 30 }, (_, i) => `198.51.${i}.0/24`)),
    // Both databases restored: the main one from a snapshot of the account's, the log one from another account's shared snapshot.
    dbSnapshotIdentifier: `${LONGEST_NAME}-mysql-final-0a1b2c3d`,
    logDbSnapshotIdentifier: `arn:aws:rds:us-east-1:210987654321:snapshot:${LONGEST_NAME}-mysql-log-final-0a1b2c3d`,
};

/** The same on an existing VPC, with a certificate of the operator's own and the image in ECR. */
export const EVERYTHING_EXISTING_VPC: Record<string, string> = {
    ...Object.fromEntries(Object.entries(EVERYTHING).filter(([key]) => !["azCount", "vpcFlowLogs"].includes(key))),
    image: `123456789012.dkr.ecr.us-east-1.amazonaws.com/mirror/calciumion/new-api@sha256:${"e".repeat(64)}`,
    certificateArn: CERTIFICATE,
    "aws:region": "us-east-1",
    vpcId: "vpc-0123456789abcdef0",
    publicSubnetIds: '["subnet-0000000000000000a","subnet-0000000000000000b","subnet-0000000000000000c"]',
    privateSubnetIds: '["subnet-0000000000000000d","subnet-0000000000000000e","subnet-0000000000000000f"]',
};

