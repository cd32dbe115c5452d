// The node tier: what all New API nodes share (security group, instance role) and one
// component per node (an EC2 instance registered in its role's target group).
import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as ec2 from "@pulumi/aws/ec2";
import { getCallerIdentityOutput } from "@pulumi/aws/getCallerIdentity";
import { getPartitionOutput } from "@pulumi/aws/getPartition";
import * as iam from "@pulumi/aws/iam";
import * as lb from "@pulumi/aws/lb";
import * as vpc from "@pulumi/aws/vpc";
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { APP_PORT } from "../environment";
import { EcrRegistry } from "../images";
import { NodeRole } from "../naming";
import { ssmViaService } from "./clusterKey";
import { CheckedAwsCli, LOCAL_SHELL } from "./localCommands";
import { supportsRecoverAction } from "./instanceTypes";
import { METRICS, MetricSpec, alarmMetric } from "./metrics";
import { StopBudget } from "../stopBudget";
import { WarmupOptions, drainScript, warmupScript } from "./warmup";

export interface NodeAccessArgs {
    clusterName: string;
    region: pulumi.Input<string>;
    vpcId: pulumi.Input<string>;
    /** The load balancer's security group: the only source admitted on the app port. */
    loadBalancerSecurityGroupId: pulumi.Input<string>;
    /**
     * The SSM parameters each role's nodes read at boot, and nothing else: slaves never the
     * root user's password, the master never the address it publishes itself.
     */
    readableParameters: Record<NodeRole, string[]>;
    /** The nodes' log group, created here; the role may write to no other. */
    logGroupName: string;
    logRetentionDays: number;
    /** The ECR registries of the nodes' images, if any: the role may pull from those repositories. */
    imageRegistries: EcrRegistry[];
    /** The cluster's KMS key: it encrypts the log group and the secret parameters the roles decrypt. */
    clusterKeyArn?: pulumi.Input<string>;
    tags: Record<string, string>;
}

/** The cluster key the nodes decrypt their parameters with, and SSM's kms:ViaService in this region. */
export interface SecretsKey {
    arn: string;
    viaService: string;
}

/** An instance role's policy: read its nodes' own parameters, write the cluster's logs, Session Manager. */
export function nodePolicyDocument(
    parameterArns: string[],
    logGroupArn: string,
    ecrRepositoryArns: string[] = [],
    secretsKey?: SecretsKey,
): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "ReadClusterSecrets",
                Effect: "Allow",
                Action: ["ssm:GetParameter", "ssm:GetParameters"],
                Resource: parameterArns,
            },
            ...(secretsKey === undefined
                ? []
                : [
                      {
                          // Only as SSM decrypts the same parameters for the node: the key's policy
                          // admits no other use, and this grants no more (PARAMETER_ARN context).
                          Sid: "DecryptClusterSecrets",
                          Effect: "Allow",
                          Action: ["kms:Decrypt"],
                          Resource: secretsKey.arn,
                          Condition: {
                              StringEquals: {
                                  "kms:ViaService": secretsKey.viaService,
                                  "kms:EncryptionContext:PARAMETER_ARN": parameterArns,
                              },
                          },
                      },
                  ]),
            {
                Sid: "WriteClusterLogs",
                Effect: "Allow",
                Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                Resource: `${logGroupArn}:*`,
            },
            {
                // The minimum for Session Manager shells. Not AmazonSSMManagedInstanceCore:
                // it allows ssm:GetParameter on every parameter in the account.
                Sid: "SessionManager",
                Effect: "Allow",
                Action: [
                    "ssm:UpdateInstanceInformation",
                    "ssmmessages:CreateControlChannel",
                    "ssmmessages:CreateDataChannel",
                    "ssmmessages:OpenControlChannel",
                    "ssmmessages:OpenDataChannel",
                ],
                Resource: "*",
            },
            ...(ecrRepositoryArns.length === 0
                ? []
                : [
                      {
                          // Nodes run images from these ECR repositories: pull them, and let an
                          // ECR pull-through cache fetch (and create) them from the upstream registry.
                          Sid: "PullClusterImages",
                          Effect: "Allow",
                          Action: [
                              "ecr:BatchGetImage",
                              "ecr:GetDownloadUrlForLayer",
                              "ecr:BatchCheckLayerAvailability",
                              "ecr:BatchImportUpstreamImage",
                              "ecr:CreateRepository",
                          ],
                          Resource: [...new Set(ecrRepositoryArns)],
                      },
                      // A registry login token is account-wide: ECR has no narrower resource for it.
                      { Sid: "EcrLogin", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
                  ]),
        ],
    });
}

