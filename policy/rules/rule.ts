// What a policy rule is and what it sees (a stack's resources), and the two shapes most rules
// take: a check of each resource of one type, and the same check only in a protected stack.

/** A resource as a stack policy sees it. */
export interface StackResource {
    type: string;
    name: string;
    urn: string;
    props: Record<string, any>;
    /** Pulumi's `protect` option. */
    protect: boolean;
    /** For each property, the URNs of the resources its value came from. */
    propertyDependencies: Record<string, string[]>;
}

export interface Violation {
    message: string;
    urn: string;
}

export interface Rule {
    name: string;
    description: string;
    enforcementLevel: "mandatory" | "advisory";
    check(stack: StackResource[]): Violation[];
}

export const TYPES = {
    rds: "aws:rds/instance:Instance",
    rdsParameterGroup: "aws:rds/parameterGroup:ParameterGroup",
    cache: "aws:elasticache/replicationGroup:ReplicationGroup",
    alb: "aws:lb/loadBalancer:LoadBalancer",
    listener: "aws:lb/listener:Listener",
    instance: "aws:ec2/instance:Instance",
    securityGroup: "aws:ec2/securityGroup:SecurityGroup",
    ingressRule: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    egressRule: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    randomPassword: "random:index/randomPassword:RandomPassword",
    parameter: "aws:ssm/parameter:Parameter",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    listenerRule: "aws:lb/listenerRule:ListenerRule",
    topic: "aws:sns/topic:Topic",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
} as const;

/** The stack's resources of one type. */
export const ofType = (stack: StackResource[], type: string) => stack.filter((r) => r.type === type);

/** A stack is protected when its database is: `protect: true` sets Pulumi's protect on it. */
export function isProtectedStack(stack: StackResource[]): boolean {
    return ofType(stack, TYPES.rds).some((r) => r.protect);
}

/** A rule that checks each resource of one type: `problem` says what is wrong, or nothing. */
export function perResource(
    name: string,
    description: string,
    type: string,
    problem: (props: Record<string, any>, stack: StackResource[]) => string | undefined,
    enforcementLevel: Rule["enforcementLevel"] = "mandatory",
): Rule {
    return {
        name,
        description,
        enforcementLevel,
        check: (stack) =>
            ofType(stack, type).flatMap((r) => {
                const message = problem(r.props, stack);
                return message ? [{ message: `${r.name}: ${message}`, urn: r.urn }] : [];
            }),
    };
}

/** The same check, only in a protected stack. */
export function whenProtected(
    name: string,
    description: string,
    type: string,
    problem: (props: Record<string, any>) => string | undefined,
): Rule {
    return perResource(name, description, type, (props, stack) => (isProtectedStack(stack) ? problem(props) : undefined));
}
