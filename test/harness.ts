// Runs the whole Pulumi program (index.ts) under Pulumi's mock runtime with a given config,
// and returns what it registered and exported, as plain data. The runs are made by the
// invocation's run server (test/sharedRuns.ts), or in the test's own process where there is none.
import { SETTINGS } from "../components/config/schema";
import { ProgramRun, Registered, RunOptions, evaluateProgram, withoutDiagnostics } from "./mockRuntime";
import { sharedRun } from "./sharedRuns";

export * from "./mockRuntime";

let previous: Promise<unknown> = Promise.resolve();

/**
 * Runs index.ts in this process, not shared, and waits until every resource is registered. Runs
 * are queued: the mock runtime holds one run at a time. Tests use program(); this is its fallback.
 */
export function runInThisProcess(config: Record<string, string>, options: RunOptions = {}): Promise<ProgramRun> {
    const run = previous.then(() => withoutDiagnostics(() => evaluateProgram(require, config, options)));
    previous = run.catch(() => undefined);
    return run;
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
/**
 * The run of index.ts with `config` (keys without the project prefix, values as Pulumi stores
 * them) and `options`, once per invocation: every test that asks for the same settings gets the
 * same run. A program that throws rejects with its ProgramError.
 */
export function program(config: Record<string, string> = {}, options: RunOptions = {}): Promise<ProgramRun> {
    const key = JSON.stringify([runSettings(config), { stack: "dev", preview: false, secretKeys: [], ...options }]);
    if (!runs.has(key)) {
        runs.set(key, sharedRun(key, config, options, () => runInThisProcess(config, options)));
    }
    return runs.get(key) as Promise<ProgramRun>;
}

