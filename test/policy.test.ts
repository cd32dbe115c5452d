// The policy pack, run offline: its policies get what the program registers under mocks, in
// the shape the Pulumi engine hands a stack policy.
import { PolicyResource, StackValidationArgs } from "@pulumi/policy";
import * as fs from "fs";
import * as path from "path";
import { policies } from "../policy/policies";
import { RULES } from "../policy/rules";
import { ProgramRun, mockSecret, mockState, program, unwrapSecrets } from "./harness";

/** The stack as a stack policy sees it: every resource's properties, options and dependencies. */
function policyResources(run: ProgramRun): PolicyResource[] {
    const byUrn = new Map<string, PolicyResource>();
    const resources = run.resources.map((r) => {
        const resource = {
            type: r.type,
            name: r.name,
            urn: r.options.urn,
            props: mockState(r.type, r.name, unwrapSecrets(r.inputs)),
            opts: { protect: r.options.protect, ignoreChanges: r.options.ignoreChanges, aliases: [], customTimeouts: {}, additionalSecretOutputs: [] },
            dependencies: [],
            propertyDependencies: {} as Record<string, PolicyResource[]>,
        } as unknown as PolicyResource;
        byUrn.set(resource.urn, resource);
        return { resource, registered: r };
    });
    for (const { resource, registered } of resources) {
        resource.propertyDependencies = Object.fromEntries(
            Object.entries(registered.options.propertyDependencies).map(([property, urns]) => [
                property,
                urns.map((urn) => byUrn.get(urn)).filter((d): d is PolicyResource => d !== undefined),
            ]),
        );
    }
    return resources.map((r) => r.resource);
}

type Findings = Record<string, string[]>;

/** Runs every policy of the pack as the engine would; violations by policy name. */
function evaluate(resources: PolicyResource[]): Findings {
    const findings: Findings = {};
    for (const policy of policies) {
        const args = {
            resources,
            stackTags: new Map(),
            getConfig: () => ({}),
            notApplicable: () => {
                throw new Error("not applicable");
            },
        } as unknown as StackValidationArgs;
        void policy.validateStack(args, (message) => {
            (findings[policy.name] ??= []).push(message);
        });
    }
    return findings;
}

const levelOf = (name: string) => RULES.find((r) => r.name === name)?.enforcementLevel;
const mandatory = (findings: Findings) => Object.keys(findings).filter((name) => levelOf(name) === "mandatory");
const find = (resources: PolicyResource[], type: string, name: string) => {
    const found = resources.find((r) => r.type === type && r.name === name);
    if (!found) {
        throw new Error(`no ${type} ${name}`);
    }
    return found;
};

const DEV = {};
const HTTPS = { domainName: "api.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ" };
const PROTECTED = { protect: "true", dbMultiAz: "true", albAccessLogs: "true", ...HTTPS };

