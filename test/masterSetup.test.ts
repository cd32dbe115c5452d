// The master's setup (setup.sh) run for real with stub aws, curl and sleep on PATH: New API's setup
// wizard posted once, or found done; the copy of the root user's password a rotation starts from.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { setupParameters } from "../components/aws/userdata";
import { renderScript } from "../components/scripts/render";
import { ADMIN_PASSWORD, NOT_SET_UP, SET_UP, master } from "./nodeFixtures";
import { Scenario, ScriptRun, runScript } from "./scriptRunner";

describe("setup on the master", () => {
    /** The setup script, its wait for New API shortened to `answerSeconds`. */
    const setup = (answerSeconds?: number, copy?: string) => (scenario: Scenario) => {
        // The master's copy of the password goes in the run's own folder (copyOf), `copy` in it first.
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "new-api-setup-"));
        if (copy !== undefined) {
            fs.mkdirSync(path.join(root, "state"));
            fs.writeFileSync(copyOf(root), `${copy}\n`);
        }
        return runScript(
            renderScript("setup.sh", {
                ...setupParameters(master),
                ADMIN_PASSWORD_COPY: copyOf(root),
                ...(answerSeconds === undefined ? {} : { ANSWER_SECONDS: answerSeconds }),
            }),
            { parameters: { [ADMIN_PASSWORD]: "Adm1nPassw0rdAbc1234" }, ...scenario },
            { root },
        );
    };
    const copyOf = (root: string) => path.join(root, "state", "admin-password");
    const copied = (run: ScriptRun) => (fs.existsSync(copyOf(run.root)) ? fs.readFileSync(copyOf(run.root), "utf8") : undefined);

    test("the master's copy of the password is root's alone, where a rotation reads it", () => {
        expect(setupParameters(master).ADMIN_PASSWORD_COPY).toBe("/var/lib/new-api/admin-password");
        expect(renderScript("setup.sh", setupParameters(master))).toContain("umask 077");
    });

    test("not yet set up: posts the wizard's form with the password through stdin", () => {
        const run = setup()({ status: NOT_SET_UP, setupResponse: '{"success":true,"message":"ok"}' });
        expect(run.status).toBe(0);
        expect(run.output).toContain("new-api-setup: created the root user root");
        expect(JSON.parse(run.setupBody ?? "")).toMatchObject({ username: "root", password: "Adm1nPassw0rdAbc1234", confirmPassword: "Adm1nPassw0rdAbc1234" });
        expect(run.calls.join("\n")).not.toContain("Adm1nPassw0rdAbc1234");
        expect(copied(run)).toBe("Adm1nPassw0rdAbc1234\n");
    });

    test("already set up: nothing posted, and it says that a different adminUsername created no user", () => {
        const run = setup()({ status: SET_UP });
        expect(run.status).toBe(0);
        expect(run.output).toContain("new-api-setup: already set up. New API creates its root user at the first setup only: if that was not root, no user root exists");
        expect(run.setupBody).toBeUndefined();
    });

    test("already set up, no copy (a replaced master): keeps the password in SSM as its copy once root logs in with it", () => {
        const run = setup()({ status: SET_UP, loginResponse: '{"success":true,"data":{"id":1}}' });
        expect(run.status).toBe(0);
        expect(JSON.parse(run.loginBody ?? "")).toEqual({ username: "root", password: "Adm1nPassw0rdAbc1234" });
        expect(run.output).toContain("new-api-setup: root logs in with the password in SSM: kept as the copy a rotation starts from");
        expect(copied(run)).toBe("Adm1nPassw0rdAbc1234\n");
        expect(run.leftovers).toEqual([]);
    });

    test.each([
        ["root does not log in with it", { loginResponse: '{"success":false,"message":"用户名或密码错误"}' }, "用户名或密码错误"],
        ["SSM failing", { ssmDown: true }, "its password could not be read from SSM"],
    ])("already set up, no copy, %s: keeps none, says a rotation cannot work, and the unit succeeds", (_, scenario, why) => {
        const run = setup()({ status: SET_UP, ...scenario });
        expect(run.status).toBe(0);
        expect(run.output).toContain(`new-api-setup: root does not log in with the password in SSM (${why}): adminPasswordRotation cannot rotate it`);
        expect(copied(run)).toBeUndefined();
    });

    test("already set up with a copy: asks nothing", () => {
        const run = setup(undefined, "Older0Passw0rdAbc123")({ status: SET_UP, loginResponse: '{"success":true}' });
        expect(run.status).toBe(0);
        expect(run.loginBody).toBeUndefined();
        expect(copied(run)).toBe("Older0Passw0rdAbc123\n");
    });

    test("the wizard refuses: the unit fails with New API's answer", () => {
        const run = setup()({ status: NOT_SET_UP, setupResponse: '{"success":false,"message":"bad"}' });
        expect(run.status).toBe(1);
        expect(run.output).toContain('new-api-setup: POST /api/setup failed: {"success":false,"message":"bad"}');
    });

    test.each([
        ["an HTTP error", { exit: 22, error: "curl: (22) The requested URL returned error: 500" }],
        ["no answer in time", { exit: 28, error: "curl: (28) Operation timed out after 30001 milliseconds" }],
        ["no answer at all", { exit: 7, error: "curl: (7) Failed to connect to 127.0.0.1 port 3000" }],
    ])("the POST fails with %s: the unit fails, saying so", (_, setupFailure) => {
        const run = setup()({ status: NOT_SET_UP, setupFailure });
        expect(run.status).toBe(1);
        expect(run.output).toContain(`${setupFailure.error}\nnew-api-setup: POST /api/setup did not answer`);
        expect(run.output).not.toContain("created the root user");
    });

    test("SSM failing: the unit fails at the read, posting nothing", () => {
        const run = setup()({ status: NOT_SET_UP, ssmDown: true, setupResponse: '{"success":true}' });
        expect(run.status).toBe(1);
        expect(run.calls.filter((c) => c.startsWith("aws ssm get-parameter"))).toHaveLength(5);
        expect(run.output).toContain(`new-api: could not read ${ADMIN_PASSWORD} from SSM`);
        expect(run.output).not.toContain("is empty or not");
        expect(run.setupBody).toBeUndefined();
    });

    test("New API never answers: fails at the deadline, having asked every 5 s", () => {
        const run = setup(60)({});
        expect(run.status).toBe(1);
        expect(run.output).toContain("new-api-setup: New API did not answer on http://127.0.0.1:3000/api/status within 60 s");
        expect(run.calls.filter((c) => c.startsWith("curl"))).toHaveLength(13);
    });

    test("an admin password that is not what the stack generates: nothing posted", () => {
        const run = setup()({ status: NOT_SET_UP, parameters: { [ADMIN_PASSWORD]: 'pa"ss' }, setupResponse: '{"success":true}' });
        expect(run.status).toBe(1);
        expect(run.output).toContain(`new-api: ${ADMIN_PASSWORD} is empty or not 8-20 letters and digits; not starting`);
        expect(run.setupBody).toBeUndefined();
    });
});
