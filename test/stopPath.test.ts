// A node's stop, run for real with short budgets: the local target's entrypoint (local-node.sh)
// and the AWS node's ExecStop (stop.sh, through a `docker` that signals as Docker does) stop a
// stand-in New API server (stubs/fakeNewApi.js) while a request is in flight. A request that
// fits New API's window finishes; one longer than it is cut when the window ends; a server that
// ignores SIGTERM is killed at the budget's end, so nothing waits forever. And the stop script a
// node is given, with stub docker and sleep: what it waits and the time it gives docker stop.
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { renderStopScript } from "../components/aws/userdata";
import { localNodeParameters } from "../components/docker/containers";
import { renderScript } from "../components/scripts/render";
import { stopBudget } from "../components/stopBudget";
import { master } from "./nodeFixtures";
import { runScript } from "./scriptRunner";

const FAKE_NEW_API = path.join(__dirname, "stubs", "fakeNewApi.js");
/** One batch interval of 1 s (+2 s before SIGTERM), and a window of 2 s. */
const SETTINGS = { batchUpdateInterval: 1, shutdownTimeout: 2, deregistrationDelay: 0 };
const budget = stopBudget(SETTINGS);

interface Started {
    process: ChildProcess;
    port: number;
    exited: Promise<{ code: number | null; at: number }>;
    output: () => string;
}

