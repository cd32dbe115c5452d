// An AWS node's userData (components/aws/userdata.ts): its boot spec, the cloud-config and scripts
// it renders (a master's and a slave's in full, as snapshots), and cloud-init and shellcheck on them.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseCloudConfig, writeFiles } from "./cloudConfig";
import { shellcheck } from "./shellcheck";
import { parseClusterConfig } from "../components/config";
import { nodeEnvironment } from "../components/environment";
import { stopBudget } from "../components/stopBudget";
import { SecretName } from "../components/naming";
import {
    NodeBootSpec,
    SETUP_SCRIPT,
    SETUP_UNIT_PATH,
    START_SCRIPT,
    STOP_SCRIPT,
    UNIT_PATH,
    WAIT_SCRIPT,
    nodeBootSpec,
    renderEnvFile,
    renderNodeUserData,
    renderSetupScript,
    renderStartScript,
    setupParameters,
    startParameters,
    waitParameters,
} from "../components/aws/userdata";
import { FRONT_DOOR, settingsWithExtraEnv as settings } from "./nodeFixtures";

const secretParameters: Record<SecretName, string> = {
    sessionSecret: "/new-api/newapi-dev/session-secret",
    cryptoSecret: "/new-api/newapi-dev/crypto-secret",
    dbPassword: "/new-api/newapi-dev/db-password",
    redisAuthToken: "/new-api/newapi-dev/redis-auth-token",
};

function spec(role: "master" | "slave", overrides: Partial<NodeBootSpec> = {}): NodeBootSpec {
    const name = role === "master" ? "newapi-dev-master" : "newapi-dev-slave-0";
    return {
        role,
        nodeName: name,
        image: "calciumion/new-api:v0.13.2",
        region: "us-east-1",
        environment: nodeEnvironment(role, name, settings, FRONT_DOOR),
        secretParameters,
        databaseHost: "newapi-dev-db.abc123.us-east-1.rds.amazonaws.com",
        redisHost: "master.newapi-dev-redis.abc123.use1.cache.amazonaws.com",
        logGroup: "/new-api/newapi-dev",
        stop: stopBudget(settings),
        ...overrides,
    };
}

/**
 * `cloud-init schema -c` on each document, in one Python process: cloud-init's own command run
 * once per document (as its executable does, output and exit status per document), since
 * starting cloud-init costs far more than a validation. The tools are installed by .ci/run.
 */
const CLOUD_INIT_SCHEMA = `
import os, runpy, sys
command, results = sys.argv[1], sys.argv[2]
for i, document in enumerate(sys.argv[3:]):
    output = os.open(os.path.join(results, f"{i}.out"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    saved = os.dup(1), os.dup(2)
    os.dup2(output, 1)
    os.dup2(output, 2)
    sys.argv = [command, "schema", "-c", document]
    try:
        runpy.run_path(command, run_name="__main__")
        status = 0
    except SystemExit as exit:
        status = exit.code if isinstance(exit.code, int) else (0 if exit.code is None else 1)
    sys.stdout.flush()
    sys.stderr.flush()
    os.dup2(saved[0], 1)
    os.dup2(saved[1], 2)
    os.close(output)
    with open(os.path.join(results, f"{i}.status"), "w") as status_file:
        status_file.write(str(status))
`;

