// What the whole-program tests (test/program*.test.ts) share: the resource types they look up,
// the cluster's generated secrets, and readers for what a node's userData and parameters hold.
import { writeFile, writeFiles, writtenScriptParameters } from "./cloudConfig";
import { ProgramRun, Registered, mockSecret, ofType } from "./harness";

export const SECRET_NAMES = ["session-secret", "crypto-secret", "db-password", "redis-auth-token"];
export const GENERATED_SECRETS = SECRET_NAMES.map((s) => mockSecret(`newapi-dev-${s}`));

export const T = {
    instance: "aws:ec2/instance:Instance",
    attachment: "aws:lb/targetGroupAttachment:TargetGroupAttachment",
    command: "command:local:Command",
    node: "new-api:nodes:ClusterNode",
    sg: "aws:ec2/securityGroup:SecurityGroup",
    ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    egress: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    password: "random:index/randomPassword:RandomPassword",
    parameter: "aws:ssm/parameter:Parameter",
    rds: "aws:rds/instance:Instance",
    rdsParams: "aws:rds/parameterGroup:ParameterGroup",
    redis: "aws:elasticache/replicationGroup:ReplicationGroup",
    alb: "aws:lb/loadBalancer:LoadBalancer",
    targetGroup: "aws:lb/targetGroup:TargetGroup",
    listener: "aws:lb/listener:Listener",
    vpc: "aws:ec2/vpc:Vpc",
    subnet: "aws:ec2/subnet:Subnet",
    nat: "aws:ec2/natGateway:NatGateway",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
};

export const sgId = (name: string) => `${name}-id`;
export const secureParameters = (run: ProgramRun) => ofType(run, T.parameter).filter((p) => p.inputs.type === "SecureString");

/** A node's environment file (/etc/new-api/node.env), as its variables. */
export function nodeEnv(instance: Registered): Record<string, string> {
    const content = writeFile(instance.inputs.userData, "/etc/new-api/node.env");
    return Object.fromEntries(content.trim().split("\n").map((line) => line.split(/=(.*)/s).slice(0, 2) as [string, string]));
}

/** The SSM parameters a node's scripts read: its secrets, and a slave's master address. */
export function parametersRead(instance: Registered): string[] {
    const userData = instance.inputs.userData;
    const secrets = writtenScriptParameters(userData, "/usr/local/sbin/new-api-start").SECRET_PARAMETERS.split("\n").map((line) => line.split(" ")[1]);
    const wait = writeFiles(userData)["/usr/local/sbin/new-api-wait-for-master"];
    return wait === undefined ? secrets : [...secrets, writtenScriptParameters(userData, wait.path).MASTER_ADDRESS_PARAMETER];
}

/** The secret lines of a node's env file, as its start script fills them in from SSM. */
export function secretsEnv(instance: Registered): string {
    return writtenScriptParameters(instance.inputs.userData, "/usr/local/sbin/new-api-start").SECRETS_ENV;
}
