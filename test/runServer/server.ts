// The program runs of one `jest` invocation, made in one plain Node.js process that Jest's
// globalSetup starts (test/sharedRuns.ts). The same runs in Jest's workers took three to four
// times as long (measured): each test file loads @pulumi/pulumi and @pulumi/aws again, inside
// Jest's module sandbox, and warms them up again. Here the modules load once and stay warm, and
// each configuration is run once for every test file that asks for it.
// Protocol, on a Unix socket: a client sends one line of JSON ({ key, config, options }) and
// gets back one JSON text ({ run } or { error }), then the connection ends.
import { createRequire } from "module";
import * as net from "net";
import * as path from "path";
import { ProgramRun, RunOptions, evaluateProgram, withoutDiagnostics } from "../mockRuntime";

export interface RunRequest {
    /** What makes the run what it is (test/harness.ts's key): equal keys get one run. */
    key: string;
    config: Record<string, string>;
    options: RunOptions;
}

export type RunAnswer = { run: ProgramRun } | { error: string };

// evaluateProgram's paths are relative to a folder beside index.ts, as test/harness.ts's require is.
const load = createRequire(path.join(__dirname, "..", "harness.ts"));
const answers = new Map<string, Promise<string>>();
// Pulumi's mock runtime holds one run at a time.
let previous: Promise<unknown> = Promise.resolve();

function answer(request: RunRequest): Promise<string> {
    let known = answers.get(request.key);
    if (known === undefined) {
        known = previous.then(() => evaluate(request));
        previous = known;
        answers.set(request.key, known);
    }
    return known;
}

async function evaluate({ config, options }: RunRequest): Promise<string> {
    let result: RunAnswer;
    try {
        result = { run: await withoutDiagnostics(() => evaluateProgram(load, config, options)) };
    } catch (error) {
        result = { error: error instanceof Error ? error.message : String(error) };
    }
    return JSON.stringify(result);
}

function serve(socketPath: string): void {
    const server = net.createServer((socket) => {
        let received = "";
        socket.setEncoding("utf8");
        socket.on("data", (chunk: string) => {
            const end = chunk.indexOf("\n");
            if (end < 0) {
                received += chunk;
                return;
            }
            // One request per connection: the line ends it.
            socket.removeAllListeners("data");
            answer(JSON.parse(received + chunk.slice(0, end)) as RunRequest).then((text) => socket.end(text));
        });
        socket.on("error", () => socket.destroy());
    });
    // Loading the program and the SDKs takes a few seconds: done while Jest starts its workers.
    server.listen(socketPath, () => setImmediate(() => load("../index")));
    // Jest ended (or died): its IPC channel closes.
    process.on("disconnect", () => process.exit(0));
}

serve(process.argv[2]);
