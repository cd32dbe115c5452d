// The shell the local target runs in its containers, executed here with stub commands on PATH
// (test/scriptRunner.ts): the one-shot setup (stub wget, sleep and date) and Redis's health
// check (stub redis-cli).
import { cacheHealthCommand, localSetupParameters, localSetupScript } from "../components/docker/containers";
import { renderScript } from "../components/scripts/render";
import { Scenario, runScript } from "./scriptRunner";

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
