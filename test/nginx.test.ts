// The local target's nginx config, checked by a real nginx (Debian's, installed by .ci/run):
// `nginx -t`, and nginx on loopback in front of stub nodes, counting where requests go.
// Run-time resolution (`server ... resolve`) needs nginx 1.27.3, the pinned image's version;
// Debian's is older, so that one parameter is checked as text and by the image's version.
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { NGINX as NGINX_PIN } from "../components/versions";
import { SETUP_REFUSED_BODY } from "../components/environment";
import { Upstream, guideUpstreams, renderNginxConfig } from "../components/docker/nginx";

const NGINX = "nginx";
/** The first nginx with `server ... resolve` in its open-source upstream module. */
const RESOLVE_SINCE = [1, 27, 3];

function atLeast(version: number[], minimum: number[]): boolean {
    const i = version.findIndex((part, j) => part !== minimum[j]);
    return i === -1 || version[i] > minimum[i];
}

function tempDir(): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), "new-api-nginx-"));
}

/** A config nginx can run from `dir` as this user: its own pid file and temp paths. */
function loopbackConfig(dir: string, listenPort: number, upstreams: Upstream[], resolver?: string): string {
    return renderNginxConfig({ listenPort, upstreams, resolver, workerProcesses: 1, pidFile: `${dir}/nginx.pid`, tempDir: dir });
}

function nginxTest(dir: string, config: string) {
    const file = path.join(dir, "nginx.conf");
    fs.writeFileSync(file, config);
    const result = spawnSync(NGINX, ["-t", "-c", file, "-p", dir, "-e", `${dir}/error.log`], { encoding: "utf8", timeout: 30000 });
    if (result.error) {
        throw new Error(`nginx could not run (install it: see .ci/run): ${result.error.message}`);
    }
    return { status: result.status, output: result.stderr };
}

function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const port = (server.address() as net.AddressInfo).port;
            server.close(() => resolve(port));
        });
    });
}

interface Stub {
    name: string;
    port: number;
    close(): Promise<void>;
}

/** A stand-in node: answers every request with its name, or as `answer` says. */
async function startStub(
    name: string,
    host = "127.0.0.1",
    port = 0,
    answer: http.RequestListener = (_, res) => res.end(name),
): Promise<Stub & { connections: number }> {
    const sockets = new Set<net.Socket>();
    const server = http.createServer(answer);
    let connections = 0;
    server.on("connection", (s) => {
        connections++;
        sockets.add(s);
        s.on("close", () => sockets.delete(s));
    });
    await new Promise<void>((resolve) => server.listen(port, host, resolve));
    return {
        name,
        port: (server.address() as net.AddressInfo).port,
        get connections() {
            return connections;
        },
        close: () =>
            new Promise<void>((resolve) => {
                server.close(() => resolve());
                sockets.forEach((s) => s.destroy());
            }),
    };
}

function get(port: number, agent: http.Agent, requestPath = "/api/status", method = "GET", requestBody?: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
        const req = http.request({ host: "127.0.0.1", port, path: requestPath, method, agent, timeout: 5000 }, (res) => {
            let body = "";
            res.on("data", (chunk) => (body += chunk));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on("timeout", () => req.destroy(new Error("request timed out")));
        req.on("error", reject);
        req.end(requestBody);
    });
}

/** nginx in the foreground with `config` (checked first), once it listens on `port`. */
async function startNginx(dir: string, config: string, port: number): Promise<ChildProcess> {
    expect(nginxTest(dir, config).status).toBe(0);
    const nginx = spawn(NGINX, ["-c", path.join(dir, "nginx.conf"), "-p", dir, "-e", `${dir}/error.log`, "-g", "daemon off;"], { stdio: "ignore" });
    await waitForPort(port, 10000);
    return nginx;
}

