// The .sh files of components/scripts, as files: shellcheck passes each, and renderScript puts
// a script and its parameters together so that the text runs anywhere, values taken literally;
// each rendered script stops on a parameter it was not given.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { setupParameters, startParameters, waitParameters } from "../components/aws/userdata";
import { SECRET_SHAPE } from "../components/nodeContract";
import { ScriptParameters, renderScript } from "../components/scripts/render";
import { SECRETS, SET_UP, master, slave } from "./nodeFixtures";
import { runScript } from "./scriptRunner";
import { shellcheck } from "./shellcheck";

const SCRIPTS = path.join(__dirname, "..", "components", "scripts");
const files = fs.readdirSync(SCRIPTS).filter((f) => f.endsWith(".sh"));
/** The libraries scripts source: no #! line, so shellcheck is told their shell. */
const LIBRARY_SHELLS: Record<string, string> = { "admin-curl.sh": "bash", "admin-headers.sh": "bash", "admin-session.sh": "bash", "admin-wget.sh": "bash", "poll.sh": "sh", "run-command.sh": "sh", "fill.sh": "sh", "ssm.sh": "bash", "target.sh": "sh", "operator.sh": "sh", "progress.sh": "sh" };

describe("every script passes shellcheck as a file", () => {
    test("the folder has the scripts the stack renders, and the libraries they source", () => {
        expect(files.sort()).toEqual(
            [
                "admin-curl.sh",
                "admin-headers.sh",
                "admin-password.sh",
                "admin-rotate.sh",
                "admin-session.sh",
                "admin-wget.sh",
                "caller-check.sh",
                "db-password.sh",
                "drain.sh",
                "export-check.sh",
                "fill.sh",
                "local-admin-password.sh",
                "local-node.sh",
                "local-setup.sh",
                "operator.sh",
                "poll.sh",
                "progress.sh",
                "restart.sh",
                "run-command.sh",
                "setup.sh",
                "ssm.sh",
                "start.sh",
                "stop.sh",
                "target.sh",
                "token-set.sh",
                "verify.sh",
                "wait-for-master.sh",
                "warmup.sh",
            ],
        );
    });

    // One shellcheck run per set of options: each library is told its shell, the rest have a #! line.
    const shellOf = (file: string) => LIBRARY_SHELLS[file];
    let problems: Record<string, string[]>;
    beforeAll(() => {
        problems = {};
        for (const shell of new Set(files.map(shellOf))) {
            const group = files.filter((file) => shellOf(file) === shell);
            Object.assign(problems, shellcheck(group, ["--external-sources", "--source-path=SCRIPTDIR", "--severity=style", ...(shell ? [`--shell=${shell}`] : [])], SCRIPTS));
        }
    });

    test.each(files)("%s", (file) => {
        const shell = shellOf(file);
        const text = fs.readFileSync(path.join(SCRIPTS, file), "utf8");
        // Node scripts are bash (Amazon Linux); the operator's and the containers' are POSIX sh.
        expect(shell === undefined ? text.split("\n")[0] : shell).toMatch(/^(#!\/bin\/bash|#!\/bin\/sh|sh|bash)$/);
        expect({ file, problems: problems[file] }).toEqual({ file, problems: [] });
    });
});

describe("renderScript", () => {
    test("values reach the script literally: quotes, $(…), backslashes and line breaks are never expanded", () => {
        const value = "it's $(touch pwned) `touch pwned` \\n\nline two";
        const run = runScript(renderScript("stop.sh", { QUOTA_FLUSH_SECONDS: 1, KILL_AFTER_SECONDS: 10, CONTAINER_NAME: value }), {});
        expect(run.status).toBe(0);
        expect(run.calls.join("\n")).toBe(`sleep 1\ndocker stop --time 10 ${value}`);
        expect(fs.readdirSync(run.root)).not.toContain("pwned");
    });

    test("puts the libraries a script sources in their place, and leaves its comments in the file", () => {
        const text = renderScript("verify.sh", { TIMEOUT_SECONDS: 1, POLL_SECONDS: 1, INSECURE: "false", SUCCESS_MARKER: "a", SETUP_DONE_MARKER: "b" });
        expect(text.split("\n").slice(0, 3)).toEqual(["#!/bin/sh", "# components/scripts/verify.sh and its parameters", "TIMEOUT_SECONDS='1'"]);
        expect(text).toContain("poll_until() {");
        expect(text).not.toMatch(/dirname|^\s*#(?!!|\s*components\/scripts)/m);
    });

    test("refuses a parameter that is not an upper-case shell name, a script that is not there, and a library", () => {
        expect(() => renderScript("drain.sh", { "A-B": 1 })).toThrow(/A-B is not an upper-case shell name/);
        expect(() => renderScript("drain.sh", { path: 1 })).toThrow(/path is not an upper-case shell name/);
        expect(() => renderScript("nothing.sh", {})).toThrow(/script nothing.sh not found in /);
        expect(() => renderScript("poll.sh", {})).toThrow("script poll.sh has no #! line");
    });

    test.each(files.filter((file) => LIBRARY_SHELLS[file] === undefined))("%s rendered is still a whole script, with no blank line", (file) => {
        const text = renderScript(file, {});
        const shell = text.startsWith("#!/bin/bash") ? "bash" : "sh";
        expect(spawnSync(shell, ["-n"], { input: text, encoding: "utf8" })).toMatchObject({ status: 0, stderr: "" });
        expect(text.trimEnd()).not.toMatch(/\n\s*\n/);
    });
});

describe("one shape of a node secret", () => {
    test("start.sh requires of each secret what config requires of a carried-over one, rendered from nodeContract.ts", () => {
        const start = renderScript("start.sh", { SECRET_REGEX: SECRET_SHAPE.regex, SECRET_SHAPE: SECRET_SHAPE.what });
        expect(start).toContain(`SECRET_REGEX='${SECRET_SHAPE.regex}'`);
        expect(start).toContain('require_value "$parameter" "$parameter_value" "$SECRET_REGEX" "$SECRET_SHAPE"');
    });

    test("no script carries its own copy of the shape", () => {
        const copies = files.filter((file) => fs.readFileSync(path.join(SCRIPTS, file), "utf8").includes(SECRET_SHAPE.regex.slice(1, -1)));
        expect(copies).toEqual([]);
    });
});

describe("every script stops on a parameter it was not given (set -u)", () => {
    const withoutOne = (parameters: ScriptParameters, name: string) => Object.fromEntries(Object.entries(parameters).filter(([key]) => key !== name));
    test.each([
        ["start.sh", "REGION", startParameters(master), "bash"],
        ["wait-for-master.sh", "IMAGE", waitParameters(slave), "bash"],
        ["stop.sh", "KILL_AFTER_SECONDS", { QUOTA_FLUSH_SECONDS: 7, KILL_AFTER_SECONDS: 310, CONTAINER_NAME: "new-api" }, "bash"],
        ["local-node.sh", "NEW_API", { QUOTA_FLUSH_SECONDS: 7, NEW_API: "/new-api" }, "sh"],
        ["setup.sh", "ADMIN_USERNAME", setupParameters(master), "bash"],
        ["warmup.sh", "TIMEOUT_SECONDS", { TIMEOUT_SECONDS: 60, POLL_SECONDS: 5, MUST_TURN_HEALTHY: "true", APP_PORT: 3000 }, "sh"],
        ["verify.sh", "INSECURE", { TIMEOUT_SECONDS: 60, POLL_SECONDS: 10, INSECURE: "false", SUCCESS_MARKER: "x", SETUP_DONE_MARKER: "y" }, "sh"],
        ["drain.sh", "WAIT_SECONDS", { DRAIN_SECONDS: 30, WAIT_SECONDS: 60, POLL_SECONDS: 5, PROGRESS_SECONDS: 30, APP_PORT: 3000 }, "sh"],
    ] as [string, string, ScriptParameters, "bash" | "sh"][])("%s without %s", (script, missing, parameters, interpreter) => {
        const run = runScript(renderScript(script, withoutOne(parameters, missing)), { parameters: SECRETS, status: SET_UP, targetStates: ["healthy"] }, {
            interpreter,
            env: { NODE: "n", TARGET_GROUP_ARN: "arn", INSTANCE_ID: "i", URL: "http://u" },
        });
        expect(run.status).not.toBe(0);
        expect(run.stderr).toMatch(new RegExp(`${missing}: (unbound variable|parameter not set)`));
        expect(run.calls.filter((c) => c.startsWith("docker"))).toEqual([]);
    });
});
