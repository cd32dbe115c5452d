// `npm run local` and `npm run deploy`, run against a stub `pulumi` and a stub Docker engine
// (test/quickStartHarness.ts): the exact CLI commands, the backend, stack and passphrase they
// use, what they print, and that what they write stays in the project, ignored by git.
import { spawnSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { runDeploy } from "../scripts/deploy";
import { runLocal } from "../scripts/local";
import { ProjectTemplate, QuickStart, RunOptions, SDK_VERSION, projectTemplate, quickStart, stubInstaller } from "./quickStartHarness";

let template: ProjectTemplate;
beforeAll(() => {
    template = projectTemplate();
});
afterAll(() => template.remove());
let qs: QuickStart;
beforeEach(async () => {
    qs = await quickStart(template);
});
afterEach(() => qs.close());

const local = (argv: string[] = [], options?: RunOptions) => qs.run(runLocal, argv, options);
const commands = () => qs.calls().map((call) => call.command);
const passphraseFile = () => path.join(qs.projectDir, ".pulumi-local", "passphrase");

const FIRST_UP = [
    "version",
    "stack select --stack local --non-interactive",
    "stack init local --non-interactive",
    "up --yes --skip-preview --exec-kind auto.local --stack local --non-interactive",
    "stack output --json --stack local --non-interactive",
    "stack output --json --show-secrets --stack local --non-interactive",
    "stack history --json --show-secrets --page-size 1 --page 1 --stack local --non-interactive",
];

describe("npm run local", () => {
    test("a fresh clone: state in the project, a generated passphrase, the local stack created, up, then the URL and the login", async () => {
        await local();
        expect(commands()).toEqual(FIRST_UP);
        const passphrase = fs.readFileSync(passphraseFile(), "utf8").trim();
        expect(passphrase).toMatch(/^[A-Za-z0-9_-]{43}$/);
        expect(fs.statSync(passphraseFile()).mode & 0o777).toBe(0o600);
        for (const call of qs.calls().slice(1)) {
            expect(call.cwd).toBe(qs.projectDir);
            expect(call.env.PULUMI_BACKEND_URL).toBe(`file://${qs.projectDir}/.pulumi-local/state`);
            expect(call.env.PULUMI_HOME).toBe(`${qs.projectDir}/.pulumi-local/home`);
            expect(call.env.DOCKER_HOST).toBe(qs.dockerHost);
        }
        // The passphrase exists from `stack init` on: the select before it has none.
        expect(qs.calls().map((call) => call.env.PULUMI_CONFIG_PASSPHRASE)).toEqual([
            undefined,
            undefined,
            ...FIRST_UP.slice(2).map(() => passphrase),
        ]);
        expect(qs.output).toContain(`Docker: answers at ${qs.dockerHost} (DOCKER_HOST).`);
        expect(qs.output).toContain(`Pulumi CLI: pulumi v${SDK_VERSION} (on PATH).`);
        expect(qs.output).toContain("State: .pulumi-local/state (a file backend in this project, ignored by git).");
        expect(qs.output).toContain("Passphrase: generated into .pulumi-local/passphrase, beside the state.");
        expect(qs.output).toContain("protects nothing from anyone who can read this folder");
        expect(qs.output).toContain("Stack: local, created (config: Pulumi.local.yaml).");
        expect(qs.output).toContain("Updating (local):"); // the CLI's own output, streamed
        expect(qs.output).toContain("New API is running: http://127.0.0.1:8080\nLog in as admin with the password stub-admin-password\n");
        expect(qs.output).toContain(
            `export PULUMI_BACKEND_URL=file://${qs.projectDir}/.pulumi-local/state PULUMI_HOME=${qs.projectDir}/.pulumi-local/home ` +
                `PULUMI_CONFIG_PASSPHRASE_FILE=${passphraseFile()}`,
        );
    });

    test("what it writes stays in the project and git ignores it; only Pulumi's salt line lands in Pulumi.local.yaml", async () => {
        await local();
        const written = qs.filesUnder(path.join(qs.projectDir, ".pulumi-local"));
        expect(written).toEqual(
            expect.arrayContaining(["passphrase", "state/.pulumi/stacks/new-api-cluster/local.json", "home/workspaces/new-api-cluster.json"]),
        );
        const paths = written.map((file) => path.join(".pulumi-local", file));
        // One line per path, in order: the rule ignoring it, or "::" for none.
        const checked = qs.git("check-ignore", "--verbose", "--non-matching", ...paths).stdout.split("\n").filter(Boolean);
        expect(checked.map((line) => ({ path: line.split("\t")[1], ignored: !line.startsWith("::") }))).toEqual(
            paths.map((file) => ({ path: file, ignored: true })),
        );
        expect(qs.filesUnder(qs.home)).toEqual([]);
        // `pulumi stack init` keeps a passphrase stack's salt in its config file (pulumi/pulumi#8408).
        expect(qs.git("status", "--porcelain").stdout).toBe(" M Pulumi.local.yaml\n");
        const diff = qs.git("diff", "-U0", "Pulumi.local.yaml").stdout;
        expect(diff).toMatch(/\n\+encryptionsalt: v1:stub:[0-9a-f]{16}\n$/);
        // No other line added or removed: the comments and settings stay as they are.
        expect(diff.split("\n").filter((line) => /^[-+](?![-+]{2} )/.test(line))).toEqual([expect.stringMatching(/^\+encryptionsalt: /)]);
    });

    test("a second run selects the existing stack with the same passphrase and generates none", async () => {
        await local();
        const passphrase = fs.readFileSync(passphraseFile(), "utf8");
        const firstCalls = qs.calls().length;
        await local();
        const second = qs.calls().slice(firstCalls);
        expect(second.map((call) => call.command)).toEqual(FIRST_UP.filter((command) => !command.startsWith("stack init")));
        expect(fs.readFileSync(passphraseFile(), "utf8")).toBe(passphrase);
        expect(second.slice(1).every((call) => call.env.PULUMI_CONFIG_PASSPHRASE === passphrase.trim())).toBe(true);
        expect(qs.output).toContain("Stack: local, existing.");
        expect(qs.output).not.toContain("Passphrase: generated");
        expect(qs.output).toContain("Log in as admin with the password stub-admin-password");
    });

    test("an existing stack whose passphrase file is gone: stops, says why and how to start over, generates none", async () => {
        await local();
        fs.rmSync(passphraseFile());
        const firstCalls = qs.calls().length;
        await expect(local()).rejects.toThrow(
            'The stack "local" in .pulumi-local/state was encrypted with the passphrase kept in .pulumi-local/passphrase, which is gone',
        );
        expect(commands().slice(firstCalls)).toEqual(["version", "stack select --stack local --non-interactive"]);
        expect(fs.existsSync(passphraseFile())).toBe(false);
    });

    test("Pulumi.local.yaml holding a salt of another passphrase: stops before generating one, and says which line to delete", async () => {
        fs.appendFileSync(path.join(qs.projectDir, "Pulumi.local.yaml"), "encryptionsalt: v1:theirs\n");
        await expect(local()).rejects.toThrow(
            "Pulumi.local.yaml has an `encryptionsalt:` line from a stack \"local\" created earlier with a passphrase of yours",
        );
        expect(commands()).toEqual(["version", "stack select --stack local --non-interactive"]);
        expect(fs.existsSync(passphraseFile())).toBe(false);
    });

    test("--slaves N sets slaveCount in the stack's config, then runs up", async () => {
        await local(["--slaves", "3"]);
        expect(commands()).toEqual([
            ...FIRST_UP.slice(0, 3),
            "config set new-api-cluster:slaveCount --stack local --plaintext --non-interactive -- 3",
            ...FIRST_UP.slice(3),
        ]);
        expect(fs.readFileSync(path.join(qs.projectDir, "Pulumi.local.yaml"), "utf8")).toContain('new-api-cluster:slaveCount: "3"');
        expect(qs.output).toContain("slaveCount: 3 (saved in Pulumi.local.yaml).");
    });

    test("--slaves N in a project pulumi new renamed: the key under the project's own name", async () => {
        const projectFile = path.join(qs.projectDir, "Pulumi.yaml");
        fs.writeFileSync(projectFile, fs.readFileSync(projectFile, "utf8").replace(/^name: .*$/m, "name: my-cluster"));
        await local(["--slaves", "3"]);
        expect(commands()).toContain("config set my-cluster:slaveCount --stack local --plaintext --non-interactive -- 3");
    });

    test("--destroy destroys the existing stack and keeps it and its passphrase for the next run", async () => {
        await local();
        const firstCalls = qs.calls().length;
        await local(["--destroy"]);
        expect(commands().slice(firstCalls)).toEqual([
            "version",
            "stack select --stack local --non-interactive",
            "destroy --yes --skip-preview --exec-kind auto.local --stack local --non-interactive",
            "stack history --json --show-secrets --page-size 1 --page 1 --stack local --non-interactive",
        ]);
        expect(qs.output).toContain("Destroying (local):");
        expect(qs.output).toContain("Removed the containers, the network and the volumes");
        expect(fs.existsSync(passphraseFile())).toBe(true);
    });

    test("--destroy with no stack creates none and generates no passphrase", async () => {
        await local(["--destroy"]);
        expect(commands()).toEqual(["version", "stack select --stack local --non-interactive"]);
        expect(qs.output).toContain('Nothing to destroy: there is no stack "local".');
        expect(fs.existsSync(passphraseFile())).toBe(false);
    });

    test("no Docker engine at DOCKER_HOST: says what to start or set, and runs no Pulumi command", async () => {
        const missing = `unix://${qs.projectDir}/no-docker.sock`;
        await expect(local([], { env: { DOCKER_HOST: missing } })).rejects.toThrow(
            `No Docker engine answers at DOCKER_HOST=${missing} (no such socket).\n` +
                `Start the engine that listens there, or set DOCKER_HOST to your engine's endpoint (or unset it to use unix:///var/run/docker.sock), and run again.`,
        );
        expect(commands()).toEqual([]);
    });

    test("the Docker CLI's current context decides the endpoint, and Pulumi's Docker provider is given it as DOCKER_HOST", async () => {
        const dockerConfig = path.join(qs.home, ".docker");
        // The CLI's layout: contexts/meta/<sha256 of the name>/meta.json.
        const metaDir = path.join(dockerConfig, "contexts", "meta", createHash("sha256").update("colima").digest("hex"));
        fs.mkdirSync(metaDir, { recursive: true });
        fs.writeFileSync(path.join(metaDir, "meta.json"), JSON.stringify({ Name: "colima", Endpoints: { docker: { Host: qs.dockerHost } } }));
        fs.writeFileSync(path.join(dockerConfig, "config.json"), JSON.stringify({ currentContext: "colima" }));
        await local([], { withoutDockerHost: true });
        expect(qs.output).toContain(`Docker: answers at ${qs.dockerHost} (Docker context "colima").`);
        expect(qs.calls().slice(1).every((call) => call.env.DOCKER_HOST === qs.dockerHost)).toBe(true);
    });

    test("no Pulumi CLI: installs the pinned version into the project with the installer, once", async () => {
        const installs: string[] = [];
        await local([], { withoutCli: true, installCli: stubInstaller(installs) });
        const root = path.join(qs.projectDir, ".pulumi-local", "cli");
        expect(installs).toEqual([root]);
        expect(qs.output).toContain(`No Pulumi CLI on PATH: installing Pulumi v${SDK_VERSION} into .pulumi-local/cli (this project only, once)...`);
        expect(qs.output).toContain(`Pulumi CLI: .pulumi-local/cli/bin/pulumi v${SDK_VERSION}.`);
        expect(commands()).toEqual(FIRST_UP); // its `version` is the installer's check of what it installed
        // Ignored as part of .pulumi-local/, not by chance (the .gitignore's bin/ would match it too).
        expect(qs.git("check-ignore", "--verbose", "--no-index", ".pulumi-local/cli/bin/pulumi").stdout).toMatch(/^\.gitignore:\d+:\/?\.pulumi-local\/?\t/);

        await local([], { withoutCli: true, installCli: stubInstaller(installs) });
        expect(installs).toEqual([root]);
        expect(qs.output).toContain(`Pulumi CLI: .pulumi-local/cli/bin/pulumi v${SDK_VERSION} (installed in this project by an earlier run).`);
    });

    test("a broken CLI in the project (an interrupted install): says to delete it, installs nothing", async () => {
        const bin = path.join(qs.projectDir, ".pulumi-local", "cli", "bin");
        fs.mkdirSync(bin, { recursive: true });
        fs.writeFileSync(path.join(bin, "pulumi"), "#!/bin/sh\necho 'pulumi: truncated binary' >&2\nexit 126\n", { mode: 0o755 });
        await expect(local([], { withoutCli: true })).rejects.toThrow(
            "The Pulumi CLI installed in .pulumi-local/cli does not work: pulumi: truncated binary\n" +
                "Delete .pulumi-local/cli to have it installed again, and run again.",
        );
    });

    test("no Pulumi CLI and the install fails: says so and how to install it", async () => {
        const offline = () => Promise.reject(new Error("getaddrinfo ENOTFOUND get.pulumi.com"));
        await expect(local([], { withoutCli: true, installCli: offline })).rejects.toThrow(
            "Could not install the Pulumi CLI into .pulumi-local/cli: getaddrinfo ENOTFOUND get.pulumi.com\n" +
                "Install it yourself (https://www.pulumi.com/docs/install/), check that `pulumi version` works, and run again.",
        );
        expect(commands()).toEqual([]);
    });

    test("a backend of the user's (PULUMI_BACKEND_URL): used as it is, with their passphrase; nothing generated, Pulumi's home theirs", async () => {
        const theirs = `file://${qs.home}/my-state`;
        await local([], { env: { PULUMI_BACKEND_URL: theirs, PULUMI_CONFIG_PASSPHRASE: "their passphrase" } });
        expect(commands()).toEqual(FIRST_UP);
        for (const call of qs.calls().slice(1)) {
            expect(call.env).toEqual({ PULUMI_BACKEND_URL: theirs, PULUMI_CONFIG_PASSPHRASE: "their passphrase", DOCKER_HOST: qs.dockerHost });
        }
        expect(qs.output).toContain(`State: your backend PULUMI_BACKEND_URL=${theirs}; its secrets use your own passphrase or key.`);
        expect(fs.existsSync(path.join(qs.projectDir, ".pulumi-local"))).toBe(false);
        expect(qs.output).not.toContain("PULUMI_CONFIG_PASSPHRASE_FILE");
    });

    test("a failed up: the CLI's output is shown live, and the script fails saying so", async () => {
        await expect(local([], { env: { STUB_UP_FAILS: "1" } })).rejects.toThrow("pulumi up failed: see its output above.");
        expect(qs.output).toContain("newapi-local-master creating failed");
        expect(qs.output).toContain("error: update failed");
        expect(qs.output).not.toContain("New API is running");
    });
});

describe("npm run deploy", () => {
    // A cloud stack needs no Docker engine: the user's environment has no DOCKER_HOST here.
    const deploy = (argv: string[], options?: RunOptions) => qs.run(runDeploy, argv, { withoutDockerHost: true, ...options });
    // The Automation API warns when a preview's summary event never came: the real CLI sends it
    // over the event stream, the stub does not.
    beforeEach(() => jest.spyOn(console, "warn").mockImplementation(() => undefined));
    afterEach(() => jest.restoreAllMocks());
    const logIn = () => {
        fs.mkdirSync(path.join(qs.home, ".pulumi"), { recursive: true });
        fs.writeFileSync(path.join(qs.home, ".pulumi", "credentials.json"), JSON.stringify({ current: "https://api.pulumi.com" }));
    };

    test("no login: stops with the exact pulumi login command, never choosing a backend or passphrase", async () => {
        await expect(deploy(["--stack", "dev"])).rejects.toThrow(
            "No Pulumi login found (error: PULUMI_ACCESS_TOKEN must be set for login during non-interactive CLI sessions).\n" +
                "Log in, then run this again. For Pulumi Cloud:\n" +
                "  pulumi login\n",
        );
        expect(commands()).toEqual(["version", "whoami --json --non-interactive"]);
        expect(qs.calls()[1].env).toEqual({});
        expect(fs.existsSync(path.join(qs.projectDir, ".pulumi-local"))).toBe(false);
    });

    test("no login with the CLI installed in the project: the login command names that CLI", async () => {
        await expect(deploy(["--stack", "dev"], { withoutCli: true, installCli: stubInstaller([]) })).rejects.toThrow(
            "  .pulumi-local/cli/bin/pulumi login\n",
        );
    });

    test("a stack without its Pulumi.<stack>.yaml (a typo): refused before any Pulumi command, naming the stack files there", async () => {
        logIn();
        await expect(deploy(["--stack", "prdo"])).rejects.toThrow(
            `There is no Pulumi.prdo.yaml in ${qs.projectDir}: stack "prdo" has no settings of yours, and up would deploy a new cluster with the defaults.\n` +
                "Stack files here: Pulumi.dev.yaml, Pulumi.local.yaml.\n" +
                'Check the name, or add --create to make stack "prdo" (its settings then go into Pulumi.prdo.yaml).',
        );
        await expect(deploy(["--stack", "prdo", "--preview"])).rejects.toThrow("There is no Pulumi.prdo.yaml");
        expect(commands()).toEqual([]);
    });

    test("--create: a stack without a file is created on the login and previewed", async () => {
        logIn();
        await deploy(["--stack", "staging", "--create", "--preview"]);
        expect(commands().slice(2, 4)).toEqual(["stack select --stack staging --non-interactive", "stack init staging --non-interactive"]);
        expect(qs.output).toContain("Stack: staging, created on https://api.pulumi.com (config: Pulumi.staging.yaml).");
    });

    test("--preview: the user's login, the stack created on it, then preview", async () => {
        logIn();
        await deploy(["--stack", "dev", "--preview"]);
        const [version, whoami, select, init, preview, ...rest] = commands();
        expect([version, whoami, select, init]).toEqual([
            "version",
            "whoami --json --non-interactive",
            "stack select --stack dev --non-interactive",
            "stack init dev --non-interactive",
        ]);
        expect(preview).toMatch(/^preview --exec-kind auto\.local --event-log tcp:\/\/127\.0\.0\.1:\d+ --stack dev --non-interactive$/);
        expect(rest).toEqual([]);
        expect(qs.calls().every((call) => Object.keys(call.env).length === 0)).toBe(true);
        expect(qs.output).toContain("Pulumi backend: https://api.pulumi.com as you.");
        expect(qs.output).toContain("Stack: dev, created on https://api.pulumi.com (config: Pulumi.dev.yaml).");
        expect(qs.output).toContain("Previewing update (dev):");
    });

    test("up on an existing stack prints the URL and the command that shows the password, not the password", async () => {
        logIn();
        await deploy(["--stack", "dev", "--preview"]);
        await deploy(["--stack", "dev"]);
        expect(commands().slice(-6)).toEqual([
            "whoami --json --non-interactive",
            "stack select --stack dev --non-interactive",
            "up --yes --skip-preview --exec-kind auto.local --stack dev --non-interactive",
            "stack output --json --stack dev --non-interactive",
            "stack output --json --show-secrets --stack dev --non-interactive",
            "stack history --json --show-secrets --page-size 1 --page 1 --stack dev --non-interactive",
        ]);
        expect(qs.output).toContain("Stack: dev, existing.");
        expect(qs.output).toContain(
            "New API: http://127.0.0.1:8080\nLog in as admin; the password (a secret, not printed here): pulumi stack output --show-secrets adminPassword -s dev\n",
        );
        expect(qs.output).not.toContain("stub-admin-password");
    });

    test("up on a stack without adminUsername: the steps of the first login, through the master's port forward", async () => {
        logIn();
        await deploy(["--stack", "dev"], { env: { STUB_NO_ADMIN: "1" } });
        expect(qs.output).toContain(
            "New API: http://newapi-dev.example\n" +
                "No adminUsername in Pulumi.dev.yaml: you create the root user in New API's setup wizard, once, on the master " +
                "(the public URL refuses /api/setup, or the first visitor would own the cluster):\n" +
                "  1. The AWS CLI needs its Session Manager plugin: session-manager-plugin --version\n" +
                "     (https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-working-with-install-plugin.html)\n" +
                "  2. In another terminal, forward localhost:3000 to the master, and leave it running:\n" +
                "       aws ssm start-session --region us-east-1 --target i-0123456789abcdef0 --document-name AWS-StartPortForwardingSession " +
                "--parameters portNumber=3000,localPortNumber=3000\n" +
                "  3. Open http://localhost:3000, complete the wizard (the root user's name and password), then stop the forward (Ctrl-C).\n" +
                "  4. The slaves notice the setup within 10 seconds and start; log in at http://newapi-dev.example as that user.\n",
        );
        expect(qs.output).not.toContain("so open it now");
    });

    test("--destroy destroys an existing stack; with no stack it creates none", async () => {
        logIn();
        await deploy(["--stack", "dev", "--destroy"]);
        expect(commands()).toEqual(["version", "whoami --json --non-interactive", "stack select --stack dev --non-interactive"]);
        expect(qs.output).toContain('Nothing to destroy: there is no stack "dev" on https://api.pulumi.com.');

        await deploy(["--stack", "dev", "--preview"]);
        await deploy(["--stack", "dev", "--destroy"]);
        expect(commands().slice(-2)).toEqual([
            "destroy --yes --skip-preview --exec-kind auto.local --stack dev --non-interactive",
            "stack history --json --show-secrets --page-size 1 --page 1 --stack dev --non-interactive",
        ]);
        expect(qs.output).toContain('Stack "dev" destroyed');
    });
});

describe("the stub pulumi (test/stubs/pulumi.sh)", () => {
    test("passes shellcheck", () => {
        const result = spawnSync("shellcheck", ["--severity=style", "pulumi.sh"], { cwd: path.join(__dirname, "stubs"), encoding: "utf8", timeout: 30000 });
        expect({ status: result.status, output: `${result.stdout}${result.stderr}` }).toEqual({ status: 0, output: "" });
    });

    test("logs arguments and variables exactly: quotes, backslashes, line breaks, control characters, UTF-8", async () => {
        const value = `it's "quoted" \\ \\n $(x) \n\r\t\u0001\u001f é`;
        await qs.run(async () => {
            spawnSync("pulumi", ["version", value], { cwd: qs.projectDir, env: { ...process.env, PULUMI_HOME: value } });
        }, []);
        expect(qs.calls()).toEqual([{ command: `version ${value}`, cwd: qs.projectDir, env: { PULUMI_HOME: value, DOCKER_HOST: qs.dockerHost } }]);
    });
});
