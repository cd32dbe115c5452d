// Runs a rendered shell script for real, with bash or sh, and stub commands first on PATH:
// each stub logs its call and answers as the scenario says (an image on disk or not, a
// registry down, SSM values, what the master's /api/status and /api/setup say, to curl and to
// wget). Time is the stubs' too: `sleep` moves a clock on that `date +%s` reads, so a 15-minute
// deadline passes in milliseconds. The script's TMPDIR is a folder of its own, to see what it
// leaves behind. The stubs (test/scriptStubs.ts) are files written once per process, in POSIX
// sh; each run's scenario and what the stubs record are in that run's $STUB_DIR.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stubPath } from "./scriptStubs";

export interface Scenario {
    /** SSM parameters the stub `aws` knows: name -> value. Others fail as ParameterNotFound. */
    parameters?: Record<string, string>;
    /** Every `aws ssm get-parameter` fails (an IAM or network fault). */
    ssmDown?: boolean;
    /** `docker image inspect` finds the image on disk. */
    imagePresent?: boolean;
    /** What `docker run IMAGE --version` prints: the image's New API release; unset, nothing. */
    release?: string;
    /** `docker pull` fails (Docker Hub's limit, an outage). */
    registryDown?: boolean;
    /** `aws ecr get-login-password` fails. */
    ecrDown?: boolean;
    /** What GET …/api/status answers (curl, wget); unset: it cannot connect. */
    status?: string;
    /** The first this many GET …/api/status cannot connect, whatever `status` says. */
    statusFailures?: number;
    /** What wget says on stderr when a GET cannot connect. */
    statusError?: string;
    /** What POST …/api/setup answers. */
    setupResponse?: string;
    /** The POST fails: curl or wget exits with `exit` (an HTTP error, no answer), saying `error` on stderr; wget prints setupResponse all the same (--content-on-error), curl -f does not. */
    setupFailure?: { exit: number; error: string };
    /** What `aws elbv2 describe-target-health` prints, one answer per call (the last repeats); "error" fails the call. */
    targetStates?: string[];
    /**
     * Answers of other AWS CLI calls by "service operation" (e.g. "ssm send-command"), one per
     * call in order (the last repeats); "error <Code>" fails the call with that error code.
     * Other calls the stub has no answer for fail.
     */
    awsAnswers?: Record<string, string[]>;
    /** What POST …/api/user/login answers (its cookie jar gets a session); unset: no answer (curl exits 7). */
    loginResponse?: string;
    /** What PUT …/api/user/self answers; unset: no answer (curl exits 7). */
    passwordChangeResponse?: string;
    /** What the stub redis-cli (and valkey-cli) prints, and its exit code. */
    redisCli?: { reply: string; exit: number };
    /**
     * The stub MySQL server the mysql client reaches (user and password from its
     * --defaults-extra-file): root's password, the app user's name and its passwords (primary
     * first, then a retained secondary); the first `unreachable` calls cannot connect, all of
     * them with `down`; `refuse` is the error root's ALTER USER fails with.
     */
    mysql?: { rootPassword: string; user: string; passwords: string[]; unreachable?: number; down?: boolean; refuse?: string };
    /** The operator's machine has no AWS CLI. */
    withoutAws?: boolean;
    /** AWS's trust store does not answer the RDS CA bundle's download. */
    trustStoreDown?: boolean;
    /** `openssl s_client` cannot verify a database's certificate (unreachable, or the wrong CA). */
    tlsUnverified?: boolean;
    /** What the stub `pulumi` holds, by stack: the config `pulumi config get` reads, the outputs `pulumi stack output` prints. */
    stacks?: Record<string, { config?: Record<string, string>; outputs?: Record<string, string> }>;
}

/** A config value as the stub `pulumi` holds it. */
export interface StubConfigValue {
    value: string;
    /** Set with `--secret`. */
    secret: boolean;
}

