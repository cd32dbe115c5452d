// The cluster's customer-managed KMS key: it encrypts the SecureString parameters (instead of
// the account-wide aws/ssm key, which every principal allowed to read a parameter may use), the
// CloudWatch log groups and the alert topic. Its policy says who may use it, and for what.
import * as kms from "@pulumi/aws/kms";
import * as pulumi from "@pulumi/pulumi";
import { clusterKeyAlias, secretParameterPath } from "../naming";

/** Where the key policy's names come from: the account, region and partition, and what the key encrypts. */
export interface ClusterKeyPolicyInput {
    partition: string;
    region: string;
    account: string;
    /** The partition's DNS suffix (amazonaws.com): service endpoints for kms:ViaService and service principals. */
    dnsSuffix: string;
    clusterName: string;
    /** The log groups encrypted with the key (names, known before they exist). */
    logGroupNames: string[];
    /** The alert topic's autonamed prefix (`<name>-alerts-`): the topic ARN is known only once it exists. */
    alertTopicNamePrefix: string;
}

/** What key administrators may do: AWS's "key administrators" statement, which uses no key material. */
export const KEY_ADMINISTRATION_ACTIONS = [
    "kms:Create*",
    "kms:Describe*",
    "kms:Enable*",
    "kms:List*",
    "kms:Put*",
    "kms:Update*",
    "kms:Revoke*",
    "kms:Disable*",
    "kms:Get*",
    "kms:Delete*",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:ScheduleKeyDeletion",
    "kms:CancelKeyDeletion",
    "kms:RotateKeyOnDemand",
];

/** The ARNs the cluster's parameters have: what SSM puts in the encryption context as PARAMETER_ARN. */
export function clusterParameterArnPattern(input: Pick<ClusterKeyPolicyInput, "partition" | "region" | "account" | "clusterName">): string {
    return `arn:${input.partition}:ssm:${input.region}:${input.account}:parameter${secretParameterPath(input.clusterName)}/*`;
}

/** kms:ViaService for requests SSM makes on a caller's behalf in this region. */
export function ssmViaService(region: string, dnsSuffix: string): string {
    return `ssm.${region}.${dnsSuffix}`;
}

/**
 * The key policy. It names no IAM role, so the key can exist before the nodes' roles, whose
 * policies name the key: a policy naming the roles would wait for them while they wait for it.
 * Instead the account root principal, which delegates to IAM (AWS's default way:
 * https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html), gets key
 * administration and, only through SSM and only for this cluster's parameters, Encrypt/Decrypt:
 * the operator who deploys (PutParameter, and the provider's reads WithDecryption) and the nodes'
 * roles, whose inline policy grants kms:Decrypt on this key for their own parameters. No IAM
 * policy can let anyone use the key any other way.
 */
export function clusterKeyPolicy(input: ClusterKeyPolicyInput): Record<string, unknown> {
    const { partition, region, account, dnsSuffix } = input;
    const root = `arn:${partition}:iam::${account}:root`;
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "KeyAdministration",
                Effect: "Allow",
                Principal: { AWS: root },
                Action: KEY_ADMINISTRATION_ACTIONS,
                Resource: "*",
            },
            {
                // SSM puts the parameter's ARN in the encryption context of every Encrypt and Decrypt:
                // https://docs.aws.amazon.com/kms/latest/developerguide/services-parameter-store.html
                Sid: "ClusterParametersThroughSsm",
                Effect: "Allow",
                Principal: { AWS: root },
                Action: ["kms:Encrypt", "kms:Decrypt"],
                Resource: "*",
                Condition: {
                    StringEquals: { "kms:ViaService": ssmViaService(region, dnsSuffix) },
                    StringLike: { "kms:EncryptionContext:PARAMETER_ARN": clusterParameterArnPattern(input) },
                },
            },
            {
                // CloudWatch Logs encrypts each log group under its own ARN as encryption context:
                // https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
                Sid: "ClusterLogGroups",
                Effect: "Allow",
                Principal: { Service: `logs.${region}.${dnsSuffix}` },
                Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
                Resource: "*",
                Condition: {
                    ArnEquals: {
                        "kms:EncryptionContext:aws:logs:arn": input.logGroupNames.map(
                            (name) => `arn:${partition}:logs:${region}:${account}:log-group:${name}`,
                        ),
                    },
                },
            },
            {
                // CloudWatch alarms publish to the encrypted topic: SNS asks KMS for a data key on
                // their behalf, with the topic's ARN as encryption context. aws/sns would not admit
                // them: https://repost.aws/knowledge-center/cloudwatch-configure-alarm-sns
                Sid: "AlarmsPublishToAlertTopic",
                Effect: "Allow",
                Principal: { Service: "cloudwatch.amazonaws.com" },
                Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
                Resource: "*",
                Condition: {
                    StringLike: {
                        "kms:EncryptionContext:aws:sns:topicArn": `arn:${partition}:sns:${region}:${account}:${input.alertTopicNamePrefix}*`,
                    },
                },
            },
        ],
    };
}

export interface ClusterKeyArgs {
    clusterName: string;
    /** A protected stack waits 30 days before the key is gone; others 7 (KMS's shortest). */
    protect: boolean;
    logGroupNames: string[];
    alertTopicNamePrefix: string;
    partition: pulumi.Input<string>;
    region: pulumi.Input<string>;
    account: pulumi.Input<string>;
    dnsSuffix: pulumi.Input<string>;
    tags: Record<string, string>;
}

export class ClusterKey extends pulumi.ComponentResource {
    readonly arn: pulumi.Output<string>;
    /** The key's id (a UUID): what SSM reports back as a parameter's KeyId. */
    readonly keyId: pulumi.Output<string>;
    readonly aliasName: string;

    constructor(name: string, args: ClusterKeyArgs, opts?: pulumi.ComponentResourceOptions) {
        super("new-api:kms:ClusterKey", name, {}, opts);
        const parent = { parent: this };
        const key = new kms.Key(
            `${name}-key`,
            {
                description: `New API cluster ${args.clusterName}: secret parameters, logs and alerts`,
                keyUsage: "ENCRYPT_DECRYPT",
                customerMasterKeySpec: "SYMMETRIC_DEFAULT",
                enableKeyRotation: true,
                deletionWindowInDays: args.protect ? 30 : 7,
                policy: pulumi
                    .all([args.partition, args.region, args.account, args.dnsSuffix])
                    .apply(([partition, region, account, dnsSuffix]) =>
                        JSON.stringify(
                            clusterKeyPolicy({
                                partition,
                                region,
                                account,
                                dnsSuffix,
                                clusterName: args.clusterName,
                                logGroupNames: args.logGroupNames,
                                alertTopicNamePrefix: args.alertTopicNamePrefix,
                            }),
                        ),
                    ),
                tags: args.tags,
            },
            parent,
        );
        this.aliasName = clusterKeyAlias(args.clusterName);
        new kms.Alias(`${name}-key-alias`, { name: this.aliasName, targetKeyId: key.keyId }, parent);

        this.arn = key.arn;
        this.keyId = key.keyId;
        this.registerOutputs({ arn: this.arn, keyId: this.keyId, aliasName: this.aliasName });
    }
}
