// The nodes' boot and stop scripts, run for real with stub aws, docker, curl and sleep on PATH:
// image present, absent or registry down; SSM failing, empty or holding a bad value; the
// master's setup reached, never reached, or timed out and then restarted; a clean stop.
import { execFile } from "child_process";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import {
    NodeBootPlacement,
    NodeBootSpec,
    nodeBootSpec,
    renderStopScript,
    setupParameters,
    startParameters,
    waitParameters,
} from "../components/aws/userdata";
import { verifyScript } from "../components/aws/verify";
import { drainScript, warmupScript } from "../components/aws/warmup";
import { parseClusterConfig } from "../components/config";
import { HEALTH_COMMAND } from "../components/environment";
import { SECRET_PARAMETERS, SecretName, secretParameterName } from "../components/naming";
import { ScriptParameters, renderScript } from "../components/scripts/render";
import { Scenario, ScriptRun, runScript } from "./scriptRunner";
import { shellcheck } from "./shellcheck";

const config = parseClusterConfig({ adminUsername: "root", slaveSetupTimeout: "60" }, "dev");
const placement: NodeBootPlacement = {
    region: "us-east-1",
    image: `calciumion/new-api@sha256:${"a".repeat(64)}`,
    databaseHost: "newapi-dev-db.abc123.us-east-1.rds.amazonaws.com",
    redisHost: "master.newapi-dev-redis.abc123.use1.cache.amazonaws.com",
    frontDoor: { trustedProxies: ["10.0.0.0/20", "10.0.16.0/20"], httpsOrigins: [] },
};
const master = nodeBootSpec(config, "master", 0, placement);
const slave = nodeBootSpec(config, "slave", 0, placement);

const SECRETS = Object.fromEntries(
    (Object.keys(SECRET_PARAMETERS) as SecretName[]).map((s, i) => [secretParameterName("newapi-dev", s), `${"Ab1".repeat(13)}${i}`]),
);
const MASTER_ADDRESS = "/new-api/newapi-dev/master-address";
const ADMIN_PASSWORD = "/new-api/newapi-dev/admin-password";
const SET_UP = '{"success":true,"data":{"setup":true}}';
const NOT_SET_UP = '{"success":true,"data":{"setup":false}}';

interface StartOptions {
    spec?: NodeBootSpec;
    /** The slave's wait, shortened. */
    waitSeconds?: number;
    /** The folder of an earlier run: a restart of the same instance. */
    root?: string;
    /** Parameters of start.sh changed for this run. */
    parameters?: ScriptParameters;
}

/** Runs the start script (and a slave's wait) as systemd would, its folders under the run's root. */
function runStart(scenario: Scenario, options: StartOptions = {}) {
    const spec = options.spec ?? master;
    const root = options.root ?? fs.mkdtempSync(path.join(os.tmpdir(), "new-api-boot-"));
    fs.mkdirSync(path.join(root, "etc"), { recursive: true });
    fs.writeFileSync(path.join(root, "system-cas.pem"), "SYSTEM CAS\n");
    const stateDir = path.join(root, "state");
    let waitScript = "";
    if (spec.masterSetupWait) {
        waitScript = path.join(root, "wait-for-master");
        const wait = { ...waitParameters(spec), STATE_DIR: stateDir, ...(options.waitSeconds === undefined ? {} : { MASTER_WAIT_SECONDS: options.waitSeconds }) };
        fs.writeFileSync(waitScript, renderScript("wait-for-master.sh", wait), { mode: 0o755 });
    }
    const script = renderScript("start.sh", {
        ...startParameters(spec),
        ENV_DIR: path.join(root, "etc"),
        STATE_DIR: stateDir,
        SYSTEM_CAS: path.join(root, "system-cas.pem"),
        WAIT_FOR_MASTER: waitScript,
        ...options.parameters,
    });
    return runScript(script, { parameters: SECRETS, ...scenario }, { root });
}

