// The shell the local target runs in its containers, executed here with stub commands on PATH
// (test/scriptRunner.ts): the one-shot setup (stub wget, sleep and date), Redis's health
// check (stub redis-cli), and the rotations' steps: the database password (db-password.sh,
// stub mysql) and the root user's password (local-admin-password.sh, stub wget).
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ROTATION_POLL_SECONDS } from "../components/aws/rotationScripts";
import {
    DB_ANSWER_SECONDS,
    DbPasswordStep,
    LOCAL_ADMIN_ANSWER_SECONDS,
    LOCAL_ADMIN_COPY_FOLDER,
    cacheHealthCommand,
    dbPasswordScript,
    localAdminPasswordScript,
    localSetupParameters,
    localSetupScript,
} from "../components/docker/containers";
import { renderScript } from "../components/scripts/render";
import { Scenario, ScriptRun, runScript } from "./scriptRunner";

const MASTER = "newapi-dev-master";
const STATUS_URL = `http://${MASTER}:3000/api/status`;
const SETUP_URL = `http://${MASTER}:3000/api/setup`;
const PASSWORD = "pw-from-the-environment";
const NOT_SET_UP = '{"success":true,"data":{"setup":false}}';

/** The setup script; `answerSeconds` shortens its wait for the master. */
function runSetup(scenario: Scenario, env: Record<string, string> = { ADMIN_PASSWORD: PASSWORD }, answerSeconds?: number) {
    const script =
        answerSeconds === undefined
            ? localSetupScript(MASTER, "admin")
            : renderScript("local-setup.sh", { ...localSetupParameters(MASTER, "admin"), ANSWER_SECONDS: answerSeconds });
    const run = runScript(script, { status: NOT_SET_UP, setupResponse: '{"success":true,"message":""}', ...scenario }, { interpreter: "sh", env });
    return {
        ...run,
        wgetCalls: run.calls.filter((c) => c.startsWith("wget ")).map((c) => c.slice("wget ".length)),
        sleeps: run.calls.filter((c) => c.startsWith("sleep ")).map((c) => c.slice("sleep ".length)),
        posted: run.setupBody === undefined ? undefined : JSON.parse(run.setupBody),
    };
}

describe("the local setup script, run with stub wget, sleep and date", () => {
    test("the master is already set up: exits 0, says so (and that a new adminUsername created no user), posts nothing", () => {
        const run = runSetup({ status: '{"success":true,"data":{"setup":true}}' });
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
        const run = runSetup({ statusFailures: 2 });
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
            setupFailure: { exit: 8, error: `${SETUP_URL}:\n2025-01-01 00:00:00 ERROR 500: Internal Server Error.` },
            setupResponse: '{"success":false,"message":"database is down"}',
        });
        expect(run.status).toBe(1);
        expect(run.stdout).toBe("");
        expect(run.stderr).toBe(
            `new-api-setup: POST ${SETUP_URL} failed: ${SETUP_URL}: 2025-01-01 00:00:00 ERROR 500: Internal Server Error.` +
                ' (New API answered: {"success":false,"message":"database is down"})\n',
        );
        expect(run.leftovers).toEqual([]);
    });

    test("the POST is not answered: non-zero, naming the request and wget's reason", () => {
        const run = runSetup({ setupFailure: { exit: 4, error: "failed: Connection refused." }, setupResponse: undefined });
        expect(run.status).toBe(1);
        expect(run.stderr).toBe(`new-api-setup: POST ${SETUP_URL} failed: failed: Connection refused.\n`);
    });

    test("the POST is answered without success: non-zero, with New API's answer", () => {
        const run = runSetup({ setupResponse: '{"success":false,"message":"the root user exists"}' });
        expect(run.status).toBe(1);
        expect(run.stderr).toBe(`new-api-setup: POST ${SETUP_URL} did not succeed: {"success":false,"message":"the root user exists"}\n`);
    });

    test("the master never answers: gives up at its deadline, asking every 5 s, each try bounded, naming the URL and why", () => {
        const run = runSetup({ status: undefined, statusError: "failed: Connection timed out." }, undefined, 60);
        expect(run.status).toBe(1);
        expect(run.stderr).toBe(`new-api-setup: the master did not answer GET ${STATUS_URL} within 60 s: failed: Connection timed out.\n`);
        expect(run.wgetCalls).toEqual(Array(13).fill(`-nv -t 1 -T 10 -O - ${STATUS_URL}`));
        expect(run.sleeps).toEqual(Array(12).fill("5"));
        expect(run.posted).toBeUndefined();
        expect(run.leftovers).toEqual([]);
    });

    test("its deadline is 15 minutes: within the Docker provider's 20 minutes for creating the container", () => {
        expect(localSetupParameters(MASTER, "admin")).toMatchObject({ ANSWER_SECONDS: 900, POLL_SECONDS: 5, REQUEST_SECONDS: 10 });
    });

    test("no temporary folder for the password file: fails at once, asking nothing (set -e)", () => {
        const run = runSetup({}, { ADMIN_PASSWORD: PASSWORD, TMPDIR: "/nonexistent" });
        expect(run.status).not.toBe(0);
        expect(run.stderr).toContain("mktemp");
        expect(run.wgetCalls).toEqual([]);
        expect(run.posted).toBeUndefined();
    });

    test("no ADMIN_PASSWORD in the environment: non-zero, naming it, nothing posted", () => {
        const run = runSetup({}, {});
        expect(run.status).not.toBe(0);
        expect(run.stderr).toMatch(/ADMIN_PASSWORD/);
        expect(run.posted).toBeUndefined();
    });
});

