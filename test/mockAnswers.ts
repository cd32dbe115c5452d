// What the mock providers answer, as AWS, Docker and the random provider would: the ids and
// computed outputs of the resources the program registers, the invokes it makes, and the values
// they generate (passwords, random ids, key ids, digests). Must not depend on jest (bench/ uses it).
import { createHash } from "crypto";
import { ADMIN_PASSWORD_PARAMETER, DATABASE_LOGIN_TAGS, SECRET_PARAMETERS, SecretName, clusterTags } from "../components/naming";
import type { SnapshotFacts } from "../components/aws/database";
import { passwordArgs } from "../components/passwords";

export const MOCK_REGION = "us-east-1";
export const MOCK_ACCOUNT = "123456789012";
export const MOCK_AMI = "ami-0123456789abcdef0";
export const MOCK_ZONES = ["us-east-1a", "us-east-1b", "us-east-1c"];
/** A Local Zone of the mock region, which an opted-in account's zone list includes. */
export const MOCK_LOCAL_ZONE = "us-east-1-bos-1a";

/** What the mock RDS says of snapshots, by identifier, where it differs from MOCK_SNAPSHOT. */
export type MockSnapshots = Record<string, Partial<SnapshotFacts>>;

/**
 * Every snapshot the mock RDS knows, unless RunOptions.snapshots says otherwise: one of a
 * database this stack created (its tags copied), which the default stack can be created from.
 */
export const MOCK_SNAPSHOT: SnapshotFacts = {
    engine: "mysql",
    engineVersion: "8.4.7",
    encrypted: true,
    status: "available",
    allocatedStorage: 20,
    // getSnapshot's answer names the snapshot looked up instead (mockInvoke).
    dbSnapshotArn: `arn:aws:rds:${MOCK_REGION}:${MOCK_ACCOUNT}:snapshot:newapi-dev-mysql-final-0a1b2c3d`,
    tags: { ...clusterTags("newapi-dev", "dev"), [DATABASE_LOGIN_TAGS.username]: "newapi", [DATABASE_LOGIN_TAGS.dbName]: "newapi" },
};

/** terraform-provider-random's character classes (random_password; special is its default set). */
const PASSWORD_CLASSES = {
    upper: "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    lower: "abcdefghijklmnopqrstuvwxyz",
    numeric: "0123456789",
    special: "!@#$%&*()-_=+[]{}<>:?",
} as const;

/**
 * What random.RandomPassword would generate for `inputs`, deterministically from `name`: the
 * requested length, only the enabled classes, at least each class's minimum. So AWS's length
 * and character rules bite under mocks as they would on a real deploy.
 */
export function mockPassword(name: string, inputs: Record<string, any>): string {
    // New keepers make a new password, as the provider replaces the resource.
    const seed = inputs.keepers === undefined ? name : `${name}@${JSON.stringify(inputs.keepers)}`;
    let counter = 0;
    const pick = (alphabet: string) => {
        const byte = createHash("sha256").update(`${seed}/${counter++}`).digest()[0];
        return alphabet[byte % alphabet.length];
    };
    const enabled = (Object.keys(PASSWORD_CLASSES) as (keyof typeof PASSWORD_CLASSES)[]).filter((c) => inputs[c] ?? true);
    const alphabetOf = (c: keyof typeof PASSWORD_CLASSES) =>
        c === "special" && inputs.overrideSpecial !== undefined ? inputs.overrideSpecial : PASSWORD_CLASSES[c];
    const minimums = { upper: inputs.minUpper, lower: inputs.minLower, numeric: inputs.minNumeric, special: inputs.minSpecial };
    const chars = enabled.flatMap((c) => Array.from({ length: minimums[c] ?? 0 }, () => pick(alphabetOf(c))));
    const all = enabled.map(alphabetOf).join("");
    while (chars.length < inputs.length) {
        chars.push(pick(all));
    }
    // Interleave the guaranteed characters with the rest, as the provider shuffles them.
    return chars
        .map((char, i) => ({ char, key: createHash("sha256").update(`${seed}#${i}`).digest("hex") }))
        .sort((a, b) => a.key.localeCompare(b.key))
        .map((c) => c.char)
        .join("");
}

/**
 * What random.RandomId's `hex` is under the mocks: byteLength bytes, deterministically from
 * `name` and its keepers (new keepers make a new id, as the provider replaces the resource).
 */
