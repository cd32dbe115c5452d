// The shell the local target runs in its containers, executed here with stub commands on PATH:
// the one-shot setup (stub wget and sleep) and Redis's health check (stub redis-cli).
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { REDIS_HEALTH_COMMAND, localSetupScript } from "../components/docker/cluster";

const MASTER = "newapi-dev-master";
const STATUS_URL = `http://${MASTER}:3000/api/status`;
const SETUP_URL = `http://${MASTER}:3000/api/setup`;
const PASSWORD = "pw-from-the-environment";

/** A folder of stub commands, and where they record their calls. */
function stubs(commands: Record<string, string>): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "new-api-stubs-"));
    for (const [name, body] of Object.entries(commands)) {
        fs.writeFileSync(path.join(dir, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
    }
    return dir;
}

// wget: GET /api/status fails (exit 4, STATUS_ERROR) for the first STATUS_FAILURES calls,
// then answers STATUS_BODY; POST /api/setup keeps the posted file, answers SETUP_BODY and
// SETUP_ERROR and exits SETUP_EXIT. sleep only records how long it was asked to sleep.
const WGET = `printf '%s\\n' "$*" >> "$STUBS/wget.calls"
case "$*" in
  *--post-file=*)
    for arg; do case "$arg" in --post-file=*) cp "\${arg#--post-file=}" "$STUBS/posted.json" ;; esac; done
    printf '%s' "$SETUP_BODY"; printf '%s\\n' "$SETUP_ERROR" >&2; exit "$SETUP_EXIT" ;;
esac
if [ "$(grep -vc -- --post-file "$STUBS/wget.calls")" -le "$STATUS_FAILURES" ]; then
  printf '%s\\n' "$STATUS_ERROR" >&2; exit 4
fi
printf '%s' "$STATUS_BODY"`;
const SLEEP = `printf '%s\\n' "$*" >> "$STUBS/sleep.calls"`;

interface SetupRun {
    status: number | null;
    stdout: string;
    stderr: string;
    wgetCalls: string[];
    sleeps: string[];
    posted?: Record<string, unknown>;
    /** What the script left in its TMPDIR. */
    leftovers: string[];
}

function runSetup(env: Record<string, string>): SetupRun {
    const dir = stubs({ wget: WGET, sleep: SLEEP });
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "new-api-setup-tmp-"));
    try {
        const result = spawnSync("sh", ["-c", localSetupScript(MASTER, "admin")], {
            encoding: "utf8",
            timeout: 30000,
            env: {
                PATH: `${dir}:${process.env.PATH}`,
                TMPDIR: tmp,
                STUBS: dir,
                ADMIN_PASSWORD: PASSWORD,
                STATUS_FAILURES: "0",
                STATUS_ERROR: "failed: Connection refused.",
                STATUS_BODY: '{"success":true,"data":{"setup":false}}',
                SETUP_BODY: '{"success":true,"message":""}',
                SETUP_ERROR: "",
                SETUP_EXIT: "0",
                ...env,
            },
        });
        const lines = (file: string) =>
            fs.existsSync(path.join(dir, file)) ? fs.readFileSync(path.join(dir, file), "utf8").trimEnd().split("\n") : [];
        const posted = path.join(dir, "posted.json");
        return {
            status: result.status,
            stdout: result.stdout,
            stderr: result.stderr,
            wgetCalls: lines("wget.calls"),
            sleeps: lines("sleep.calls"),
            posted: fs.existsSync(posted) ? JSON.parse(fs.readFileSync(posted, "utf8")) : undefined,
            leftovers: fs.readdirSync(tmp),
        };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
        fs.rmSync(tmp, { recursive: true, force: true });
    }
}

