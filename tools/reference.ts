// The reference tables `npm run docs` writes into docs/: the stack outputs (from
// components/outputs.ts), the AWS services a deploy uses (from the type tokens the program
// registers and the data sources it reads) and the AWS CLI calls the operator's machine makes
// during `pulumi up` (from the scripts its local commands run). test/docs.test.ts compares each
// table with what the program does under the mocks, so that none can go stale.
import { escapeCell } from "../components/config/docs";
import { OUTPUT_DOCS, OutputDoc } from "../components/outputs";
import { renderScript } from "../components/scripts/render";

function outputLabel(doc: OutputDoc): string {
    const where = doc.targets.length === 2 ? "both targets" : doc.targets[0] === "aws" ? "AWS" : "docker";
    const when = doc.onlyWith === undefined ? "" : `, with \`${doc.onlyWith}\`${doc.targets.includes("docker") ? " (always on docker)" : ""}`;
    return `${where}${doc.secret ? ", secret" : ""}${when}`;
}

/** docs/operations.md's table of outputs: every output of components/outputs.ts, in its order. */
export function outputsTable(): string {
    const rows = Object.entries(OUTPUT_DOCS).map(([name, doc]) => `| \`${name}\` | ${outputLabel(doc)}: ${escapeCell(doc.doc)} |`);
    return ["| output | description |", "|---|---|", ...rows].join("\n");
}

/** The IAM service prefixes a deploy calls: the service's name, and what the deploying identity must be allowed beyond the resources' own create, read, update, tag and delete calls. */
export const IAM_SERVICES = {
    ec2: { name: "EC2", what: "the VPC, subnets, gateways, routes, security groups and their rules, the nodes; `ec2:DescribeAvailabilityZones` always, `ec2:DescribeSubnets` for an existing VPC" },
    elasticloadbalancing: { name: "ELB", what: "the load balancer, its target groups, listener and rules" },
    rds: { name: "RDS", what: "the MySQL instances, their parameter and subnet groups; `rds:DescribeDBSnapshots` before a restore from `dbSnapshotIdentifier`" },
    elasticache: { name: "ElastiCache", what: "the Redis replication group and its subnet group" },
    iam: { name: "IAM", what: "the nodes' roles, inline policies and instance profiles (and the flow logs role); `iam:PassRole` on the master's and the slaves' roles, which EC2 receives when it launches a node, and on the flow logs role, which `ec2:CreateFlowLogs` passes; `iam:CreateServiceLinkedRole` the first time the account uses RDS, ElastiCache or ELB, and for the alarms with the EC2 recover action" },
    kms: { name: "KMS", what: "the cluster key (`kms:CreateKey`, its policy, yearly rotation) and its alias; `kms:Encrypt` and `kms:Decrypt` on that key through SSM, which the key's policy allows only that way, to write and read back the SecureString parameters" },
    ssm: { name: "SSM", what: "the cluster's parameters under `/new-api/<clusterName>/`; `ssm:GetParameter` of AWS's public Amazon Linux 2023 AMI parameter" },
    logs: { name: "CloudWatch Logs", what: "the nodes' log group (and the flow logs' group), encrypted with the cluster key" },
    cloudwatch: { name: "CloudWatch", what: "the alarms and the dashboard" },
    sns: { name: "SNS", what: "the alert topic, encrypted with the cluster key, and its email subscription" },
    s3: { name: "S3", what: "with `albAccessLogs`: the access logs bucket, its policy, public access block, ownership, encryption and lifecycle" },
    acm: { name: "ACM", what: "with `domainName` and no `certificateArn`: the certificate and its DNS validation" },
    route53: { name: "Route 53", what: "with `domainName`: the validation records and the alias record in `hostedZoneId`" },
    sts: { name: "STS", what: "`sts:GetCallerIdentity` (the account in the key's policy, and the AWS provider's check of its credentials); `sts:AssumeRole` on each role `aws:assumeRoles` names" },
} as const;
export type IamService = keyof typeof IAM_SERVICES;

/** Where a type token or data source of the program does its work: an AWS service, or only this machine. */
export type Need = { service: IamService } | { local: string };

