// A node's start (start.sh, and a slave's wait-for-master.sh) run for real with stub aws, docker, curl and sleep
// on PATH: the image present, absent or its registry down; SSM failing or holding a bad value; TLS to
// MySQL; a slave's wait for the master's setup, reached, never reached or restarted; the container's health check.
import { execFile } from "child_process";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { NodeBootSpec, nodeBootSpec, startParameters, waitParameters } from "../components/aws/userdata";
import { parseClusterConfig } from "../components/config";
import { HEALTH_COMMAND } from "../components/environment";
import { ScriptParameters, renderScript } from "../components/scripts/render";
import { MASTER_ADDRESS, NOT_SET_UP, SECRETS, SET_UP, config, master, placement, slave } from "./nodeFixtures";
import { Scenario, runScript } from "./scriptRunner";

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