/** The ARN of the ECR repository an image lives in (ecr:<region>:<account>:repository/<name>). */
export function ecrRepositoryArn(partition: string, registry: EcrRegistry): string {
    return `arn:${partition}:ecr:${registry.region}:${registry.account}:repository/${registry.repository}`;
}

/** What the nodes share: their security group, and an instance role for each node role. */
export class NodeAccess extends pulumi.ComponentResource {
    readonly securityGroupId: pulumi.Output<string>;
    readonly instanceProfileNames: Record<NodeRole, pulumi.Output<string>>;
    readonly roleArns: Record<NodeRole, pulumi.Output<string>>;
    /** Nodes depend on it: Docker's awslogs driver will not start a container without its group. */
    readonly logGroup: cloudwatch.LogGroup;

    constructor(name: string, args: NodeAccessArgs, opts?: pulumi.ComponentResourceOptions) {
        super("new-api:nodes:NodeAccess", name, {}, opts);
        const parent = { parent: this };

        const securityGroup = new ec2.SecurityGroup(
            `${name}-sg`,
            {
                vpcId: args.vpcId,
                description: "New API nodes: the app port from the load balancer (and other nodes) only; no SSH",
                tags: { ...args.tags, Name: `${name}-sg` },
            },
            parent,
        );
        new vpc.SecurityGroupIngressRule(
            `${name}-from-alb`,
            {
                securityGroupId: securityGroup.id,
                referencedSecurityGroupId: args.loadBalancerSecurityGroupId,
                ipProtocol: "tcp",
                fromPort: APP_PORT,
                toPort: APP_PORT,
                description: "New API from the load balancer",
            },
            parent,
        );
        new vpc.SecurityGroupIngressRule(
            `${name}-from-nodes`,
            {
                securityGroupId: securityGroup.id,
                referencedSecurityGroupId: securityGroup.id,
                ipProtocol: "tcp",
                fromPort: APP_PORT,
                toPort: APP_PORT,
                // EC2 descriptions allow a-zA-Z0-9, space and ._-:/()#,@[]+=&;{}!$* only: no apostrophe.
                description: "Slaves poll /api/status of the master before their first start",
            },
            parent,
        );
        new vpc.SecurityGroupEgressRule(
            `${name}-alb-to-nodes`,
            {
                securityGroupId: args.loadBalancerSecurityGroupId,
                referencedSecurityGroupId: securityGroup.id,
                ipProtocol: "tcp",
                fromPort: APP_PORT,
                toPort: APP_PORT,
                description: "Load balancer to the New API nodes",
            },
            parent,
        );
        new vpc.SecurityGroupEgressRule(
            `${name}-egress`,
            {
                securityGroupId: securityGroup.id,
                cidrIpv4: "0.0.0.0/0",
                ipProtocol: "-1",
                description: "Outbound through NAT: image registry, AWS APIs, LLM providers, MySQL, Redis",
            },
            parent,
        );

        const partitionInfo = getPartitionOutput({}, parent);
        const partition = partitionInfo.partition;
        const account = getCallerIdentityOutput({}, parent).accountId;
        this.logGroup = new cloudwatch.LogGroup(
            `${name}-logs`,
            { name: args.logGroupName, retentionInDays: args.logRetentionDays, kmsKeyId: args.clusterKeyArn, tags: args.tags },
            parent,
        );
        const roleOf = (nodeRole: NodeRole) => {
            const role = new iam.Role(
                `${name}-${nodeRole}-role`,
                {
                    description: `New API ${nodeRole} nodes of ${args.clusterName}`,
                    assumeRolePolicy: JSON.stringify({
                        Version: "2012-10-17",
                        Statement: [
                            { Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" },
                        ],
                    }),
                    tags: args.tags,
                },
                parent,
            );
            new iam.RolePolicy(
                `${name}-${nodeRole}-policy`,
                {
                    role: role.id,
                    policy: pulumi
                        .all([partition, args.region, account, this.logGroup.arn, args.clusterKeyArn, partitionInfo.dnsSuffix])
                        .apply(([partitionName, regionName, accountId, logGroupArn, keyArn, dnsSuffix]) =>
                            nodePolicyDocument(
                                args.readableParameters[nodeRole].map(
                                    (parameter) => `arn:${partitionName}:ssm:${regionName}:${accountId}:parameter${parameter}`,
                                ),
                                logGroupArn,
                                args.imageRegistries.map((registry) => ecrRepositoryArn(partitionName, registry)),
                                keyArn === undefined ? undefined : { arn: keyArn, viaService: ssmViaService(regionName, dnsSuffix) },
                            ),
                        ),
                },
                parent,
            );
            const profile = new iam.InstanceProfile(`${name}-${nodeRole}-profile`, { role: role.name, tags: args.tags }, parent);
            return { roleArn: role.arn, profileName: profile.name };
        };
        const master = roleOf("master");
        const slave = roleOf("slave");

        this.securityGroupId = securityGroup.id;
        this.instanceProfileNames = { master: master.profileName, slave: slave.profileName };
        this.roleArns = { master: master.roleArn, slave: slave.roleArn };
        this.registerOutputs({
            securityGroupId: this.securityGroupId,
            instanceProfileNames: this.instanceProfileNames,
            roleArns: this.roleArns,
        });
    }
}

export interface ClusterNodeArgs {
    role: NodeRole;
    instanceType: string;
    amiId: pulumi.Input<string>;
    /** True when amiId follows the public "latest AL2023" parameter: see the ami note below. */
    amiFollowsLatest: boolean;
    subnetId: pulumi.Input<string>;
    securityGroupId: pulumi.Input<string>;
    instanceProfileName: pulumi.Input<string>;
    rootVolumeSize: number;
    userData: pulumi.Input<string>;
    targetGroupArn: pulumi.Input<string>;
    /** How long the node's stop may take: its instance is deleted only once it is drained. */
    stop: StopBudget;
    /** How long `pulumi up` waits for the new node to turn healthy, and whether it must (warmup.ts). */
    warmup: WarmupOptions;
    /** The AWS CLI the drain and the warm-up run: the stack's credentials, checked before the first wait. */
    awsCli: CheckedAwsCli;
    /** What the node reads or writes at boot (secrets, log group): it must not boot before they exist. */
    bootDependencies: pulumi.Resource[];
    /** The nodes of the rollout's previous step (their warm-ups): this one is created, or replaced, only once they are healthy. */
    rolloutAfter: pulumi.Resource[];
    /** Where the node's status-check alarms go. */
    alarmTopicArn: pulumi.Input<string>;
    /** EC2's recover action for this region: `arn:<partition>:automate:<region>:ec2:recover`. */
    recoverActionArn: pulumi.Input<string>;
    tags: Record<string, string>;
}

/** One New API node: an instance, registered with its role's target group. */
export class ClusterNode extends pulumi.ComponentResource {
    readonly nodeName: string;
    readonly instanceId: pulumi.Output<string>;
    readonly privateIp: pulumi.Output<string>;
    /** Done once the node is healthy in its target group (or, for a slave set up by hand, has had its time). */
    readonly ready: pulumi.Resource;

