// The nodes' boot and stop scripts, run for real with stub aws, docker, curl and sleep on PATH:
// image present, absent or registry down; SSM failing, empty or holding a bad value; the
// master's setup reached, never reached, or timed out and then restarted; a clean stop.
import { execFile, spawnSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import {
    ENV_DIR,
    NodeBootPlacement,
    SETUP_ANSWER_SECONDS,
    STATE_DIR,
    nodeBootSpec,
    renderSetupScript,
    renderStartScript,
    renderStopScript,
} from "../components/aws/userdata";
import { warmupScript } from "../components/aws/warmup";
import { parseClusterConfig } from "../components/config";
import { HEALTH_COMMAND } from "../components/environment";
import { SECRET_PARAMETERS, SecretName, secretParameterName } from "../components/naming";
import { Scenario, runScript } from "./scriptRunner";

const config = parseClusterConfig({ adminUsername: "root", slaveSetupTimeout: "60" }, "dev");
const placement: NodeBootPlacement = {
    region: "us-east-1",
    image: `calciumion/new-api@sha256:${"a".repeat(64)}`,
    databaseHost: "newapi-dev-db.abc123.us-east-1.rds.amazonaws.com",
    redisHost: "master.newapi-dev-redis.abc123.use1.cache.amazonaws.com",
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

/** The start script with its folders under the test's root; the slave's wait shortened to `waitSeconds`. */
function start(spec = master, waitSeconds?: number): string {
    return renderStartScript(
        waitSeconds === undefined || spec.masterSetupWait === undefined
            ? spec
            : { ...spec, masterSetupWait: { ...spec.masterSetupWait, timeoutSeconds: waitSeconds } },
    );
}
const moved = {
    [`env_dir=${ENV_DIR}`]: "env_dir=<root>/etc",
    [`state_dir=${STATE_DIR}`]: "state_dir=<root>/state",
    "system_cas=/etc/pki/tls/certs/ca-bundle.crt": "system_cas=<root>/system-cas.pem",
};

function runStart(scenario: Scenario, script = start(), root?: string) {
    const rootDir = root ?? fs.mkdtempSync(path.join(os.tmpdir(), "new-api-boot-"));
    fs.mkdirSync(path.join(rootDir, "etc"), { recursive: true });
    fs.writeFileSync(path.join(rootDir, "system-cas.pem"), "SYSTEM CAS\n");
    const movedHere = Object.fromEntries(Object.entries(moved).filter(([line]) => script.includes(line)));
    return runScript(script, { parameters: SECRETS, ...scenario }, { moved: movedHere, root: rootDir });
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
        const script = start(nodeBootSpec(config, "master", 0, { ...placement, image }));
        const absent = runStart({ imagePresent: false }, script);
        expect(absent.status).toBe(0);
        const login = absent.calls.findIndex((c) => c === "docker login --username AWS --password-stdin 123456789012.dkr.ecr.eu-west-1.amazonaws.com");
        expect(absent.calls).toContain("aws ecr get-login-password --region eu-west-1");
        expect(login).toBeGreaterThan(-1);
        expect(login).toBeLessThan(absent.calls.indexOf(`docker pull ${image}`));
        const present = runStart({ imagePresent: true }, script);
        expect(present.calls.filter((c) => c.includes("login"))).toEqual([]);
    });
});

describe("start: TLS to MySQL, verified with RDS's CAs", () => {
    const downloads = (calls: string[]) => calls.filter((c) => c.includes("truststore.pki.rds.amazonaws.com"));

    test("the region's bundle is fetched once, checked against each database by name, and trusted beside the system's CAs", () => {
        const logDb = nodeBootSpec(parseClusterConfig({ logDatabase: "true" }, "dev"), "master", 0, { ...placement, logDatabaseHost: "newapi-dev-logdb.abc123.us-east-1.rds.amazonaws.com" });
        const first = runStart({ imagePresent: true }, start(logDb));
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
        const again = runStart({ imagePresent: true, trustStoreDown: true }, start(logDb), first.root);
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
        const run = runStart(withMaster(SET_UP), start(slave, 60));
        expect(run.status).toBe(0);
        expect(run.output).toContain("new-api: master 10.0.128.7 has finished setup");
        expect(run.calls).toContain("curl -fs --max-time 5 http://10.0.128.7:3000/api/status");
        expect(started(run.calls)).toBe(true);
    });

    test("never reached: starts anyway at the deadline, polling every 10 s and logging a line a minute", () => {
        const run = runStart(withMaster(NOT_SET_UP), start(slave, 120));
        expect(run.status).toBe(0);
        expect(run.output).toContain("new-api: master 10.0.128.7 not set up after 120 s; starting anyway");
        expect(run.output.match(/waiting for master 10\.0\.128\.7 to finish setup/g)).toHaveLength(2);
        expect(run.calls.filter((c) => c.startsWith("curl") && c.endsWith("/api/status"))).toHaveLength(13);
        expect(run.calls.filter((c) => c === "sleep 10")).toHaveLength(12);
        expect(started(run.calls)).toBe(true);
    });

    test("timed out, then restarted: starts at once, without waiting again", () => {
        const first = runStart(withMaster(undefined), start(slave, 60));
        expect(first.output).toContain("starting anyway");
        const again = runStart(withMaster(undefined), start(slave, 60), first.root);
        expect(again.status).toBe(0);
        expect(again.calls.filter((c) => c.startsWith("curl"))).toEqual([]);
        // Nor does it fetch the RDS CA bundle again.
        expect(again.output).not.toContain("waiting for master");
        expect(started(again.calls)).toBe(true);
    });

    test("a master address that is not an address: no container", () => {
        const run = runStart(withMaster(SET_UP, "10.0.128.7; reboot"), start(slave, 60));
        expect(run.status).toBe(1);
        expect(run.output).toContain(`new-api: ${MASTER_ADDRESS} is empty or not an IPv4 address; not starting`);
        expect(started(run.calls)).toBe(false);
    });
});

