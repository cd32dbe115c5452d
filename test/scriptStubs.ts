// The stub commands the script runner (test/scriptRunner.ts) puts first on PATH: POSIX sh files,
// written once per process, each logging its call and answering from the run's $STUB_DIR.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

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

/** The PATH a run gets: the stubs, then the system's commands (without any `aws` for an operator without the AWS CLI). */
export function stubPath(withoutAws: boolean): string {
    return `${stubBin(withoutAws)}:${systemPath(withoutAws)}`;
}
