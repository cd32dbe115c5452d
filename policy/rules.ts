// The security and reliability bar of a New API cluster on AWS, as pure checks over the
// resources of a stack. policy/index.ts serves them as a Pulumi policy pack; the tests run
// the same checks offline against what the program registers under mocks.
import * as YAML from "yaml";
import { SETUP_PATH } from "../components/environment";
import { ADMIN_PASSWORD_PARAMETER } from "../components/naming";
import { CACHE, CacheEngine, defaultCacheParameterGroup } from "../components/versions";

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


const ofType = (stack: StackResource[], type: string) => stack.filter((r) => r.type === type);

/** Whether a key reference names the AWS managed key of a service (alias/aws/ssm, or its alias ARN). */
const isAwsManagedKey = (key: unknown, service: string) => new RegExp(`(^|:)alias/aws/${service}$`).test(String(key));

/** A stack is protected when its database is: `protect: true` sets Pulumi's protect on it. */
export function isProtectedStack(stack: StackResource[]): boolean {
    return ofType(stack, TYPES.rds).some((r) => r.protect);
}

/** A rule that checks each resource of one type: `problem` says what is wrong, or nothing. */
function perResource(
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
function whenProtected(
    name: string,
    description: string,
    type: string,
    problem: (props: Record<string, any>) => string | undefined,
): Rule {
    return perResource(name, description, type, (props, stack) => (isProtectedStack(stack) ? problem(props) : undefined));
}

function parameterMap(props: Record<string, any>): Record<string, string> {
    return Object.fromEntries(((props.parameters ?? []) as { name: string; value: string }[]).map((p) => [p.name, String(p.value)]));
}

const isMysqlParameterGroup = (props: Record<string, any>) => String(props.family ?? "").startsWith("mysql");

/** Files a cloud-config userData writes, by path; empty when it is not cloud-config. */
function userDataFiles(userData: unknown): Record<string, string> {
    if (typeof userData !== "string" || !userData.startsWith("#cloud-config")) {
        return {};
    }
    const doc = YAML.parse(userData) as { write_files?: { path: string; content: string }[] };
    return Object.fromEntries((doc.write_files ?? []).map((f) => [f.path, f.content]));
}

function nodeEnvironment(props: Record<string, any>): Record<string, string> {
    const content = userDataFiles(props.userData)["/etc/new-api/node.env"] ?? "";
    return Object.fromEntries(
        content
            .split("\n")
            .filter((line) => line.includes("="))
            .map((line) => line.split(/=(.*)/s).slice(0, 2) as [string, string]),
    );
}

/**
 * The secret SSM parameters a node's start script reads: its SECRET_PARAMETERS, one
 * "placeholder parameter" line per secret (components/scripts/start.sh).
 */
function secretParametersRead(props: Record<string, any>): string[] {
    const script = userDataFiles(props.userData)["/usr/local/sbin/new-api-start"] ?? "";
    const table = /^SECRET_PARAMETERS='([^']*)'$/m.exec(script)?.[1] ?? "";
    return table
        .split("\n")
        .map((line) => line.split(" ")[1])
        .filter((p) => p !== undefined)
        .sort();
}

const roleOf = (props: Record<string, any>): string | undefined => props.tags?.["new-api:role"];

const ADMIN_PASSWORD_LEAF = `/${ADMIN_PASSWORD_PARAMETER}`;

/** The stack's generated secrets: what random.RandomPassword made, and what SecureStrings hold. */
function generatedSecrets(stack: StackResource[]): string[] {
    return [
        ...ofType(stack, TYPES.randomPassword).map((r) => r.props.result),
        ...ofType(stack, TYPES.parameter).filter((r) => r.props.type === "SecureString").map((r) => r.props.value),
    ].filter((v): v is string => typeof v === "string" && v.length >= 8);
}

/** The AWS inputs that hold a generated secret by design (Pulumi keeps them secret), by resource type. */
const SECRET_HOLDERS: [string, string[]][] = [
    [TYPES.parameter, ["value"]],
    [TYPES.rds, ["password"]],
    [TYPES.cache, ["authToken"]],
];

