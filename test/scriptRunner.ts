// Runs a rendered shell script for real, with bash or sh, and stub commands first on PATH:
// each stub logs its call and answers as the scenario says (an image on disk or not, a
// registry down, SSM values, what the master's /api/status and /api/setup say, to curl and to
// wget). Time is the stubs' too: `sleep` moves a clock on that `date +%s` reads, so a 15-minute
// deadline passes in milliseconds. The script's TMPDIR is a folder of its own, to see what it
// leaves behind. The stubs are files written once per process, in POSIX sh; each run's
// scenario and what the stubs record are in that run's $STUB_DIR.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

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
 * What the POSIX sh stubs share, sourced by each: read with shell builtins only, so that a stub
 * call costs one short-lived dash, not a process per file it reads.
 */
const STUB_LIBRARY = `newline='
'
# contents FILE: sets $contents to FILE's text without its trailing line breaks, as $(cat FILE) would.
contents() {
  contents= separator=
  while IFS= read -r line || [ -n "$line" ]; do
    contents="$contents$separator$line"
    separator=$newline
  done < "$1"
  while [ "\${contents%"$newline"}" != "$contents" ]; do contents=\${contents%"$newline"}; done
}
# copy: writes stdin to stdout as it is (text), as cat would.
copy() {
  while IFS= read -r line; do printf '%s\n' "$line"; done
  printf '%s' "$line"
}
# next_call COUNTER: sets $count to the number of this call (COUNTER holds the calls so far).
next_call() {
  count=0
  [ ! -f "$1" ] || read -r count < "$1"
  count=$((count + 1))
  echo "$count" > "$1"
}
# nth_answer FILE COUNTER: sets $answer to FILE's line for this call, its last line once they run out.
nth_answer() {
  next_call "$2"
  lines=0
  while IFS= read -r line || [ -n "$line" ]; do
    lines=$((lines + 1))
    answer=$line
    [ "$lines" -lt "$count" ] || break
  done < "$1"
}
# GET …/api/status: fails while the scenario's failures last or when it has no status.
status_answer() {
  next_call "$STUB_DIR/status-calls"
  read -r failures < "$STUB_DIR/status-failures"
  [ -f "$STUB_DIR/status" ] && [ "$count" -gt "$failures" ] || return 1
  contents "$STUB_DIR/status"
  printf '%s' "$contents"
}
# POST …/api/setup: the body on stdin is kept; answers as the scenario says.
setup_answer() {
  copy > "$STUB_DIR/setup-body"
  [ ! -f "$STUB_DIR/setup-response" ] || { contents "$STUB_DIR/setup-response"; printf '%s' "$contents"; }
}
`;

/** The stubs' first lines: POSIX sh (dash starts in half the time of bash), their library sourced. */
const SH_STUB = '#!/bin/sh\n. "${0%/*}/../library.sh"\n';

