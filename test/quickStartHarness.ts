// Runs scripts/local.ts and scripts/deploy.ts for real, in a temporary copy of the project (a
// git repository with this project's .gitignore), with a temporary HOME, a stub `pulumi` and a
// stub Docker engine. The stub `pulumi` is what the Automation API drives: it logs each call
// (arguments, folder, the environment Pulumi reads) and answers like the CLI, keeping stacks
// where the real one would (the file backend's folder, Pulumi's home) so that the tests can see
// what lands where. The Docker engine is an HTTP server on a unix socket answering GET /_ping.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { PulumiCommand } from "@pulumi/pulumi/automation";
import { Script } from "../scripts/commandLine";
import { Console, ScriptContext } from "../scripts/script";

const REPO = path.join(__dirname, "..");

/** The variables the stub records: how a script configures the CLI. */
const RECORDED_ENV = [
    "PULUMI_BACKEND_URL",
    "PULUMI_HOME",
    "PULUMI_CONFIG_PASSPHRASE",
    "PULUMI_CONFIG_PASSPHRASE_FILE",
    "DOCKER_HOST",
] as const;

export interface PulumiCall {
    /** The arguments, joined by spaces. */
    command: string;
    cwd: string;
    env: Partial<Record<(typeof RECORDED_ENV)[number], string>>;
}