const pulled = (calls: string[]) => calls.filter((c) => c.startsWith("docker pull"));
const started = (calls: string[]) => calls.some((c) => c.startsWith("docker run --rm --name new-api"));

describe("start: the image", () => {
    test("absent: pulled once, then the container runs with the secrets in a root-only env file", () => {
        const run = runStart({ imagePresent: false });
        expect(run.status).toBe(0);
        expect(pulled(run.calls)).toEqual([`docker pull ${placement.image}`]);
        expect(started(run.calls)).toBe(true);
        const env = fs.readFileSync(path.join(run.root, "etc", "secrets.env"), "utf8");
        expect(env).toContain(`SQL_DSN=newapi:${SECRETS["/new-api/newapi-dev/db-password"]}@tcp(${placement.databaseHost}:3306)/newapi`);
        expect(fs.statSync(path.join(run.root, "etc", "secrets.env")).mode & 0o077).toBe(0);
    });

    test("the container: the pinned image on port 3000, its volumes, the guide's health check, the CAs and its log stream", () => {
        const run = runStart({ imagePresent: true });
        const dockerRun = run.calls.filter((c) => c.startsWith("docker run"));
        expect(dockerRun).toEqual([
            [
                "docker run --rm --name new-api",
                `--env-file ${run.root}/etc/node.env --env-file ${run.root}/etc/secrets.env`,
                `-v ${run.root}/etc/ca-bundle.pem:/etc/new-api/ca-bundle.pem:ro -e SSL_CERT_FILE=/etc/new-api/ca-bundle.pem`,
                "-p 3000:3000",
                `-v ${run.root}/state/data:/data`,
                `--health-cmd ${HEALTH_COMMAND}`,
                "--health-interval 30s --health-timeout 10s --health-retries 3 --health-start-period 60s",
                "--log-driver awslogs --log-opt awslogs-region=us-east-1 --log-opt awslogs-group=/new-api/newapi-dev",
                "--log-opt awslogs-stream=newapi-dev-master --log-opt mode=non-blocking --log-opt max-buffer-size=8m",
                // No log files: New API never deletes them; stdout goes to CloudWatch.
                `${placement.image} --log-dir=`,
            ].join(" "),
        ]);
        expect(run.calls).toContain("docker rm -f new-api");
    });

    test("present: a restart never pulls, even with the registry down", () => {
        const run = runStart({ imagePresent: true, registryDown: true });
        expect(run.status).toBe(0);
        expect(pulled(run.calls)).toEqual([]);
        expect(started(run.calls)).toBe(true);
    });

    test("absent with the registry down: no container, and the journal says why", () => {
        const run = runStart({ imagePresent: false, registryDown: true });
        expect(run.status).not.toBe(0);
        expect(run.output).toContain(`new-api: pulling ${placement.image} failed; not starting`);
        expect(started(run.calls)).toBe(false);
    });

    test("on ECR: logs in with the instance role before a pull, and not at all when the image is on disk", () => {
        const image = `123456789012.dkr.ecr.eu-west-1.amazonaws.com/mirror/calciumion/new-api@sha256:${"b".repeat(64)}`;
        const spec = nodeBootSpec(config, "master", 0, { ...placement, image });
        const absent = runStart({ imagePresent: false }, { spec });
        expect(absent.status).toBe(0);
        const login = absent.calls.findIndex((c) => c === "docker login --username AWS --password-stdin 123456789012.dkr.ecr.eu-west-1.amazonaws.com");
        expect(absent.calls).toContain("aws ecr get-login-password --region eu-west-1");
        expect(login).toBeGreaterThan(-1);
        expect(login).toBeLessThan(absent.calls.indexOf(`docker pull ${image}`));
        const present = runStart({ imagePresent: true }, { spec });
        expect(present.calls.filter((c) => c.includes("login"))).toEqual([]);
    });
});