    constructor(name: string, args: ClusterNodeArgs, opts?: pulumi.ComponentResourceOptions) {
        super("new-api:nodes:ClusterNode", name, {}, opts);

        const instance = new ec2.Instance(
            name,
            {
                ami: args.amiId,
                instanceType: args.instanceType,
                subnetId: args.subnetId,
                vpcSecurityGroupIds: [args.securityGroupId],
                iamInstanceProfile: args.instanceProfileName,
                associatePublicIpAddress: false,
                metadataOptions: {
                    httpEndpoint: "enabled",
                    httpTokens: "required",
                    // One hop: the host (dockerd's awslogs driver, the start script) reaches the
                    // role's credentials; a process in the container, one hop further, does not.
                    httpPutResponseHopLimit: 1,
                },
                rootBlockDevice: {
                    volumeType: "gp3",
                    volumeSize: args.rootVolumeSize,
                    encrypted: true,
                    deleteOnTermination: true,
                },
                userData: args.userData,
                // A new image or environment means a new instance (created before the old
                // one is deleted), not a stop/start of a live node.
                userDataReplaceOnChange: true,
                tags: { ...args.tags, Name: name, "new-api:role": args.role },
            },
            {
                parent: this,
                dependsOn: [...args.bootDependencies, ...args.rolloutAfter],
                // The "latest" AMI moves with every AL2023 release; following it would replace
                // every node on an unrelated `pulumi up`. New nodes take the newest, old ones
                // keep theirs until replaced; pin amiId to roll all nodes deliberately.
                ignoreChanges: args.amiFollowsLatest ? ["ami"] : [],
            },
        );
        // Deleting a target group attachment deregisters the target but does not wait for it
        // to drain; deleting this (after the attachment, before the instance) does.
        const aws = args.awsCli.environment;
        const drain = new command.local.Command(
            `${name}-drain`,
            {
                interpreter: LOCAL_SHELL,
                delete: drainScript(args.stop),
                environment: { NODE: name, TARGET_GROUP_ARN: args.targetGroupArn, INSTANCE_ID: instance.id, ...aws },
                triggers: [instance.id],
            },
            { parent: this },
        );
        const attachment = new lb.TargetGroupAttachment(
            name,
            { targetGroupArn: args.targetGroupArn, targetId: instance.id, port: APP_PORT },
            { parent: this, dependsOn: [drain] },
        );
        // Pulumi deletes replaced and removed resources only after everything else, so holding
        // up here keeps an old node registered until its successor passes ALB's health check.
        const warmup = new command.local.Command(
            `${name}-warmup`,
            {
                interpreter: LOCAL_SHELL,
                create: warmupScript(args.warmup),
                environment: { NODE: name, TARGET_GROUP_ARN: args.targetGroupArn, INSTANCE_ID: instance.id, ...aws },
                triggers: [attachment.id],
            },
            { parent: this, dependsOn: [args.awsCli.check] },
        );

        // A failed instance check alerts; a failed system check (the host) also moves the
        // instance to healthy hardware, keeping its id, address and volumes.
        const statusAlarm = (suffix: string, metric: MetricSpec, actions: pulumi.Input<string>[], description: string) =>
            new cloudwatch.MetricAlarm(
                `${name}-${suffix}`,
                {
                    alarmDescription: `${name}: ${description}`,
                    ...alarmMetric(metric, [instance.id]),
                    period: 60,
                    evaluationPeriods: 2,
                    comparisonOperator: "GreaterThanOrEqualToThreshold",
                    threshold: 1,
                    alarmActions: actions,
                    okActions: [args.alarmTopicArn],
                    tags: args.tags,
                },
                { parent: this },
            );
        statusAlarm("status-check", METRICS.nodeStatusCheck, [args.alarmTopicArn], "EC2 status checks failing");
        // On other types the status-check alarm above still alerts; there is nothing to recover with.
        if (supportsRecoverAction(args.instanceType)) {
            statusAlarm("recover", METRICS.nodeSystemCheck, [args.recoverActionArn, args.alarmTopicArn], "EC2 system check failing; recovering the instance");
        }

        this.nodeName = name;
        this.instanceId = instance.id;
        this.privateIp = instance.privateIp;
        this.ready = warmup;
        this.registerOutputs({ instanceId: this.instanceId, privateIp: this.privateIp });
    }
}