describe.each(["valkey", "redis"] as const)("the %s cache's health check, run with a stub CLI", (engine) => {
    const run = (reply: string, exit: number) =>
        runScript(cacheHealthCommand(engine), { redisCli: { reply, exit } }, { interpreter: "sh", env: { REDISCLI_AUTH: "token" } });

    test("fails on NOAUTH, which the CLI answers with exit code 0, and when the server is down; passes on PONG", () => {
        expect(run("NOAUTH Authentication required.", 0).status).not.toBe(0);
        expect(run("Could not connect to 127.0.0.1:6379: Connection refused", 1).status).not.toBe(0);
        expect(run("PONG", 0).status).toBe(0);
    });

    test(`calls ${engine}-cli, the image's own CLI`, () => {
        expect(run("PONG", 0).calls).toEqual([`${engine}-cli ping`]);
    });
});

describe("the docker target's database password steps (db-password.sh, in the MySQL image's sh)", () => {
    const ROOT = "RootPassw0rdRootPassw0rd";
    const OLD = "OldPassw0rdOldPassw0rd";
    const NEW = "NewPassw0rdNewPassw0rd";
    const step = (name: DbPasswordStep, mysql: NonNullable<Scenario["mysql"]>) =>
        runScript(dbPasswordScript(name), { mysql }, { interpreter: "sh", env: { ROOT_PASSWORD: ROOT, DB_PASSWORD: NEW } });
    const mysqlCalls = (calls: string[]) => calls.filter((c) => c.startsWith("mysql "));
    /** No password on any command line (what `ps` shows), nothing left in TMPDIR (the option files). */
    const expectNoTrace = (run: ScriptRun) => {
        for (const secret of [ROOT, OLD, NEW]) {
            expect(run.calls.filter((c) => c.includes(secret))).toEqual([]);
        }
        expect(run.leftovers).toEqual([]);
    };

    test("retain: the app user takes the new password and keeps the current one as its secondary", () => {
        const run = step("retain", { rootPassword: ROOT, user: "newapi", passwords: [OLD] });
        expect(run.status).toBe(0);
        expect(run.mysqlStatements).toBe(`ALTER USER 'newapi'@'%' IDENTIFIED BY '${NEW}' RETAIN CURRENT PASSWORD;\n`);
        expect(run.mysqlPasswords).toEqual([NEW, OLD]);
        expect(run.stdout).toContain("new-api-db-password: newapi has the new password; the current one works too until every node has the new one");
        // Each call names an option file in the script's TMPDIR (gone at its end), root's or the app user's.
        const optionFiles = mysqlCalls(run.calls).map((c) => /^mysql --defaults-extra-file=(\S+)\/(root|app)\.cnf --protocol=TCP -h mysql -N -B$/.exec(c));
        expect(optionFiles.every((m) => m !== null && m[1].startsWith(`${run.root}/tmp/`))).toBe(true);
        expect(optionFiles.map((m) => m?.[2])).toEqual(["root", "root", "app", "root", "app"]);
        expectNoTrace(run);
    });

    test("retain again (a step run twice, or a new stack): the new password works already, nothing changes", () => {
        const run = step("retain", { rootPassword: ROOT, user: "newapi", passwords: [NEW, OLD] });
        expect(run.status).toBe(0);
        expect(run.mysqlStatements).toBeUndefined();
        expect(run.mysqlPasswords).toEqual([NEW, OLD]);
        expect(run.stdout).toContain("newapi already has the stack's password; nothing to change");
        expectNoTrace(run);
    });

    test("retain waits for MySQL to answer, then changes the password", () => {
        const run = step("retain", { rootPassword: ROOT, user: "newapi", passwords: [OLD], unreachable: 3 });
        expect(run.status).toBe(0);
        expect(run.calls.filter((c) => c === `sleep ${ROTATION_POLL_SECONDS}`)).toHaveLength(3);
        expect(run.mysqlPasswords).toEqual([NEW, OLD]);
    });

    test("MySQL never answers: fails after DB_ANSWER_SECONDS with mysql's reason, nothing changed", () => {
        const run = step("retain", { rootPassword: ROOT, user: "newapi", passwords: [OLD], down: true });
        expect(run.status).toBe(1);
        expect(run.stderr).toContain(
            `new-api-db-password: MySQL at mysql did not answer within ${DB_ANSWER_SECONDS} s: ERROR 2003 (HY000): Can't connect to MySQL server on 'mysql:3306' (111)`,
        );
        expect(run.calls.filter((c) => c.startsWith("sleep")).length).toBe(DB_ANSWER_SECONDS / ROTATION_POLL_SECONDS);
        expect(run.mysqlPasswords).toEqual([OLD]);
        expectNoTrace(run);
    });

    test("root refused (a volume initialized while root's password was random): fails at once, saying how to set it", () => {
        const run = step("retain", { rootPassword: "SomethingElse1", user: "newapi", passwords: [OLD] });
        expect(run.status).toBe(1);
        expect(run.stderr).toContain("new-api-db-password: MySQL refused root the stack's password (ERROR 1045 (28000): Access denied for user 'root'");
        expect(run.stderr).toContain("docs/local.md, Rotating the database password");
        expect(run.calls.filter((c) => c.startsWith("sleep"))).toEqual([]);
        expect(run.mysqlStatements).toBeUndefined();
        expect(run.mysqlPasswords).toEqual([OLD]);
        expectNoTrace(run);
    });

    test("MySQL refuses the change (no dual passwords, a missing privilege): fails with its error, the password unchanged", () => {
        const refuse = "ERROR 1227 (42000) at line 1: Access denied; you need (at least one of) the CREATE USER privilege(s) for this operation";
        const run = step("retain", { rootPassword: ROOT, user: "newapi", passwords: [OLD], refuse });
        expect(run.status).toBe(1);
        expect(run.stderr).toContain(`new-api-db-password: MySQL refused the new password of newapi: ${refuse}`);
        expect(run.mysqlPasswords).toEqual([OLD]);
        expectNoTrace(run);
    });

    test("discard, once every node has the new password: only the new one is left", () => {
        const run = step("discard", { rootPassword: ROOT, user: "newapi", passwords: [NEW, OLD] });
        expect(run.status).toBe(0);
        expect(run.mysqlStatements).toBe("ALTER USER 'newapi'@'%' DISCARD OLD PASSWORD;\n");
        expect(run.mysqlPasswords).toEqual([NEW]);
        expect(run.stdout).toContain("new-api-db-password: newapi has only the stack's password now");
        expectNoTrace(run);
    });

    test("discard while the new password does not work: keeps the old one, which the nodes may still use", () => {
        const run = step("discard", { rootPassword: ROOT, user: "newapi", passwords: [OLD] });
        expect(run.status).toBe(1);
        expect(run.stderr).toContain("new-api-db-password: newapi does not log in with the stack's password (ERROR 1045 (28000): Access denied for user 'newapi'");
        expect(run.stderr).toContain("its old password is kept");
        expect(run.mysqlStatements).toBeUndefined();
        expect(run.mysqlPasswords).toEqual([OLD]);
        expectNoTrace(run);
    });

    test("discard refused by MySQL: fails with its error", () => {
        const run = step("discard", { rootPassword: ROOT, user: "newapi", passwords: [NEW, OLD], refuse: "ERROR 1064 (42000) at line 1: syntax error" });
        expect(run.status).toBe(1);
        expect(run.stderr).toContain("new-api-db-password: MySQL did not discard the old password of newapi: ERROR 1064 (42000) at line 1: syntax error");
        expect(run.mysqlPasswords).toEqual([NEW, OLD]);
    });
});