export function mockRandomHex(name: string, inputs: Record<string, any>): string {
    const seed = inputs.keepers === undefined ? name : `${name}@${JSON.stringify(inputs.keepers)}`;
    return createHash("sha256").update(seed).digest("hex").slice(0, 2 * inputs.byteLength);
}

/** The value the mocks generate for one of the program's secrets, e.g. "newapi-dev-db-password". */
export function mockSecret(name: string): string {
    const secret = (Object.keys(SECRET_PARAMETERS) as SecretName[]).find((s) => name.endsWith(`-${SECRET_PARAMETERS[s]}`));
    const kind = secret ?? (name.endsWith(`-${ADMIN_PASSWORD_PARAMETER}`) ? "adminPassword" : undefined);
    if (kind === undefined) {
        throw new Error(`${name} is not one of the program's generated secrets`);
    }
    return mockPassword(name, passwordArgs(kind));
}

/** The stand-in for the 7 random hex characters the provider appends to an autonamed resource. */
export const MOCK_AUTONAME_SUFFIX = "0a1b2c3";

/** The key id (a UUID) the mocks give a KMS key, deterministically from its name. */
export function mockKeyId(name: string): string {
    const hex = createHash("sha256").update(`kms key ${name}`).digest("hex");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** The address block the mock Docker engine gives the cluster's network. */
export const MOCK_DOCKER_SUBNET = "172.18.0.0/16";

/** The id the mocks give a resource. */
export function mockId(name: string): string {
    return `${name}-id`;
}

/** Outputs a real provider would compute, for the resources whose outputs the program uses. */
export function mockState(type: string, name: string, inputs: Record<string, any>, generation?: string): Record<string, any> {
    const arn = `arn:aws:mock:${MOCK_REGION}:${MOCK_ACCOUNT}:${type}/${name}`;
    switch (type) {
        case "random:index/randomPassword:RandomPassword":
            return { ...inputs, result: mockPassword(generation === undefined ? name : `${generation}/${name}`, inputs) };
        case "random:index/randomId:RandomId":
            return { ...inputs, hex: mockRandomHex(name, inputs) };
        case "aws:rds/instance:Instance":
            return {
                ...inputs,
                arn,
                identifier: name,
                address: `${name}.abc123.${MOCK_REGION}.rds.amazonaws.com`,
                endpoint: `${name}.abc123.${MOCK_REGION}.rds.amazonaws.com:3306`,
            };
        case "aws:elasticache/replicationGroup:ReplicationGroup":
            return { ...inputs, arn, primaryEndpointAddress: `master.${name}.abc123.use1.cache.amazonaws.com` };
        case "aws:lb/loadBalancer:LoadBalancer":
            return {
                ...inputs,
                arn,
                arnSuffix: `app/${name}/0123456789abcdef`,
                zoneId: "Z35SXDOTRQ7X7K",
                dnsName: `${name}-123456.${MOCK_REGION}.elb.amazonaws.com`,
            };
        case "aws:lb/targetGroup:TargetGroup":
            return { ...inputs, arn, arnSuffix: `targetgroup/${name}/0123456789abcdef` };
        case "aws:acm/certificate:Certificate":
            return {
                ...inputs,
                arn,
                domainValidationOptions: [
                    { domainName: inputs.domainName, resourceRecordName: `_x1.${inputs.domainName}.`, resourceRecordType: "CNAME", resourceRecordValue: "_x2.acm-validations.aws." },
                ],
            };
        case "aws:acm/certificateValidation:CertificateValidation":
            return { ...inputs };
        case "aws:route53/record:Record":
            return { ...inputs, fqdn: inputs.name };
        case "aws:kms/key:Key": {
            const keyId = mockKeyId(name);
            return { ...inputs, keyId, arn: `arn:aws:kms:${MOCK_REGION}:${MOCK_ACCOUNT}:key/${keyId}` };
        }
        case "aws:s3/bucket:Bucket": {
            // The provider autonames a bucket in lower case (bucket names allow nothing else).
            const bucket = inputs.bucket ?? `${name}-${MOCK_AUTONAME_SUFFIX}`.toLowerCase();
            return { ...inputs, bucket, arn: `arn:aws:s3:::${bucket}` };
        }
        case "aws:cloudwatch/logGroup:LogGroup":
            return { ...inputs, arn: `arn:aws:logs:${MOCK_REGION}:${MOCK_ACCOUNT}:log-group:${inputs.name}` };
        case "docker:index/container:Container":
            // A run-once (attached) container has exited when the provider returns: it records the exit code and, with logs, the output.
            return inputs.attach ? { ...inputs, exitCode: 0, containerLogs: "" } : { ...inputs };
        case "docker:index/network:Network":
            // Docker picks a free block for a bridge network; the provider reads it back (ipam_config).
            return { ...inputs, ipamConfigs: [{ subnet: MOCK_DOCKER_SUBNET, gateway: "172.18.0.1" }] };
        case "docker:index/remoteImage:RemoteImage":
            return { ...inputs, imageId: `sha256:${createHash("sha256").update(inputs.name).digest("hex")}` };
        case "aws:ec2/instance:Instance": {
            const octet = (parseInt(createHash("sha256").update(name).digest("hex").slice(0, 4), 16) % 250) + 2;
            return { ...inputs, arn, privateIp: `10.0.128.${octet}` };
        }
        default:
            return { ...inputs, arn, name: inputs.name ?? name };
    }
}

/** The registry digest the mock registry reports for an image reference. */
export function mockDigest(image: string): string {
    return `sha256:${createHash("sha256").update(`digest of ${image}`).digest("hex")}`;
}

/** The address block the mock EC2 reports for an existing subnet: one /24 of 10.99.0.0/16 per id. */
export function mockSubnetCidr(subnetId: string): string {
    return `10.99.${createHash("sha256").update(subnetId).digest()[0]}.0/24`;
}

/** The Region the provider runs in: the stack's aws:region, as the AWS provider takes it, or MOCK_REGION. */
export function mockRegionOf(config: Record<string, string>): string {
    return config["aws:region"] ?? MOCK_REGION;
}

/**
 * What the mock providers answer an invoke (a data source): `options` are the run's (RunOptions),
 * of which only the snapshots are read; `region` is the provider's (mockRegionOf).
 */
export function mockInvoke(
    token: string,
    inputs: Record<string, any>,
    options: { snapshots?: MockSnapshots },
    region: string,
): Record<string, any> {
    switch (token) {
        case "aws:rds/getSnapshot:getSnapshot": {
            const identifier: string = inputs.dbSnapshotIdentifier;
            // DescribeDBSnapshots finds another account's shared snapshot only with IncludeShared.
            if (identifier.startsWith("arn:") && !identifier.includes(`:${MOCK_ACCOUNT}:`) && inputs.includeShared !== true) {
                throw new Error(`DBSnapshotNotFound: ${identifier}`);
            }
            const facts = { ...MOCK_SNAPSHOT, ...options.snapshots?.[identifier] };
            const name = identifier.split(":").pop();
            const arn = identifier.startsWith("arn:") ? identifier : `arn:aws:rds:${MOCK_REGION}:${MOCK_ACCOUNT}:snapshot:${name}`;
            return { ...facts, id: name, dbSnapshotIdentifier: name, dbSnapshotArn: arn };
        }
        case "aws:index/getAvailabilityZones:getAvailabilityZones": {
            // As in an account that has opted in to a Local Zone: it comes first unless filtered out.
            const standardOnly = (inputs.filters ?? []).some(
                (f: { name: string; values: string[] }) => f.name === "opt-in-status" && f.values.join() === "opt-in-not-required",
            );
            return { names: standardOnly ? MOCK_ZONES : [MOCK_LOCAL_ZONE, ...MOCK_ZONES] };
        }
        case "aws:index/getRegion:getRegion":
            return { name: region, region };
        case "aws:index/getPartition:getPartition":
            return { partition: "aws", dnsSuffix: "amazonaws.com" };
        case "aws:index/getCallerIdentity:getCallerIdentity":
            return { accountId: MOCK_ACCOUNT, arn: `arn:aws:iam::${MOCK_ACCOUNT}:user/test`, userId: "TEST" };
        case "aws:ec2/getSubnet:getSubnet":
            return { id: inputs.id, cidrBlock: mockSubnetCidr(inputs.id) };
        case "aws:ssm/getParameter:getParameter":
            return { value: MOCK_AMI, type: "String" };
        case "docker:index/getRegistryImage:getRegistryImage":
            return { name: inputs.name, sha256Digest: mockDigest(inputs.name) };
        default:
            throw new Error(`unmocked invoke ${token}`);
    }
}
