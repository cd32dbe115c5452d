// The tests' own machinery: the run server that shares program runs between test files, the
// mock runtime's empty diagnostics frames, and the SDK modules loaded by their own paths.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { program, runInThisProcess, withoutDiagnostics } from "./harness";
import { PID_VARIABLE, SOCKET_VARIABLE, sharedRun } from "./sharedRuns";

describe("the run server (test/sharedRuns.ts)", () => {
    test("makes the same run as the test's own process: sources compiled alike, the same mocks, plain data", async () => {
        const config = { slaveCount: "1", alertEmail: "oncall@example.com", dbEngineVersion: "8.0" };
        const { evaluationMs: _served, ...served } = await program(config);
        const { evaluationMs: _here, ...here } = JSON.parse(JSON.stringify(await runInThisProcess(config)));
        expect(served.warnings.length).toBeGreaterThan(0);
        expect(served.secretExports.length).toBeGreaterThan(0);
        expect(served).toEqual(here);
    });

    test("gone, it is named at once with its output, not waited for, and nothing runs in its place", async () => {
        const saved = { ...process.env };
        const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "run-server-"));
        fs.writeFileSync(path.join(scratch, "run-server.log"), "Error: listen EADDRINUSE");
        // A process that has ended: its pid names no process.
        const ended = spawnSync("true").pid;
        Object.assign(process.env, { [SOCKET_VARIABLE]: path.join(scratch, "runs.sock"), [PID_VARIABLE]: String(ended) });
        const inProcess = jest.fn();
        const started = Date.now();
        try {
            await expect(sharedRun("gone", {}, {}, inProcess)).rejects.toThrow(/did not answer at .*runs\.sock: connect ENOENT.*\nits output:\nError: listen EADDRINUSE/s);
        } finally {
            process.env = saved;
        }
        expect(Date.now() - started).toBeLessThan(5000);
        expect(inProcess).not.toHaveBeenCalled();
    });
});

describe("withoutDiagnostics (test/mockRuntime.ts)", () => {
    const current = () => ({ stackTraceLimit: Error.stackTraceLimit, prepareStackTrace: Error.prepareStackTrace });
    // As Pulumi captures a resource's source position: every frame, then `new Error().stack` parsed.
    const everyFrame = () => {
        const limit = Error.stackTraceLimit;
        Error.stackTraceLimit = Number.POSITIVE_INFINITY;
        try {
            return new Error("every frame").stack;
        } finally {
            Error.stackTraceLimit = limit;
        }
    };

    test("leaves the frames Pulumi captures empty for the run, even with the limit lifted, and back as they were after it", async () => {
        const before = current();
        const during = await withoutDiagnostics(async () => ({ stack: new Error("frameless").stack, everyFrame: everyFrame() }));
        expect(during).toEqual({ stack: "Error: frameless", everyFrame: "Error: every frame" });
        expect(current()).toEqual(before);
        // And back after a run that fails.
        await expect(withoutDiagnostics(() => Promise.reject(new Error("failed run")))).rejects.toThrow("failed run");
        expect(current()).toEqual(before);
        expect(everyFrame()?.split("\n").length).toBeGreaterThan(1);
    });

    test("the SDK records no source position for a resource during such a run, and one outside it", async () => {
        // Pulumi sends a resource's source position with its registration (RegisterResourceRequest.sourcePosition):
        // where the code that made it called the resource's class (a component's or a provider's).
        class Positioned extends pulumi.ComponentResource {
            constructor() {
                super("test:index:Positioned", "positioned");
            }
        }
        const positions = async () => {
            await pulumi.runtime.setMocks({ newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }), call: () => ({}) }, "project", "stack", false);
            const monitor = pulumi.runtime.getMonitor() as any;
            const registerResource = monitor.registerResource.bind(monitor);
            const seen: boolean[] = [];
            monitor.registerResource = (request: any, callback: unknown) => {
                seen.push(request.getSourceposition() !== undefined);
                return registerResource(request, callback);
            };
            new Positioned();
            await pulumi.runtime.disconnect();
            return seen;
        };
        expect(await withoutDiagnostics(positions)).toEqual([false]);
        expect(await positions()).toEqual([true]);
    });
});

describe("the SDK modules loaded by their own paths", () => {
    test("are the package root's public ones (a minor release may move anything else)", () => {
        // config/reader.ts and config.test.ts load RunError without the whole SDK; the scripts load the Automation API.
        expect(require("@pulumi/pulumi/errors").RunError).toBe(pulumi.RunError);
        expect(require("@pulumi/pulumi/automation")).toBe(pulumi.automation);
    });
});