describe("start: any failed step stops it (set -euo pipefail)", () => {
    test("a failing command: the system's CAs unreadable, no container", () => {
        const run = runStart({ imagePresent: true }, { parameters: { SYSTEM_CAS: "/nonexistent/ca-bundle.crt" } });
        expect(run.status).not.toBe(0);
        expect(run.output).toContain("/nonexistent/ca-bundle.crt: No such file or directory");
        expect(started(run.calls)).toBe(false);
    });

    test("a failing command inside a pipeline: the ECR login refused, no pull and no container", () => {
        const spec = nodeBootSpec(config, "master", 0, { ...placement, image: `123456789012.dkr.ecr.eu-west-1.amazonaws.com/new-api@sha256:${"b".repeat(64)}` });
        const run = runStart({ imagePresent: false, ecrDown: true }, { spec });
        expect(run.status).not.toBe(0);
        expect(run.output).toContain("An error occurred (AccessDeniedException)");
        expect(pulled(run.calls)).toEqual([]);
        expect(started(run.calls)).toBe(false);
    });
});

describe("start: TLS to MySQL, verified with RDS's CAs", () => {
    const downloads = (calls: string[]) => calls.filter((c) => c.includes("truststore.pki.rds.amazonaws.com"));

    test("the region's bundle is fetched once, checked against each database by name, and trusted beside the system's CAs", () => {
        const logDb = nodeBootSpec(parseClusterConfig({ logDatabase: "true" }, "dev"), "master", 0, { ...placement, logDatabaseHost: "newapi-dev-logdb.abc123.us-east-1.rds.amazonaws.com" });
        const first = runStart({ imagePresent: true }, { spec: logDb });
        expect(first.status).toBe(0);
        expect(downloads(first.calls)).toEqual([
            `curl -fsS --max-time 30 -o ${first.root}/state/rds-ca.pem.tmp https://truststore.pki.rds.amazonaws.com/us-east-1/us-east-1-bundle.pem`,
        ]);
        expect(first.calls.filter((c) => c.startsWith("openssl"))).toEqual(
            [placement.databaseHost, "newapi-dev-logdb.abc123.us-east-1.rds.amazonaws.com"].map(
                (host) => `openssl s_client -starttls mysql -connect ${host}:3306 -servername ${host} -verify_hostname ${host} -CAfile ${first.root}/state/rds-ca.pem -verify_return_error`,
            ),
        );
        expect(fs.readFileSync(path.join(first.root, "etc", "ca-bundle.pem"), "utf8")).toBe("SYSTEM CAS\nRDS CA BUNDLE\n");
        const again = runStart({ imagePresent: true, trustStoreDown: true }, { spec: logDb, root: first.root });
        expect(again.status).toBe(0);
        expect(downloads(again.calls)).toEqual([]);
        expect(again.calls.filter((c) => c.startsWith("openssl"))).toHaveLength(2);
    });

    test("the trust store down on a first start: no container, and the journal says why", () => {
        const run = runStart({ imagePresent: true, trustStoreDown: true });
        expect(run.status).toBe(1);
        expect(run.output).toContain("new-api: downloading the RDS CA bundle for us-east-1 failed; not starting");
        expect(started(run.calls)).toBe(false);
    });

    test("a database certificate the bundle does not verify: no container", () => {
        const run = runStart({ imagePresent: true, tlsUnverified: true });
        expect(run.status).toBe(1);
        expect(run.output).toContain(`new-api: could not verify the TLS certificate of MySQL at ${placement.databaseHost} with the RDS CA bundle`);
        expect(started(run.calls)).toBe(false);
    });
});