/** The stub `pulumi`, a Node.js script; `yaml` is this project's. */
function stubPulumi(): string {
    return `#!${process.execPath}
const fs = require("fs"), path = require("path"), crypto = require("crypto");
const yaml = () => require(${JSON.stringify(require.resolve("yaml"))}); // only where config files are read: it costs startup time
const args = process.argv.slice(2), env = process.env;
const recorded = Object.fromEntries(${JSON.stringify(RECORDED_ENV)}.filter((k) => k in env).map((k) => [k, env[k]]));
fs.appendFileSync(env.STUB_PULUMI_LOG, JSON.stringify({ command: args.join(" "), cwd: process.cwd(), env: recorded }) + "\\n");
const fail = (message) => { process.stderr.write(message + "\\n"); process.exit(255); };
const flag = (name) => { const i = args.indexOf(name); return i < 0 ? undefined : args[i + 1]; };
if (args[0] === "version") { console.log("v3.248.0"); process.exit(0); }

// Which backend: PULUMI_BACKEND_URL, else the login of the (stub) Pulumi home.
const home = env.PULUMI_HOME || path.join(env.HOME, ".pulumi");
const credentials = path.join(home, "credentials.json");
const backend = env.PULUMI_BACKEND_URL || (fs.existsSync(credentials) ? JSON.parse(fs.readFileSync(credentials, "utf8")).current : undefined);
if (!backend) fail("error: PULUMI_ACCESS_TOKEN must be set for login during non-interactive CLI sessions");
const stacksDir = backend.startsWith("file://")
    ? path.join(backend.slice("file://".length), ".pulumi", "stacks", "new-api-cluster")
    : path.join(env.STUB_CLOUD_DIR, "stacks");
const stackName = args[0] === "stack" && args[1] === "init" ? args[2] : flag("--stack");
const stackFile = stackName && path.join(stacksDir, stackName + ".json");
const readStack = () => JSON.parse(fs.readFileSync(stackFile, "utf8"));
const writeStack = (stack) => { fs.mkdirSync(stacksDir, { recursive: true }); fs.writeFileSync(stackFile, JSON.stringify(stack)); };
const configFile = path.join(process.cwd(), "Pulumi." + stackName + ".yaml");
const passphrase = env.PULUMI_CONFIG_PASSPHRASE ?? (env.PULUMI_CONFIG_PASSPHRASE_FILE && fs.readFileSync(env.PULUMI_CONFIG_PASSPHRASE_FILE, "utf8").trim());
const saltOf = (phrase) => "v1:stub:" + crypto.createHash("sha256").update(phrase).digest("hex").slice(0, 16);
// Pulumi remembers the selected stack in its home, as the real CLI does.
const select = () => { fs.mkdirSync(path.join(home, "workspaces"), { recursive: true }); fs.writeFileSync(path.join(home, "workspaces", "new-api-cluster.json"), JSON.stringify({ stack: stackName })); };
const unlock = () => {
    const stack = readStack();
    if (stack.salt && passphrase === undefined) fail("error: passphrase must be set with PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE environment variables");
    if (stack.salt && stack.salt !== saltOf(passphrase)) fail("error: incorrect passphrase");
    return stack;
};
const verb = args.slice(0, 2).join(" ");

if (args[0] === "whoami") { console.log(JSON.stringify({ user: "you", url: backend })); process.exit(0); }
if (verb === "stack select") { if (!fs.existsSync(stackFile)) fail("error: no stack named '" + stackName + "' found"); select(); process.exit(0); }
if (verb === "stack init") {
    if (fs.existsSync(stackFile)) fail("error: stack '" + stackName + "' already exists");
    let salt;
    if (backend.startsWith("file://")) {
        // The passphrase provider: its salt goes into the stack's config file, and a salt already there must match.
        if (passphrase === undefined) fail("error: passphrase must be set with PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE environment variables");
        salt = saltOf(passphrase);
        const config = fs.existsSync(configFile) ? yaml().parse(fs.readFileSync(configFile, "utf8")) : {};
        if (config.encryptionsalt && config.encryptionsalt !== salt) fail("error: incorrect passphrase");
        fs.writeFileSync(configFile, yaml().stringify({ ...config, encryptionsalt: salt }));
    }
    writeStack({ salt, outputs: {} }); select(); process.exit(0);
}
if (!stackFile || !fs.existsSync(stackFile)) fail("error: no stack named '" + stackName + "' found");
if (verb === "config set") {
    const config = yaml().parse(fs.readFileSync(configFile, "utf8"));
    config.config[args[2]] = args[args.length - 1];
    fs.writeFileSync(configFile, yaml().stringify(config)); process.exit(0);
}
if (args[0] === "up") {
    const stack = unlock();
    console.log("Updating (" + stackName + "):");
    if (env.STUB_UP_FAILS) { console.log(" +  docker:index/container:Container newapi-local-master creating failed"); fail("error: update failed"); }
    console.log(" +  pulumi:pulumi:Stack new-api-cluster-" + stackName + " created");
    console.log("Resources:\\n    + 12 created");
    stack.outputs = env.STUB_NO_ADMIN ? { url: "http://127.0.0.1:8080" } : { url: "http://127.0.0.1:8080", adminUsername: "admin", adminPassword: "stub-admin-password" };
    writeStack(stack); process.exit(0);
}
if (args[0] === "preview") { unlock(); console.log("Previewing update (" + stackName + "):\\nResources:\\n    + 40 to create"); process.exit(0); }
if (args[0] === "destroy") { const stack = unlock(); console.log("Destroying (" + stackName + "):\\nResources:\\n    - 12 deleted"); stack.outputs = {}; writeStack(stack); process.exit(0); }
if (verb === "stack output") {
    const outputs = unlock().outputs;
    const shown = args.includes("--show-secrets") ? outputs : { ...outputs, ...(outputs.adminPassword ? { adminPassword: "[secret]" } : {}) };
    console.log(JSON.stringify(shown)); process.exit(0);
}
if (verb === "stack history") { console.log("[]"); process.exit(0); }
fail("stub pulumi: unexpected command: " + args.join(" "));
`;
}

export interface QuickStart {
    /** The temporary project: a git repository holding this project's Pulumi files and .gitignore. */
    projectDir: string;
    home: string;
    /** A folder holding the stub `pulumi` (on PATH unless `withoutCli`). */
    stubBin: string;
    /** The stub Docker engine's endpoint. */
    dockerHost: string;
    output: string;
    calls(): PulumiCall[];
    /** Runs a script's entry function the way its npm script would, with this machine's environment. */
    run(script: Script, argv: string[], options?: RunOptions): Promise<void>;
    /** The files under a folder, relative to it. */
    filesUnder(dir: string): string[];
    git(...args: string[]): { status: number | null; stdout: string };
    close(): Promise<void>;
}