// Each stub logs its call with printf: dash's echo would turn a backslash in an argument into an escape.
const STUBS: Record<string, string> = {
    aws: `${SH_STUB}printf '%s\\n' "aws $*" >> "$STUB_DIR/calls"
printf '%s\\n' "\${AWS_ACCESS_KEY_ID:-}|\${AWS_PROFILE:-}" >> "$STUB_DIR/aws-credentials"
case "$1 $2" in
  "ssm get-parameter")
    [ ! -e "$STUB_DIR/ssm-down" ] || { echo "An error occurred (AccessDeniedException)" >&2; exit 254; }
    while [ $# -gt 0 ]; do [ "$1" != --name ] || name=$2; shift; done
    file="$STUB_DIR/ssm/$name"
    [ -f "$file" ] || { echo "An error occurred (ParameterNotFound)" >&2; exit 254; }
    contents "$file"; printf '%s\\n' "$contents"; exit 0 ;;
  "ecr get-login-password")
    [ ! -e "$STUB_DIR/ecr-down" ] || { echo "An error occurred (AccessDeniedException)" >&2; exit 254; }
    echo "ecr-password"; exit 0 ;;
esac
for arg; do case $arg in file://*) copy < "\${arg#file://}" >> "$STUB_DIR/cli-input" ;; esac; done
answers="$STUB_DIR/answers/$1_$2"
if [ -f "$answers" ]; then
  nth_answer "$answers" "$answers.count"
  case $answer in error*) echo "An error occurred (\${answer#error })" >&2; exit 254 ;; esac
  printf '%s\\n' "$answer"; exit 0
fi
if [ "$1 $2" = "elbv2 describe-target-health" ]; then
  nth_answer "$STUB_DIR/target-states" "$STUB_DIR/target-calls"
  [ "$answer" != error ] || { echo "An error occurred (Throttling)" >&2; exit 254; }
  printf '%s\\n' "$answer"; exit 0
fi
exit 1
`,
    docker: `${SH_STUB}printf '%s\\n' "docker $*" >> "$STUB_DIR/calls"
case "$1" in
  image) [ -e "$STUB_DIR/image-present" ] ;;
  pull) [ ! -e "$STUB_DIR/registry-down" ] || { echo "Error response from daemon: toomanyrequests" >&2; exit 1; } ;;
  login) copy > /dev/null ;;
  run) case "$*" in *" --version") [ ! -f "$STUB_DIR/release" ] || cat "$STUB_DIR/release" ;; esac ;;
  *) exit 0 ;;
esac
`,
    curl: `${SH_STUB}printf '%s\\n' "curl $*" >> "$STUB_DIR/calls"
for url; do :; done
case $url in
  https://truststore.pki.rds.amazonaws.com/*)
    [ ! -e "$STUB_DIR/trust-store-down" ] || { echo "curl: (6) Could not resolve host" >&2; exit 6; }
    while [ $# -gt 0 ]; do [ "$1" != -o ] || out=$2; shift; done
    echo "RDS CA BUNDLE" > "$out" ;;
  */api/setup)
    if [ -f "$STUB_DIR/setup-exit" ]; then
      copy > "$STUB_DIR/setup-body"; copy < "$STUB_DIR/setup-error" >&2; read -r code < "$STUB_DIR/setup-exit"; exit "$code"
    fi
    setup_answer; echo ;;
  */api/status) status_answer || exit 7; echo ;;
  */api/user/login)
    copy > "$STUB_DIR/login-body"
    [ -f "$STUB_DIR/login-response" ] || { echo "curl: (7) Failed to connect" >&2; exit 7; }
    while [ $# -gt 0 ]; do [ "$1" != -c ] || echo "session cookie" > "$2"; shift; done
    contents "$STUB_DIR/login-response"; printf '%s' "$contents" ;;
  */api/user/self)
    copy > "$STUB_DIR/self-body"
    while [ $# -gt 0 ]; do
      if [ "$1" = -H ]; then case $2 in @*) copy < "\${2#@}" >> "$STUB_DIR/self-headers" ;; esac; fi
      shift
    done
    [ -f "$STUB_DIR/self-response" ] || { echo "curl: (7) Failed to connect" >&2; exit 7; }
    contents "$STUB_DIR/self-response"; printf '%s' "$contents" ;;
  *) exit 7 ;;
esac
`,
    wget: `${SH_STUB}printf '%s\\n' "wget $*" >> "$STUB_DIR/calls"
# What the call sends: the setup's POST body, or New API's login and password change
# (admin-wget.sh), their body and headers from files.
for arg; do
  case $arg in
    --config=*) config=\${arg#--config=} ;;
    --body-file=*) body=\${arg#--body-file=} ;;
    --save-cookies=*) jar=\${arg#--save-cookies=} ;;
    --post-file=*) post=\${arg#--post-file=} ;;
  esac
  url=$arg
done
if [ -n "\${post:-}" ]; then
  setup_answer < "$post"
  [ ! -f "$STUB_DIR/setup-exit" ] || { copy < "$STUB_DIR/setup-error" >&2; read -r code < "$STUB_DIR/setup-exit"; exit "$code"; }
  exit 0
fi
case $url in
  */api/user/login)
    copy < "$body" > "$STUB_DIR/login-body"
    [ -f "$STUB_DIR/login-response" ] || { echo "failed: Connection refused." >&2; exit 4; }
    echo "session cookie" > "$jar"
    contents "$STUB_DIR/login-response"; printf '%s' "$contents"; exit 0 ;;
  */api/user/self)
    copy < "$body" > "$STUB_DIR/self-body"
    while IFS= read -r line; do
      case $line in "header = "*) printf '%s\n' "\${line#header = }" ;; esac
    done < "$config" >> "$STUB_DIR/self-headers"
    contents "$jar"
    case $contents in *"session cookie"*) ;; *) echo "Cookie: none" >> "$STUB_DIR/self-headers" ;; esac
    [ -f "$STUB_DIR/self-response" ] || { echo "failed: Connection refused." >&2; exit 4; }
    contents "$STUB_DIR/self-response"; printf '%s' "$contents"; exit 0 ;;
esac
status_answer || { copy < "$STUB_DIR/status-error" >&2; exit 4; }
`,
    // The user and password in the option file; the SQL on stdin. Root's ALTER USER changes the app user's passwords as
    // MySQL does (RETAIN CURRENT PASSWORD, DISCARD OLD PASSWORD); another ALTER is a syntax error.
    mysql: `${SH_STUB}printf '%s\\n' "mysql $*" >> "$STUB_DIR/calls"
db="$STUB_DIR/mysql"
next_call "$db/calls"
read -r unreachable < "$db/unreachable"
if [ -e "$db/down" ] || [ "$count" -le "$unreachable" ]; then
  echo "ERROR 2003 (HY000): Can't connect to MySQL server on 'mysql:3306' (111)" >&2; exit 1
fi
for arg; do case $arg in --defaults-extra-file=*) options=\${arg#*=} ;; esac; done
while IFS= read -r line; do
  case $line in user=*) user=\${line#user=} ;; password=*) password=\${line#password=} ;; esac
done < "$options"
denied() { echo "ERROR 1045 (28000): Access denied for user '$user'@'172.18.0.9' (using password: YES)" >&2; exit 1; }
# The app user's passwords: whether $password is one of them, and the primary's line.
known= primary=
while IFS= read -r line; do
  [ -n "$primary" ] || primary="$line$newline"
  [ "$line" != "$password" ] || known=1
done < "$db/passwords"
if [ "$user" = root ]; then
  contents "$db/root"; [ "$password" = "$contents" ] || denied
else
  contents "$db/user"; [ "$user" = "$contents" ] && [ -n "$known" ] || denied
fi
contents /dev/stdin; sql=$contents
case $user/$sql in
  root/ALTER*)
    printf '%s\\n' "$sql" >> "$db/statements"
    [ ! -f "$db/refuse" ] || { copy < "$db/refuse" >&2; exit 1; }
    new_password=\${sql#*"IDENTIFIED BY '"}; new_password=\${new_password%%"'"*}
    case $sql in
      *"IDENTIFIED BY '$new_password' RETAIN CURRENT PASSWORD"*) printf '%s\\n%s' "$new_password" "$primary" > "$db/passwords" ;;
      *"DISCARD OLD PASSWORD"*) printf '%s' "$primary" > "$db/passwords" ;;
      *) echo "ERROR 1064 (42000) at line 1: You have an error in your SQL syntax" >&2; exit 1 ;;
    esac ;;
  *) echo 1 ;;
esac
`,
    "redis-cli": `${SH_STUB}printf '%s\\n' "redis-cli $*" >> "$STUB_DIR/calls"\ncontents "$STUB_DIR/redis-reply"\nprintf '%s\\n' "$contents"\nread -r code < "$STUB_DIR/redis-exit"\nexit "$code"\n`,
    // Valkey's CLI answers as redis-cli does (the same replies and exit codes).
    "valkey-cli": `${SH_STUB}printf '%s\\n' "valkey-cli $*" >> "$STUB_DIR/calls"\ncontents "$STUB_DIR/redis-reply"\nprintf '%s\\n' "$contents"\nread -r code < "$STUB_DIR/redis-exit"\nexit "$code"\n`,
    // Config and outputs per stack in files; \`pulumi up\` keeps a copy of the config it would deploy. Its words after the
    // options are $1, $2, ... (the options taken out).
    pulumi: `${SH_STUB}printf '%s\\n' "pulumi $*" >> "$STUB_DIR/calls"
stack= secret= stack_next=
for arg; do
  shift
  if [ -n "$stack_next" ]; then stack=$arg; stack_next=; continue; fi
  case $arg in
    -s|--stack) stack_next=1 ;;
    --secret) secret=1 ;;
    --show-secrets|--yes) ;;
    *) set -- "$@" "$arg" ;;
  esac
done
dir="$STUB_DIR/pulumi/$stack"
[ -d "$dir/config" ] && [ -d "$dir/outputs" ] || mkdir -p "$dir/config" "$dir/outputs"
case "$1 \${2:-}" in
  "config get")
    [ -f "$dir/config/$3" ] || { echo "error: configuration key '$3' not found for stack '$stack'" >&2; exit 255; }
    contents "$dir/config/$3"; printf '%s\\n' "$contents" ;;
  "config set")
    printf '%s' "$4" > "$dir/config/$3"
    if [ -n "$secret" ]; then : > "$dir/config/$3.secret"; elif [ -e "$dir/config/$3.secret" ]; then rm "$dir/config/$3.secret"; fi ;;
  "config rm") rm -f "$dir/config/$3" "$dir/config/$3.secret" ;;
  "stack output")
    [ -f "$dir/outputs/$3" ] || { echo "error: current stack does not have output property '$3'" >&2; exit 255; }
    contents "$dir/outputs/$3"; printf '%s\\n' "$contents" ;;
  "up ")
    ups=0
    for up in "$dir"/up-*; do [ ! -e "$up" ] || ups=$((ups + 1)); done
    cp -r "$dir/config" "$dir/up-$ups" ;;
  *) exit 0 ;;
esac
`,
    openssl: `${SH_STUB}printf '%s\\n' "openssl $*" >> "$STUB_DIR/calls"\n[ ! -e "$STUB_DIR/tls-unverified" ]\n`,
    // A clock of its own: \`sleep N\` moves it on by N seconds at once, \`date +%s\` reads it.
    sleep: `${SH_STUB}printf '%s\\n' "sleep $*" >> "$STUB_DIR/calls"\nread -r now < "$STUB_DIR/clock"\necho $(( now + \${1%%.*} )) > "$STUB_DIR/clock"\n`,
    date: `${SH_STUB}if [ "$*" = "+%s" ]; then read -r now < "$STUB_DIR/clock"; echo "$now"; else exec /bin/date "$@"; fi\n`,
};