describe("start: the secrets from SSM", () => {
    test("SSM failing: a bounded number of tries, then no container and a journal line", () => {
        const run = runStart({ ssmDown: true, imagePresent: true });
        expect(run.status).not.toBe(0);
        expect(run.calls.filter((c) => c.startsWith("aws ssm get-parameter")).length).toBe(5);
        expect(run.output).toContain("new-api: could not read /new-api/newapi-dev/session-secret from SSM; not starting");
        // It stops at the failed read: a read that failed never passes for an (empty) value.
        expect(run.output).not.toContain("is empty or not");
        expect(started(run.calls)).toBe(false);
    });

    test.each([
        ["empty", ""],
        ["breaking the DSN", "pass@word/with:chars12345"],
        ["too short", "Ab1"],
    ])("a secret that is %s: no container, and the journal names the parameter", (_, value) => {
        const run = runStart({ imagePresent: true, parameters: { ...SECRETS, "/new-api/newapi-dev/db-password": value } });
        expect(run.status).toBe(1);
        expect(run.output).toContain("new-api: /new-api/newapi-dev/db-password is empty or not 16-128 letters and digits; not starting");
        expect(started(run.calls)).toBe(false);
        expect(fs.existsSync(path.join(run.root, "etc", "secrets.env"))).toBe(false);
    });
});

describe("start: a slave waits for the master's setup, once per instance", () => {
    const withMaster = (status?: string, address = "10.0.128.7"): Scenario => ({
        imagePresent: true,
        parameters: { ...SECRETS, [MASTER_ADDRESS]: address },
        status,
    });

    test("setup reached: starts as soon as the master says so", () => {
        const run = runStart(withMaster(SET_UP), { spec: slave, waitSeconds: 60 });
        expect(run.status).toBe(0);
        expect(run.output).toContain("new-api: master 10.0.128.7 has finished setup");
        expect(run.calls).toContain("curl -fs --max-time 5 http://10.0.128.7:3000/api/status");
        expect(started(run.calls)).toBe(true);
    });

    test("the image is pulled before the wait, and the container starts after it", () => {
        const run = runStart({ ...withMaster(SET_UP), imagePresent: false }, { spec: slave, waitSeconds: 60 });
        const pull = run.calls.findIndex((c) => c.startsWith("docker pull"));
        const look = run.calls.findIndex((c) => c.endsWith("/api/status"));
        const start = run.calls.findIndex((c) => c.startsWith("docker run --rm --name"));
        expect([pull >= 0, pull < look, look < start]).toEqual([true, true, true]);
    });

    test("never reached: starts anyway at the deadline, polling every 10 s and logging a line a minute", () => {
        const run = runStart(withMaster(NOT_SET_UP), { spec: slave, waitSeconds: 120 });
        expect(run.status).toBe(0);
        expect(run.output).toContain("new-api: master 10.0.128.7 not ready after 120 s (waiting for it to finish setup); starting anyway");
        expect(run.output.match(/waiting for master 10\.0\.128\.7 to finish setup/g)).toHaveLength(2);
        expect(run.calls.filter((c) => c.startsWith("curl") && c.endsWith("/api/status"))).toHaveLength(13);
        expect(run.calls.filter((c) => c === "sleep 10")).toHaveLength(12);
        expect(started(run.calls)).toBe(true);
    });

    test("timed out, then restarted: starts at once, without waiting again", () => {
        // A wait of one poll: how long it was is the test above's.
        const first = runStart(withMaster(undefined), { spec: slave, waitSeconds: 10 });
        expect(first.output).toContain("starting anyway");
        const again = runStart(withMaster(undefined), { spec: slave, waitSeconds: 10, root: first.root });
        expect(again.status).toBe(0);
        expect(again.calls.filter((c) => c.startsWith("curl"))).toEqual([]);
        // Nor does it fetch the RDS CA bundle again.
        expect(again.output).not.toContain("waiting for master");
        expect(started(again.calls)).toBe(true);
    });

    const release = (setup: boolean, version: string) => `{"success":true,"data":{"setup":${setup},"version":"${version}"}}`;

    test("an upgrade: a slave of a newer release than the master's waits for it, then starts anyway", () => {
        const run = runStart({ ...withMaster(release(true, "v0.13.2")), release: "v1.0.0" }, { spec: slave, waitSeconds: 60 });
        expect(run.status).toBe(0);
        expect(run.calls).toContain(`docker run --rm ${placement.image} --version`);
        expect(run.output).toContain("waiting for master 10.0.128.7 to run v1.0.0 or newer (it runs v0.13.2)");
        expect(run.output).toContain("not ready after 60 s (waiting for it to run v1.0.0 or newer (it runs v0.13.2)); starting anyway");
        expect(started(run.calls)).toBe(true);
    });

    test.each([
        ["the same release", "v0.10.4"],
        ["a newer release (slaveImage pinned older)", "v0.10.12"],
    ])("a master on %s: the slave starts at once", (_, masterRelease) => {
        const run = runStart({ ...withMaster(release(true, masterRelease)), release: "v0.10.4" }, { spec: slave, waitSeconds: 60 });
        expect(run.output).toContain("new-api: master 10.0.128.7 has finished setup and runs v0.10.4 or newer");
        expect(run.calls.filter((c) => c.endsWith("/api/status"))).toHaveLength(1);
        expect(started(run.calls)).toBe(true);
    });

    test("a master on the new release but not set up: the slave waits for the setup", () => {
        const run = runStart({ ...withMaster(release(false, "v0.10.4")), release: "v0.10.4" }, { spec: slave, waitSeconds: 20 });
        expect(run.output).toContain("waiting for master 10.0.128.7 to finish setup");
        expect(run.output).toContain("starting anyway");
    });

    test("a master address that is not an address: no container", () => {
        const run = runStart(withMaster(SET_UP, "10.0.128.7; reboot"), { spec: slave, waitSeconds: 60 });
        expect(run.status).toBe(1);
        expect(run.output).toContain(`new-api: ${MASTER_ADDRESS} is empty or not an IPv4 address; not starting`);
        expect(started(run.calls)).toBe(false);
    });
});

