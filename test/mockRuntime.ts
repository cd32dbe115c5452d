// Pulumi's mock runtime set up for this program, and the program evaluated under it: the mocks
// answer as AWS would (./mockAnswers.ts), every registration is recorded with its options
// (./registrationCapture.ts), both re-exported here. Used by the tests (test/harness.ts) and the
// benchmark (bench/), so it must not depend on jest.
import type * as PulumiModule from "@pulumi/pulumi";
import { MockSnapshots, mockId, mockInvoke, mockRegionOf, mockState } from "./mockAnswers";
import { Invoke, Registered, RegistrationCapture } from "./registrationCapture";

export * from "./mockAnswers";
export * from "./registrationCapture";

export const PROJECT = "new-api-cluster";

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
    snapshots?: MockSnapshots;
}

/** What the mock engine answers for a resource: the mocks' own result, which a caller may change (docker.test's failing steps). */
export type ResourceAnswer = (args: PulumiModule.runtime.MockResourceArgs, result: PulumiModule.runtime.MockResourceResult) => PulumiModule.runtime.MockResourceResult;

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
    const registrations = new RegistrationCapture();
    const resources = registrations.resources;
    const invokes: Invoke[] = [];
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => {
                registrations.add(args);
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
    // Mocks' newResource does not see resource options; the request the engine gets does.
    registrations.readOptionsFrom(pulumi);
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