export interface ScriptRun {
    status: number | null;
    stdout: string;
    stderr: string;
    /** stdout and stderr together, as the journal shows them. */
    output: string;
    /** Every stubbed command's arguments, in order ("sleep 5", "curl -fs …"). */
    calls: string[];
    /** The temporary folder the run may write in (its TMPDIR is <root>/tmp). */
    root: string;
    /** What POST /api/setup received: curl's stdin, or wget's --post-file. */
    setupBody?: string;
    /** What POST /api/user/login and PUT /api/user/self received on stdin, and the headers PUT read from a file (-H @file). */
    loginBody?: string;
    passwordChangeBody?: string;
    passwordChangeHeaders?: string;
    /** What the AWS CLI read from file:// arguments (--cli-input-json), while the script ran. */
    cliInput?: string;
    /** The credentials each AWS CLI call ran with, in order: "AWS_ACCESS_KEY_ID|AWS_PROFILE" (either may be empty). */
    awsCredentials: string[];
    /** The stub MySQL's app user passwords after the run (primary first), and the ALTER USER statements root ran. */
    mysqlPasswords?: string[];
    mysqlStatements?: string;
    /** What the script left in its TMPDIR. */
    leftovers: string[];
    /** A stack's config as the stub `pulumi` left it, and as it was at each `pulumi up`, in order. */
    pulumiConfig(stack: string): { now: Record<string, StubConfigValue>; atUp: Record<string, StubConfigValue>[] };
}

/**
 * Runs `script` with `interpreter` (bash or sh), the stubs first on PATH and `env` added.
 * `root` reuses the folder of an earlier run (its files, its clock), as a restarted node would.
 */