/** Every resource type and data source the AWS target registers or reads that is not one of the program's own components. */
export const DEPLOY_NEEDS: Record<string, Need> = {
    "aws:acm/certificate:Certificate": { service: "acm" },
    "aws:acm/certificateValidation:CertificateValidation": { service: "acm" },
    "aws:cloudwatch/dashboard:Dashboard": { service: "cloudwatch" },
    "aws:cloudwatch/logGroup:LogGroup": { service: "logs" },
    "aws:cloudwatch/metricAlarm:MetricAlarm": { service: "cloudwatch" },
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": { service: "ec2" },
    "aws:ec2/eip:Eip": { service: "ec2" },
    "aws:ec2/flowLog:FlowLog": { service: "ec2" },
    "aws:ec2/getSubnet:getSubnet": { service: "ec2" },
    "aws:ec2/instance:Instance": { service: "ec2" },
    "aws:ec2/internetGateway:InternetGateway": { service: "ec2" },
    "aws:ec2/natGateway:NatGateway": { service: "ec2" },
    "aws:ec2/routeTable:RouteTable": { service: "ec2" },
    "aws:ec2/routeTableAssociation:RouteTableAssociation": { service: "ec2" },
    "aws:ec2/securityGroup:SecurityGroup": { service: "ec2" },
    "aws:ec2/subnet:Subnet": { service: "ec2" },
    "aws:ec2/vpc:Vpc": { service: "ec2" },
    "aws:elasticache/replicationGroup:ReplicationGroup": { service: "elasticache" },
    "aws:elasticache/subnetGroup:SubnetGroup": { service: "elasticache" },
    "aws:iam/instanceProfile:InstanceProfile": { service: "iam" },
    "aws:iam/role:Role": { service: "iam" },
    "aws:iam/rolePolicy:RolePolicy": { service: "iam" },
    "aws:index/getAvailabilityZones:getAvailabilityZones": { service: "ec2" },
    "aws:index/getCallerIdentity:getCallerIdentity": { service: "sts" },
    "aws:index/getPartition:getPartition": { local: "read from the AWS provider's configuration: no AWS call" },
    "aws:index/getRegion:getRegion": { local: "read from the AWS provider's configuration: no AWS call" },
    "aws:kms/alias:Alias": { service: "kms" },
    "aws:kms/key:Key": { service: "kms" },
    "aws:lb/listener:Listener": { service: "elasticloadbalancing" },
    "aws:lb/listenerRule:ListenerRule": { service: "elasticloadbalancing" },
    "aws:lb/loadBalancer:LoadBalancer": { service: "elasticloadbalancing" },
    "aws:lb/targetGroup:TargetGroup": { service: "elasticloadbalancing" },
    "aws:lb/targetGroupAttachment:TargetGroupAttachment": { service: "elasticloadbalancing" },
    "aws:rds/getSnapshot:getSnapshot": { service: "rds" },
    "aws:rds/instance:Instance": { service: "rds" },
    "aws:rds/parameterGroup:ParameterGroup": { service: "rds" },
    "aws:rds/subnetGroup:SubnetGroup": { service: "rds" },
    "aws:route53/record:Record": { service: "route53" },
    "aws:s3/bucket:Bucket": { service: "s3" },
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": { service: "s3" },
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": { service: "s3" },
    "aws:s3/bucketPolicy:BucketPolicy": { service: "s3" },
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": { service: "s3" },
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": { service: "s3" },
    "aws:sns/topic:Topic": { service: "sns" },
    "aws:sns/topicSubscription:TopicSubscription": { service: "sns" },
    "aws:ssm/getParameter:getParameter": { service: "ssm" },
    "aws:ssm/parameter:Parameter": { service: "ssm" },
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": { service: "ec2" },
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": { service: "ec2" },
    "command:local:Command": { local: "a shell script on this machine, with the AWS CLI calls of the table below" },
    "docker:index/getRegistryImage:getRegistryImage": {
        local: "the Docker provider asks the registry for the tag's digest, after its configuration has reached a Docker engine (see Docker above)",
    },
    "random:index/randomId:RandomId": { local: "generated by the random provider on this machine" },
    "random:index/randomPassword:RandomPassword": { local: "generated by the random provider on this machine" },
};

const code = (text: string) => `\`${text}\``;