describe("the docker target's admin password step (local-admin-password.sh, bash and GNU wget in the New API image)", () => {
    const OLD = "OldPassw0rdAbcd12345";
    const NEW = "NewPassw0rdWxyz67890";
    const LOGGED_IN_V09 = '{"message":"","success":true,"data":{"id":1,"username":"admin","role":100}}';
    const LOGGED_IN_LATER = '{"data":{"access_token":"at-123","token_type":"Bearer","user":{"id":1}},"message":"","success":true}';
    /** Runs the step, its copy in the run's own folder (`copy` in it, or none), the stack's password NEW at `generation`. */
    const step = (copy: string | undefined, scenario: Scenario, generation = 1) => {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "new-api-local-admin-"));
        const copyPath = path.join(root, "admin", "admin-password");
        if (copy !== undefined) {
            fs.mkdirSync(path.dirname(copyPath));
            fs.writeFileSync(copyPath, `${copy}\n`);
        }
        const script = localAdminPasswordScript("newapi-dev-master", "admin").replace(
            `ADMIN_PASSWORD_COPY='${LOCAL_ADMIN_COPY_FOLDER}/admin-password'`,
            `ADMIN_PASSWORD_COPY='${copyPath}'`,
        );
        const run = runScript(script, { status: '{"success":true}', ...scenario }, { root, env: { ADMIN_PASSWORD: NEW, ADMIN_PASSWORD_ROTATION: String(generation) } });
        return { run, copy: fs.existsSync(copyPath) ? fs.readFileSync(copyPath, "utf8") : undefined };
    };
    const noSecretOnCommandLines = (run: ScriptRun) => expect(run.calls.join("\n")).not.toMatch(new RegExp(`${OLD}|${NEW}|at-123`));

    test("the script renders with the copy in its volume, the master's URL, and the AWS master's request bodies", () => {
        const script = localAdminPasswordScript("newapi-dev-master", "admin");
        expect(script).toContain(`ADMIN_PASSWORD_COPY='/admin/admin-password'`);
        expect(script).toContain(`API_URL='http://newapi-dev-master:3000'`);
        expect(script).toContain(`LOGIN_REQUEST='{"username":"admin","password":"{{password}}"}'`);
        expect(script).toContain(`PASSWORD_CHANGE_REQUEST='{"password":"{{password}}","original_password":"{{original}}"}'`);
        expect(script).not.toMatch(/\bcurl\b/);
    });

    test.each([
        ["v0.9 (a cookie and New-Api-User)", LOGGED_IN_V09, "New-Api-User: 1"],
        ["later versions (an access token)", LOGGED_IN_LATER, "Authorization: Bearer at-123"],
    ])("logs in with its copy as New API %s gives it, changes the password, and only then replaces the copy", (_, loginResponse, header) => {
        const { run, copy } = step(OLD, { loginResponse, passwordChangeResponse: '{"success":true,"message":""}' });
        expect(run.status).toBe(0);
        expect(run.output).toContain("new-api-admin-password: admin has the stack's password now");
        expect(JSON.parse(run.loginBody ?? "")).toEqual({ username: "admin", password: OLD });
        expect(JSON.parse(run.passwordChangeBody ?? "")).toEqual({ password: NEW, original_password: OLD });
        // The headers from the wgetrc, and the login's cookie jar with the PUT.
        expect(run.passwordChangeHeaders).toBe(`Content-Type: application/json\n${header}\n`);
        const put = run.calls.find((c) => c.includes("/api/user/self")) as string;
        expect(put).toContain("--method=PUT");
        expect(put).toContain("http://newapi-dev-master:3000/api/user/self");
        expect(copy).toBe(`${NEW}\n`);
        noSecretOnCommandLines(run);
        expect(run.leftovers).toEqual([]);
    });

    test("first run (no copy): the stack's password logs in, and is kept as the copy; nothing is changed", () => {
        const { run, copy } = step(undefined, { loginResponse: LOGGED_IN_V09 }, 0);
        expect(run.status).toBe(0);
        expect(run.output).toContain("admin logs in with the stack's password: kept as the copy a rotation starts from");
        expect(JSON.parse(run.loginBody ?? "")).toEqual({ username: "admin", password: NEW });
        expect(run.passwordChangeBody).toBeUndefined();
        expect(copy).toBe(`${NEW}\n`);
        noSecretOnCommandLines(run);
    });

    test("first run at generation 0, the root user set up otherwise: says so, keeps no copy, and lets the update go on", () => {
        const { run, copy } = step(undefined, { loginResponse: '{"success":false,"message":"用户名或密码错误"}' }, 0);
        expect(run.status).toBe(0);
        expect(run.stderr).toContain("admin does not log in with the stack's password (用户名或密码错误): adminPasswordRotation cannot rotate it");
        expect(copy).toBeUndefined();
    });

    test("no copy at a later generation: fails, since the password it must change is unknown", () => {
        const { run, copy } = step(undefined, { loginResponse: '{"success":false,"message":"用户名或密码错误"}' }, 2);
        expect(run.status).toBe(1);
        expect(run.stderr).toContain("there is no copy of the password the stack last set");
        expect(run.stderr).toContain("the password of admin is unchanged");
        expect(run.passwordChangeBody).toBeUndefined();
        expect(copy).toBeUndefined();
    });

    test("the copy is the stack's password already (a step run again): nothing is sent", () => {
        const { run, copy } = step(NEW, {});
        expect(run.status).toBe(0);
        expect(run.output).toContain("admin already has the stack's password; nothing to change");
        expect(run.loginBody).toBeUndefined();
        expect(copy).toBe(`${NEW}\n`);
    });

    test.each([
        ["the copy is not the password", { loginResponse: '{"success":false,"message":"用户名或密码错误"}' }, "logging in as admin with the password the stack last set failed: 用户名或密码错误"],
        ["the root user has 2FA", { loginResponse: '{"success":true,"message":"需要 2FA","data":{"require_2fa":true,"flow_token":"ft-1"}}' }, "logging in as admin with the password the stack last set failed: 需要 2FA"],
        ["New API refuses the change", { loginResponse: LOGGED_IN_V09, passwordChangeResponse: '{"success":false,"message":"原密码错误"}' }, "New API refused the new password: 原密码错误"],
        ["the login gets no answer", {}, "logging in as admin with the password the stack last set failed: POST /api/user/login got no answer (wget exit code 4)"],
        ["the change gets no answer", { loginResponse: LOGGED_IN_V09 }, "New API refused the new password: PUT /api/user/self got no answer (wget exit code 4)"],
    ])("%s: fails saying why, the copy left as it was", (_, scenario, why) => {
        const { run, copy } = step(OLD, scenario);
        expect(run.status).toBe(1);
        expect(run.stderr).toContain(`new-api-admin-password: ${why}; the password of admin is unchanged`);
        expect(run.output).not.toContain("ft-1");
        expect(copy).toBe(`${OLD}\n`);
        expect(run.leftovers).toEqual([]);
    });

    test("the master never answers: fails once its wait is over, sending nothing", () => {
        const { run, copy } = step(OLD, { status: undefined });
        expect(run.status).toBe(1);
        expect(run.stderr).toContain(
            `New API did not answer on http://newapi-dev-master:3000 within ${LOCAL_ADMIN_ANSWER_SECONDS} s; the password of admin is unchanged`,
        );
        expect(run.calls.filter((c) => c.startsWith("sleep")).length).toBe(LOCAL_ADMIN_ANSWER_SECONDS / ROTATION_POLL_SECONDS);
        expect(run.loginBody).toBeUndefined();
        expect(copy).toBe(`${OLD}\n`);
    });
});
