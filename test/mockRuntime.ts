// Pulumi's mock runtime set up for this program: provider outputs and invokes as AWS would
// answer them, and a record of every registration with its options. Used by the tests
// (test/harness.ts) and the benchmark (bench/), so it must not depend on jest.
import type * as PulumiModule from "@pulumi/pulumi";
import { createHash } from "crypto";
import { ADMIN_PASSWORD_PARAMETER, DATABASE_LOGIN_TAGS, SECRET_PARAMETERS, SecretName, clusterTags } from "../components/naming";
import type { SnapshotFacts } from "../components/aws/database";
import { passwordArgs } from "../components/passwords";

export const PROJECT = "new-api-cluster";
export const MOCK_REGION = "us-east-1";
export const MOCK_ACCOUNT = "123456789012";
export const MOCK_AMI = "ami-0123456789abcdef0";
export const MOCK_ZONES = ["us-east-1a", "us-east-1b", "us-east-1c"];
/** A Local Zone of the mock region, which an opted-in account's zone list includes. */
export const MOCK_LOCAL_ZONE = "us-east-1-bos-1a";

/** The key Pulumi marks a secret input value with, in what mocks receive ({ [key]: sig, value }). */
export const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";

/** Inputs as the provider (and a policy) sees them: values marked secret, as plain values. */
export function unwrapSecrets(value: unknown): any {
    if (Array.isArray(value)) {
        return value.map(unwrapSecrets);
    }
    if (value !== null && typeof value === "object") {
        const record = value as Record<string, unknown>;
        if (SECRET_SIG_KEY in record) {
            return unwrapSecrets(record.value);
        }
        return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, unwrapSecrets(v)]));
    }
    return value;
}

/** Resource options as the engine receives them (mocks' newResource does not see them). */
export interface RegisteredOptions {
    /** The URN the engine gave the resource. */
    urn: string;
    parent: string;
    dependencies: string[];
    /** For each input property, the URNs of the resources its value came from. */
    propertyDependencies: Record<string, string[]>;
    ignoreChanges: string[];
    protect: boolean;
    deleteBeforeReplace: boolean;
}

export interface Registered {
    type: string;
    name: string;
    inputs: Record<string, any>;
    options: RegisteredOptions;
}

export interface Invoke {
    token: string;
    inputs: Record<string, any>;
}

/** The program threw while it was being loaded; `registered` is what it had registered by then. */
export class ProgramError extends Error {
    constructor(
        readonly cause: Error,
        readonly registered: Registered[],
    ) {
        super(cause.message);
    }
}

/** What a run of the program registered and exported: plain data, so that test files can share it (test/sharedRuns.ts). */
export interface ProgramRun {
    resources: Registered[];
    /** index.ts's exports, resolved; a preview's are not (most are unknown then): {}. */
    exports: Record<string, any>;
    /** The exports Pulumi holds as secrets. */
    secretExports: string[];
    invokes: Invoke[];
    /** What the program warned (pulumi.log.warn: the CLI shows it; under mocks, console.warn). */
    warnings: string[];
    /** From loading index.ts to the last registration. */
    evaluationMs: number;
}

export interface RunOptions {
    stack?: string;
    /** The project's name, as `pulumi new` may have renamed it (PROJECT otherwise). */
    project?: string;
    preview?: boolean;
    /** Keys (as in `config`) the stack stores as secrets. */
    secretKeys?: string[];
    /** Another stack's generation: its random values differ from the default run's, as a new stack's do. */
    generation?: string;
    /** What the mock RDS says of snapshots, by identifier, over MOCK_SNAPSHOT. */
    snapshots?: Record<string, Partial<SnapshotFacts>>;
}

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
function mockRegionOf(config: Record<string, string>): string {
    return config["aws:region"] ?? MOCK_REGION;
}