describe("the policy pack on the program's resources", () => {
    test("every rule is a policy of the pack, with a description and a level", () => {
        expect(policies.map((p) => p.name)).toEqual(RULES.map((r) => r.name));
        expect(new Set(RULES.map((r) => r.name)).size).toBe(RULES.length);
        for (const p of policies) {
            expect(p.description).toMatch(/\w/);
            expect(["mandatory", "advisory"]).toContain(p.enforcementLevel);
        }
    });

    // Each rule's level, pinned: loosening a mandatory rule to advisory (or dropping one) must
    // be a change to this list too, not a change to a docs table alone.
    test("each rule has the level it is meant to have", () => {
        expect(Object.fromEntries(RULES.map((r) => [r.name, r.enforcementLevel]))).toEqual({
        "rds-storage-encrypted": "mandatory",
        "rds-not-publicly-accessible": "mandatory",
        "rds-backup-retention": "mandatory",
        "rds-protected-multi-az": "mandatory",
        "rds-utf8mb4": "mandatory",
        "rds-secure-transport": "mandatory",
        "rds-auto-minor-version-upgrade": "mandatory",
        "cache-engine-version": "mandatory",
        "cache-encryption": "mandatory",
        "cache-auth-token": "mandatory",
        "cache-failover": "mandatory",
        "cache-protected-snapshots": "mandatory",
        "alb-drop-invalid-headers": "mandatory",
        "alb-protected-deletion-protection": "mandatory",
        "alb-https-when-certificate": "mandatory",
        "alb-https": "advisory",
        "alb-setup-refused": "mandatory",
        "alb-https-when-protected": "mandatory",
        "alb-access-logs": "advisory",
        "alb-access-logs-when-protected": "mandatory",
        "ec2-imdsv2": "mandatory",
        "ec2-imds-hop-limit-1": "mandatory",
        "ec2-root-volume-encrypted": "mandatory",
        "ec2-no-public-ip": "mandatory",
        "ec2-no-key-pair": "mandatory",
        "ec2-no-secrets-in-user-data": "mandatory",
        "secrets-only-where-secret": "mandatory",
        "ec2-instance-profile": "mandatory",
        "ssm-secrets-cmk": "mandatory",
        "sns-encrypted": "mandatory",
        "logs-encrypted": "mandatory",
        "sg-no-open-ingress": "mandatory",
        "sg-data-tiers-from-nodes-only": "mandatory",
        "sg-descriptions": "mandatory",
        "nodes-same-secrets": "mandatory",
        "slaves-no-admin-password": "mandatory",
        "node-type": "mandatory",

        });
    });

    test.each([
        ["the dev config", DEV],
        ["a protected config", PROTECTED],
        ["a protected config with an existing VPC, 3 slaves and automatic setup", {
            ...PROTECTED,
            slaveCount: "3",
            adminUsername: "root",
            vpcId: "vpc-0123456789abcdef0",
            publicSubnetIds: '["subnet-0000000000000000a","subnet-0000000000000000b"]',
            privateSubnetIds: '["subnet-0000000000000000c","subnet-0000000000000000d"]',
        }],
    ])("%s: no mandatory policy is violated", async (_, config) => {
        const findings = evaluate(policyResources(await program(config)));
        expect(mandatory(findings)).toEqual([]);
        // What stays advisory in dev until access logs and HTTPS are configured; a protected stack has both.
        const https = "domainName" in config;
        expect(Object.keys(findings).sort()).toEqual("protect" in config ? [] : ["alb-access-logs", "alb-https"]);
        if (!https) {
            expect(findings["alb-https"]).toEqual([expect.stringMatching(/^newapi-dev-alb: serves plain HTTP only; .*Configure a certificate/)]);
        }
    });

    test("with HTTPS (a requested certificate) the HTTPS advisory is satisfied too", async () => {
        const findings = evaluate(policyResources(await program({ domainName: "api.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ" })));
        expect(Object.keys(findings)).toEqual(["alb-access-logs"]);
    });

    test("the local (docker) target has nothing the pack checks", async () => {
        expect(evaluate(policyResources(await program({ target: "docker" })))).toEqual({});
    });
});

type Mutation = (resources: PolicyResource[]) => void;
const INSTANCE = "aws:ec2/instance:Instance";
const set = (type: string, name: string, change: (props: Record<string, any>) => void): Mutation => (resources) =>
    change(find(resources, type, name).props);
const rds = (change: (p: Record<string, any>) => void) => set("aws:rds/instance:Instance", "newapi-dev-db", change);
const cache = (change: (p: Record<string, any>) => void) =>
    set("aws:elasticache/replicationGroup:ReplicationGroup", "newapi-dev-redis", change);
const alb = (change: (p: Record<string, any>) => void) => set("aws:lb/loadBalancer:LoadBalancer", "newapi-dev-alb", change);
const node = (name: string, change: (p: Record<string, any>) => void) => set(INSTANCE, `newapi-dev-${name}`, change);
const ingress = (name: string, change: (p: Record<string, any>) => void) =>
    set("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", name, change);
const parameter = (leaf: string, change: (p: Record<string, any>) => void) => set("aws:ssm/parameter:Parameter", `newapi-dev-${leaf}`, change);
const topic = (change: (p: Record<string, any>) => void) => set("aws:sns/topic:Topic", "newapi-dev-alerts", change);
const logGroup = (name: string, change: (p: Record<string, any>) => void) => set("aws:cloudwatch/logGroup:LogGroup", name, change);