/** docs/requirements.md's table of the AWS services a deploy calls, each with the type tokens that call it. */
export function deployPermissionsTable(): string {
    const tokens = Object.keys(DEPLOY_NEEDS).sort();
    const rows = (Object.keys(IAM_SERVICES) as IamService[]).map((service) => {
        const used = tokens.filter((token) => "service" in DEPLOY_NEEDS[token] && (DEPLOY_NEEDS[token] as { service: IamService }).service === service);
        return `| ${code(service)} (${IAM_SERVICES[service].name}) | ${escapeCell(IAM_SERVICES[service].what)} | ${used.map(code).join(", ")} |`;
    });
    const local = new Map<string, string[]>();
    for (const token of tokens.filter((t) => "local" in DEPLOY_NEEDS[t])) {
        const what = (DEPLOY_NEEDS[token] as { local: string }).local;
        local.set(what, [...(local.get(what) ?? []), token]);
    }
    const localRows = [...local.entries()].map(([what, used]) => `| — | ${escapeCell(what)} | ${used.map(code).join(", ")} |`);
    return ["| IAM service | what the deploy does there | resource types and data sources |", "|---|---|---|", ...rows, ...localRows].join("\n");
}

/**
 * The scripts `pulumi up` and `pulumi destroy` run on the operator's machine (command:local:Command),
 * with when each runs. The test checks this list against the commands the program registers.
 */
export const OPERATOR_SCRIPTS: Record<string, string> = {
    "caller-check.sh": "before the first wait, and again when the account or the credentials settings change: the AWS CLI must run in the stack's account",
    "warmup.sh": "each new node (a first deploy, scaling up, a replacement): waits until the load balancer finds it healthy",
    "drain.sh": "each node removed or replaced: waits until the load balancer has drained it",
    "restart.sh": "`dbPasswordRotation` or `redisAuthTokenRotation` raised: restarts each node out of the load balancer",
    "token-set.sh": "`redisAuthTokenRotation` raised: lets only the new Redis token in",
    "admin-rotate.sh": "`adminPasswordRotation` raised: changes the root user's password on the master",
    "verify.sh": "every `pulumi up`: the final check through the load balancer (curl, no AWS call)",
    "export-check.sh": "`pulumi destroy` with final snapshots: checks that config holds the secrets a restore needs (no AWS call)",
};

/** AWS CLI service names whose IAM service prefix differs, and those that are the same. */
const CLI_SERVICES: Record<string, IamService> = {
    elbv2: "elasticloadbalancing",
    ssm: "ssm",
    elasticache: "elasticache",
    sts: "sts",
    rds: "rds",
    ec2: "ec2",
};

export interface CliCall {
    /** `aws elbv2 describe-target-health` */
    command: string;
    /** `elasticloadbalancing:DescribeTargetHealth` */
    action: string;
}

/** The AWS CLI calls in a script's text (`aws <service> <operation>`), each with the IAM action it needs. */
export function awsCliCalls(script: string): CliCall[] {
    const calls = [...script.matchAll(/\baws\s+([a-z0-9]+)\s+([a-z][a-z0-9-]+)/g)].map(([, service, operation]) => {
        const prefix = CLI_SERVICES[service];
        if (prefix === undefined) {
            throw new Error(`aws ${service} ${operation}: no IAM service prefix for the AWS CLI's ${service} (tools/reference.ts CLI_SERVICES)`);
        }
        const action = operation.replace(/(^|-)([a-z])/g, (_, __, letter: string) => letter.toUpperCase());
        return { command: `aws ${service} ${operation}`, action: `${prefix}:${action}` };
    });
    return [...new Map(calls.map((call) => [call.command, call])).values()];
}

/** docs/requirements.md's table of the IAM actions the operator's AWS CLI calls need during `pulumi up` and `pulumi destroy`. */
export function operatorPermissionsTable(): string {
    const byAction = new Map<string, { command: string; scripts: string[] }>();
    for (const script of Object.keys(OPERATOR_SCRIPTS)) {
        for (const call of awsCliCalls(renderScript(script, {}))) {
            const row = byAction.get(call.action) ?? { command: call.command, scripts: [] };
            row.scripts.push(script);
            byAction.set(call.action, row);
        }
    }
    const rows = [...byAction.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([action, { command, scripts }]) => `| ${code(action)} | ${code(command)} | ${scripts.map((s) => `${code(s)}: ${escapeCell(OPERATOR_SCRIPTS[s])}`).join("; ")} |`);
    return ["| IAM action | AWS CLI call | run by, and when |", "|---|---|---|", ...rows].join("\n");
}

/**
 * How long a first deploy of the example stacks takes, as README and docs/operations.md (What a
 * first deploy takes, which shows how it adds up) both say it. An estimate from AWS's typical
 * create times: nothing in this project has been deployed to AWS.
 */
export const FIRST_DEPLOY_ESTIMATE = "dev ~25-40 min, prod ~35-50 min";
