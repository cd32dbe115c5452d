// The local (docker) target's pure helpers, and a failed setup under Pulumi's mocks.
import { spawnSync } from "child_process";
import * as path from "path";
import { goDuration, setupFailure } from "../components/docker/containers";

describe("goDuration", () => {
    test.each([
        [0, "0s"],
        [5, "5s"],
        [30, "30s"],
        [60, "1m0s"],
        [90, "1m30s"],
        [3600, "1h0m0s"],
        [3661, "1h1m1s"],
        [90061, "25h1m1s"],
    ])("%i s is %s, as Go's time.Duration prints it", (seconds, text) => {
        expect(goDuration(seconds)).toBe(text);
    });

    test("refuses what is not a whole, non-negative number of seconds", () => {
        expect(() => goDuration(-1)).toThrow(/-1/);
        expect(() => goDuration(1.5)).toThrow(/1\.5/);
    });
});

describe("setupFailure", () => {
    const urn = "urn:pulumi:local::new-api-cluster::new-api:docker:LocalCluster$docker:index/container:Container::newapi-local-setup";

    test("nothing when the setup exited 0", () => {
        expect(setupFailure(0, "new-api-setup: already set up\n", urn)).toBeUndefined();
    });

    test("otherwise the exit code, the setup's output, and how to run it again", () => {
        expect(setupFailure(1, "new-api-setup: POST http://m:3000/api/setup failed: x\n", urn)).toBe(
            [
                "the setup container exited with code 1; the update stops before the slaves. Its output:",
                "new-api-setup: POST http://m:3000/api/setup failed: x",
                `Once the cause is fixed, run it again (it does nothing if the setup is done): pulumi up --replace '${urn}'`,
            ].join("\n"),
        );
        expect(setupFailure(137, "", urn)).toContain("exited with code 137; the update stops before the slaves. Its output:\n(none)\n");
    });
});

interface StepScenario {
    /** The run-once container (by the end of its name) whose exit is set. */
    step: string;
    exitCode: number;
    logs: string;
    config?: Record<string, string>;
}

interface StepRun {
    registered: string[];
    failures: string[];
}

/**
 * Runs the program under the mocks in a child process, once per scenario, a run-once container
 * reporting the scenario's exit code and logs. A ResourceError thrown in an apply is an
 * unhandled rejection, which Pulumi's language host turns into a failed update; Jest would fail
 * the test on it, so the child records it instead, as the language host would report it: each
 * error once, however many promises it rejects (the SDK rejects one per input that waits on the
 * failed output: hundreds). One child runs every scenario in turn (loading the program is most
 * of its cost); Pulumi's mock runtime starts afresh at each.
 */
function runWithStepExits(scenarios: StepScenario[]): StepRun[] {
    const child = `
const path = require("path");
const { createRequire } = require("module");
const [testDir, scenarios] = [process.argv[1], JSON.parse(process.argv[2])];
const load = createRequire(path.join(testDir, "child.js"));
const { evaluateProgram, withoutDiagnostics } = load("./mockRuntime");
let scenario, run;
const answer = (args, result) => {
    run.registered.push(args.name);
    return args.name.endsWith("-" + scenario.step)
        ? { ...result, state: { ...result.state, exitCode: scenario.exitCode, containerLogs: scenario.logs } }
        : result;
};
// Under the mocks a registration, and the failure of an apply, is a promise callback: it runs
// before the event loop turns again. A run is over once several turns pass with neither.
let quiet;
function whenQuiet(done) {
    let seen = -1;
    let quietTurns = 0;
    const turn = () => {
        const activity = run.registered.length + run.failures.length;
        quietTurns = activity === seen ? quietTurns + 1 : 0;
        seen = activity;
        if (quietTurns === 20) done();
        else setImmediate(turn);
    };
    setImmediate(turn);
}
// Pulumi's language host reports an error once, however many rejections carry it (cmd/run).
const reported = new Set();
process.on("unhandledRejection", (error) => {
    if (reported.has(error)) return;
    reported.add(error);
    run.failures.push(String(error && error.message));
    quiet();
});
(async () => {
    const runs = [];
    for (scenario of scenarios) {
        run = { registered: [], failures: [] };
        await new Promise((done) => {
            // A failed run never resolves: it is over once the other registrations have settled, as
            // the engine waits for them before it reports. One that resolves may still fail a turn
            // later (a step nothing waits for, such as the admin password or the discard step).
            let waiting = false;
            quiet = () => waiting || ((waiting = true), whenQuiet(done));
            withoutDiagnostics(() => evaluateProgram(load, { target: "docker", slaveCount: "2", ...scenario.config }, {}, answer)).then(() => quiet());
        });
        runs.push(run);
    }
    // On exit, Pulumi reports the registrations a failed program left pending (exit code 1):
    // exit first, once the report is written (a pipe takes 64 KB before a write waits).
    process.stdout.write(JSON.stringify(runs) + "\\n", () => process.exit(0));
})();
`;
    // The same sources Jest runs, compiled as Jest compiles them (test/register.js).
    const result = spawnSync(process.execPath, ["--require", path.join(__dirname, "register.js"), "-e", child, __dirname, JSON.stringify(scenarios)], {
        cwd: __dirname,
        encoding: "utf8",
        timeout: 50000,
    });
    const report = result.stdout.trim().split("\n").pop() ?? "";
    if (!report.startsWith("[")) {
        throw new Error(`the child program reported nothing (${result.status ?? result.signal}): ${result.stderr}`);
    }
    return JSON.parse(report);
}

