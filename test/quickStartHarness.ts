// Runs scripts/local.ts and scripts/deploy.ts for real, in a temporary copy of the project (its
// Pulumi files and .gitignore, committed in a git repository), with a temporary HOME, a stub
// `pulumi` and a stub Docker engine. The stub `pulumi` (test/stubs/pulumi.sh) is what the Automation API
// drives: it logs each call (arguments, folder, the environment Pulumi reads) and answers like
// the CLI, keeping stacks where the real one would (the file backend's folder, Pulumi's home) so
// that the tests can see what lands where. The Docker engine is an HTTP server on a unix socket
// answering GET /_ping.
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

/** The installed @pulumi/pulumi's version: the CLI the scripts install, and the one the stub `pulumi` says it is (STUB_PULUMI_VERSION). */
export const SDK_VERSION: string = require("@pulumi/pulumi/package.json").version;

/** The stub `pulumi` (a bash script): it reads the names to record from STUB_PULUMI_RECORDED. */
const STUB_PULUMI = path.join(__dirname, "stubs", "pulumi.sh");

function installStub(file: string): void {
    fs.copyFileSync(STUB_PULUMI, file);
    fs.chmodSync(file, 0o755);
}

export interface QuickStart {
    /** The temporary project: a copy of the template; its .git comes with the first `git` call. */
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
        installStub(path.join(root, "bin", "pulumi"));
        return PulumiCommand.get({ root });
    };
}

/** The default: a run with a CLI on PATH never installs one. */
const noInstall: ScriptContext["installCli"] = () => Promise.reject(new Error("this test expects no install"));

/** git in `cwd`, with `home` as HOME and no system configuration: none of this machine's settings. */
function runGit(cwd: string, home: string, args: string[]) {
    return spawnSync("git", args, { cwd, env: { ...process.env, HOME: home, GIT_CONFIG_NOSYSTEM: "1" }, encoding: "utf8" });
}

/** The project as a fresh clone has it, made once per test file and copied for each test. */
export interface ProjectTemplate {
    /** A git repository: this project's Pulumi files and .gitignore, committed. */
    dir: string;
    remove(): void;
}

export function projectTemplate(): ProjectTemplate {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), "quick-start-template-"));
    const dir = path.join(base, "project");
    fs.mkdirSync(dir);
    for (const file of ["Pulumi.yaml", "Pulumi.local.yaml", "Pulumi.dev.yaml", ".gitignore"]) {
        fs.copyFileSync(path.join(REPO, file), path.join(dir, file));
    }
    const git = (...args: string[]) => {
        const result = runGit(dir, base, args);
        if (result.status !== 0) throw new Error(`git ${args.join(" ")} failed: ${result.stderr}`);
    };
    git("init", "-q", "--template="); // no sample hooks: fewer files to copy and delete for each test
    git("add", ".");
    git("-c", "user.name=test", "-c", "user.email=test@example.com", "commit", "-qm", "project");
    return { dir, remove: () => fs.rmSync(base, { recursive: true, force: true }) };
}

export async function quickStart(template: ProjectTemplate): Promise<QuickStart> {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), "quick-start-"));
    const projectDir = path.join(base, "project");
    const home = path.join(base, "home");
    const stubBin = path.join(base, "bin");
    const emptyBin = path.join(base, "empty-bin");
    const log = path.join(base, "pulumi-calls");
    // The scripts run no git: the repository comes with the test's first `git` call, sparing the
    // other tests the copying and deleting of its folders.
    const gitDir = path.join(template.dir, ".git");
    fs.cpSync(template.dir, projectDir, { recursive: true, filter: (source) => source !== gitDir });
    for (const dir of [home, stubBin, emptyBin]) fs.mkdirSync(dir);
    installStub(path.join(stubBin, "pulumi"));
    fs.writeFileSync(log, "");

    const socket = path.join(base, "docker.sock");
    const docker = http.createServer((request, response) => {
        response.writeHead(request.url === "/_ping" ? 200 : 404).end(request.url === "/_ping" ? "OK" : "");
    });
    await new Promise<void>((resolve) => docker.listen(socket, resolve));

    const git = (...args: string[]) => {
        if (!fs.existsSync(path.join(projectDir, ".git"))) fs.cpSync(gitDir, path.join(projectDir, ".git"), { recursive: true });
        const result = runGit(projectDir, home, args);
        return { status: result.status, stdout: result.stdout };
    };

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
                STUB_PULUMI_RECORDED: RECORDED_ENV.join(" "),
                STUB_PULUMI_VERSION: SDK_VERSION,
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