function mockInvoke(token: string, inputs: Record<string, any>, options: RunOptions, region: string): Record<string, any> {
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

/** What the mock engine answers for a resource: the mocks' own result, which a caller may change (docker.test's failing steps). */
export type ResourceAnswer = (args: PulumiModule.runtime.MockResourceArgs, result: PulumiModule.runtime.MockResourceResult) => PulumiModule.runtime.MockResourceResult;

type ResourceMonitor = NonNullable<ReturnType<typeof PulumiModule.runtime.getMonitor>>;
/** The form of ResourceMonitor.registerResource (a gRPC call) that the SDK calls: the request and a callback. */
type RegisterResource = (
    request: Parameters<ResourceMonitor["registerResource"]>[0],
    callback: (error: unknown, response?: { getUrn(): string }) => void,
) => unknown;

/**
 * Evaluates index.ts under mocks: sets up the mock runtime and config, then calls the program
 * (index.ts exports it as a function). `load` is the caller's `require`; paths are relative
 * to a folder beside index.ts. Runs may follow each other in one process: Pulumi keeps its
 * runtime state in one global store, which setMocks resets. Only the SDK's public API is used
 * (what @pulumi/pulumi's typings export): a minor release may change anything else.
 */
export async function evaluateProgram(
    load: NodeRequire,
    config: Record<string, string>,
    options: RunOptions = {},
    answer: ResourceAnswer = (_, result) => result,
): Promise<ProgramRun> {
    const pulumi: typeof PulumiModule = load("@pulumi/pulumi");
    const preview = options.preview ?? false;
    const resources: Registered[] = [];
    const invokes: Invoke[] = [];
    const registeredOptions = new Map<string, RegisteredOptions>();
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => {
                resources.push({
                    type: args.type,
                    name: args.name,
                    inputs: args.inputs,
                    options: registeredOptions.get(`${args.type}::${args.name}`) as RegisteredOptions,
                });
                // A preview knows neither ids nor computed outputs: the engine leaves them unknown.
                return answer(
                    args,
                    preview
                        ? { id: undefined, state: args.inputs }
                        : { id: mockId(args.name), state: mockState(args.type, args.name, args.inputs, options.generation) },
                );
            },
            call: (args) => {
                invokes.push({ token: args.token, inputs: args.inputs });
                return mockInvoke(args.token, args.inputs, options, mockRegionOf(config));
            },
        },
        options.project ?? PROJECT,
        options.stack ?? "dev",
        preview,
    );
    // Mocks' newResource does not see resource options; the request the engine gets does: the
    // monitor is the one setMocks made for this run (runtime.getMonitor), and the request its
    // RegisterResourceRequest, as Pulumi's gRPC protocol (proto/pulumi/resource.proto) defines it.
    const monitor = pulumi.runtime.getMonitor() as ResourceMonitor;
    const registerResource = monitor.registerResource.bind(monitor) as unknown as RegisterResource;
    const recordingOptions: RegisterResource = (request, callback) => {
        const propertyDependencies: Record<string, string[]> = {};
        request.getPropertydependenciesMap().forEach((dependencies, property) => (propertyDependencies[property] = dependencies.getUrnsList()));
        const options: RegisteredOptions = {
            urn: "",
            parent: request.getParent(),
            dependencies: request.getDependenciesList(),
            propertyDependencies,
            ignoreChanges: request.getIgnorechangesList(),
            protect: request.getProtect() ?? false,
            deleteBeforeReplace: request.getDeletebeforereplace(),
        };
        registeredOptions.set(`${request.getType()}::${request.getName()}`, options);
        return registerResource(request, (error, response) => {
            options.urn = response?.getUrn() ?? "";
            callback(error, response);
        });
    };
    monitor.registerResource = recordingOptions as unknown as ResourceMonitor["registerResource"];
    // Keys without a namespace are the project's; others (aws:region) are passed as they are.
    const qualified = (key: string) => (key.includes(":") ? key : `${options.project ?? PROJECT}:${key}`);
    pulumi.runtime.setAllConfig(
        Object.fromEntries(Object.entries(config).map(([key, value]) => [qualified(key), value])),
        (options.secretKeys ?? []).map(qualified),
    );
    // Recorded, not printed: runs follow each other, so what is warned meanwhile is this run's.
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => warnings.push(args.map(String).join(" "));
    try {
        const started = process.hrtime.bigint();
        const main: () => Promise<Record<string, unknown>> = load("../index");
        let programExports: Record<string, unknown>;
        try {
            programExports = await main();
        } catch (error) {
            throw new ProgramError(error as Error, resources);
        }
        // Registrations wait on the outputs they take as inputs: wait for the RPC queue to
        // drain, as the language host does when the program returns (runtime.disconnect; the
        // next run's setMocks connects anew).
        await pulumi.runtime.disconnect();
        const evaluationMs = Number(process.hrtime.bigint() - started) / 1e6;
        const exported = preview ? [] : await Promise.all(Object.entries(programExports).map(([name, value]) => resolveExport(pulumi, name, value)));
        return {
            resources,
            exports: Object.fromEntries(exported.map(({ name, value }) => [name, value])),
            secretExports: exported.filter((e) => e.secret).map((e) => e.name),
            invokes,
            warnings,
            evaluationMs,
        };
    } finally {
        console.warn = warn;
    }
}

/**
 * Runs `evaluate` (a run of the program) with the stack frames Pulumi captures for its own
 * diagnostics left empty, as the mocks never read them: the stack it records on every promise
 * for its leak report, and the call stack it captures for each resource's source position
 * (lifting Error.stackTraceLimit to capture every frame, then parsing `new Error().stack`).
 * Formatting those frames was half of a run's CPU in the run server, and more under Jest,
 * which maps every frame through source maps (docs/testing.md). Only V8's stack trace API is used
 * (Error.stackTraceLimit and Error.prepareStackTrace), nothing of the SDK's: an SDK that
 * captured frames some other way would make runs slower, never wrong. Errors keep their
 * messages, without frames. The benchmark (bench/) measures the program with frames on, as
 * `pulumi up` runs it.
 */
export async function withoutDiagnostics<T>(evaluate: () => Promise<T>): Promise<T> {
    const limit = Error.stackTraceLimit;
    const prepare = Error.prepareStackTrace;
    Error.stackTraceLimit = 0;
    // What a limit of 0 gives, also where the SDK lifts the limit: the first line alone.
    Error.prepareStackTrace = (error: Error) => Error.prototype.toString.call(error);
    try {
        return await evaluate();
    } finally {
        Error.stackTraceLimit = limit;
        Error.prepareStackTrace = prepare;
    }
}

/** An export's value (nested Outputs resolved) and whether Pulumi holds it as a secret. */
async function resolveExport(pulumi: typeof PulumiModule, name: string, value: unknown): Promise<{ name: string; value: unknown; secret: boolean }> {
    const output: PulumiModule.Output<unknown> = pulumi.output(value as PulumiModule.Input<unknown>);
    const [resolved, secret] = await Promise.all([new Promise((done) => output.apply(done)), pulumi.isSecret(output)]);
    return { name, value: resolved, secret };
}
