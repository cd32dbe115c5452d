// Each rule of the policy pack on its boundary cases: for every rule, inputs that pass and inputs
// that fail, differing in one value. Pure: no program run (test/policy.test.ts runs the pack on
// what the program registers).
import * as YAML from "yaml";
import { RULES, StackResource, TYPES } from "../policy/rules";

const urnOf = (type: string, name: string) => `urn:pulumi:dev::new-api-cluster::${type}::${name}`;

function resource(type: string, name: string, props: Record<string, any>, extra: Partial<StackResource> = {}): StackResource {
    return { type, name, urn: urnOf(type, name), props, protect: false, propertyDependencies: {}, ...extra };
}

/** A database that makes the stack protected (or not). */
const database = (protect: boolean, props: Record<string, any> = {}) =>
    resource(TYPES.rds, "db", { storageEncrypted: true, backupRetentionPeriod: 7, multiAz: true, deletionProtection: true, ...props }, { protect });

/** cloud-config userData writing the node's environment and start script. */
function userData(env: string, start = "SECRET_PARAMETERS='session_secret /new-api/c/session-secret\ncrypto_secret /new-api/c/crypto-secret'\n"): string {
    const files = [
        { path: "/etc/new-api/node.env", content: env },
        { path: "/usr/local/sbin/new-api-start", content: start },
    ];
    return `#cloud-config\n${YAML.stringify({ write_files: files })}`;
}

const instance = (name: string, props: Record<string, any>, extra: Partial<StackResource> = {}) =>
    resource(TYPES.instance, name, { tags: { "new-api:role": name.startsWith("slave") ? "slave" : "master" }, ...props }, extra);

/** The fields every instance rule looks at, set right. */
const GOOD_INSTANCE = {
    metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 },
    rootBlockDevice: { encrypted: true },
    associatePublicIpAddress: false,
    iamInstanceProfile: "profile",
    userData: userData("NODE_TYPE=master\n"),
};

const albGroup = resource(TYPES.securityGroup, "alb-sg", { description: "ALB" });
const nodeGroup = resource(TYPES.securityGroup, "nodes-sg", { description: "nodes" });
const alb = (props: Record<string, any> = {}) =>
    resource(TYPES.alb, "alb", { dropInvalidHeaderFields: true, ...props }, { propertyDependencies: { securityGroups: [albGroup.urn] } });
const ingress = (group: StackResource, rule: Record<string, any>, source?: StackResource) =>
    resource(TYPES.ingressRule, "rule", { description: "why", ipProtocol: "tcp", ...rule }, {
        propertyDependencies: { securityGroupId: [group.urn], ...(source ? { referencedSecurityGroupId: [source.urn] } : {}) },
    });
const openIngress = (group: StackResource, fromPort: number, toPort: number, cidr: Record<string, any> = { cidrIpv4: "0.0.0.0/0" }) => [
    albGroup,
    nodeGroup,
    alb(),
    ingress(group, { fromPort, toPort, ...cidr }),
];

const dataGroup = resource(TYPES.securityGroup, "db-sg", { description: "db" });
const dataTier = (rule: Record<string, any>, source?: StackResource) => [
    resource(TYPES.rds, "db", {}, { propertyDependencies: { vpcSecurityGroupIds: [dataGroup.urn] } }),
    instance("master", {}, { propertyDependencies: { vpcSecurityGroupIds: [nodeGroup.urn] } }),
    ingress(dataGroup, { fromPort: 3306, toPort: 3306, ...rule }, source),
];

const mysqlParams = (parameters: Record<string, string>, family = "mysql8.0") =>
    resource(TYPES.rdsParameterGroup, "db-params", {
        family,
        parameters: Object.entries(parameters).map(([name, value]) => ({ name, value })),
    });
const GOOD_PARAMS = { character_set_server: "utf8mb4", collation_server: "utf8mb4_unicode_ci", require_secure_transport: "1" };

const CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/abc";
const listener = (name: string, props: Record<string, any>) => resource(TYPES.listener, name, props);
const FORWARD = [{ type: "forward" }];
const REDIRECT_TO_HTTPS = [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443" } }];
const https = (sslPolicy: string) => listener("https", { protocol: "HTTPS", port: 443, certificateArn: CERTIFICATE, sslPolicy, defaultActions: FORWARD });

const forwarding = listener("http", { protocol: "HTTP", port: 80, defaultActions: FORWARD });
const setupRule = (actions: Record<string, any>[], pathPattern: Record<string, string[]>) =>
    resource(TYPES.listenerRule, "refuse-setup", { actions, conditions: [{ pathPattern }] }, { propertyDependencies: { listenerArn: [forwarding.urn] } });
const FIXED = [{ type: "fixed-response" }];

const SECRET = "Secret0123456789abcdefGHIJKLmnop";
const password = resource(TYPES.randomPassword, "db-password", { length: 32, result: SECRET });
const SECOND_SECRET = "Second0123456789abcdefGHIJKLmnop";
const secondPassword = resource(TYPES.randomPassword, "session-secret", { length: 32, result: SECOND_SECRET });

const KEY = "arn:aws:kms:us-east-1:123456789012:key/0a1b2c3d-0a1b-0a1b-0a1b-0a1b2c3d4e5f";
const parameter = (props: Record<string, any>) => resource(TYPES.parameter, "param", { name: "/new-api/c/x", type: "SecureString", value: "v", keyId: KEY, ...props });

/** A node's role, its inline policy allowing `resources`, and the profile between them. */
function slaveWithRole(resources: string[], action = "ssm:GetParameters"): StackResource[] {
    const role = resource("aws:iam/role:Role", "slave-role", {});
    const profile = resource("aws:iam/instanceProfile:InstanceProfile", "slave-profile", {}, { propertyDependencies: { role: [role.urn] } });
    const policy = resource(TYPES.rolePolicy, "slave-policy", { policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: [action], Resource: resources }] }) }, {
        propertyDependencies: { role: [role.urn] },
    });
    return [role, profile, policy, instance("slave-0", { iamInstanceProfile: "p" }, { propertyDependencies: { iamInstanceProfile: [profile.urn] } })];
}
const SLAVE_PARAMETER = "arn:aws:ssm:us-east-1:123456789012:parameter/new-api/c/session-secret";

/** rule, the case, the stack, whether the rule reports a violation, and on which resource (default: the stack's last). */
type Case = [string, string, StackResource[], boolean, string?];