describe("stop", () => {
    test("a clean stop: waits for the last batch of quota updates, then SIGTERM, and SIGKILL only after New API's own window", () => {
        const run = runScript(renderStopScript(master), {});
        expect(run.status).toBe(0);
        // batchUpdateInterval 5 + 2; shutdownTimeout 300 + 10.
        expect(run.calls).toEqual(["sleep 7", "docker stop --time 310 new-api"]);
    });
});

describe("drain, when a node's drain command is deleted", () => {
    const budget = { drainSeconds: 300, drainWaitSeconds: 330 };
    const env = { NODE: "newapi-dev-slave-1", TARGET_GROUP_ARN: "arn:tg", INSTANCE_ID: "i-0abc", AWS_REGION: "us-east-1" };
    const drain = (scenario: Scenario) => runScript(drainScript(budget), scenario, { interpreter: "sh", env });

    test("ends as soon as the load balancer has drained the node, saying where it is every 30 s", () => {
        const run = drain({ targetStates: [...Array(13).fill("draining"), "unused"] });
        expect(run.status).toBe(0);
        expect(run.calls.filter((c) => c.startsWith("aws elbv2 describe-target-health"))).toHaveLength(14);
        expect(run.calls).toContain(
            "aws elbv2 describe-target-health --target-group-arn arn:tg --targets Id=i-0abc,Port=3000 --query TargetHealthDescriptions[0].TargetHealth.State --output text",
        );
        expect(run.output.match(/newapi-dev-slave-1: draining \(the load balancer says draining\); at most \d+ s left/g)).toHaveLength(3);
        expect(run.output).toContain("at most 330 s left");
        expect(run.output).toContain("newapi-dev-slave-1 has left its target group");
    });

    test("a target group already deleted has nothing to drain", () => {
        const run = drain({ awsAnswers: { "elbv2 describe-target-health": ["error TargetGroupNotFound"] } });
        expect(run.status).toBe(0);
        expect(run.output).toContain("has left its target group");
    });

    test("a node that never drains: stopped anyway at the deadline, never waiting longer", () => {
        const run = drain({ targetStates: ["draining"] });
        expect(run.status).toBe(0);
        expect(run.calls.filter((c) => c.startsWith("sleep")).length).toBe(66);
        expect(run.output).toContain("newapi-dev-slave-1 is still draining after 330 s; stopping it anyway");
    });

    test("no AWS CLI: waits the whole deregistration delay", () => {
        const run = drain({ withoutAws: true });
        expect(run.status).toBe(0);
        expect(run.calls).toEqual(["sleep 300"]);
    });
});

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