function start(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<Started> {
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const exited = new Promise<{ code: number | null; at: number }>((resolve) => child.on("exit", (code) => resolve({ code, at: Date.now() })));
    return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no server: ${output}`)), 10000);
        const collect = (chunk: Buffer) => {
            output += chunk.toString();
            const match = /listening (\d+)/.exec(output);
            if (match) {
                clearTimeout(timer);
                resolve({ process: child, port: Number(match[1]), exited, output: () => output });
            }
        };
        child.stdout.on("data", collect);
        child.stderr.on("data", collect);
    });
}

/** Runs a script to its end: its exit status, and when. */
function finish(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; at: number }> {
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: "ignore" });
    return new Promise((resolve) => child.on("exit", (code) => resolve({ code, at: Date.now() })));
}

/** A request of `ms` to the server: its answer, or the error that cut it, and when. */
function request(port: number, ms: number): Promise<{ answer?: string; error?: string; at: number }> {
    return new Promise((resolve) => {
        const req = http.get({ host: "127.0.0.1", port, path: `/slow?ms=${ms}`, agent: false }, (response) => {
            let body = "";
            response.on("data", (d) => (body += d));
            response.on("end", () => resolve({ answer: body, at: Date.now() }));
            response.on("error", (e) => resolve({ error: e.message, at: Date.now() }));
        });
        req.on("error", (e) => resolve({ error: e.message, at: Date.now() }));
    });
}

const pause = (ms: number) => new Promise((wake) => setTimeout(wake, ms));

describe("the local target's node stops as the budget says", () => {
    const script = renderScript("local-node.sh", localNodeParameters(budget, FAKE_NEW_API));
    const node = (env: NodeJS.ProcessEnv = {}) =>
        start("sh", ["-c", script, "new-api", "--log-dir="], { SHUTDOWN_TIMEOUT_SECONDS: String(SETTINGS.shutdownTimeout), ...env });

    test.concurrent("a request in flight finishes: SIGTERM waits one batch interval, then New API finishes it and exits 0", async () => {
        const n = await node();
        const inFlight = request(n.port, 3500);
        await pause(200);
        const signalled = Date.now();
        n.process.kill("SIGTERM");
        // Still serving during the batch interval: the quota buffer's last write.
        expect((await request(n.port, 0)).answer).toBe("done after 0 ms\n");
        const [finished, exit] = await Promise.all([inFlight, n.exited]);
        expect(finished.answer).toBe("done after 3500 ms\n");
        expect(exit.code).toBe(0);
        // Not before the quota flush wait, and well within the whole stop budget.
        expect(exit.at - signalled).toBeGreaterThanOrEqual(budget.quotaFlushSeconds * 1000);
        expect(exit.at - signalled).toBeLessThan(budget.stopSeconds * 1000);
    });

    test.concurrent("a request longer than New API's window is cut when the window ends", async () => {
        const n = await node();
        const inFlight = request(n.port, 20000);
        await pause(200);
        const signalled = Date.now();
        n.process.kill("SIGTERM");
        const [cut, exit] = await Promise.all([inFlight, n.exited]);
        expect(cut.answer).toBeUndefined();
        expect(cut.error).toMatch(/socket hang up|ECONNRESET/);
        expect(exit.code).toBe(0);
        const window = (budget.quotaFlushSeconds + budget.shutdownSeconds) * 1000;
        expect(exit.at - signalled).toBeGreaterThanOrEqual(window - 100);
        expect(exit.at - signalled).toBeLessThan(window + 2000);
    });

    test.concurrent("New API exiting on its own ends the container with its status, without waiting", async () => {
        const began = Date.now();
        const exit = await finish("sh", ["-c", renderScript("local-node.sh", localNodeParameters(budget, "false")), "new-api"], {});
        expect(exit.code).toBe(1);
        expect(exit.at - began).toBeLessThan(budget.quotaFlushSeconds * 1000);
    });
});

describe("an AWS node's stop script stops New API through docker stop", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "new-api-stop-"));
    // `docker stop --time N NAME` as Docker does it: SIGTERM to the container's process, SIGKILL N s later.
    const dockerStub = path.join(root, "docker");
    fs.writeFileSync(
        dockerStub,
        [
            "#!/bin/sh",
            'echo "docker $*" >> "$STUB_CALLS"',
            '[ "$1" = stop ] && [ "$2" = --time ] || exit 1',
            'pid=$(cat "$PID_FILE"); kill -TERM "$pid"',
            'i=0; while kill -0 "$pid" 2>/dev/null; do [ $i -lt $(( $3 * 10 )) ] || { kill -KILL "$pid"; echo killed >> "$STUB_CALLS"; break; }; sleep 0.1; i=$((i + 1)); done',
            "",
        ].join("\n"),
        { mode: 0o755 },
    );
    afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

    const stop = async (name: string, env: NodeJS.ProcessEnv, requestMs: number, killAfterSeconds = budget.killAfterSeconds) => {
        const files = { PID_FILE: path.join(root, `${name}.pid`), STUB_CALLS: path.join(root, `${name}.calls`) };
        const server = await start("node", [FAKE_NEW_API], { ...files, SHUTDOWN_TIMEOUT_SECONDS: String(SETTINGS.shutdownTimeout), ...env });
        const inFlight = request(server.port, requestMs);
        await pause(200);
        const began = Date.now();
        const script = renderScript("stop.sh", { QUOTA_FLUSH_SECONDS: budget.quotaFlushSeconds, KILL_AFTER_SECONDS: killAfterSeconds, CONTAINER_NAME: "new-api" });
        const [answer, exit, serverExit] = await Promise.all([inFlight, finish("bash", ["-c", script], { ...files, PATH: `${root}:${process.env.PATH}` }), server.exited]);
        return { answer, exit, serverExit, seconds: (exit.at - began) / 1000, calls: fs.readFileSync(files.STUB_CALLS, "utf8") };
    };

    test.concurrent("a request in flight finishes; docker stop is given New API's window and a margin", async () => {
        const run = await stop("fits", {}, 3500);
        expect(run.answer.answer).toBe("done after 3500 ms\n");
        expect(run.serverExit.code).toBe(0);
        expect(run.calls).toBe(`docker stop --time ${budget.killAfterSeconds} new-api\n`);
        expect(run.seconds).toBeGreaterThanOrEqual(budget.quotaFlushSeconds);
    });

    test.concurrent("a server that ignores SIGTERM is killed at the budget's end: the stop never waits longer", async () => {
        const run = await stop("hangs", { IGNORE_SIGTERM: "true" }, 20000, 2);
        expect(run.answer.answer).toBeUndefined();
        expect(run.calls).toBe("docker stop --time 2 new-api\nkilled\n");
        expect(run.seconds).toBeGreaterThanOrEqual(budget.quotaFlushSeconds + 2);
        expect(run.seconds).toBeLessThan(budget.quotaFlushSeconds + 2 + 2);
    });
});

describe("stop", () => {
    test("a clean stop: waits for the last batch of quota updates, then SIGTERM, and SIGKILL only after New API's own window", () => {
        const run = runScript(renderStopScript(master), {});
        expect(run.status).toBe(0);
        // batchUpdateInterval 5 + 2; shutdownTimeout 300 + 10.
        expect(run.calls).toEqual(["sleep 7", "docker stop --time 310 new-api"]);
    });
});