/**
 * The stubs, written once per process (they keep a run's state in its $STUB_DIR): bin/ has
 * them all, without-aws/ all but aws (an operator without the AWS CLI).
 */
let stubFolder: string | undefined;
function stubBin(withoutAws: boolean): string {
    if (stubFolder === undefined) {
        const folder = fs.mkdtempSync(path.join(os.tmpdir(), "new-api-stubs-"));
        fs.writeFileSync(path.join(folder, "library.sh"), STUB_LIBRARY);
        for (const bin of ["bin", "without-aws"]) {
            fs.mkdirSync(path.join(folder, bin));
            for (const [name, body] of Object.entries(STUBS)) {
                if (!(bin === "without-aws" && name === "aws")) {
                    fs.writeFileSync(path.join(folder, bin, name), body, { mode: 0o755 });
                }
            }
        }
        stubFolder = folder;
    }
    return path.join(stubFolder, withoutAws ? "without-aws" : "bin");
}

/**
 * The system's commands after the stubs: /usr/bin and /bin, or, for an operator without the
 * AWS CLI, a folder of links to every command there but `aws`, so that an AWS CLI this
 * machine happens to have (Debian's awscli is /usr/bin/aws) is not found either.
 */
let systemWithoutAws: string | undefined;
function systemPath(withoutAws: boolean): string {
    if (!withoutAws) {
        return "/usr/bin:/bin";
    }
    if (systemWithoutAws === undefined) {
        const folder = path.join(path.dirname(stubBin(true)), "system-without-aws");
        fs.mkdirSync(folder);
        for (const dir of ["/usr/bin", "/bin"]) {
            for (const name of fs.readdirSync(dir)) {
                if (name !== "aws" && !fs.existsSync(path.join(folder, name))) {
                    fs.symlinkSync(path.join(dir, name), path.join(folder, name));
                }
            }
        }
        systemWithoutAws = folder;
    }
    return systemWithoutAws;
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
        env: { PATH: `${stubBin(scenario.withoutAws ?? false)}:${systemPath(scenario.withoutAws ?? false)}`, STUB_DIR: stubDir, TMPDIR: tmpDir, ...options.env },
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