const CASES: Case[] = [
    ["rds-storage-encrypted", "encrypted", [database(false)], false],
    ["rds-storage-encrypted", "storageEncrypted unset", [database(false, { storageEncrypted: undefined })], true],
    ["rds-not-publicly-accessible", "publiclyAccessible false", [database(false, { publiclyAccessible: false })], false],
    ["rds-not-publicly-accessible", "publiclyAccessible true", [database(false, { publiclyAccessible: true })], true],
    ["rds-backup-retention", "7 days", [database(false, { backupRetentionPeriod: 7 })], false],
    ["rds-backup-retention", "6 days", [database(false, { backupRetentionPeriod: 6 })], true],
    ["rds-backup-retention", "unset", [database(false, { backupRetentionPeriod: undefined })], true],
    ["rds-protected-multi-az", "protected, Multi-AZ with deletion protection", [database(true)], false],
    ["rds-protected-multi-az", "protected, multiAz unset", [database(true, { multiAz: undefined })], true],
    ["rds-protected-multi-az", "protected, deletion protection off", [database(true, { deletionProtection: false })], true],
    ["rds-protected-multi-az", "not protected, single-AZ", [database(false, { multiAz: false, deletionProtection: false })], false],
    ["rds-utf8mb4", "utf8mb4 and a utf8mb4 collation", [mysqlParams(GOOD_PARAMS)], false],
    ["rds-utf8mb4", "a utf8 collation", [mysqlParams({ ...GOOD_PARAMS, collation_server: "utf8_general_ci" })], true],
    ["rds-utf8mb4", "character set utf8", [mysqlParams({ ...GOOD_PARAMS, character_set_server: "utf8" })], true],
    ["rds-utf8mb4", "character set unset", [mysqlParams({ collation_server: "utf8mb4_unicode_ci" })], true],
    ["rds-utf8mb4", "a PostgreSQL group", [mysqlParams({}, "postgres16")], false],
    ["rds-secure-transport", "require_secure_transport 1", [mysqlParams(GOOD_PARAMS)], false],
    ["rds-secure-transport", "require_secure_transport ON", [mysqlParams({ ...GOOD_PARAMS, require_secure_transport: "ON" })], false],
    ["rds-secure-transport", "require_secure_transport 0", [mysqlParams({ ...GOOD_PARAMS, require_secure_transport: "0" })], true],
    ["rds-secure-transport", "require_secure_transport unset", [mysqlParams({ character_set_server: "utf8mb4", collation_server: "utf8mb4_bin" })], true],
    ["rds-secure-transport", "a PostgreSQL group", [mysqlParams({}, "postgres16")], false],
    ["rds-auto-minor-version-upgrade", "unset (AWS's default: on)", [database(false)], false],
    ["rds-auto-minor-version-upgrade", "off", [database(false, { autoMinorVersionUpgrade: false })], true],

    ["cache-engine-version", "valkey 8.1, default.valkey8", [resource(TYPES.cache, "redis", { engine: "valkey", engineVersion: "8.1", parameterGroupName: "default.valkey8" })], false],
    ["cache-engine-version", "redis 6.2, default.redis6.x", [resource(TYPES.cache, "redis", { engine: "redis", engineVersion: "6.2", parameterGroupName: "default.redis6.x" })], false],
    ["cache-engine-version", "engine unset is redis (the provider's default)", [resource(TYPES.cache, "redis", { engineVersion: "7.1", parameterGroupName: "default.redis7" })], false],
    ["cache-engine-version", "valkey with redis's group", [resource(TYPES.cache, "redis", { engine: "valkey", engineVersion: "8.1", parameterGroupName: "default.redis7" })], true],
    ["cache-engine-version", "redis at a valkey version", [resource(TYPES.cache, "redis", { engine: "redis", engineVersion: "8.1", parameterGroupName: "default.redis8" })], true],
    ["cache-engine-version", "memcached", [resource(TYPES.cache, "redis", { engine: "memcached", engineVersion: "1.6", parameterGroupName: "default.memcached1.6" })], true],
    ["cache-encryption", "both on", [resource(TYPES.cache, "redis", { atRestEncryptionEnabled: true, transitEncryptionEnabled: true })], false],
    ["cache-encryption", "in transit unset", [resource(TYPES.cache, "redis", { atRestEncryptionEnabled: true })], true],
    ["cache-encryption", "at rest off", [resource(TYPES.cache, "redis", { atRestEncryptionEnabled: false, transitEncryptionEnabled: true })], true],
    ["cache-auth-token", "a token", [resource(TYPES.cache, "redis", { authToken: "t" })], false],
    ["cache-auth-token", "an empty token", [resource(TYPES.cache, "redis", { authToken: "" })], true],
    ["cache-failover", "2 nodes, failover across AZs", [resource(TYPES.cache, "redis", { numCacheClusters: 2, automaticFailoverEnabled: true, multiAzEnabled: true })], false],
    ["cache-failover", "2 nodes, multiAzEnabled unset", [resource(TYPES.cache, "redis", { numCacheClusters: 2, automaticFailoverEnabled: true })], true],
    ["cache-failover", "2 nodes, no automatic failover", [resource(TYPES.cache, "redis", { numCacheClusters: 2, multiAzEnabled: true })], true],
    ["cache-failover", "1 node, no failover", [resource(TYPES.cache, "redis", { numCacheClusters: 1 })], false],
    ["cache-protected-snapshots", "protected, 1 day", [database(true), resource(TYPES.cache, "redis", { snapshotRetentionLimit: 1 })], false],
    ["cache-protected-snapshots", "protected, 0 days", [database(true), resource(TYPES.cache, "redis", { snapshotRetentionLimit: 0 })], true],
    ["cache-protected-snapshots", "not protected, unset", [database(false), resource(TYPES.cache, "redis", {})], false],

    ["alb-drop-invalid-headers", "dropped", [alb()], false],
    ["alb-drop-invalid-headers", "unset", [alb({ dropInvalidHeaderFields: undefined })], true],
    ["alb-protected-deletion-protection", "protected, on", [database(true), alb({ enableDeletionProtection: true })], false],
    ["alb-protected-deletion-protection", "protected, unset", [database(true), alb()], true],
    ["alb-protected-deletion-protection", "not protected, unset", [database(false), alb()], false],
    ["alb-https-when-certificate", "TLS 1.3/1.2 policy, 80 redirects", [https("ELBSecurityPolicy-TLS13-1-2-2021-06"), listener("http", { protocol: "HTTP", port: 80, defaultActions: REDIRECT_TO_HTTPS })], false],
    ["alb-https-when-certificate", "a TLS 1.2 policy", [https("ELBSecurityPolicy-TLS-1-2-2017-01")], false],
    ["alb-https-when-certificate", "a policy allowing TLS 1.0", [https("ELBSecurityPolicy-2016-08")], true],
    ["alb-https-when-certificate", "sslPolicy unset", [https("")], true],
    ["alb-https-when-certificate", "80 forwards", [https("ELBSecurityPolicy-TLS13-1-2-2021-06"), listener("http", { protocol: "HTTP", port: 80, defaultActions: FORWARD })], true],
    ["alb-https-when-certificate", "80 redirects to HTTP", [https("ELBSecurityPolicy-TLS13-1-2-2021-06"), listener("http", { protocol: "HTTP", port: 80, defaultActions: [{ type: "redirect", redirect: { protocol: "HTTP" } }] })], true],
    ["alb-https-when-certificate", "no certificate: 80 may forward", [listener("http", { protocol: "HTTP", port: 80, defaultActions: FORWARD })], false],
    ["alb-https", "an HTTPS listener", [alb(), https("ELBSecurityPolicy-TLS13-1-2-2021-06")], false],
    ["alb-https", "HTTP only", [alb(), forwarding], true, "alb"],
    ["alb-https", "HTTPS, and HTTP that redirects to it", [alb(), https("ELBSecurityPolicy-TLS13-1-2-2021-06"), listener("http", { protocol: "HTTP", port: 80, defaultActions: REDIRECT_TO_HTTPS })], false],
    ["alb-https", "HTTP only, protected (alb-https-when-protected's case)", [database(true), alb(), forwarding], false],
    ["alb-setup-refused", "a fixed response for every spelling (globs)", [forwarding, setupRule(FIXED, { values: ["/api/setup", "/api/%73etup", "*%2Fsetup"] })], false],
    ["alb-setup-refused", "a fixed response for every spelling (a regex)", [forwarding, setupRule(FIXED, { regexValues: ["^/api(/|%2F)(s|%73)etup"] })], false],
    ["alb-setup-refused", "only /api/setup itself", [forwarding, setupRule(FIXED, { values: ["/api/setup", "/api/%73etup"] })], true, "http"],
    ["alb-setup-refused", "every spelling, but forwarded", [forwarding, setupRule(FORWARD, { values: ["/api/setup", "/api/%73etup", "*%2Fsetup"] })], true, "http"],
    ["alb-setup-refused", "no rule", [forwarding], true],
    ["alb-setup-refused", "a listener that only redirects", [listener("http", { protocol: "HTTP", port: 80, defaultActions: REDIRECT_TO_HTTPS })], false],
    ["alb-https-when-protected", "protected, HTTPS", [database(true), alb(), https("ELBSecurityPolicy-TLS13-1-2-2021-06")], false],
    ["alb-https-when-protected", "protected, HTTP only", [database(true), alb(), forwarding], true, "alb"],
    ["alb-https-when-protected", "protected, HTTPS and HTTP that redirects to it", [database(true), alb(), https("ELBSecurityPolicy-TLS13-1-2-2021-06"), listener("http", { protocol: "HTTP", port: 80, defaultActions: REDIRECT_TO_HTTPS })], false],
    ["alb-https-when-protected", "not protected, HTTP only", [database(false), alb(), forwarding], false],
    ["alb-access-logs", "enabled", [alb({ accessLogs: { enabled: true } })], false],
    ["alb-access-logs", "disabled", [alb({ accessLogs: { enabled: false } })], true],
    ["alb-access-logs", "disabled, protected (alb-access-logs-when-protected's case)", [database(true), alb({ accessLogs: { enabled: false } })], false],
    ["alb-access-logs-when-protected", "protected, enabled", [database(true), alb({ accessLogs: { enabled: true } })], false],
    ["alb-access-logs-when-protected", "protected, unset", [database(true), alb()], true],
    ["alb-access-logs-when-protected", "not protected, unset", [database(false), alb()], false],

    ["ec2-imdsv2", "tokens required", [instance("master", GOOD_INSTANCE)], false],
    ["ec2-imdsv2", "tokens optional", [instance("master", { ...GOOD_INSTANCE, metadataOptions: { httpTokens: "optional", httpPutResponseHopLimit: 1 } })], true],
    ["ec2-imdsv2", "httpTokens unset", [instance("master", { ...GOOD_INSTANCE, metadataOptions: { httpPutResponseHopLimit: 1 } })], true],
    ["ec2-imdsv2", "no metadataOptions", [instance("master", { ...GOOD_INSTANCE, metadataOptions: undefined })], true],
    ["ec2-imds-hop-limit-1", "hop limit 1", [instance("master", GOOD_INSTANCE)], false],
    ["ec2-imds-hop-limit-1", "hop limit 2", [instance("master", { ...GOOD_INSTANCE, metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 2 } })], true],
    ["ec2-imds-hop-limit-1", "hop limit unset", [instance("master", { ...GOOD_INSTANCE, metadataOptions: { httpTokens: "required" } })], true],
    ["ec2-imds-hop-limit-1", "no metadataOptions", [instance("master", { ...GOOD_INSTANCE, metadataOptions: undefined })], true],
    ["ec2-root-volume-encrypted", "encrypted", [instance("master", GOOD_INSTANCE)], false],
    ["ec2-root-volume-encrypted", "encrypted unset", [instance("master", { ...GOOD_INSTANCE, rootBlockDevice: {} })], true],
    ["ec2-root-volume-encrypted", "no rootBlockDevice", [instance("master", { ...GOOD_INSTANCE, rootBlockDevice: undefined })], true],
    ["ec2-no-public-ip", "no public IP", [instance("master", GOOD_INSTANCE)], false],
    ["ec2-no-public-ip", "a public IP", [instance("master", { ...GOOD_INSTANCE, associatePublicIpAddress: true })], true],
    ["ec2-no-key-pair", "no key pair", [instance("master", GOOD_INSTANCE)], false],
    ["ec2-no-key-pair", "a key pair", [instance("master", { ...GOOD_INSTANCE, keyName: "ops" })], true],
    ["ec2-no-secrets-in-user-data", "a password read from a variable", [password, instance("master", { ...GOOD_INSTANCE, userData: `${GOOD_INSTANCE.userData}# password="$DB_PASSWORD"\n` })], false],
    ["ec2-no-secrets-in-user-data", "a literal password", [password, instance("master", { ...GOOD_INSTANCE, userData: `${GOOD_INSTANCE.userData}# password=hunter2\n` })], true],
    ["ec2-no-secrets-in-user-data", "a generated secret", [password, instance("master", { ...GOOD_INSTANCE, userData: `${GOOD_INSTANCE.userData}# ${SECRET}\n` })], true],
    ["ec2-no-secrets-in-user-data", "an AWS access key id", [password, instance("master", { ...GOOD_INSTANCE, userData: `${GOOD_INSTANCE.userData}# AKIAABCDEFGHIJKLMNOP\n` })], true],
    ["ec2-no-secrets-in-user-data", "the second of two generated secrets", [password, secondPassword, instance("master", { ...GOOD_INSTANCE, userData: `${GOOD_INSTANCE.userData}# ${SECOND_SECRET}\n` })], true],
    ["ec2-no-secrets-in-user-data", "a String parameter's value (the master's address)", [parameter({ type: "String", value: "10.0.128.17", keyId: undefined }), instance("slave-0", { ...GOOD_INSTANCE, userData: `${GOOD_INSTANCE.userData}# 10.0.128.17\n` })], false],
    ["ec2-no-secrets-in-user-data", "a SecureString's value", [parameter({ value: SECRET }), instance("master", { ...GOOD_INSTANCE, userData: `${GOOD_INSTANCE.userData}# ${SECRET}\n` })], true],
    ["secrets-only-where-secret", "the database password holds it", [password, resource(TYPES.rds, "db", { password: SECRET })], false],
    ["secrets-only-where-secret", "a database tag holds it", [password, resource(TYPES.rds, "db", { tags: { hint: SECRET } })], true],
    ["secrets-only-where-secret", "a tag holds the second of two", [password, secondPassword, resource(TYPES.rds, "db", { tags: { hint: SECOND_SECRET } })], true],
    ["secrets-only-where-secret", "a SecureString holds it", [password, parameter({ value: SECRET })], false],
    ["secrets-only-where-secret", "a String parameter holds it", [password, parameter({ type: "String", value: SECRET })], true],
    ["secrets-only-where-secret", "the Redis token holds it", [password, resource(TYPES.cache, "redis", { authToken: SECRET })], false],
    ["secrets-only-where-secret", "the Redis description holds it", [password, resource(TYPES.cache, "redis", { description: SECRET })], true],
    ["secrets-only-where-secret", "an instance's userData (ec2-no-secrets-in-user-data's case)", [password, instance("master", { userData: SECRET })], false],
    ["ec2-instance-profile", "a profile", [instance("master", GOOD_INSTANCE)], false],
    ["ec2-instance-profile", "none", [instance("master", { ...GOOD_INSTANCE, iamInstanceProfile: undefined })], true],

    ["ssm-secrets-cmk", "the cluster's key", [parameter({})], false],
    ["ssm-secrets-cmk", "keyId unset", [parameter({ keyId: undefined })], true],
    ["ssm-secrets-cmk", "alias/aws/ssm", [parameter({ keyId: "alias/aws/ssm" })], true],
    ["ssm-secrets-cmk", "alias/aws/ssm by ARN", [parameter({ keyId: "arn:aws:kms:us-east-1:123456789012:alias/aws/ssm" })], true],
    ["ssm-secrets-cmk", "a String parameter without a key", [parameter({ type: "String", keyId: undefined })], false],
    ["sns-encrypted", "the cluster's key", [resource(TYPES.topic, "alerts", { kmsMasterKeyId: KEY })], false],
    ["sns-encrypted", "unset", [resource(TYPES.topic, "alerts", {})], true],
    ["sns-encrypted", "alias/aws/sns", [resource(TYPES.topic, "alerts", { kmsMasterKeyId: "alias/aws/sns" })], true],
    ["logs-encrypted", "a key", [resource(TYPES.logGroup, "logs", { kmsKeyId: KEY })], false],
    ["logs-encrypted", "unset", [resource(TYPES.logGroup, "logs", {})], true],

    ["sg-no-open-ingress", "443 to the world on the ALB's group", openIngress(albGroup, 443, 443), false],
    ["sg-no-open-ingress", "80 to the world on the ALB's group", openIngress(albGroup, 80, 80), false],
    ["sg-no-open-ingress", "80 to the world on ::/0 on the ALB's group", openIngress(albGroup, 80, 80, { cidrIpv6: "::/0" }), false],
    ["sg-no-open-ingress", "80-443 to the world on the ALB's group", openIngress(albGroup, 80, 443), true],
    ["sg-no-open-ingress", "a range over 3000 and 3306 to the world on the ALB's group", openIngress(albGroup, 443, 3306), true],
    ["sg-no-open-ingress", "a range over 3000 to ::/0 on the ALB's group", openIngress(albGroup, 80, 3000, { cidrIpv6: "::/0" }), true],
    ["sg-no-open-ingress", "443 to the world on the nodes' group", openIngress(nodeGroup, 443, 443), true],
    ["sg-no-open-ingress", "3000 to the VPC on the nodes' group", openIngress(nodeGroup, 3000, 3000, { cidrIpv4: "10.0.0.0/16" }), false],
    ["sg-no-open-ingress", "3306 to the world by an inline rule", [resource(TYPES.securityGroup, "db-sg", { description: "db", ingress: [{ fromPort: 3306, toPort: 3306, cidrBlocks: ["0.0.0.0/0"] }] })], true],
    ["sg-data-tiers-from-nodes-only", "from the nodes' group", dataTier({}, nodeGroup), false],
    ["sg-data-tiers-from-nodes-only", "from the ALB's group", dataTier({}, albGroup), true],
    ["sg-data-tiers-from-nodes-only", "from a CIDR", dataTier({ cidrIpv4: "10.0.0.0/16" }), true],
    ["sg-data-tiers-from-nodes-only", "from the nodes' group and a CIDR", dataTier({ cidrIpv4: "10.0.0.0/16" }, nodeGroup), true],
    ["sg-descriptions", "described", [resource(TYPES.egressRule, "egress", { description: "to the internet" })], false],
    ["sg-descriptions", "blank", [resource(TYPES.egressRule, "egress", { description: " " })], true],
    ["sg-descriptions", "a group without one", [resource(TYPES.securityGroup, "sg", {})], true],

    [
        "nodes-same-secrets",
        "the same parameters",
        [instance("master", { userData: userData("NODE_TYPE=master\n") }), instance("slave-0", { userData: userData("NODE_TYPE=slave\n") })],
        false,
    ],
    [
        "nodes-same-secrets",
        "a slave reads another",
        [instance("master", { userData: userData("NODE_TYPE=master\n") }), instance("slave-0", { userData: userData("NODE_TYPE=slave\n", "SECRET_PARAMETERS='session_secret /new-api/other/session-secret\ncrypto_secret /new-api/c/crypto-secret'\n") })],
        true,
    ],
    [
        "nodes-same-secrets",
        "a slave listed before the master reads another",
        [instance("slave-0", { userData: userData("NODE_TYPE=slave\n", "SECRET_PARAMETERS='session_secret /new-api/other/session-secret\ncrypto_secret /new-api/c/crypto-secret'\n") }), instance("master", { userData: userData("NODE_TYPE=master\n") })],
        true,
        "slave-0",
    ],
    ["nodes-same-secrets", "a master that reads none", [instance("master", { userData: userData("NODE_TYPE=master\n", "MASTER_ADDRESS_PARAMETER='/new-api/c/master-address'\n") })], true],
    ["slaves-no-admin-password", "its own parameters", slaveWithRole([SLAVE_PARAMETER]), false],
    ["slaves-no-admin-password", "the admin password", slaveWithRole([SLAVE_PARAMETER, SLAVE_PARAMETER.replace("session-secret", "admin-password")]), true],
    ["slaves-no-admin-password", "the cluster's path, by a wildcard", slaveWithRole([SLAVE_PARAMETER.replace("session-secret", "*")]), true],
    ["slaves-no-admin-password", "every resource", slaveWithRole(["*"]), true],
    ["slaves-no-admin-password", "ssm:* on the admin password", slaveWithRole([SLAVE_PARAMETER.replace("session-secret", "admin-password")], "ssm:*"), true],
    ["slaves-no-admin-password", "a write, not a read, on the admin password", slaveWithRole([SLAVE_PARAMETER.replace("session-secret", "admin-password")], "ssm:PutParameter"), false],
    ["node-type", "a slave with NODE_TYPE=slave", [instance("slave-0", { userData: userData("NODE_TYPE=slave\n") })], false],
    ["node-type", "a slave without NODE_TYPE", [instance("slave-0", { userData: userData("TZ=UTC\n") })], true],
    ["node-type", "a slave with NODE_TYPE=master", [instance("slave-0", { userData: userData("NODE_TYPE=master\n") })], true],
    ["node-type", "an instance that is no node (no role tag)", [resource(TYPES.instance, "bastion", { userData: userData("TZ=UTC\n") })], false],
    ["node-type", "a master without NODE_TYPE", [instance("master", { userData: userData("TZ=UTC\n") })], false],
    ["node-type", "a master with NODE_TYPE=slave", [instance("master", { userData: userData("NODE_TYPE=slave\n") })], true],
];

const ruleNamed = (name: string) => {
    const rule = RULES.find((r) => r.name === name);
    if (!rule) {
        throw new Error(`no rule ${name}`);
    }
    return rule;
};

describe("each policy rule on its boundary cases", () => {
    test.each(CASES)("%s: %s", (name, _, stack, fails, offender = stack[stack.length - 1].name) => {
        const violations = ruleNamed(name).check(stack);
        if (fails) {
            expect(violations).toEqual([{ urn: stack.find((r) => r.name === offender)?.urn, message: expect.stringMatching(new RegExp(`^${offender}: \\S`)) }]);
        } else {
            expect(violations).toEqual([]);
        }
    });

    test("every rule has a passing and a failing case", () => {
        const outcomes = (fails: boolean) => new Set(CASES.filter((c) => c[3] === fails).map((c) => c[0]));
        const [passing, failing] = [outcomes(false), outcomes(true)];
        expect(RULES.map((r) => r.name).filter((name) => !passing.has(name) || !failing.has(name))).toEqual([]);
    });
});