describe("stop", () => {
    test("a clean stop: waits for the last batch of quota updates, then stops the container", () => {
        const run = runScript(renderStopScript(master), {});
        expect(run.status).toBe(0);
        expect(run.calls).toEqual(["sleep 7", "docker stop --time 10 new-api"]);
    });
});

describe("setup on the master", () => {
    /** The setup script, its wait for New API shortened to `answerSeconds`. */
    const setup = (answerSeconds = SETUP_ANSWER_SECONDS) =>
        runScriptWith(renderSetupScript(master).replace(`answer_timeout=${SETUP_ANSWER_SECONDS}`, `answer_timeout=${answerSeconds}`));
    const runScriptWith = (script: string) => (scenario: Scenario) =>
        runScript(script, { parameters: { [ADMIN_PASSWORD]: "Adm1nPassw0rdAbc1234" }, ...scenario });

    test("not yet set up: posts the wizard's form with the password through stdin", () => {
        const run = setup()({ status: NOT_SET_UP, setupResponse: '{"success":true,"message":"ok"}' });
        expect(run.status).toBe(0);
        expect(run.output).toContain("new-api-setup: created the root user root");
        expect(JSON.parse(run.setupBody ?? "")).toMatchObject({ username: "root", password: "Adm1nPassw0rdAbc1234", confirmPassword: "Adm1nPassw0rdAbc1234" });
        expect(run.calls.join("\n")).not.toContain("Adm1nPassw0rdAbc1234");
    });

    test("already set up: nothing posted, and it says that a different adminUsername created no user", () => {
        const run = setup()({ status: SET_UP });
        expect(run.status).toBe(0);
        expect(run.output).toContain("new-api-setup: already set up. New API creates its root user at the first setup only: if that was not root, no user root exists");
        expect(run.setupBody).toBeUndefined();
    });

    test("the wizard refuses: the unit fails with New API's answer", () => {
        const run = setup()({ status: NOT_SET_UP, setupResponse: '{"success":false,"message":"bad"}' });
        expect(run.status).toBe(1);
        expect(run.output).toContain('new-api-setup: POST /api/setup failed: {"success":false,"message":"bad"}');
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
        runScript(warmupScript({ timeoutSeconds, mustTurnHealthy }), scenario, { interpreter: "sh", env });
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

    test("never healthy, a slave waiting for the setup wizard: says so and lets the update go on", () => {
        const run = warmup({ targetStates: ["unhealthy"] }, false, 60);
        expect(run.status).toBe(0);
        expect(run.output).toContain("newapi-dev-slave-3 is not healthy after 60 s (last state: unhealthy): it starts once the master's setup is done");
    });

    test("the AWS CLI failing to the end: the failure is the last word", () => {
        const run = warmup({ targetStates: ["error"] }, true, 60);
        expect(run.status).toBe(1);
        expect(run.output).toContain("last state: the AWS CLI failed: An error occurred (Throttling)");
    });

    test("no AWS CLI: fails at once, saying what is missing", () => {
        const run = warmup({ withoutAws: true }, true, 600);
        expect(run.status).toBe(1);
        expect(run.output).toContain("new-api-cluster: waiting for newapi-dev-slave-3 to turn healthy needs the AWS CLI");
    });
});

describe("the operator-side scripts pass shellcheck as POSIX sh", () => {
    test.each([
        ["warm-up that must turn healthy", warmupScript({ timeoutSeconds: 900, mustTurnHealthy: true })],
        ["warm-up of a slave waiting for setup", warmupScript({ timeoutSeconds: 900, mustTurnHealthy: false })],
    ])("%s", (_, script) => {
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "new-api-sh-")), "script.sh");
        fs.writeFileSync(file, script);
        const result = spawnSync("shellcheck", ["--shell=sh", "--severity=style", file], { encoding: "utf8", timeout: 30000 });
        expect({ status: result.status, output: `${result.stdout}${result.stderr}` }).toEqual({ status: 0, output: "" });
    });
});