export function runScript(
    script: string,
    scenario: Scenario,
    options: { interpreter?: "bash" | "sh"; env?: Record<string, string>; root?: string } = {},
): ScriptRun {
    const root = options.root ?? fs.mkdtempSync(path.join(os.tmpdir(), "new-api-script-"));
    const stubDir = path.join(root, "stub");
    const tmpDir = path.join(root, "tmp");
    for (const dir of [path.join(stubDir, "ssm"), tmpDir]) {
        fs.mkdirSync(dir, { recursive: true });
    }
    // The stub aws finds a parameter at its name under ssm/ (a name's slashes make folders).
    for (const [name, value] of Object.entries(scenario.parameters ?? {})) {
        const file = path.join(stubDir, "ssm", name);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, value);
    }
    const stubFile = (file: string, content: string | undefined) =>
        content === undefined ? fs.rmSync(path.join(stubDir, file), { force: true }) : fs.writeFileSync(path.join(stubDir, file), content);
    if (!fs.existsSync(path.join(stubDir, "clock"))) {
        fs.writeFileSync(path.join(stubDir, "clock"), "1800000000");
    }
    const flag = (value: boolean | undefined) => (value ? "" : undefined);
    stubFile("ssm-down", flag(scenario.ssmDown));
    stubFile("ecr-down", flag(scenario.ecrDown));
    stubFile("image-present", flag(scenario.imagePresent));
    stubFile("registry-down", flag(scenario.registryDown));
    stubFile("trust-store-down", flag(scenario.trustStoreDown));
    stubFile("tls-unverified", flag(scenario.tlsUnverified));
    for (const [stack, { config = {}, outputs = {} }] of Object.entries(scenario.stacks ?? {})) {
        for (const [kind, values] of [["config", config], ["outputs", outputs]] as const) {
            fs.mkdirSync(path.join(stubDir, "pulumi", stack, kind), { recursive: true });
            for (const [key, value] of Object.entries(values)) {
                fs.writeFileSync(path.join(stubDir, "pulumi", stack, kind, key), value);
            }
        }
    }
    stubFile("status", scenario.status);
    stubFile("release", scenario.release && `${scenario.release}\n`);
    stubFile("status-failures", String(scenario.statusFailures ?? 0));
    stubFile("status-error", `${scenario.statusError ?? "failed: Connection refused."}\n`);
    stubFile("setup-response", scenario.setupResponse);
    stubFile("setup-exit", scenario.setupFailure && String(scenario.setupFailure.exit));
    stubFile("setup-error", scenario.setupFailure && `${scenario.setupFailure.error}\n`);
    stubFile("login-response", scenario.loginResponse);
    stubFile("self-response", scenario.passwordChangeResponse);
    stubFile("target-states", scenario.targetStates?.join("\n"));
    stubFile("redis-reply", scenario.redisCli && `${scenario.redisCli.reply}\n`);
    stubFile("redis-exit", scenario.redisCli && String(scenario.redisCli.exit));
    for (const file of ["calls", "target-calls", "status-calls", "setup-body", "login-body", "self-body", "self-headers", "cli-input", "aws-credentials"]) {
        stubFile(file, undefined);
    }
    fs.rmSync(path.join(stubDir, "mysql"), { recursive: true, force: true });
    if (scenario.mysql !== undefined) {
        const db = path.join(stubDir, "mysql");
        fs.mkdirSync(db);
        const { rootPassword, user, passwords, unreachable = 0, down, refuse } = scenario.mysql;
        fs.writeFileSync(path.join(db, "root"), rootPassword);
        fs.writeFileSync(path.join(db, "user"), user);
        fs.writeFileSync(path.join(db, "passwords"), passwords.map((p) => `${p}\n`).join(""));
        fs.writeFileSync(path.join(db, "unreachable"), String(unreachable));
        stubFile("mysql/down", flag(down));
        stubFile("mysql/refuse", refuse && `${refuse}\n`);
    }
    fs.rmSync(path.join(stubDir, "answers"), { recursive: true, force: true });
    fs.mkdirSync(path.join(stubDir, "answers"));
    for (const [call, answers] of Object.entries(scenario.awsAnswers ?? {})) {
        fs.writeFileSync(path.join(stubDir, "answers", call.replace(" ", "_")), `${answers.join("\n")}\n`);
    }

    const file = path.join(root, "script");
    fs.writeFileSync(file, script, { mode: 0o755 });
    const result = spawnSync(options.interpreter ?? "bash", [file], {
        cwd: root,
        encoding: "utf8",
        timeout: 30000,
        env: { PATH: stubPath(scenario.withoutAws ?? false), STUB_DIR: stubDir, TMPDIR: tmpDir, ...options.env },
    });
    if (result.error) {
        throw result.error;
    }
    const read = (name: string) => (fs.existsSync(path.join(stubDir, name)) ? fs.readFileSync(path.join(stubDir, name), "utf8") : undefined);
    return {
        status: result.status,
        stdout: result.stdout,
        stderr: result.stderr,
        output: `${result.stdout}${result.stderr}`,
        calls: (read("calls") ?? "").split("\n").filter((l) => l !== ""),
        root,
        setupBody: read("setup-body"),
        loginBody: read("login-body"),
        passwordChangeBody: read("self-body"),
        passwordChangeHeaders: read("self-headers"),
        cliInput: read("cli-input"),
        awsCredentials: (read("aws-credentials") ?? "").split("\n").filter((l) => l !== ""),
        mysqlPasswords: read("mysql/passwords")?.split("\n").filter((l) => l !== ""),
        mysqlStatements: read("mysql/statements"),
        leftovers: fs.readdirSync(tmpDir),
        pulumiConfig: (stack) => {
            const stackDir = path.join(stubDir, "pulumi", stack);
            const configAt = (dir: string): Record<string, StubConfigValue> =>
                Object.fromEntries(
                    fs
                        .readdirSync(dir)
                        .filter((file) => !file.endsWith(".secret"))
                        .map((key) => [key, { value: fs.readFileSync(path.join(dir, key), "utf8"), secret: fs.existsSync(path.join(dir, `${key}.secret`)) }]),
                );
            const ups = fs.existsSync(stackDir) ? fs.readdirSync(stackDir).filter((d) => d.startsWith("up-")) : [];
            return {
                now: fs.existsSync(path.join(stackDir, "config")) ? configAt(path.join(stackDir, "config")) : {},
                atUp: ups.sort((a, b) => Number(a.slice(3)) - Number(b.slice(3))).map((d) => configAt(path.join(stackDir, d))),
            };
        },
    };
}
