// Runs a rendered shell script for real, with stub commands first on PATH: each stub logs its
// call and answers as the scenario says (an image on disk or not, a registry down, SSM values,
// what the master's /api/status says). Time is the stubs' too: `sleep` moves a clock on that
// `date +%s` reads, so a 15-minute deadline passes in milliseconds. Paths the script writes
// under / are moved to a temporary folder by replacing their assignment lines.
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
    /** `docker pull` fails (Docker Hub's limit, an outage). */
    registryDown?: boolean;
    /** What `curl` prints for a URL ending in /api/status; unset: it cannot connect (exit 7). */
    status?: string;
    /** What `curl` prints for POST /api/setup. */
    setupResponse?: string;
    /** What `aws elbv2 describe-target-health` prints, one answer per call (the last repeats); "error" fails the call. */
    targetStates?: string[];
    /**
     * Answers of other AWS CLI calls by "service operation" (e.g. "ssm send-command"), one per
     * call in order (the last repeats); "error <Code>" fails the call with that error code.
     * Other calls the stub has no answer for fail.
     */
    awsAnswers?: Record<string, string[]>;
    /** The operator's machine has no AWS CLI. */
    withoutAws?: boolean;
    /** AWS's trust store does not answer the RDS CA bundle's download. */
    trustStoreDown?: boolean;
    /** `openssl s_client` cannot verify a database's certificate (unreachable, or the wrong CA). */
    tlsUnverified?: boolean;
}

export interface ScriptRun {
    status: number | null;
    /** stdout and stderr together, as the journal shows them. */
    output: string;
    /** Every stubbed command's arguments, in order. */
    calls: string[];
    /** The temporary folder standing in for /. */
    root: string;
    /** What the stub curl received on stdin for POST /api/setup. */
    setupBody?: string;
    /** What the AWS CLI read from file:// arguments (--cli-input-json), while the script ran. */
    cliInput?: string;
}

const STUBS: Record<string, string> = {
    aws: `#!/bin/bash
echo "aws $*" >> "$STUB_DIR/calls"
if [[ "$1 $2" == "ssm get-parameter" ]]; then
  [[ -z "\${STUB_SSM_DOWN:-}" ]] || { echo "An error occurred (AccessDeniedException)" >&2; exit 254; }
  while (( $# )); do [[ "$1" == --name ]] && name="$2"; shift; done
  file="$STUB_DIR/ssm/\${name//\//_}"
  [[ -f "$file" ]] || { echo "An error occurred (ParameterNotFound)" >&2; exit 254; }
  echo "$(<"$file")"; exit 0
fi
if [[ "$1 $2" == "ecr get-login-password" ]]; then echo "ecr-password"; exit 0; fi
for arg in "$@"; do [[ "$arg" != file://* ]] || cat "\${arg#file://}" >> "$STUB_DIR/cli-input"; done
answers="$STUB_DIR/answers/$1_$2"
if [[ -f "$answers" ]]; then
  count=0; [[ ! -f "$answers.count" ]] || count="$(<"$answers.count")"
  echo $(( count += 1 )) > "$answers.count"
  mapfile -t lines < "$answers"
  (( count <= \${#lines[@]} )) || count=\${#lines[@]}
  answer="\${lines[count - 1]}"
  [[ "$answer" != error* ]] || { echo "An error occurred (\${answer#error })" >&2; exit 254; }
  printf '%s\n' "$answer"; exit 0
fi
if [[ "$1 $2" == "elbv2 describe-target-health" ]]; then
  count=0; [[ ! -f "$STUB_DIR/target-calls" ]] || count="$(<"$STUB_DIR/target-calls")"
  echo $(( count += 1 )) > "$STUB_DIR/target-calls"
  mapfile -t states < "$STUB_DIR/target-states"
  (( count <= \${#states[@]} )) || count=\${#states[@]}
  state="\${states[count - 1]}"
  [[ "$state" != error ]] || { echo "An error occurred (Throttling)" >&2; exit 254; }
  echo "$state"; exit 0
fi
exit 1
`,
    docker: `#!/bin/bash
echo "docker $*" >> "$STUB_DIR/calls"
case "$1" in
  image) [[ -n "\${STUB_IMAGE_PRESENT:-}" ]] ;;
  pull) [[ -z "\${STUB_REGISTRY_DOWN:-}" ]] || { echo "Error response from daemon: toomanyrequests" >&2; exit 1; } ;;
  login) cat > /dev/null ;;
  *) exit 0 ;;
esac
`,
    curl: `#!/bin/bash
echo "curl $*" >> "$STUB_DIR/calls"
url="\${!#}"
case "$url" in
  https://truststore.pki.rds.amazonaws.com/*)
    [[ -z "\${STUB_TRUST_STORE_DOWN:-}" ]] || { echo "curl: (6) Could not resolve host" >&2; exit 6; }
    while (( $# )); do [[ "$1" == -o ]] && out="$2"; shift; done
    echo "RDS CA BUNDLE" > "$out" ;;
  */api/setup) cat > "$STUB_DIR/setup-body"; echo "$(<"$STUB_DIR/setup-response")" ;;
  */api/status) [[ -f "$STUB_DIR/status" ]] || exit 7; echo "$(<"$STUB_DIR/status")" ;;
  *) exit 7 ;;
esac
`,
    openssl: `#!/bin/bash\necho "openssl $*" >> "$STUB_DIR/calls"\n[[ -z "\${STUB_TLS_UNVERIFIED:-}" ]]\n`,
    // A clock of its own: `sleep N` moves it on by N seconds at once, `date +%s` reads it.
    sleep: `#!/bin/bash\necho "sleep $*" >> "$STUB_DIR/calls"\necho $(( $(<"$STUB_DIR/clock") + \${1%%.*} )) > "$STUB_DIR/clock"\n`,
    date: `#!/bin/bash\nif [[ "$*" == "+%s" ]]; then echo "$(<"$STUB_DIR/clock")"; else exec /bin/date "$@"; fi\n`,
};

