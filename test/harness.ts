// Runs the whole Pulumi program (index.ts) under Pulumi's mock runtime with a given config,
// and returns what it registered. Each run loads the program and @pulumi/* afresh, so runs
// with different config do not share runtime state.
import type * as PulumiModule from "@pulumi/pulumi";
import { createHash } from "crypto";

export const PROJECT = "new-api-cluster";
export const MOCK_REGION = "us-east-1";
export const MOCK_ACCOUNT = "123456789012";
export const MOCK_AMI = "ami-0123456789abcdef0";
export const MOCK_ZONES = ["us-east-1a", "us-east-1b", "us-east-1c"];

/** Resource options as the engine receives them (mocks' newResource does not see them). */
export interface RegisteredOptions {
    parent: string;
    dependencies: string[];
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

export interface ProgramRun {
    resources: Registered[];
    /** index.ts's exports; Outputs stay Outputs (see resolve). */
    exports: Record<string, unknown>;
    invokes: Invoke[];
    pulumi: typeof PulumiModule;
}

export interface RunOptions {
    stack?: string;
    preview?: boolean;
}

/** A deterministic, recognisable stand-in for a generated secret. */
export function mockSecret(name: string): string {
    return `MOCKSECRET${createHash("sha256").update(name).digest("hex").slice(0, 38)}`;
}

/** Outputs a real provider would compute, for the resources whose outputs the program uses. */
function mockState(type: string, name: string, inputs: Record<string, any>): Record<string, any> {
    const arn = `arn:aws:mock:${MOCK_REGION}:${MOCK_ACCOUNT}:${type}/${name}`;
    switch (type) {
        case "random:index/randomPassword:RandomPassword":
            return { ...inputs, result: mockSecret(name) };
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
            return { ...inputs, arn, dnsName: `${name}-123456.${MOCK_REGION}.elb.amazonaws.com` };
        case "aws:ec2/instance:Instance": {
            const octet = (parseInt(createHash("sha256").update(name).digest("hex").slice(0, 4), 16) % 250) + 2;
            return { ...inputs, arn, privateIp: `10.0.128.${octet}` };
        }
        default:
            return { ...inputs, arn, name: inputs.name ?? name };
    }
}

function mockInvoke(token: string): Record<string, any> {
    switch (token) {
        case "aws:index/getAvailabilityZones:getAvailabilityZones":
            return { names: MOCK_ZONES, zoneIds: ["use1-az1", "use1-az2", "use1-az3"] };
        case "aws:index/getRegion:getRegion":
            return { name: MOCK_REGION, region: MOCK_REGION };
        case "aws:index/getPartition:getPartition":
            return { partition: "aws", dnsSuffix: "amazonaws.com" };
        case "aws:index/getCallerIdentity:getCallerIdentity":
            return { accountId: MOCK_ACCOUNT, arn: `arn:aws:iam::${MOCK_ACCOUNT}:user/test`, userId: "TEST" };
        case "aws:ssm/getParameter:getParameter":
            return { value: MOCK_AMI, type: "String" };
        default:
            throw new Error(`unmocked invoke ${token}`);
    }
}

/**
 * Runs index.ts with `config` (keys without the project prefix, values as Pulumi stores
 * them) and waits until every resource is registered.
 */
export async function runProgram(config: Record<string, string>, options: RunOptions = {}): Promise<ProgramRun> {
    let run: ProgramRun | undefined;
    await jest.isolateModulesAsync(async () => {
        const pulumi: typeof PulumiModule = require("@pulumi/pulumi");
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
                    return { id: `${args.name}-id`, state: mockState(args.type, args.name, args.inputs) };
                },
                call: (args) => {
                    invokes.push({ token: args.token, inputs: args.inputs });
                    return mockInvoke(args.token);
                },
            },
            PROJECT,
            options.stack ?? "dev",
            options.preview ?? false,
        );
        const settings = require("@pulumi/pulumi/runtime/settings");
        const monitor = settings.getMonitor();
        const registerResource = monitor.registerResource.bind(monitor);
        monitor.registerResource = (request: any, callback: unknown) => {
            registeredOptions.set(`${request.getType()}::${request.getName()}`, {
                parent: request.getParent(),
                dependencies: request.getDependenciesList(),
                ignoreChanges: request.getIgnorechangesList(),
                protect: request.getProtect() ?? false,
                deleteBeforeReplace: request.getDeletebeforereplace(),
            });
            return registerResource(request, callback);
        };
        pulumi.runtime.setAllConfig(
            Object.fromEntries(Object.entries(config).map(([key, value]) => [`${PROJECT}:${key}`, value])),
        );
        let programExports: Record<string, unknown>;
        try {
            programExports = require("../index");
        } catch (error) {
            throw new ProgramError(error as Error, resources);
        }
        // Registrations wait on the outputs they take as inputs; let the RPC queue drain.
        await settings.waitForRPCs();
        run = { resources, exports: programExports, invokes, pulumi };
    });
    if (run === undefined) {
        throw new Error("the program did not run");
    }
    return run;
}

/** The value of an Output (or a plain value), with nested Outputs resolved. */
export function resolve<T>(run: ProgramRun, value: unknown): Promise<T> {
    return new Promise((done) => asOutput(run, value).apply((v) => done(v as T)));
}

export function isSecret(run: ProgramRun, value: unknown): Promise<boolean> {
    return run.pulumi.isSecret(asOutput(run, value));
}

function asOutput(run: ProgramRun, value: unknown): PulumiModule.Output<unknown> {
    return run.pulumi.output(value) as PulumiModule.Output<unknown>;
}

export function ofType(run: ProgramRun, type: string): Registered[] {
    return run.resources.filter((r) => r.type === type);
}

export function named(run: ProgramRun, type: string, name: string): Registered {
    const found = run.resources.filter((r) => r.type === type && r.name === name);
    if (found.length !== 1) {
        throw new Error(`expected one ${type} named ${name}, found ${found.length}`);
    }
    return found[0];
}