describe("the local setup script, run with stub wget and sleep", () => {
    test("passes shellcheck as POSIX sh", () => {
        const dir = stubs({});
        try {
            const file = path.join(dir, "setup.sh");
            fs.writeFileSync(file, localSetupScript(MASTER, "admin"));
            const result = spawnSync("shellcheck", ["--shell=sh", "--severity=style", file], { encoding: "utf8", timeout: 30000 });
            expect({ status: result.status, output: `${result.stdout}${result.stderr}` }).toEqual({ status: 0, output: "" });
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    test("the master is already set up: exits 0, says so (and that a new adminUsername created no user), posts nothing", () => {
        const run = runSetup({ STATUS_BODY: '{"success":true,"data":{"setup":true}}' });
        expect(run).toMatchObject({
            status: 0,
            stdout: "",
            stderr: "new-api-setup: already set up. New API creates its root user at the first setup only: if that was not admin, no user admin exists (README, First run)\n",
            posted: undefined,
            leftovers: [],
        });
        expect(run.wgetCalls).toEqual([`-nv -t 1 -T 10 -O - ${STATUS_URL}`]);
    });

    test("sets up once the master answers: retries 5 s apart, posts the root user with the password from the environment", () => {
        const run = runSetup({ STATUS_FAILURES: "2" });
        expect(run).toMatchObject({ status: 0, stdout: "new-api-setup: created the root user admin\n", stderr: "" });
        expect(run.sleeps).toEqual(["5", "5"]);
        expect(run.wgetCalls).toHaveLength(4);
        expect(run.wgetCalls[3]).toMatch(new RegExp(`^-nv -t 1 -T 10 -O - --content-on-error .*--post-file=\\S+/setup\\.json ${SETUP_URL}$`));
        expect(run.posted).toEqual({
            username: "admin",
            password: PASSWORD,
            confirmPassword: PASSWORD,
            SelfUseModeEnabled: false,
            DemoSiteEnabled: false,
        });
        // Not on any command line, and not left behind in the container.
        expect(run.wgetCalls.join("\n")).not.toContain(PASSWORD);
        expect(run.leftovers).toEqual([]);
    });

    test("the POST fails in wget: non-zero, naming the request, wget's reason and New API's answer", () => {
        const run = runSetup({
            SETUP_EXIT: "8",
            SETUP_ERROR: `${SETUP_URL}:\n2025-01-01 00:00:00 ERROR 500: Internal Server Error.`,
            SETUP_BODY: '{"success":false,"message":"database is down"}',
        });
        expect(run.status).toBe(1);
        expect(run.stdout).toBe("");
        expect(run.stderr).toBe(
            `new-api-setup: POST ${SETUP_URL} failed: ${SETUP_URL}: 2025-01-01 00:00:00 ERROR 500: Internal Server Error.` +
                ' (New API answered: {"success":false,"message":"database is down"})\n',
        );
        expect(run.leftovers).toEqual([]);
    });

    test("the POST is answered without success: non-zero, with New API's answer", () => {
        const run = runSetup({ SETUP_BODY: '{"success":false,"message":"the root user exists"}' });
        expect(run.status).toBe(1);
        expect(run.stderr).toBe(
            `new-api-setup: POST ${SETUP_URL} did not succeed: {"success":false,"message":"the root user exists"}\n`,
        );
    });

    test("the master never answers: gives up after 60 tries 5 s apart, each bounded by a timeout, naming the URL and why", () => {
        const run = runSetup({ STATUS_FAILURES: "1000", STATUS_ERROR: "failed: Connection timed out." });
        expect(run.status).toBe(1);
        expect(run.stderr).toBe(
            `new-api-setup: the master did not answer GET ${STATUS_URL} in 60 tries: failed: Connection timed out.\n`,
        );
        expect(run.wgetCalls).toEqual(Array(60).fill(`-nv -t 1 -T 10 -O - ${STATUS_URL}`));
        expect(run.sleeps).toEqual(Array(59).fill("5"));
        expect(run.posted).toBeUndefined();
        expect(run.leftovers).toEqual([]);
    });

    test("no ADMIN_PASSWORD in the environment: non-zero, naming it, nothing posted", () => {
        const dir = stubs({ wget: WGET, sleep: SLEEP });
        try {
            const result = spawnSync("sh", ["-c", localSetupScript(MASTER, "admin")], {
                encoding: "utf8",
                timeout: 30000,
                env: { PATH: `${dir}:${process.env.PATH}`, STUBS: dir, STATUS_FAILURES: "0", STATUS_BODY: "{}" },
            });
            expect(result.status).not.toBe(0);
            expect(result.stderr).toMatch(/ADMIN_PASSWORD/);
            expect(fs.existsSync(path.join(dir, "posted.json"))).toBe(false);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("the Redis health check, run with a stub redis-cli", () => {
    const check = (reply: string, exitCode: number) => {
        const dir = stubs({ "redis-cli": `printf '%s\\n' "${reply}"\nexit ${exitCode}` });
        try {
            return spawnSync("sh", ["-c", REDIS_HEALTH_COMMAND], {
                encoding: "utf8",
                timeout: 10000,
                env: { PATH: `${dir}:${process.env.PATH}`, REDISCLI_AUTH: "token" },
            }).status;
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    };

    test("fails on NOAUTH, which redis-cli answers with exit code 0, and when Redis is down; passes on PONG", () => {
        expect(check("NOAUTH Authentication required.", 0)).not.toBe(0);
        expect(check("Could not connect to Redis at 127.0.0.1:6379: Connection refused", 1)).not.toBe(0);
        expect(check("PONG", 0)).toBe(0);
    });
});
