// The quick-start scripts' decisions, without running them: where Docker is (as the Docker CLI
// picks it), what to say when it does not answer, their arguments, and the Node.js they need.
import { spawnSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { runFromCommandLine } from "../scripts/commandLine";
import { parseDeployArgs } from "../scripts/deploy";
import { DEFAULT_DOCKER_HOST, checkDocker, dockerAdvice, dockerEndpoint, pingDocker } from "../scripts/docker";
import { parseLocalArgs } from "../scripts/local";
import { MINIMUM_NODE_MAJOR, RECOMMENDED_NODE_MAJOR, nodeVersionProblem } from "../scripts/nodeVersion";
import { automationApiInstaller } from "../scripts/pulumiCli";
import { ScriptContext, ScriptFailure, processConsole } from "../scripts/script";

describe("the Docker endpoint, as the Docker CLI picks it", () => {
    let dockerConfig: string;
    beforeEach(() => {
        dockerConfig = fs.mkdtempSync(path.join(os.tmpdir(), "docker-config-"));
    });
    afterEach(() => fs.rmSync(dockerConfig, { recursive: true, force: true }));

    const addContext = (name: string, host: string) => {
        const metaDir = path.join(dockerConfig, "contexts", "meta", createHash("sha256").update(name).digest("hex"));
        fs.mkdirSync(metaDir, { recursive: true });
        fs.writeFileSync(path.join(metaDir, "meta.json"), JSON.stringify({ Name: name, Endpoints: { docker: { Host: host } } }));
    };
    const useContext = (name: string) => fs.writeFileSync(path.join(dockerConfig, "config.json"), JSON.stringify({ currentContext: name }));

    test("DOCKER_HOST, then DOCKER_CONTEXT, then the config's current context, then the default socket", () => {
        addContext("colima", "unix:///home/me/.colima/default/docker.sock");
        addContext("rootless", "unix:///run/user/1000/docker.sock");
        useContext("colima");
        const env = { DOCKER_CONFIG: dockerConfig };
        expect(dockerEndpoint({ ...env, DOCKER_HOST: "tcp://10.0.0.5:2375", DOCKER_CONTEXT: "rootless" })).toEqual({
            host: "tcp://10.0.0.5:2375",
            source: "DOCKER_HOST",
        });
        expect(dockerEndpoint({ ...env, DOCKER_CONTEXT: "rootless" })).toEqual({
            host: "unix:///run/user/1000/docker.sock",
            source: "context",
            context: "rootless",
            chosenBy: "DOCKER_CONTEXT",
        });
        expect(dockerEndpoint(env)).toEqual({
            host: "unix:///home/me/.colima/default/docker.sock",
            source: "context",
            context: "colima",
            chosenBy: path.join(dockerConfig, "config.json"),
        });
        useContext("default");
        expect(dockerEndpoint(env)).toEqual({ host: DEFAULT_DOCKER_HOST, source: "default" });
        fs.rmSync(path.join(dockerConfig, "config.json"));
        expect(dockerEndpoint(env)).toEqual({ host: "unix:///var/run/docker.sock", source: "default" });
    });

    test("a current context that does not exist: says so and how to choose one", () => {
        useContext("gone");
        expect(() => dockerEndpoint({ DOCKER_CONFIG: dockerConfig })).toThrow(
            `The Docker context "gone" (chosen by ${path.join(dockerConfig, "config.json")}) does not exist`,
        );
        expect(() => dockerEndpoint({ DOCKER_CONFIG: dockerConfig })).toThrow("docker context use default");
    });

    test("what to start or set, by where the endpoint came from", () => {
        expect(dockerAdvice({ host: DEFAULT_DOCKER_HOST, source: "default" }, { reason: "no such socket", code: "ENOENT" })).toBe(
            "No Docker engine answers at unix:///var/run/docker.sock (no such socket).\n" +
                "Start Docker: open Docker Desktop, or on Linux: sudo systemctl start docker.\n" +
                "If your engine listens elsewhere (Colima, Rancher Desktop, rootless Docker, Podman), set DOCKER_HOST to its socket " +
                "(e.g. export DOCKER_HOST=unix://$XDG_RUNTIME_DIR/docker.sock) and run again.",
        );
        const colima = { host: "unix:///home/me/.colima/default/docker.sock", source: "context", context: "colima", chosenBy: "DOCKER_CONTEXT" } as const;
        expect(dockerAdvice(colima, { reason: "connection refused", code: "ECONNREFUSED" })).toBe(
            'No Docker engine answers at unix:///home/me/.colima/default/docker.sock (connection refused), the endpoint of the Docker context "colima" (chosen by DOCKER_CONTEXT).\n' +
                "Start it (`colima start`), or choose another context: docker context use default",
        );
        expect(dockerAdvice({ ...colima, context: "lab" }, { reason: "connection refused" })).toContain(
            "Start it (start the engine it points to), or choose another context",
        );
        expect(dockerAdvice({ host: DEFAULT_DOCKER_HOST, source: "default" }, { reason: "permission denied", code: "EACCES" })).toBe(
            "Docker's socket unix:///var/run/docker.sock is there but you may not use it (permission denied).\n" +
                'Add yourself to the docker group: sudo usermod -aG docker "$USER", then log in again (or use rootless Docker and set DOCKER_HOST to its socket).',
        );
    });

    test("the ping: an engine answering an error is no engine; TLS and ssh endpoints are not checked", async () => {
        const socket = path.join(dockerConfig, "broken.sock");
        const server = http.createServer((_request, response) => response.writeHead(500).end());
        await new Promise<void>((resolve) => server.listen(socket, resolve));
        try {
            expect(await pingDocker(`unix://${socket}`, false)).toEqual({ ok: false, reason: "it answered HTTP 500 to GET /_ping" });
        } finally {
            server.close();
        }
        expect(await pingDocker("tcp://10.0.0.5:2376", true)).toBe("unchecked");
        expect(await pingDocker("ssh://me@builder", false)).toBe("unchecked");
        const lines: string[] = [];
        await checkDocker({ DOCKER_HOST: "ssh://me@builder" }, (line) => lines.push(line));
        expect(lines).toEqual(["Docker: ssh://me@builder (DOCKER_HOST); not checked (only unix sockets, named pipes and plain tcp are)."]);
    });
});

describe("arguments", () => {
    test("npm run local", () => {
        expect(parseLocalArgs([])).toEqual({ destroy: false });
        expect(parseLocalArgs(["--slaves", "0"])).toEqual({ destroy: false, slaves: 0 });
        expect(parseLocalArgs(["--destroy"])).toEqual({ destroy: true });
        expect(() => parseLocalArgs(["--slaves", "two"])).toThrow("--slaves wants a number of slaves (0 or more), not two.");
        expect(() => parseLocalArgs(["--slaves"])).toThrow("not nothing");
        expect(() => parseLocalArgs(["--destroy", "--slaves", "2"])).toThrow("--destroy and --slaves do not go together.");
        expect(() => parseLocalArgs(["--stack", "dev"])).toThrow("Unknown argument --stack.\nUsage: npm run local [-- --slaves N | --destroy]");
    });

    test("npm run deploy", () => {
        expect(parseDeployArgs(["--stack", "dev"])).toEqual({ stack: "dev", operation: "up", create: false });
        expect(parseDeployArgs(["--preview", "--stack", "prod"])).toEqual({ stack: "prod", operation: "preview", create: false });
        expect(parseDeployArgs(["--stack", "dev", "--destroy"])).toEqual({ stack: "dev", operation: "destroy", create: false });
        // A stack without its file only when asked.
        expect(parseDeployArgs(["--stack", "staging", "--create"])).toEqual({ stack: "staging", operation: "up", create: true });
        expect(() => parseDeployArgs([])).toThrow("Which stack? Usage: npm run deploy -- --stack <name> [--preview | --destroy]");
        expect(() => parseDeployArgs(["--stack", "--preview"])).toThrow("--stack wants a stack name.");
        expect(() => parseDeployArgs(["--stack", "dev", "--preview", "--destroy"])).toThrow("--preview and --destroy do not go together.");
        expect(() => parseDeployArgs(["--stack", "dev", "--yes"])).toThrow("Unknown argument --yes.");
    });
});

describe("from the command line (the npm scripts)", () => {
    let stderr: jest.SpyInstance;
    beforeEach(() => {
        stderr = jest.spyOn(process.stderr, "write").mockImplementation(() => true);
    });
    afterEach(() => {
        jest.restoreAllMocks();
        process.exitCode = undefined;
    });

    test("runs the script on this project with its arguments, the real installer and console", async () => {
        const saved = process.argv;
        process.argv = ["node", "bin/scripts/local.js", "--slaves", "3"];
        const seen: [string[], ScriptContext][] = [];
        try {
            await runFromCommandLine(async (argv, context) => void seen.push([argv, context]), path.join(__dirname, "..", "bin", "scripts"));
        } finally {
            process.argv = saved;
        }
        expect(seen).toEqual([[["--slaves", "3"], { projectDir: path.join(__dirname, ".."), installCli: automationApiInstaller, console: processConsole }]]);
        expect(process.exitCode).toBeUndefined();
    });

    test("a ScriptFailure is printed as it is, with exit code 1; anything else with its stack trace", async () => {
        await runFromCommandLine(() => Promise.reject(new ScriptFailure("Start Docker.")), __dirname);
        expect(stderr.mock.calls).toEqual([["\nStart Docker.\n"]]);
        expect(process.exitCode).toBe(1);
        stderr.mockClear();
        await runFromCommandLine(() => Promise.reject(new TypeError("a bug")), __dirname);
        expect(String(stderr.mock.calls[0][0])).toMatch(/^TypeError: a bug\n    at /);
    });
});

describe("the Node.js version", () => {
    test("22 and later run the scripts; an older one is told what to install", () => {
        for (const version of ["22.0.0", "22.23.5", "24.22.3", "26.12.1", "v24.1.0"]) {
            expect(nodeVersionProblem(version)).toBeUndefined();
        }
        expect(nodeVersionProblem("20.20.2")).toBe(
            "This is Node.js 20.20.2; this project needs Node.js 22 or later (engines in package.json, as @pulumi/pulumi's).\n" +
                "Install Node.js 24 LTS (https://nodejs.org/en/download), check that `node --version` prints v24, and run again.",
        );
        for (const version of ["21.7.3", "18.20.8", "9.11.2", "", "unknown"]) {
            expect(nodeVersionProblem(version)).toMatch(/^This is Node\.js .*; this project needs Node\.js 22 or later/);
        }
    });

    test("the minimum is package.json's engines, and the line recommended the one CI tests on first", () => {
        const root = path.join(__dirname, "..");
        expect(JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).engines.node).toBe(`>=${MINIMUM_NODE_MAJOR}`);
        const ciVersions = fs.readFileSync(path.join(root, ".ci", "node-versions"), "utf8").split("\n").filter((line) => /^\d/.test(line));
        expect(ciVersions[0].split(".")[0]).toBe(String(RECOMMENDED_NODE_MAJOR));
        expect(ciVersions.map((version) => Number(version.split(".")[0]))).toContain(MINIMUM_NODE_MAJOR);
    });

    test.each(["local", "deploy"])("npm run %s on Node.js 20 stops with that message before it loads @pulumi/pulumi", (script) => {
        // A Node.js that says it is 20, then the script as its npm script runs it (compiled as Jest compiles it).
        const asNode20 =
            'Object.defineProperty(process.versions, "node", { value: "20.20.2" });' +
            'process.on("exit", () => process.stdout.write(JSON.stringify(Object.keys(require.cache).filter((file) => file.includes("@pulumi")))));';
        const result = spawnSync(
            process.execPath,
            ["--require", path.join(__dirname, "register.js"), "-e", `${asNode20} require(${JSON.stringify(path.join(__dirname, "..", "scripts", `${script}.ts`))})`],
            { encoding: "utf8", timeout: 30000 },
        );
        expect(result.stderr).toBe(`\n${nodeVersionProblem("20.20.2")}\n`);
        expect(result.status).toBe(1);
        expect(JSON.parse(result.stdout)).toEqual([]);
    });
});