function cloudInitSchema(documents: string[]): { status: number; output: string }[] {
    const command = (process.env.PATH ?? "").split(":").map((dir) => path.join(dir, "cloud-init")).find((file) => fs.existsSync(file));
    if (command === undefined) {
        throw new Error("cloud-init is not installed (see .ci/run)");
    }
    // Its interpreter, from its #! line.
    const [interpreter, ...interpreterArgs] = fs.readFileSync(command, "utf8").split("\n")[0].replace(/^#!/, "").trim().split(/\s+/);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "new-api-userdata-"));
    try {
        const files = documents.map((content, i) => {
            const file = path.join(dir, `user-data-${i}.yaml`);
            fs.writeFileSync(file, content);
            return file;
        });
        const result = spawnSync(interpreter, [...interpreterArgs, "-c", CLOUD_INIT_SCHEMA, command, dir, ...files], { encoding: "utf8", timeout: 60000 });
        if (result.error || result.status !== 0) {
            throw new Error(`cloud-init schema could not run: ${result.error?.message ?? result.stderr}`);
        }
        return files.map((_, i) => ({
            status: Number(fs.readFileSync(path.join(dir, `${i}.status`), "utf8")),
            output: fs.readFileSync(path.join(dir, `${i}.out`), "utf8"),
        }));
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** Each script of each userData, and `extra` scripts, by name: shellcheck's problems, from one run. */
function shellcheckScripts(scripts: Record<string, string>): Record<string, string[]> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "new-api-userdata-"));
    try {
        for (const [name, content] of Object.entries(scripts)) {
            fs.writeFileSync(path.join(dir, name), content);
        }
        return shellcheck(Object.keys(scripts), ["--severity=style", "--shell=bash"], dir);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

describe("nodeBootSpec", () => {
    const placement = { region: "us-east-1", image: "calciumion/new-api:v0.13.2", databaseHost: "db", redisHost: "redis", frontDoor: FRONT_DOOR };
    const withAdmin = parseClusterConfig({ adminUsername: "root" }, "dev");

    test("a slave waits for the master's address parameter, at most slaveSetupTimeout; the master waits for nothing", () => {
        expect(nodeBootSpec(settings, "slave", 2, placement).masterSetupWait).toEqual({
            masterAddressParameter: "/new-api/newapi-dev/master-address",
            slaveSetupTimeout: settings.slaveSetupTimeout,
        });
        expect(nodeBootSpec(settings, "master", 0, placement).masterSetupWait).toBeUndefined();
    });

    test("only the master, and only with adminUsername, sets up the root user from its SSM parameter", () => {
        expect(nodeBootSpec(withAdmin, "master", 0, placement).adminSetup).toEqual({
            username: "root",
            passwordParameter: "/new-api/newapi-dev/admin-password",
        });
        expect(nodeBootSpec(withAdmin, "slave", 0, placement).adminSetup).toBeUndefined();
        expect(nodeBootSpec(settings, "master", 0, placement).adminSetup).toBeUndefined();
    });
});

describe("renderNodeUserData", () => {
    test("is cloud-config that writes the env file, scripts and unit, then starts the service", () => {
        const userData = renderNodeUserData(spec("slave"));
        expect(userData.startsWith("#cloud-config\n")).toBe(true);
        const doc = parseCloudConfig(userData);
        expect(doc.packages).toEqual(["docker"]);
        expect(doc.runcmd).toEqual([
            ["systemctl", "daemon-reload"],
            ["systemctl", "enable", "--now", "docker.service"],
            ["systemctl", "enable", "--now", "new-api.service"],
        ]);
        const files = writeFiles(userData);
        expect(Object.keys(files)).toEqual(["/etc/new-api/node.env", START_SCRIPT, STOP_SCRIPT, UNIT_PATH]);
        expect(files["/etc/new-api/node.env"].permissions).toBe("0600");
        expect(files[START_SCRIPT].permissions).toBe("0700");
        expect(files["/etc/new-api/node.env"].content).toContain("NODE_TYPE=slave\n");
    });

    test("the start script is given every secret's SSM parameter, never a secret, and the pinned image", () => {
        const parameters = startParameters(spec("master"));
        expect(String(parameters.SECRET_PARAMETERS).split("\n")).toEqual(Object.entries(secretParameters).map(([, name]) => expect.stringMatching(new RegExp(` ${name}$`))));
        // What the start script fills in from SSM (run in test/nodeStart.test.ts).
        expect(String(parameters.SECRETS_ENV).split("\n")).toEqual([
            "SESSION_SECRET={{session_secret}}",
            "CRYPTO_SECRET={{crypto_secret}}",
            "SQL_DSN=newapi:{{db_password}}@tcp(newapi-dev-db.abc123.us-east-1.rds.amazonaws.com:3306)/newapi?tls=true",
            "REDIS_CONN_STRING=rediss://:{{redis_auth_token}}@master.newapi-dev-redis.abc123.use1.cache.amazonaws.com:6379",
        ]);
        expect(parameters).toMatchObject({ IMAGE: "calciumion/new-api:v0.13.2", APP_PORT: 3000, DATABASE_HOSTS: "newapi-dev-db.abc123.us-east-1.rds.amazonaws.com" });
        expect(renderStartScript(spec("master"))).toMatch(/^IMAGE='calciumion\/new-api:v0\.13\.2'$/m);
    });

    test("the unit restarts always and gives the stop script its whole budget", () => {
        const stop = stopBudget({ batchUpdateInterval: 20, shutdownTimeout: 300, deregistrationDelay: 300 });
        const unit = writeFiles(renderNodeUserData(spec("slave", { stop })))[UNIT_PATH].content;
        expect(unit).toMatch(/^Restart=always$/m);
        expect(unit).toMatch(/^ExecStart=\/usr\/local\/sbin\/new-api-start$/m);
        expect(unit).toMatch(/^ExecStop=\/usr\/local\/sbin\/new-api-stop$/m);
        // 20 + 2 s for the last quota batch, 300 + 10 s from SIGTERM to SIGKILL, 30 s for systemd.
        expect(unit).toMatch(/^TimeoutStopSec=362$/m);
        // docker run exits 143 when `docker stop` ends the container: a clean stop, not a failure.
        expect(unit).toMatch(/^SuccessExitStatus=143$/m);
        const stopScript = writeFiles(renderNodeUserData(spec("slave", { stop })))[STOP_SCRIPT].content;
        expect(stopScript).toMatch(/^QUOTA_FLUSH_SECONDS='22'$/m);
        expect(stopScript).toMatch(/^KILL_AFTER_SECONDS='310'$/m);
    });

    test("a waiting slave's start script runs its wait script, which has the master's parameter and the bound", () => {
        const waiting = spec("slave", { masterSetupWait: { masterAddressParameter: "/p/master-address", slaveSetupTimeout: 600 } });
        // What they do is run in test/nodeStart.test.ts; here, what each node is given.
        const files = writeFiles(renderNodeUserData(waiting));
        expect(Object.keys(files)).toEqual(["/etc/new-api/node.env", START_SCRIPT, WAIT_SCRIPT, STOP_SCRIPT, UNIT_PATH]);
        expect(files[WAIT_SCRIPT].permissions).toBe("0700");
        expect(startParameters(waiting).WAIT_FOR_MASTER).toBe(WAIT_SCRIPT);
        expect(waitParameters(waiting)).toMatchObject({ MASTER_ADDRESS_PARAMETER: "/p/master-address", MASTER_WAIT_SECONDS: 600, POLL_SECONDS: 10 });
        expect(startParameters(spec("master")).WAIT_FOR_MASTER).toBe("");
        expect(writeFiles(renderNodeUserData(spec("master")))[WAIT_SCRIPT]).toBeUndefined();
        expect(() => waitParameters(spec("master"))).toThrow(/needs masterSetupWait/);
    });

    test("automatic setup posts the wizard's form once", () => {
        const s = spec("master", { adminSetup: { username: "root", passwordParameter: "/p/admin-password" } });
        expect(setupParameters(s)).toMatchObject({
            ADMIN_PASSWORD_PARAMETER: "/p/admin-password",
            SETUP_URL: "http://127.0.0.1:3000/api/setup",
            SETUP_REQUEST: '{"username":"root","password":"{{password}}","confirmPassword":"{{password}}","SelfUseModeEnabled":false,"DemoSiteEnabled":false}',
        });
        const files = writeFiles(renderNodeUserData(s));
        expect(files[SETUP_SCRIPT].content).toBe(renderSetupScript(s));
        expect(files[SETUP_UNIT_PATH].content).toMatch(/^Type=oneshot$/m);
        expect(files[SETUP_UNIT_PATH].content).toMatch(/^After=new-api.service$/m);
        expect(() => renderSetupScript(spec("master"))).toThrow(/needs adminSetup/);
        expect(() => renderSetupScript(spec("master", { adminSetup: { username: 'a"b', passwordParameter: "/p" } }))).toThrow(
            /admin username/,
        );
    });

    test("refuses a host name that could break out of the script", () => {
        expect(() => renderStartScript(spec("master", { databaseHost: 'db"; rm -rf /' }))).toThrow(/database host/);
        expect(() => renderStartScript(spec("master", { redisHost: "$(id)" }))).toThrow(/redis host/);
        // What ends like a host name is refused all the same.
        expect(() => renderStartScript(spec("master", { databaseHost: "db;reboot" }))).toThrow(/database host/);
        expect(() => renderStartScript(spec("master", { logDatabaseHost: "logs`id`" }))).toThrow(/^log database host "logs`id`" is not a host name$/);
        // A one-label, one-letter name is a host name too.
        expect(startParameters(spec("master", { databaseHost: "d", logDatabaseHost: "l" })).DATABASE_HOSTS).toBe("d l");
    });

    test("env files refuse line breaks", () => {
        expect(renderEnvFile({ A: "1", B: "x y" })).toBe("A=1\nB=x y\n");
        expect(() => renderEnvFile({ A: "1\nB=2" })).toThrow(/A has a line break/);
    });
});

describe("what boots, in full", () => {
    // A reviewer sees every change to a node's userData here (test/__snapshots__/); update with
    // `npx jest test/userdata.test.ts -u` when the change is meant.
    test.each([
        ["a master that completes setup", spec("master", { adminSetup: { username: "root", passwordParameter: "/new-api/newapi-dev/admin-password" } })],
        ["a slave that waits for the master", spec("slave", { masterSetupWait: { masterAddressParameter: "/new-api/newapi-dev/master-address", slaveSetupTimeout: 900 } })],
    ])("the userData of %s", (_, s) => {
        expect(renderNodeUserData(s)).toMatchSnapshot();
    });
});

describe("generated artifacts pass the tools that consume them", () => {
    const variants: [string, NodeBootSpec][] = [
        ["master", spec("master")],
        ["master with automatic setup", spec("master", { adminSetup: { username: "root", passwordParameter: "/p/admin-password" } })],
        ["slave", spec("slave")],
        ["slave that waits for the master", spec("slave", { masterSetupWait: { masterAddressParameter: "/p/master-address", slaveSetupTimeout: 600 } })],
        ["slave with a quote in the image reference", spec("slave", { image: "registry.example.com:5000/it's/new-api:v1" })],
    ];
    const BROKEN_CLOUD_CONFIG = "#cloud-config\nwrite_files: 7\n";
    const BROKEN_SCRIPT = "#!/bin/bash\necho $1\n";
    /** The scripts a variant's userData writes, by file name for shellcheck ("2-new-api-start.sh"). */
    const scriptsOf = (index: number, s: NodeBootSpec): Record<string, string> => {
        const files = writeFiles(renderNodeUserData(s));
        return Object.fromEntries(
            [START_SCRIPT, WAIT_SCRIPT, STOP_SCRIPT, SETUP_SCRIPT].filter((p) => files[p] !== undefined).map((p) => [`${index}-${path.basename(p)}.sh`, files[p].content]),
        );
    };
    // Each tool runs once, over every variant and the broken inputs.
    let schema: { status: number; output: string }[];
    let lint: Record<string, string[]>;
    beforeAll(() => {
        schema = cloudInitSchema([...variants.map(([, s]) => renderNodeUserData(s)), BROKEN_CLOUD_CONFIG]);
        lint = shellcheckScripts(Object.assign({ "broken.sh": BROKEN_SCRIPT }, ...variants.map(([, s], i) => scriptsOf(i, s))));
    });

    test.each(variants)("cloud-init schema accepts the %s userData", (name) => {
        const result = schema[variants.findIndex(([n]) => n === name)];
        expect(result.output).toMatch(/Valid (schema|cloud-config)/);
        expect(result.status).toBe(0);
    });

    test.each(variants)("shellcheck passes every script in the %s userData", (name, s) => {
        const index = variants.findIndex(([n]) => n === name);
        const scripts = Object.keys(scriptsOf(index, s));
        expect(scripts.length).toBeGreaterThanOrEqual(2);
        for (const script of scripts) {
            expect({ script, problems: lint[script] }).toEqual({ script, problems: [] });
        }
    });

    test("the tools do fail on broken input (so the checks above can fail)", () => {
        expect(schema[variants.length].status).not.toBe(0);
        expect(lint["broken.sh"]).not.toEqual([]);
    });
});