describe("the container health check", () => {
    /** Runs HEALTH_COMMAND (as Docker does, with sh -c) against a local server answering `status`, or nothing. */
    async function check(status: number | undefined): Promise<number> {
        const server = http.createServer((_, response) => response.writeHead(status ?? 500).end("{}"));
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        const port = (server.address() as AddressInfo).port;
        if (status === undefined) {
            await new Promise((resolve) => server.close(resolve));
        }
        const command = HEALTH_COMMAND.replace("127.0.0.1:3000", `127.0.0.1:${port}`);
        try {
            await promisify(execFile)("sh", ["-c", command], { timeout: 10000 });
            return 0;
        } catch (error) {
            return (error as { code: number }).code;
        } finally {
            server.close();
        }
    }

    test("passes when New API answers the unlimited probe with 401, and fails on anything else", async () => {
        expect(HEALTH_COMMAND).toContain("http://127.0.0.1:3000/v1/models");
        expect(await check(401)).toBe(0);
        expect(await check(200)).not.toBe(0);
        expect(await check(429)).not.toBe(0);
        expect(await check(undefined)).not.toBe(0);
    });
});

describe("the warm-up on the operator's machine", () => {
    const env = { NODE: "newapi-dev-slave-3", TARGET_GROUP_ARN: "arn:aws:elasticloadbalancing:tg/slaves", INSTANCE_ID: "i-0abc", AWS_REGION: "us-east-1" };
    const warmup = (scenario: Scenario, mustTurnHealthy = true, timeoutSeconds = 60) =>
        runScript(warmupScript({ nodeWarmup: timeoutSeconds, mustTurnHealthy }), scenario, { interpreter: "sh", env });
    const looks = (calls: string[]) => calls.filter((c) => c.startsWith("aws elbv2 describe-target-health"));

    test("healthy at once: moves on at once, having asked about this target", () => {
        const run = warmup({ targetStates: ["healthy"] }, true, 600);
        expect(run.status).toBe(0);
        expect(run.output).toContain("new-api-cluster: newapi-dev-slave-3 is healthy");
        expect(looks(run.calls)).toEqual([
            "aws elbv2 describe-target-health --target-group-arn arn:aws:elasticloadbalancing:tg/slaves --targets Id=i-0abc,Port=3000 --query TargetHealthDescriptions[0].TargetHealth.State --output text",
        ]);
    });

    test("healthy after booting, through a throttled call: waits exactly that long", () => {
        const run = warmup({ targetStates: ["initial", "error", "unhealthy", "healthy"] }, true, 600);
        expect(run.status).toBe(0);
        expect(looks(run.calls)).toHaveLength(4);
        expect(run.calls.filter((c) => c === "sleep 5")).toHaveLength(3);
    });

    test("never healthy: fails `pulumi up`, naming the node and its last state", () => {
        const run = warmup({ targetStates: ["unhealthy"] }, true, 60);
        expect(run.status).toBe(1);
        expect(run.output).toContain("new-api-cluster: newapi-dev-slave-3 is not healthy in its target group after 60 s (last state: unhealthy)");
        expect(looks(run.calls)).toHaveLength(13);
    });

    // The next two wait 10 s (3 looks): how long and how often it looks is the test above's.
    test("never healthy, a slave waiting for the setup wizard: says so and lets the update go on", () => {
        const run = warmup({ targetStates: ["unhealthy"] }, false, 10);
        expect(run.status).toBe(0);
        expect(run.output).toContain("newapi-dev-slave-3 is not healthy after 10 s (last state: unhealthy): it starts once the master's setup is done");
    });

    test("the AWS CLI failing to the end: the failure is the last word", () => {
        const run = warmup({ targetStates: ["error"] }, true, 10);
        expect(run.status).toBe(1);
        expect(run.output).toContain("last state: the AWS CLI failed: An error occurred (Throttling)");
    });

    test("no AWS CLI: fails at once, saying what is missing", () => {
        const run = warmup({ withoutAws: true }, true, 600);
        expect(run.status).toBe(1);
        expect(run.output).toContain("new-api-cluster: waiting for newapi-dev-slave-3 to turn healthy needs the AWS CLI");
    });
});