function withoutSecretProps(resource: StackResource): Record<string, any> {
    const held = SECRET_HOLDERS.find(([type]) => type === resource.type)?.[1] ?? [];
    // A SecureString's value is secret; a String parameter's is not.
    const secret = resource.type === TYPES.parameter && resource.props.type !== "SecureString" ? [] : held;
    return Object.fromEntries(Object.entries(resource.props).filter(([key]) => !secret.includes(key)));
}

/** Spellings of the setup path that New API's router decodes to it. */
const SETUP_SPELLINGS = [SETUP_PATH, SETUP_PATH.replace("/setup", "/%73etup"), SETUP_PATH.replace("/setup", "%2Fsetup")];

/** Whether a listener rule answers every spelling of the setup path itself (a fixed response). */
function refusesSetup(props: Record<string, any>): boolean {
    const fixed = (props.actions ?? []).some((a: { type?: string }) => a.type === "fixed-response");
    const patterns = ((props.conditions ?? []) as { pathPattern?: { values?: string[]; regexValues?: string[] } }[]).flatMap((c) => [
        ...(c.pathPattern?.regexValues ?? []).map((re) => new RegExp(re)),
        ...(c.pathPattern?.values ?? []).map((glob) => new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`)),
    ]);
    return fixed && SETUP_SPELLINGS.every((spelling) => patterns.some((re) => re.test(spelling)));
}

/** The resources an instance's role may read from Parameter Store: instance -> profile -> role -> inline policies. */
function parameterReadsOf(stack: StackResource[], instance: StackResource): string[] {
    const byUrn = new Map(stack.map((r) => [r.urn, r]));
    const profile = byUrn.get(instance.propertyDependencies.iamInstanceProfile?.[0] ?? "");
    const role = profile?.propertyDependencies.role?.[0];
    if (role === undefined) {
        return [];
    }
    return ofType(stack, TYPES.rolePolicy)
        .filter((p) => p.propertyDependencies.role?.includes(role))
        .flatMap((p) => {
            const statements = (JSON.parse(String(p.props.policy ?? "{}")).Statement ?? []) as { Effect?: string; Action?: string | string[]; Resource?: string | string[] }[];
            return statements
                .filter((s) => s.Effect === "Allow" && [s.Action ?? []].flat().some((a) => a === "*" || a.startsWith("ssm:Get") || a === "ssm:*"))
                .flatMap((s) => [s.Resource ?? []].flat());
        });
}

/** Ingress rules (standalone or inline) with the URN of the security group they open. */
function ingressRules(stack: StackResource[]): { rule: Record<string, any>; groupUrn: string; urn: string; name: string }[] {
    const standalone = ofType(stack, TYPES.ingressRule).map((r) => ({
        rule: r.props,
        groupUrn: r.propertyDependencies.securityGroupId?.[0] ?? "",
        urn: r.urn,
        name: r.name,
    }));
    const inline = ofType(stack, TYPES.securityGroup).flatMap((g) =>
        ((g.props.ingress ?? []) as Record<string, any>[]).map((rule) => ({ rule, groupUrn: g.urn, urn: g.urn, name: g.name })),
    );
    return [...standalone, ...inline];
}

const dependencyUrns = (stack: StackResource[], type: string, property: string) =>
    new Set(ofType(stack, type).flatMap((r) => r.propertyDependencies[property] ?? []));

const opensToWorld = (rule: Record<string, any>) =>
    rule.cidrIpv4 === "0.0.0.0/0" || rule.cidrIpv6 === "::/0" || (rule.cidrBlocks ?? []).includes("0.0.0.0/0");

/**
 * Looks like a credential: a password given literally (not read from a variable or command),
 * an AWS access key id, or an AWS secret key setting.
 */
const SECRET_PATTERNS = [/password\s*[=:]\s*["']?(?![$"'])[^\s"'$]{4,}/i, /\bAKIA[0-9A-Z]{16}\b/, /aws_secret_access_key/i];

export const RULES: Rule[] = [
    // RDS
    perResource("rds-storage-encrypted", "RDS storage is encrypted at rest.", TYPES.rds, (p) =>
        p.storageEncrypted === true ? undefined : "storage is not encrypted; set storageEncrypted: true",
    ),
    perResource("rds-not-publicly-accessible", "RDS is reachable only inside the VPC.", TYPES.rds, (p) =>
        p.publiclyAccessible === true ? "is publicly accessible; set publiclyAccessible: false" : undefined,
    ),
    perResource("rds-backup-retention", "RDS keeps automated backups for at least 7 days.", TYPES.rds, (p) =>
        (p.backupRetentionPeriod ?? 0) >= 7
            ? undefined
            : `keeps backups ${p.backupRetentionPeriod ?? 0} days; set new-api-cluster:dbBackupRetentionDays to 7 or more`,
    ),
    whenProtected(
        "rds-protected-multi-az",
        "In a protected stack, RDS runs Multi-AZ with deletion protection.",
        TYPES.rds,
        (p) =>
            p.multiAz !== true
                ? "the stack is protected but the database is single-AZ; set new-api-cluster:dbMultiAz true"
                : p.deletionProtection !== true
                  ? "the stack is protected but the database has no deletion protection; set deletionProtection: true"
                  : undefined,
    ),
    perResource("rds-utf8mb4", "MySQL parameter groups make the server utf8mb4 (New API panics otherwise).", TYPES.rdsParameterGroup, (p) => {
        if (!isMysqlParameterGroup(p)) {
            return undefined;
        }
        const params = parameterMap(p);
        return params.character_set_server === "utf8mb4" && String(params.collation_server ?? "").startsWith("utf8mb4_")
            ? undefined
            : "does not set character_set_server=utf8mb4 and collation_server=utf8mb4_*; New API refuses to start on other charsets";
    }),
    perResource("rds-secure-transport", "MySQL refuses connections without TLS (require_secure_transport).", TYPES.rdsParameterGroup, (p) =>
        !isMysqlParameterGroup(p) || ["1", "ON"].includes(parameterMap(p).require_secure_transport ?? "")
            ? undefined
            : "does not set require_secure_transport=1: passwords and API keys would cross the VPC in clear",
    ),
    perResource("rds-auto-minor-version-upgrade", "RDS takes minor (security) versions automatically.", TYPES.rds, (p) =>
        p.autoMinorVersionUpgrade === false ? "has automatic minor version upgrades off; set autoMinorVersionUpgrade: true" : undefined,
    ),

    // ElastiCache
    perResource(
        "cache-engine-version",
        "The cache runs Valkey or Redis OSS at a version ElastiCache offers, with that engine's default parameter group.",
        TYPES.cache,
        (p) => {
            const engine = String(p.engine ?? "redis") as CacheEngine;
            if (!(engine in CACHE)) {
                return `runs engine ${engine}; New API's single-node client needs valkey or redis`;
            }
            const lines = Object.keys(CACHE[engine].lines);
            if (!lines.includes(String(p.engineVersion))) {
                return `runs ${engine} ${p.engineVersion}, a version the stack does not offer for ${engine} (${lines.join(", ")})`;
            }
            const expected = defaultCacheParameterGroup(engine, String(p.engineVersion));
            return p.parameterGroupName === expected ? undefined : `uses parameter group ${p.parameterGroupName} with ${engine} ${p.engineVersion}, whose default is ${expected}`;
        },
    ),
    perResource("cache-encryption", "The cache encrypts data at rest and in transit.", TYPES.cache, (p) =>
        p.atRestEncryptionEnabled === true && p.transitEncryptionEnabled === true
            ? undefined
            : "is not encrypted at rest and in transit; set atRestEncryptionEnabled and transitEncryptionEnabled to true",
    ),
    perResource("cache-auth-token", "The cache requires an AUTH token.", TYPES.cache, (p) =>
        p.authToken ? undefined : "has no AUTH token; set authToken (it needs transitEncryptionEnabled)",
    ),
    perResource("cache-failover", "A cache of 2 or more nodes fails over automatically across AZs.", TYPES.cache, (p) =>
        (p.numCacheClusters ?? 1) >= 2 && !(p.automaticFailoverEnabled === true && p.multiAzEnabled === true)
            ? "has replicas but no automatic failover across AZs; set automaticFailoverEnabled and multiAzEnabled to true"
            : undefined,
    ),
    whenProtected("cache-protected-snapshots", "In a protected stack, the cache keeps daily snapshots.", TYPES.cache, (p) =>
        (p.snapshotRetentionLimit ?? 0) >= 1
            ? undefined
            : "the stack is protected but the cache keeps no snapshots; set snapshotRetentionLimit to 1 or more",
    ),

    // Load balancer
    perResource("alb-drop-invalid-headers", "The ALB drops invalid HTTP header fields (request smuggling).", TYPES.alb, (p) =>
        p.dropInvalidHeaderFields === true ? undefined : "keeps invalid header fields; set dropInvalidHeaderFields: true",
    ),
    whenProtected("alb-protected-deletion-protection", "In a protected stack, the ALB has deletion protection.", TYPES.alb, (p) =>
        p.enableDeletionProtection === true
            ? undefined
            : "the stack is protected but the load balancer has no deletion protection; set enableDeletionProtection: true",
    ),
    {
        name: "alb-https-when-certificate",
        description: "With a certificate, listeners use TLS 1.2+ and port 80 only redirects to HTTPS.",
        enforcementLevel: "mandatory",
        check: (stack) => {
            const listeners = ofType(stack, TYPES.listener);
            if (!listeners.some((l) => l.props.certificateArn)) {
                return [];
            }
            return listeners.flatMap((l) => {
                if (l.props.protocol === "HTTPS" && !/TLS13|TLS-1-2/.test(String(l.props.sslPolicy ?? ""))) {
                    return [{ message: `${l.name}: HTTPS policy ${l.props.sslPolicy} allows TLS below 1.2; use ELBSecurityPolicy-TLS13-1-2-2021-06`, urn: l.urn }];
                }
                const redirects = (l.props.defaultActions ?? []).every((a: any) => a.type === "redirect" && a.redirect?.protocol === "HTTPS");
                if (l.props.protocol === "HTTP" && !redirects) {
                    return [{ message: `${l.name}: a certificate is configured but port ${l.props.port} serves plain HTTP; redirect it to HTTPS`, urn: l.urn }];
                }
                return [];
            });
        },
    },
    {
        name: "alb-https",
        description: "The ALB serves HTTPS (configure a certificate); in a protected stack alb-https-when-protected requires it.",
        enforcementLevel: "advisory",
        check: (stack) =>
            !isProtectedStack(stack) && ofType(stack, TYPES.alb).length > 0 && !ofType(stack, TYPES.listener).some((l) => l.props.protocol === "HTTPS")
                ? ofType(stack, TYPES.alb).map((a) => ({
                      message: `${a.name}: serves plain HTTP only; API keys cross the internet in clear. Configure a certificate`,
                      urn: a.urn,
                  }))
                : [],
    },
    {
        name: "alb-setup-refused",
        description: "Every listener that forwards refuses New API's setup wizard (/api/setup), however it is spelled.",
        enforcementLevel: "mandatory",
        check: (stack) =>
            ofType(stack, TYPES.listener)
                .filter((l) => (l.props.defaultActions ?? []).some((a: { type?: string }) => a.type === "forward"))
                .filter((l) => !ofType(stack, TYPES.listenerRule).some((r) => r.propertyDependencies.listenerArn?.includes(l.urn) && refusesSetup(r.props)))
                .map((l) => ({
                    message: `${l.name}: forwards ${SETUP_PATH} to New API, where the first caller creates the root user; add a rule that answers it with a fixed response`,
                    urn: l.urn,
                })),
    },
    {
        name: "alb-https-when-protected",
        description: "In a protected stack, the ALB serves HTTPS.",
        enforcementLevel: "mandatory",
        check: (stack) =>
            isProtectedStack(stack) && !ofType(stack, TYPES.listener).some((l) => l.props.protocol === "HTTPS")
                ? ofType(stack, TYPES.alb).map((a) => ({
                      message: `${a.name}: a protected stack serves plain HTTP; set new-api-cluster:certificateArn, or domainName with hostedZoneId`,
                      urn: a.urn,
                  }))
                : [],
    },
    perResource(
        "alb-access-logs",
        "The ALB writes access logs; in a protected stack alb-access-logs-when-protected requires it.",
        TYPES.alb,
        (p, stack) =>
            isProtectedStack(stack) || p.accessLogs?.enabled === true
                ? undefined
                : "writes no access logs; set new-api-cluster:albAccessLogs true",
        "advisory",
    ),
    // AWSGuard knows the access-log check only under the classic ELB's type names.
    whenProtected("alb-access-logs-when-protected", "In a protected stack, the ALB writes access logs.", TYPES.alb, (p) =>
        p.accessLogs?.enabled === true
            ? undefined
            : "the stack is protected but the load balancer writes no access logs; set new-api-cluster:albAccessLogs true",
    ),

    // EC2
    perResource("ec2-imdsv2", "Instances require IMDSv2 tokens.", TYPES.instance, (p) =>
        p.metadataOptions?.httpTokens === "required" ? undefined : "allows IMDSv1; set metadataOptions.httpTokens: required",
    ),
    perResource(
        "ec2-imds-hop-limit-1",
        "The instance metadata service answers the host only (hop limit 1): nothing in a container reaches the instance role.",
        TYPES.instance,
        (p) =>
            p.metadataOptions?.httpPutResponseHopLimit === 1
                ? undefined
                : `lets containers reach the instance role's credentials (IMDS hop limit ${p.metadataOptions?.httpPutResponseHopLimit ?? "default"}); set metadataOptions.httpPutResponseHopLimit: 1`,
    ),
    perResource("ec2-root-volume-encrypted", "Instance root volumes are encrypted.", TYPES.instance, (p) =>
        p.rootBlockDevice?.encrypted === true ? undefined : "has an unencrypted root volume; set rootBlockDevice.encrypted: true",
    ),
    perResource("ec2-no-public-ip", "Instances have no public IP.", TYPES.instance, (p) =>
        p.associatePublicIpAddress === true ? "gets a public IP; set associatePublicIpAddress: false" : undefined,
    ),
    perResource("ec2-no-key-pair", "Instances have no SSH key pair (use SSM Session Manager).", TYPES.instance, (p) =>
        p.keyName ? `has key pair ${p.keyName}; remove keyName and connect with SSM Session Manager` : undefined,
    ),
    perResource("ec2-no-secrets-in-user-data", "userData, which EC2 shows in clear text, holds no secret.", TYPES.instance, (p, stack) => {
        const userData = String(p.userData ?? "");
        if (generatedSecrets(stack).some((secret) => userData.includes(secret))) {
            return "userData contains a generated secret; nodes must read secrets from SSM at boot";
        }
        const pattern = SECRET_PATTERNS.find((re) => re.test(userData));
        return pattern ? `userData matches ${pattern}; move the secret to SSM Parameter Store` : undefined;
    }),
    {
        name: "secrets-only-where-secret",
        description: "A generated secret appears only in the inputs that hold it as a secret (SecureString values, the database password, the Redis token).",
        enforcementLevel: "mandatory",
        check: (stack) => {
            const secrets = generatedSecrets(stack);
            // AWS resources (the local target keeps secrets in container environments by design);
            // instances' userData has its own rule, ec2-no-secrets-in-user-data.
            return stack
                .filter((r) => r.type.startsWith("aws:") && r.type !== TYPES.instance)
                .map((r) => ({ ...r, props: withoutSecretProps(r) }))
                .filter((r) => secrets.some((secret) => JSON.stringify(r.props).includes(secret)))
                .map((r) => ({ message: `${r.name}: holds a generated secret in a plain input or output; keep secrets in SSM SecureString and secret inputs`, urn: r.urn }));
        },
    },
    perResource("ec2-instance-profile", "Instances have an instance profile (for SSM and their secrets).", TYPES.instance, (p) =>
        p.iamInstanceProfile ? undefined : "has no instance profile; set iamInstanceProfile",
    ),

    // Encryption with the cluster's KMS key
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

    // Security groups
    {
        name: "sg-no-open-ingress",
        description: "Nothing is open to the internet except 80/443 on the load balancer's group.",
        enforcementLevel: "mandatory",
        check: (stack) => {
            const albGroups = dependencyUrns(stack, TYPES.alb, "securityGroups");
            return ingressRules(stack)
                .filter(({ rule }) => opensToWorld(rule))
                .filter(({ rule, groupUrn }) => {
                    const webPort = [80, 443].includes(rule.fromPort) && rule.fromPort === rule.toPort;
                    return !(webPort && albGroups.has(groupUrn));
                })
                .map(({ rule, name, urn }) => ({
                    message: `${name}: opens ${rule.fromPort}-${rule.toPort} to the internet; only the load balancer's 80/443 may be`,
                    urn,
                }));
        },
    },
    {
        name: "sg-data-tiers-from-nodes-only",
        description: "The database and cache groups admit only the nodes' group.",
        enforcementLevel: "mandatory",
        check: (stack) => {
            const dataGroups = new Set([
                ...dependencyUrns(stack, TYPES.rds, "vpcSecurityGroupIds"),
                ...dependencyUrns(stack, TYPES.cache, "securityGroupIds"),
            ]);
            const nodeGroups = dependencyUrns(stack, TYPES.instance, "vpcSecurityGroupIds");
            return ofType(stack, TYPES.ingressRule)
                .filter((r) => dataGroups.has(r.propertyDependencies.securityGroupId?.[0] ?? ""))
                .filter((r) => {
                    const source = r.propertyDependencies.referencedSecurityGroupId ?? [];
                    const cidr = r.props.cidrIpv4 ?? r.props.cidrIpv6 ?? r.props.prefixListId;
                    return cidr !== undefined || source.length === 0 || !source.every((u) => nodeGroups.has(u));
                })
                .map((r) => ({ message: `${r.name}: admits a source other than the nodes' security group`, urn: r.urn }));
        },
    },
    {
        name: "sg-descriptions",
        description: "Every security group and rule says why it exists.",
        enforcementLevel: "mandatory",
        check: (stack) =>
            [...ofType(stack, TYPES.securityGroup), ...ofType(stack, TYPES.ingressRule), ...ofType(stack, TYPES.egressRule)]
                .filter((r) => !String(r.props.description ?? "").trim())
                .map((r) => ({ message: `${r.name}: has no description; say what it admits and why`, urn: r.urn })),
    },

    // Stack
    {
        name: "nodes-same-secrets",
        description: "Every node reads the same secret parameters (SESSION_SECRET and CRYPTO_SECRET must match).",
        enforcementLevel: "mandatory",
        check: (stack) => {
            const nodes = ofType(stack, TYPES.instance).filter((r) => roleOf(r.props) !== undefined);
            const master = nodes.find((r) => roleOf(r.props) === "master") ?? nodes[0];
            if (!master) {
                return [];
            }
            const expected = secretParametersRead(master.props).join(",");
            return nodes
                .filter((r) => secretParametersRead(r.props).join(",") !== expected || expected === "")
                .map((r) => ({
                    message: `${r.name}: reads secret parameters [${secretParametersRead(r.props).join(", ")}], the master [${expected}]; every node must read the same`,
                    urn: r.urn,
                }));
        },
    },
    {
        name: "slaves-no-admin-password",
        description: "A slave's instance role cannot read the root user's password (admin-password).",
        enforcementLevel: "mandatory",
        check: (stack) =>
            ofType(stack, TYPES.instance)
                .filter((r) => roleOf(r.props) === "slave")
                .flatMap((r) => {
                    const readable = parameterReadsOf(stack, r).filter(
                        (resource) => resource === "*" || resource.endsWith(ADMIN_PASSWORD_LEAF) || /\/\*$/.test(resource),
                    );
                    return readable.length === 0
                        ? []
                        : [{ message: `${r.name}: its instance role may read the root user's password (${readable.join(", ")}); give slaves a role that reads only their own parameters`, urn: r.urn }];
                }),
    },
    {
        name: "node-type",
        description: "The master is never NODE_TYPE=slave, and every slave is.",
        enforcementLevel: "mandatory",
        check: (stack) =>
            ofType(stack, TYPES.instance).flatMap((r) => {
                const role = roleOf(r.props);
                const nodeType = nodeEnvironment(r.props).NODE_TYPE;
                if (role === "master" && nodeType === "slave") {
                    return [{ message: `${r.name}: the master has NODE_TYPE=slave; it would skip migrations and background jobs`, urn: r.urn }];
                }
                if (role === "slave" && nodeType !== "slave") {
                    return [{ message: `${r.name}: a slave without NODE_TYPE=slave runs as a second master`, urn: r.urn }];
                }
                return [];
            }),
    },
];