/**
 * Runs `script` with `interpreter` (bash or sh), the stubs first on PATH and `env` added.
 * `moved` maps assignment lines of the script (e.g. "env_dir=/etc/new-api") to replacements
 * under the temporary root; `<root>` in a replacement stands for that folder.
 */
export function runScript(
    script: string,
    scenario: Scenario,
    options: { interpreter?: string; moved?: Record<string, string>; env?: Record<string, string>; root?: string } = {},
): ScriptRun {
    const root = options.root ?? fs.mkdtempSync(path.join(os.tmpdir(), "new-api-script-"));
    const stubDir = path.join(root, "stub");
    fs.mkdirSync(path.join(stubDir, "ssm"), { recursive: true });
    fs.mkdirSync(path.join(stubDir, "bin"), { recursive: true });
    fs.rmSync(path.join(stubDir, "calls"), { force: true });
    for (const [name, body] of Object.entries(STUBS)) {
        fs.writeFileSync(path.join(stubDir, "bin", name), body, { mode: 0o755 });
    }
    if (scenario.withoutAws) {
        fs.rmSync(path.join(stubDir, "bin", "aws"));
    }
    for (const [name, value] of Object.entries(scenario.parameters ?? {})) {
        fs.writeFileSync(path.join(stubDir, "ssm", name.replace(/\//g, "_")), value);
    }
    const optionalFile = (file: string, content: string | undefined) =>
        content === undefined ? fs.rmSync(path.join(stubDir, file), { force: true }) : fs.writeFileSync(path.join(stubDir, file), content);
    if (!fs.existsSync(path.join(stubDir, "clock"))) {
        fs.writeFileSync(path.join(stubDir, "clock"), "1800000000");
    }
    optionalFile("status", scenario.status);
    optionalFile("setup-response", scenario.setupResponse);
    optionalFile("target-states", scenario.targetStates?.join("\n"));
    fs.rmSync(path.join(stubDir, "target-calls"), { force: true });
    fs.rmSync(path.join(stubDir, "answers"), { recursive: true, force: true });
    fs.rmSync(path.join(stubDir, "cli-input"), { force: true });
    fs.mkdirSync(path.join(stubDir, "answers"));
    for (const [call, answers] of Object.entries(scenario.awsAnswers ?? {})) {
        fs.writeFileSync(path.join(stubDir, "answers", call.replace(" ", "_")), `${answers.join("\n")}\n`);
    }

    let text = script;
    for (const [line, replacement] of Object.entries(options.moved ?? {})) {
        if (!text.includes(line)) {
            throw new Error(`the script has no line ${line}`);
        }
        text = text.replace(line, replacement.replace(/<root>/g, root));
    }
    const file = path.join(root, "script");
    fs.writeFileSync(file, text, { mode: 0o755 });
    const result = spawnSync(options.interpreter ?? "bash", [file], {
        encoding: "utf8",
        timeout: 30000,
        env: {
            PATH: `${path.join(stubDir, "bin")}:/usr/bin:/bin`,
            STUB_DIR: stubDir,
            ...(scenario.ssmDown ? { STUB_SSM_DOWN: "1" } : {}),
            ...(scenario.imagePresent ? { STUB_IMAGE_PRESENT: "1" } : {}),
            ...(scenario.registryDown ? { STUB_REGISTRY_DOWN: "1" } : {}),
            ...(scenario.trustStoreDown ? { STUB_TRUST_STORE_DOWN: "1" } : {}),
            ...(scenario.tlsUnverified ? { STUB_TLS_UNVERIFIED: "1" } : {}),
            ...options.env,
        },
    });
    if (result.error) {
        throw result.error;
    }
    const read = (file: string) => (fs.existsSync(path.join(stubDir, file)) ? fs.readFileSync(path.join(stubDir, file), "utf8") : undefined);
    return {
        status: result.status,
        output: `${result.stdout}${result.stderr}`,
        calls: (read("calls") ?? "").split("\n").filter((l) => l !== ""),
        root,
        setupBody: read("setup-body"),
        cliInput: read("cli-input"),
    };
}