describe("the post-deploy check on the operator's machine", () => {
    const env = { URL: "https://api.example.com" };
    const verify = (scenario: Scenario, timeoutSeconds = 60, insecure = false) =>
        runScript(verifyScript(timeoutSeconds, insecure), scenario, { interpreter: "sh", env });
    const probes = (calls: string[]) => calls.filter((c) => c.startsWith("curl"));

    test("answers at once: one probe, and says whether the setup is done", () => {
        const done = verify({ status: SET_UP });
        expect(done.status).toBe(0);
        expect(done.stdout).toBe("new-api-cluster: https://api.example.com is up and set up\n");
        expect(probes(done.calls)).toEqual(["curl -fsSL --max-time 10 https://api.example.com/api/status"]);
        const notYet = verify({ status: NOT_SET_UP });
        expect(notYet.stdout).toBe("new-api-cluster: https://api.example.com is up; finish the setup wizard on the master (README, First run)\n");
    });

    test("fails probes while the nodes boot: keeps polling every 10 s until one succeeds", () => {
        const run = verify({ status: SET_UP, statusFailures: 3 }, 600);
        expect(run.status).toBe(0);
        expect(probes(run.calls)).toHaveLength(4);
        expect(run.calls.filter((c) => c.startsWith("sleep"))).toEqual(["sleep 10", "sleep 10", "sleep 10"]);
    });

    test("an answer without success counts as a failed probe", () => {
        const run = verify({ status: '{"success":false}' }, 30);
        expect(run.status).toBe(1);
        expect(probes(run.calls)).toHaveLength(4);
    });

    test("never answers: gives up at the deadline, failing `pulumi up` with what to check", () => {
        const run = verify({}, 60);
        expect(run.status).toBe(1);
        expect(run.stderr).toContain(
            "new-api-cluster: https://api.example.com/api/status did not report success within 60 s (last: no answer (curl exit 7)); check the target groups' health",
        );
        expect(probes(run.calls)).toHaveLength(7);
    });

    test("a certificate for another name: certificate checks skipped, and only then", () => {
        expect(probes(verify({ status: SET_UP }, 60, true).calls)).toEqual(["curl -fsSLk --max-time 10 https://api.example.com/api/status"]);
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

describe("the operator-side scripts pass shellcheck as POSIX sh", () => {
    const scripts: [string, string][] = [
        ["warm-up that must turn healthy", warmupScript({ nodeWarmup: 900, mustTurnHealthy: true })],
        ["warm-up of a slave waiting for setup", warmupScript({ nodeWarmup: 900, mustTurnHealthy: false })],
    ];
    // One shellcheck run for both.
    let problems: Record<string, string[]>;
    beforeAll(() => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "new-api-sh-"));
        scripts.forEach(([, script], i) => fs.writeFileSync(path.join(dir, `script-${i}.sh`), script));
        problems = shellcheck(scripts.map((_, i) => `script-${i}.sh`), ["--shell=sh", "--severity=style"], dir);
    });

    test.each(scripts)("%s", (name) => {
        const file = `script-${scripts.findIndex(([n]) => n === name)}.sh`;
        expect({ file, problems: problems[file] }).toEqual({ file, problems: [] });
    });
});