async function waitForPort(port: number, deadlineMs: number): Promise<void> {
    const until = Date.now() + deadlineMs;
    for (;;) {
        const open = await new Promise<boolean>((resolve) => {
            const socket = net.connect(port, "127.0.0.1", () => {
                socket.destroy();
                resolve(true);
            });
            socket.on("error", () => resolve(false));
        });
        if (open) {
            return;
        }
        if (Date.now() > until) {
            throw new Error(`nothing listens on ${port} after ${deadlineMs} ms`);
        }
        await new Promise((r) => setTimeout(r, 50));
    }
}

/** Sends `count` requests one after another and counts which stub answered. */
async function distribute(port: number, count: number): Promise<Record<string, number>> {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const counts: Record<string, number> = {};
    try {
        for (let i = 0; i < count; i++) {
            const { status, body } = await get(port, agent);
            expect(status).toBe(200);
            counts[body] = (counts[body] ?? 0) + 1;
        }
    } finally {
        agent.destroy();
    }
    return counts;
}

describe("renderNginxConfig", () => {
    test("the guide's upstream: master weight 3, each slave weight 5, and its proxy headers", () => {
        const config = renderNginxConfig({
            listenPort: 80,
            upstreams: guideUpstreams("m:3000", ["s0:3000", "s1:3000"], 3, 5),
        });
        expect(config).toMatch(/upstream new_api_cluster \{\n\s+server m:3000 weight=3 .*\n\s+server s0:3000 weight=5 .*\n\s+server s1:3000 weight=5 /);
        for (const header of [
            "proxy_set_header Host $host;",
            "proxy_set_header X-Real-IP $remote_addr;",
            "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
            "proxy_set_header X-Forwarded-Proto $scheme;",
        ]) {
            expect(config).toContain(header);
        }
        expect(config).toContain("listen 80;");
        expect(config).toContain("proxy_buffering off;");
    });

    test("with a resolver: asked again every 10 s, the upstream in shared memory, every server re-resolved", () => {
        const config = renderNginxConfig({
            listenPort: 80,
            upstreams: guideUpstreams("m:3000", ["s0:3000"], 3, 5),
            resolver: "127.0.0.11",
        });
        expect(config).toMatch(
            /\n {4}resolver 127\.0\.0\.11 valid=10s ipv6=off;\n\n {4}upstream new_api_cluster \{\n {8}zone new_api_cluster 64k;\n {8}server m:3000 weight=3 max_fails=1 fail_timeout=10s resolve;\n {8}server s0:3000 weight=5 max_fails=1 fail_timeout=10s resolve;\n/,
        );
        const once = renderNginxConfig({ listenPort: 80, upstreams: guideUpstreams("m:3000", ["s0:3000"], 3, 5) });
        expect(once).not.toMatch(/resolver|zone|resolve;/);
    });

    test("refuses what nginx would reject", () => {
        expect(() => renderNginxConfig({ listenPort: 80, upstreams: [] })).toThrow(/at least one upstream/);
        expect(() => renderNginxConfig({ listenPort: 80, upstreams: [{ address: "m; evil", weight: 3 }] })).toThrow(/bad upstream/);
        expect(() => renderNginxConfig({ listenPort: 80, upstreams: [{ address: "m:3000", weight: 0 }] })).toThrow(/bad upstream/);
        for (const address of ["evil; m:3000", "m:3000; evil"]) {
            expect(() => renderNginxConfig({ listenPort: 80, upstreams: [{ address, weight: 3 }] })).toThrow(/bad upstream/);
        }
    });
});

describe("real nginx", () => {
    test("nginx -t accepts the config, and rejects a broken one", () => {
        const dir = tempDir();
        try {
            const upstreams = guideUpstreams("127.0.0.1:3000", ["127.0.0.1:3001", "127.0.0.1:3002"], 3, 5);
            const container = renderNginxConfig({ listenPort: 80, upstreams, resolver: "127.0.0.11" });
            // The container's config, with its pid file and temp paths moved into `dir`, and
            // names resolved once (run-time resolution: see the next test).
            const here = loopbackConfig(dir, 18080, upstreams);
            expect(here.replace(/^pid .*$/m, "").replace(/^\s+\w+_temp_path .*\n/gm, "").replace("listen 18080", "listen 80")).toBe(
                container
                    .replace(/^pid .*$/m, "")
                    .replace(/^worker_processes .*$/m, "worker_processes 1;")
                    .replace(/^\s+(resolver|zone) .*\n/gm, "")
                    .replace(/ resolve;$/gm, ";"),
            );
            expect(nginxTest(dir, here)).toEqual({ status: 0, output: expect.stringMatching(/test is successful/) });
            expect(nginxTest(dir, here.replace("proxy_pass", "proxy_pas")).status).not.toBe(0);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    test("nginx -t accepts the container's config with its own worker count and pid file", () => {
        const dir = tempDir();
        try {
            const container = renderNginxConfig({ listenPort: 80, upstreams: guideUpstreams("127.0.0.1:3000", ["127.0.0.1:3001"], 3, 5) });
            expect(nginxTest(dir, container)).toEqual({ status: 0, output: expect.stringMatching(/test is successful/) });
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    test("proxies as New API needs: large bodies, HTTP/1.1 kept alive to the nodes, a node's 502 or 503 retried on the next", async () => {
        const dir = tempDir();
        const seen: { version: string; connection?: string; bytes: number }[] = [];
        const master = await startStub("master", "127.0.0.1", 0, (req, res) => {
            let bytes = 0;
            req.on("data", (chunk: Buffer) => (bytes += chunk.length));
            req.on("end", () => {
                seen.push({ version: req.httpVersion, connection: req.headers.connection, bytes });
                res.end("master");
            });
        });
        const failing = await startStub("failing", "127.0.0.1", 0, (_, res) => {
            res.statusCode = 503;
            res.end("failing");
        });
        let nginx: ChildProcess | undefined;
        const agent = new http.Agent();
        try {
            // A body this large goes through nginx's temp files: its workers (nobody, under root) must reach them.
            fs.chmodSync(dir, 0o755);
            const port = await freePort();
            nginx = await startNginx(dir, loopbackConfig(dir, port, [{ address: `127.0.0.1:${master.port}`, weight: 1 }]), port);
            const body = "x".repeat(2 * 1024 * 1024);
            expect(await get(port, agent, "/v1/chat/completions", "POST", body)).toEqual({ status: 200, body: "master" });
            expect(seen).toEqual([{ version: "1.1", connection: undefined, bytes: body.length }]);
            for (let i = 0; i < 4; i++) {
                await get(port, agent);
            }
            expect(master.connections).toBe(1);
            nginx.kill("SIGTERM");

            const retryPort = await freePort();
            const upstreams = [`127.0.0.1:${failing.port}`, `127.0.0.1:${master.port}`].map((address) => ({ address, weight: 1 }));
            nginx = await startNginx(dir, loopbackConfig(dir, retryPort, upstreams), retryPort);
            for (let i = 0; i < 4; i++) {
                expect(await get(retryPort, agent)).toEqual({ status: 200, body: "master" });
            }
        } finally {
            agent.destroy();
            nginx?.kill("SIGTERM");
            await Promise.all([master.close(), failing.close()]);
            fs.rmSync(dir, { recursive: true, force: true });
        }
    }, 30000);

    test("the pinned nginx image resolves names at run time (1.27.3 or later)", () => {
        const match = /^nginx:(\d+)\.(\d+)\.(\d+)-alpine$/.exec(NGINX_PIN.image);
        expect(match).not.toBeNull();
        expect(atLeast((match as RegExpExecArray).slice(1).map(Number), RESOLVE_SINCE)).toBe(true);
    });

    test("nginx -t accepts the run-time resolution config but for `resolve` itself (Debian's nginx predates it)", () => {
        const dir = tempDir();
        try {
            const config = loopbackConfig(dir, 18080, guideUpstreams("localhost:3000", ["localhost:3001"], 3, 5), "127.0.0.11");
            expect(config).toMatch(/ resolve;$/m);
            expect(nginxTest(dir, config.replace(/ resolve;$/gm, ";"))).toEqual({ status: 0, output: expect.stringMatching(/test is successful/) });
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    test.each([1, 2, 4])(
        "splits requests master 3 : 5 per slave with %i slaves, and skips a stopped slave",
        async (slaveCount) => {
            const dir = tempDir();
            const stubs = [await startStub("master")];
            for (let i = 0; i < slaveCount; i++) {
                stubs.push(await startStub(`slave-${i}`));
            }
            let nginx: ChildProcess | undefined;
            try {
                const port = await freePort();
                const upstreams = guideUpstreams(
                    `127.0.0.1:${stubs[0].port}`,
                    stubs.slice(1).map((s) => `127.0.0.1:${s.port}`),
                    3,
                    5,
                );
                nginx = await startNginx(dir, loopbackConfig(dir, port, upstreams), port);

                // Smooth weighted round robin (one nginx worker, one request at a time): its picks
                // repeat every 3 + 5N requests, so whole rounds split exactly.
                const totalWeight = 3 + 5 * slaveCount;
                const rounds = 4;
                const counts = await distribute(port, totalWeight * rounds);
                expect(counts.master).toBe(3 * rounds);
                for (let i = 0; i < slaveCount; i++) {
                    expect(counts[`slave-${i}`]).toBe(5 * rounds);
                }

                // Stop the last slave: every request still succeeds, none reaches it. Ten rounds: the
                // failover of the first request to it shifts the split by a request or two.
                await stubs[slaveCount].close();
                const after = await distribute(port, (totalWeight - 5) * 10);
                expect(after[`slave-${slaveCount - 1}`]).toBeUndefined();
                const remaining = Object.values(after).reduce((a, b) => a + b, 0);
                expect(remaining).toBe((totalWeight - 5) * 10);
                expect(Math.abs(after.master / remaining - 3 / (totalWeight - 5))).toBeLessThanOrEqual(0.05);
            } finally {
                nginx?.kill("SIGTERM");
                // Every stub, the stopped one too (closing twice is harmless): an open server would keep Jest from ending.
                await Promise.all(stubs.map((s) => s.close()));
                fs.rmSync(dir, { recursive: true, force: true });
            }
        },
        30000,
    );

    test("refuses New API's setup wizard however it is spelled, and passes everything else", async () => {
        const dir = tempDir();
        const node = await startStub("master");
        let nginx: ChildProcess | undefined;
        const agent = new http.Agent();
        try {
            const port = await freePort();
            nginx = await startNginx(dir, loopbackConfig(dir, port, guideUpstreams(`127.0.0.1:${node.port}`, [], 3, 5)), port);
            for (const spelling of ["/api/setup", "/api/setup/", "/api/%73etup", "/api%2Fsetup", "//api/setup", "/api/./setup"]) {
                for (const method of ["GET", "POST"]) {
                    expect({ spelling, method, ...(await get(port, agent, spelling, method)) }).toEqual({
                        spelling,
                        method,
                        status: 403,
                        body: SETUP_REFUSED_BODY,
                    });
                }
            }
            const refused = await new Promise<http.IncomingMessage>((done) => http.get({ host: "127.0.0.1", port, path: "/api/setup", agent }, done));
            refused.resume();
            expect(refused.headers["content-type"]).toBe("application/json");
            for (const other of ["/api/status", "/api/setupx", "/v1/models", "/"]) {
                expect({ other, ...(await get(port, agent, other)) }).toEqual({ other, status: 200, body: "master" });
            }
        } finally {
            agent.destroy();
            nginx?.kill("SIGTERM");
            await node.close();
            fs.rmSync(dir, { recursive: true, force: true });
        }
    }, 30000);
});