export interface RunOptions {
    /** Variables on top of the harness's own (PATH, HOME, DOCKER_HOST, the stub's log). */
    env?: Record<string, string>;
    /** The user's environment has no DOCKER_HOST (the context or the default socket decides). */
    withoutDockerHost?: boolean;
    /** No `pulumi` on PATH. */
    withoutCli?: boolean;
    installCli?: ScriptContext["installCli"];
}

/** Installs the stub as `root/bin/pulumi`, as the Automation API's installer would the real CLI. */
export function stubInstaller(installs: string[]): ScriptContext["installCli"] {
    return async (root) => {
        installs.push(root);
        fs.mkdirSync(path.join(root, "bin"), { recursive: true });
        fs.writeFileSync(path.join(root, "bin", "pulumi"), stubPulumi(), { mode: 0o755 });
        return PulumiCommand.get({ root });
    };
}

/** The default: a run with a CLI on PATH never installs one. */
const noInstall: ScriptContext["installCli"] = () => Promise.reject(new Error("this test expects no install"));

export async function quickStart(): Promise<QuickStart> {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), "quick-start-"));
    const projectDir = path.join(base, "project");
    const home = path.join(base, "home");
    const stubBin = path.join(base, "bin");
    const emptyBin = path.join(base, "empty-bin");
    const log = path.join(base, "pulumi-calls");
    for (const dir of [projectDir, home, stubBin, emptyBin]) fs.mkdirSync(dir);
    for (const file of ["Pulumi.yaml", "Pulumi.local.yaml", "Pulumi.dev.yaml", ".gitignore"]) {
        fs.copyFileSync(path.join(REPO, file), path.join(projectDir, file));
    }
    fs.writeFileSync(path.join(stubBin, "pulumi"), stubPulumi(), { mode: 0o755 });
    fs.writeFileSync(log, "");

    const socket = path.join(base, "docker.sock");
    const docker = http.createServer((request, response) => {
        response.writeHead(request.url === "/_ping" ? 200 : 404).end(request.url === "/_ping" ? "OK" : "");
    });
    await new Promise<void>((resolve) => docker.listen(socket, resolve));

    const gitEnv = { ...process.env, HOME: home, GIT_CONFIG_NOSYSTEM: "1" };
    const git = (...args: string[]) => {
        const result = spawnSync("git", args, { cwd: projectDir, env: gitEnv, encoding: "utf8" });
        return { status: result.status, stdout: result.stdout };
    };
    git("init", "-q");
    git("add", ".");
    git("-c", "user.name=test", "-c", "user.email=test@example.com", "commit", "-qm", "project");

    let output = "";
    const recording: Console = { out: (text) => void (output += text), err: (text) => void (output += text) };
    const harness: QuickStart = {
        projectDir,
        home,
        stubBin,
        dockerHost: `unix://${socket}`,
        get output() {
            return output;
        },
        calls: () =>
            fs
                .readFileSync(log, "utf8")
                .split("\n")
                .filter(Boolean)
                .map((line) => JSON.parse(line) as PulumiCall),
        async run(script, argv, options = {}) {
            const saved = process.env;
            // Only what the user's shell would give, nothing of this machine's Pulumi or Docker settings.
            process.env = {
                PATH: options.withoutCli ? emptyBin : stubBin,
                HOME: home,
                STUB_PULUMI_LOG: log,
                STUB_CLOUD_DIR: path.join(base, "cloud"),
                ...(options.withoutDockerHost ? {} : { DOCKER_HOST: harness.dockerHost }),
                ...options.env,
            };
            output = "";
            try {
                await script(argv, { projectDir, installCli: options.installCli ?? noInstall, console: recording });
            } finally {
                process.env = saved;
            }
        },
        filesUnder(dir) {
            return fs.existsSync(dir) ? (fs.readdirSync(dir, { recursive: true }) as string[]).sort() : [];
        },
        git,
        async close() {
            await new Promise<void>((resolve) => docker.close(() => resolve()));
            fs.rmSync(base, { recursive: true, force: true });
        },
    };
    return harness;
}
