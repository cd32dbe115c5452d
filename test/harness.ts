// Runs the whole Pulumi program (index.ts) under Pulumi's mock runtime with a given config,
// and returns what it registered. Runs within a test file share the loaded modules (loading
// @pulumi/aws is the slow part) and follow each other, never overlap.
import { SETTINGS } from "../components/config/schema";
import { ProgramRun, Registered, RunOptions, evaluateProgram } from "./mockRuntime";
import { sharedRun } from "./sharedRuns";

export * from "./mockRuntime";

let previous: Promise<unknown> = Promise.resolve();

/**
 * Runs index.ts with `config` (keys without the project prefix, values as Pulumi stores
 * them) and waits until every resource is registered. Runs are queued: the mock runtime
 * holds one run at a time.
 */
export function runProgram(config: Record<string, string>, options: RunOptions = {}): Promise<ProgramRun> {
    const run = previous.then(() => withoutStackTraces(() => evaluateProgram(require, config, options)));
    previous = run.catch(() => undefined);
    return run;
}

/**
 * Pulumi records `new Error().stack` on every promise it makes (for its leak report), and
 * Jest maps every frame of every stack through source maps: a 100-slave run takes 4x as long.
 * No frames are recorded while the program is evaluated; errors still carry their messages.
 */
async function withoutStackTraces<T>(evaluate: () => Promise<T>): Promise<T> {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
        return await evaluate();
    } finally {
        Error.stackTraceLimit = limit;
    }
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

/**
 * The settings that make a run what it is: in one order, and without those set to a default that
 * depends on nothing else (`slaveCount: "2"` is the run with no slaveCount).
 */
function runSettings(config: Record<string, string>): Record<string, string> {
    const staticDefault = (key: string) => (SETTINGS as Record<string, { default?: unknown }>)[key]?.default;
    const asStored = (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value));
    return Object.fromEntries(
        Object.entries(config)
            .filter(([key, value]) => {
                const fallback = staticDefault(key);
                return fallback === undefined || typeof fallback === "function" || asStored(fallback) !== value;
            })
            .sort(([a], [b]) => a.localeCompare(b)),
    );
}

const runs = new Map<string, Promise<ProgramRun>>();
/** A run per config and options, shared by a test file's tests and by the other test files (test/sharedRuns.ts). */
export function program(config: Record<string, string> = {}, options: RunOptions = {}): Promise<ProgramRun> {
    const key = JSON.stringify([runSettings(config), { stack: "dev", preview: false, secretKeys: [], ...options }]);
    if (!runs.has(key)) {
        runs.set(key, sharedRun(key, () => runProgram(config, options)));
    }
    return runs.get(key) as Promise<ProgramRun>;
}