const SCENARIOS = {
    setupFails: { step: "setup", exitCode: 1, logs: "new-api-setup: POST http://newapi-dev-master:3000/api/setup failed: boom\n" },
    retainFails: {
        step: "db-password-retain",
        exitCode: 1,
        logs: "new-api-db-password: MySQL refused the new password of newapi: ERROR 1227\n",
        config: { dbPasswordRotation: "1" },
    },
    discardFails: {
        step: "db-password-discard",
        exitCode: 1,
        logs: "new-api-db-password: MySQL did not discard the old password of newapi: ERROR 2013\n",
        config: { dbPasswordRotation: "1" },
    },
    retainSucceeds: { step: "db-password-retain", exitCode: 0, logs: "", config: { dbPasswordRotation: "1" } },
    adminFails: {
        step: "admin-password",
        exitCode: 1,
        logs: "new-api-admin-password: New API refused the new password: 原密码错误; the password of admin is unchanged\n",
        config: { adminPasswordRotation: "1" },
    },
} satisfies Record<string, StepScenario>;

let stepRuns: Record<keyof typeof SCENARIOS, StepRun>;
beforeAll(() => {
    const names = Object.keys(SCENARIOS) as (keyof typeof SCENARIOS)[];
    const runs = runWithStepExits(names.map((name) => SCENARIOS[name]));
    stepRuns = Object.fromEntries(names.map((name, i) => [name, runs[i]])) as typeof stepRuns;
}, 120000);

// An error that reaches another resource's input before Pulumi reports it gets that input's name
// before its message (the SDK's runtime/rpc.js changes the error itself), as the operator sees it.
describe("a failed setup under the mocks", () => {
    const containers = (names: string[]) => names.filter((n) => n.startsWith("newapi-dev-") && !/-(data|logs)$/.test(n));

    // The same program with the setup exiting 0 (the mocks' default) registers the slaves and
    // nginx: test/local.test.ts.
    test("fails the update with the setup's output; no slave, no nginx is registered", () => {
        const run = stepRuns.setupFails;
        expect(containers(run.registered)).toEqual(
            expect.arrayContaining(["newapi-dev-mysql", "newapi-dev-redis", "newapi-dev-master", "newapi-dev-setup"]),
        );
        expect(run.registered.filter((n) => /-(slave-\d+|nginx)$/.test(n))).toEqual([]);
        expect(run.failures.length).toBeGreaterThan(0);
        for (const failure of run.failures) {
            expect(failure).toMatch(/^(error serializing property "\w+": )?the setup container exited with code 1; the update stops before the slaves\. Its output:\n/);
            expect(failure).toContain("new-api-setup: POST http://newapi-dev-master:3000/api/setup failed: boom");
            expect(failure).toContain("pulumi up --replace 'urn:pulumi:dev::new-api-cluster::");
        }
    });
});

describe("a failed database password step under the mocks", () => {
    test("retain fails: the update fails with its output before any node is registered, and no discard", () => {
        const run = stepRuns.retainFails;
        expect(run.registered).toEqual(expect.arrayContaining(["newapi-dev-mysql", "newapi-dev-redis", "newapi-dev-db-password-retain"]));
        expect(run.registered.filter((n) => /-(master|slave-\d+|setup|nginx|db-password-discard)$/.test(n))).toEqual([]);
        expect(run.failures.length).toBeGreaterThan(0);
        for (const failure of run.failures) {
            expect(failure).toMatch(
                /^(error serializing property "\w+": )?the database password's retain step exited with code 1; the update stops before the nodes, which keep the current password\. Its output:\n/,
            );
            expect(failure).toContain("MySQL refused the new password of newapi: ERROR 1227");
            expect(failure).toContain("run it again (it redoes nothing already done): pulumi up --replace 'urn:pulumi:dev::new-api-cluster::");
        }
    });

    test("discard fails: the update fails with its output, every node registered with the new password", () => {
        const run = stepRuns.discardFails;
        expect(run.registered).toEqual(expect.arrayContaining(["newapi-dev-master", "newapi-dev-slave-0", "newapi-dev-slave-1", "newapi-dev-db-password-discard"]));
        expect(run.failures.length).toBeGreaterThan(0);
        for (const failure of run.failures) {
            expect(failure).toMatch(/^(error serializing property "\w+": )?the database password's discard step exited with code 1; the old password still works beside the new one\. Its output:\n/);
        }
    });

    test("with the step exiting 0 the same program registers the nodes and the discard step", () => {
        const run = stepRuns.retainSucceeds;
        expect(run.failures).toEqual([]);
        expect(run.registered).toEqual(expect.arrayContaining(["newapi-dev-master", "newapi-dev-slave-1", "newapi-dev-db-password-discard"]));
    });
});

describe("a failed admin password step under the mocks", () => {
    // Nothing depends on the step: its failure still fails the update, through the language host.
    test("fails the update with its output, the nodes registered as without it", () => {
        const run = stepRuns.adminFails;
        expect(run.registered).toEqual(expect.arrayContaining(["newapi-dev-master", "newapi-dev-setup", "newapi-dev-admin-password", "newapi-dev-slave-1"]));
        expect(run.failures.length).toBeGreaterThan(0);
        for (const failure of run.failures) {
            expect(failure).toMatch(/^(error serializing property "\w+": )?the admin password step exited with code 1; the root user's password and its copy are unchanged\. Its output:\n/);
            expect(failure).toContain("New API refused the new password: 原密码错误");
        }
    });
});
