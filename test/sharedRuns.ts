// Program runs shared by the test files of one `jest` invocation: the same configurations
// (the default stack, 0 to 5 slaves, the production example) are asked for by many files, in
// two worker processes. Jest's globalSetup starts one plain Node.js process that makes every
// run, once per configuration, and answers the workers on a Unix socket (test/runServer/); its
// globalTeardown stops it. The invocation also gets a scratch folder, the workers' TMPDIR,
// removed at its end: nothing outlives the invocation, not even the tests' temporary folders.
import { ChildProcess, fork } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import type { ProgramRun, RunOptions } from "./mockRuntime";
import type { RunAnswer, RunRequest } from "./runServer/server";

/** The variables that name, for the workers (they inherit Jest's environment), the invocation's scratch folder and the run server's socket. */
const SCRATCH_VARIABLE = "NEW_API_CLUSTER_TEST_SCRATCH";
export const SOCKET_VARIABLE = "NEW_API_CLUSTER_RUN_SERVER";
/** The server's pid, for globalTeardown (globalSetup and globalTeardown may not share a module instance). */
export const PID_VARIABLE = "NEW_API_CLUSTER_RUN_SERVER_PID";

/** How long a worker keeps trying to reach the server, which may still be starting (under a second; more on a busy machine). */
const CONNECT_DEADLINE_MS = 30_000;
const CONNECT_RETRY_MS = 25;

export async function globalSetup(): Promise<void> {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "new-api-cluster-tests-"));
    // Others may pass through, as through /tmp: a real nginx's workers run as nobody (test/nginx.test.ts).
    fs.chmodSync(scratch, 0o755);
    const socket = path.join(scratch, "runs.sock");
    const log = fs.openSync(path.join(scratch, "run-server.log"), "w");
    // 128 MB semi-spaces: the server's scavenges took 2.7 s with 64 MB, 1.7 s with 128 and no less with more (--trace-gc).
    const server: ChildProcess = fork(path.join(__dirname, "runServer", "server.ts"), [socket], {
        execArgv: ["--require", path.join(__dirname, "register.js"), "--max-semi-space-size=128"],
        stdio: ["ignore", log, log, "ipc"],
    });
    fs.closeSync(log);
    // Jest's main process must not wait for the server to end.
    server.unref();
    server.channel?.unref();
    Object.assign(process.env, { [SCRATCH_VARIABLE]: scratch, [SOCKET_VARIABLE]: socket, [PID_VARIABLE]: String(server.pid), TMPDIR: scratch });
}

export async function globalTeardown(): Promise<void> {
    const pid = Number(process.env[PID_VARIABLE]);
    if (pid > 0) {
        try {
            process.kill(pid);
        } catch {
            // It has ended already.
        }
    }
    const scratch = process.env[SCRATCH_VARIABLE];
    if (scratch !== undefined) {
        fs.rmSync(scratch, { recursive: true, force: true });
    }
}

/**
 * The run `key` names, as JSON gives it back, so that it reads the same in every file: the run
 * server's, or `inProcess`'s where there is no server (Jest started without globalSetup) or
 * where the code under test is instrumented in this process (StrykerJS's mutants: the server
 * would run the code unmutated). A run the server could not make is made again here, so that
 * the test sees the program's own error (its class, its stack), not a message.
 */
export async function sharedRun(key: string, config: Record<string, string>, options: RunOptions, inProcess: () => Promise<ProgramRun>): Promise<ProgramRun> {
    const socket = process.env[SOCKET_VARIABLE];
    if (socket === undefined || "__stryker__" in globalThis) {
        return JSON.parse(JSON.stringify(await inProcess()));
    }
    const answer = await ask(socket, { key, config, options });
    return "run" in answer ? answer.run : JSON.parse(JSON.stringify(await inProcess()));
}

async function ask(socket: string, request: RunRequest): Promise<RunAnswer> {
    const deadline = Date.now() + CONNECT_DEADLINE_MS;
    for (;;) {
        try {
            return await exchange(socket, `${JSON.stringify(request)}\n`);
        } catch (error) {
            const code = (error as NodeJS.ErrnoException).code;
            const starting = (code === "ENOENT" || code === "ECONNREFUSED") && serverAlive();
            if (!starting || Date.now() > deadline) {
                const log = path.join(path.dirname(socket), "run-server.log");
                const output = fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim() : "";
                throw new Error(`the program run server (test/runServer/) did not answer at ${socket}: ${(error as Error).message}${output ? `\nits output:\n${output}` : ""}`);
            }
            await new Promise((wake) => setTimeout(wake, CONNECT_RETRY_MS));
        }
    }
}

function serverAlive(): boolean {
    try {
        process.kill(Number(process.env[PID_VARIABLE]), 0);
        return true;
    } catch {
        return false;
    }
}

/** Sends `line`, and reads the answer until the server ends the connection. */
function exchange(socket: string, line: string): Promise<RunAnswer> {
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        const connection = net.createConnection(socket, () => connection.write(line));
        connection.on("data", (chunk: Buffer) => chunks.push(chunk));
        connection.on("error", reject);
        connection.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            if (text === "") {
                reject(new Error("it ended the connection without an answer"));
            } else {
                resolve(JSON.parse(text) as RunAnswer);
            }
        });
    });
}