describe("each rule fires on its own mistake, and only it", () => {
    /** rule, config, mistake, message, and the config it is compared with (default: the same). */
    const cases: [string, Record<string, string>, Mutation, RegExp, Record<string, string>?][] = [
        ["rds-storage-encrypted", DEV, rds((p) => (p.storageEncrypted = false)), /newapi-dev-db: storage is not encrypted; set storageEncrypted: true/],
        ["rds-not-publicly-accessible", DEV, rds((p) => (p.publiclyAccessible = true)), /set publiclyAccessible: false/],
        ["rds-backup-retention", DEV, rds((p) => (p.backupRetentionPeriod = 1)), /keeps backups 1 days; set new-api-cluster:dbBackupRetentionDays to 7 or more/],
        ["rds-protected-multi-az", { protect: "true", albAccessLogs: "true", ...HTTPS }, () => undefined, /the stack is protected but the database is single-AZ; set new-api-cluster:dbMultiAz true/, PROTECTED],
        ["rds-protected-multi-az", PROTECTED, rds((p) => (p.deletionProtection = false)), /no deletion protection/],
        [
            "rds-utf8mb4",
            DEV,
            set("aws:rds/parameterGroup:ParameterGroup", "newapi-dev-db-params", (p) =>
                (p.parameters = p.parameters.filter((x: { name: string }) => x.name !== "character_set_server"))),
            /does not set character_set_server=utf8mb4/,
        ],
        [
            "rds-secure-transport",
            DEV,
            set("aws:rds/parameterGroup:ParameterGroup", "newapi-dev-db-params", (p) =>
                (p.parameters = p.parameters.filter((x: { name: string }) => x.name !== "require_secure_transport"))),
            /newapi-dev-db-params: does not set require_secure_transport=1: passwords and API keys would cross the VPC in clear/,
        ],
        ["rds-auto-minor-version-upgrade", DEV, rds((p) => (p.autoMinorVersionUpgrade = false)), /set autoMinorVersionUpgrade: true/],
        ["cache-engine-version", DEV, cache((p) => (p.parameterGroupName = "default.redis7")), /newapi-dev-redis: uses parameter group default\.redis7 with valkey 8\.1, whose default is default\.valkey8/],
        ["cache-engine-version", DEV, cache((p) => (p.engineVersion = "7.1")), /runs valkey 7\.1, a version the stack does not offer for valkey \(8\.2, 8\.1, 8\.0, 7\.2\)/],
        ["cache-engine-version", DEV, cache((p) => (p.engine = "memcached")), /runs engine memcached; New API's single-node client needs valkey or redis/],
        ["cache-encryption", DEV, cache((p) => (p.atRestEncryptionEnabled = false)), /not encrypted at rest and in transit/],
        ["cache-auth-token", DEV, cache((p) => delete p.authToken), /has no AUTH token/],
        ["cache-failover", DEV, cache((p) => (p.multiAzEnabled = false)), /no automatic failover across AZs/],
        ["cache-protected-snapshots", PROTECTED, cache((p) => (p.snapshotRetentionLimit = 0)), /keeps no snapshots/],
        ["alb-drop-invalid-headers", DEV, alb((p) => (p.dropInvalidHeaderFields = false)), /set dropInvalidHeaderFields: true/],
        ["alb-protected-deletion-protection", PROTECTED, alb((p) => (p.enableDeletionProtection = false)), /set enableDeletionProtection: true/],
        // A stack protected with plain HTTP allowed in its config still fails the pack until the operator relaxes it.
        ["alb-https-when-protected", { protect: "true", dbMultiAz: "true", albAccessLogs: "true", allowPlainHttp: "true" }, () => undefined, /newapi-dev-alb: a protected stack serves plain HTTP; set new-api-cluster:certificateArn/, PROTECTED],
        // Config refuses a protected stack without access logs; the pack also catches one made otherwise.
        [
            "alb-access-logs-when-protected",
            PROTECTED,
            alb((p) => (p.accessLogs.enabled = false)),
            /newapi-dev-alb: the stack is protected but the load balancer writes no access logs; set new-api-cluster:albAccessLogs true/,
        ],
        ["ssm-secrets-cmk", DEV, parameter("session-secret", (p) => delete p.keyId), /newapi-dev-session-secret: is encrypted with the AWS managed aws\/ssm key/],
        ["ssm-secrets-cmk", DEV, parameter("db-password", (p) => (p.keyId = "alias/aws/ssm")), /newapi-dev-db-password: is encrypted with the AWS managed aws\/ssm key/],
        ["sns-encrypted", DEV, topic((p) => delete p.kmsMasterKeyId), /newapi-dev-alerts: is not encrypted; set kmsMasterKeyId/],
        ["sns-encrypted", DEV, topic((p) => (p.kmsMasterKeyId = "alias/aws/sns")), /newapi-dev-alerts: is encrypted with aws\/sns, which CloudWatch alarms may not use/],
        ["logs-encrypted", DEV, logGroup("newapi-dev-nodes-logs", (p) => delete p.kmsKeyId), /newapi-dev-nodes-logs: is not encrypted with a KMS key/],
        ["logs-encrypted", { vpcFlowLogs: "true" }, logGroup("newapi-dev-flow-logs", (p) => delete p.kmsKeyId), /newapi-dev-flow-logs: is not encrypted with a KMS key/],
        [
            "alb-https-when-certificate",
            DEV,
            set("aws:lb/listener:Listener", "newapi-dev-http", (p) => (p.certificateArn = "arn:aws:acm:us-east-1:123456789012:certificate/abc")),
            /a certificate is configured but port 80 serves plain HTTP; redirect it to HTTPS/,
        ],
        [
            "alb-https-when-certificate",
            DEV,
            set("aws:lb/listener:Listener", "newapi-dev-http", (p) =>
                Object.assign(p, { protocol: "HTTPS", port: 443, certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/abc", sslPolicy: "ELBSecurityPolicy-2016-08" })),
            /allows TLS below 1.2/,
        ],
        ["ec2-imdsv2", DEV, node("slave-1", (p) => (p.metadataOptions.httpTokens = "optional")), /newapi-dev-slave-1: allows IMDSv1/],
        [
            "alb-setup-refused",
            DEV,
            set("aws:lb/listenerRule:ListenerRule", "newapi-dev-refuse-setup", (p) => (p.conditions = [{ pathPattern: { values: ["/api/setup"] } }])),
            /newapi-dev-http: forwards \/api\/setup to New API, where the first caller creates the root user/,
        ],
        ["ec2-imds-hop-limit-1", DEV, node("slave-0", (p) => (p.metadataOptions.httpPutResponseHopLimit = 2)), /newapi-dev-slave-0: lets containers reach the instance role's credentials \(IMDS hop limit 2\)/],
        [
            "slaves-no-admin-password",
            { adminUsername: "root", slaveCount: "1" },
            set("aws:iam/rolePolicy:RolePolicy", "newapi-dev-nodes-slave-policy", (p) => (p.policy = p.policy.replace("/master-address", "/admin-password"))),
            /newapi-dev-slave-0: its instance role may read the root user's password \(arn:aws:ssm:.*\/admin-password\)/,
        ],
        [
            "slaves-no-admin-password",
            { slaveCount: "1" },
            set("aws:iam/rolePolicy:RolePolicy", "newapi-dev-nodes-slave-policy", (p) => (p.policy = p.policy.replace(/"arn:aws:ssm:[^"]*session-secret"/, '"arn:aws:ssm:us-east-1:123456789012:parameter/new-api/newapi-dev/*"'))),
            /newapi-dev-slave-0: its instance role may read the root user's password \(.*\/\*\)/,
        ],
        ["ec2-root-volume-encrypted", DEV, node("master", (p) => (p.rootBlockDevice.encrypted = false)), /unencrypted root volume/],
        ["ec2-no-public-ip", DEV, node("master", (p) => (p.associatePublicIpAddress = true)), /gets a public IP/],
        ["ec2-no-key-pair", DEV, node("slave-0", (p) => (p.keyName = "ops")), /has key pair ops; remove keyName/],
        [
            "ec2-no-secrets-in-user-data",
            DEV,
            node("slave-0", (p) => (p.userData += `# ${mockSecret("newapi-dev-crypto-secret")}\n`)),
            /userData contains a generated secret/,
        ],
        ["ec2-no-secrets-in-user-data", DEV, node("master", (p) => (p.userData += "# db password=hunter2\n")), /move the secret to SSM/],
        // As a secret config value read in plain text would be: an alert address that is a secret, in the clear.
        [
            "secrets-only-where-secret",
            DEV,
            set("aws:sns/topic:Topic", "newapi-dev-alerts", (p) => (p.displayName = mockSecret("newapi-dev-session-secret"))),
            /newapi-dev-alerts: holds a generated secret in a plain input or output/,
        ],
        ["ec2-instance-profile", DEV, node("master", (p) => delete p.iamInstanceProfile), /has no instance profile/],
        ["sg-no-open-ingress", DEV, ingress("newapi-dev-nodes-from-alb", (p) => (p.cidrIpv4 = "0.0.0.0/0")), /opens 3000-3000 to the internet/],
        ["sg-no-open-ingress", DEV, ingress("newapi-dev-alb-http-0", (p) => Object.assign(p, { fromPort: 22, toPort: 22 })), /opens 22-22 to the internet/],
        [
            "sg-data-tiers-from-nodes-only",
            DEV,
            (resources) => {
                const rule = find(resources, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "newapi-dev-db-sg-from-nodes");
                rule.propertyDependencies.referencedSecurityGroupId = [find(resources, "aws:ec2/securityGroup:SecurityGroup", "newapi-dev-alb-sg")];
            },
            /newapi-dev-db-sg-from-nodes: admits a source other than the nodes' security group/,
        ],
        [
            "sg-descriptions",
            DEV,
            set("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "newapi-dev-nodes-egress", (p) => delete p.description),
            /has no description/,
        ],
        [
            "nodes-same-secrets",
            DEV,
            node("slave-1", (p) => (p.userData = p.userData.replace("/new-api/newapi-dev/crypto-secret", "/new-api/other/crypto-secret"))),
            /newapi-dev-slave-1: reads secret parameters .*\/new-api\/other\/crypto-secret.*; every node must read the same/,
        ],
        ["node-type", DEV, node("slave-0", (p) => (p.userData = p.userData.replace("NODE_TYPE=slave", "NODE_TYPE=master"))), /runs as a second master/],
        ["node-type", DEV, node("master", (p) => (p.userData = p.userData.replace("NODE_TYPE=master", "NODE_TYPE=slave"))), /the master has NODE_TYPE=slave/],
    ];

    /** The pack's findings on a config as the program registers it, once per config. */
    const baselines = new Map<string, Promise<Findings>>();
    const baselineOf = (config: Record<string, string>) => {
        const key = JSON.stringify(config);
        if (!baselines.has(key)) {
            baselines.set(key, program(config).then((run) => evaluate(policyResources(run))));
        }
        return baselines.get(key) as Promise<Findings>;
    };

    test.each(cases)("%s", async (rule, config, mutate, message, baselineConfig = config) => {
        const baseline = await baselineOf(baselineConfig);
        const resources = policyResources(await program(config));
        mutate(resources);
        const findings = evaluate(resources);
        const gained = Object.keys(findings).filter((name) => (findings[name]?.length ?? 0) > (baseline[name]?.length ?? 0));
        expect(gained).toEqual([rule]);
        const fresh = findings[rule].filter((m) => !(baseline[rule] ?? []).includes(m));
        expect(fresh).toEqual([expect.stringMatching(message)]);
    });

    test("every rule has at least one mistake above that makes it fire", () => {
        const covered = new Set(cases.map(([rule]) => rule));
        // alb-https and alb-access-logs fire on the dev config itself (see above).
        expect(RULES.map((r) => r.name).filter((r) => !covered.has(r))).toEqual(["alb-https", "alb-access-logs"]);
    });

    test("the advisory ALB rules go quiet once HTTPS and access logs are configured", async () => {
        const resources = policyResources(await program());
        alb((p) => (p.accessLogs = { enabled: true, bucket: "logs" }))(resources);
        set("aws:lb/listener:Listener", "newapi-dev-http", (p) =>
            Object.assign(p, { protocol: "HTTPS", port: 443, certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/abc", sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06" }),
        )(resources);
        expect(evaluate(resources)).toEqual({});
    });
});

describe("docs/security.md", () => {
    test("lists every policy with its level and description", () => {
        const doc = fs.readFileSync(path.join(__dirname, "..", "docs", "security.md"), "utf8");
        for (const rule of RULES) {
            expect(doc).toContain(`| \`${rule.name}\` | ${rule.enforcementLevel} | ${rule.description} |`);
        }
    });
});
