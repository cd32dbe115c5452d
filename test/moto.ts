// A real AWS implementation for the scripts' AWS CLI calls: moto's server (`python3 -m
// moto.server`, an AWS emulator on loopback) and the real AWS CLI v2 (Debian's awscli, which
// predates AWS_ENDPOINT_URL: a wrapper named `aws` first on PATH gives it the endpoint). So the
// flags, request shapes, --query expressions and the parsing of the CLI's output meet AWS's own
// API models (the CLI validates every parameter before it sends it) and an implementation of them.
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";

/** The AWS CLI v2 the wrapper runs: Debian's awscli package (.ci/run installs it). */
export const AWS_CLI_V2 = "/usr/bin/aws";

/** What a seeded moto holds: a VPC with three running instances and two target groups. */
export interface MotoWorld {
    endpoint: string;
    /** PATH for a script: the wrapper first, then the system's commands. */
    path: string;
    /** The environment every script run gets: the endpoint, dummy credentials, no config files. */
    env: Record<string, string>;
    instances: { master: string; slave: string; other: string };
    targetGroups: { master: string; slaves: string };
    /** Stops the server (and waits until it has), and removes the wrapper's folder. */
    stop(): Promise<void>;
}

async function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const { port } = server.address() as net.AddressInfo;
            server.close(() => resolve(port));
        });
    });
}

async function answers(port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const socket = net.connect(port, "127.0.0.1", () => {
            socket.end();
            resolve(true);
        });
        socket.once("error", () => resolve(false));
    });
}

// The world the tests share, made in one Python process (boto3 comes with moto): faster than
// a CLI call per resource. Instances run at once in moto; a registered one is "healthy".
const SEED = `
import boto3, json, sys
kw = dict(endpoint_url=sys.argv[1], region_name="us-east-1")
ec2 = boto3.client("ec2", **kw)
elb = boto3.client("elbv2", **kw)
vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
ami = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
ids = [i["InstanceId"] for i in ec2.run_instances(ImageId=ami, MinCount=3, MaxCount=3, InstanceType="t3.small", SubnetId=subnet)["Instances"]]
group = lambda name: elb.create_target_group(Name=name, Protocol="HTTP", Port=3000, VpcId=vpc, TargetType="instance")["TargetGroups"][0]["TargetGroupArn"]
master, slaves = group("newapi-dev-master"), group("newapi-dev-slaves")
elb.register_targets(TargetGroupArn=master, Targets=[{"Id": ids[0], "Port": 3000}])
elb.register_targets(TargetGroupArn=slaves, Targets=[{"Id": ids[1], "Port": 3000}, {"Id": ids[2], "Port": 3000}])
boto3.client("ssm", **kw).put_parameter(Name="/new-api/newapi-dev/session-secret", Value="s3cr3t-value", Type="SecureString")
print(json.dumps({"instances": {"master": ids[0], "slave": ids[1], "other": ids[2]}, "targetGroups": {"master": master, "slaves": slaves}}))
`;

/**
 * Starts moto's server on a free loopback port and seeds it. Fails, saying what to install,
 * when moto or the AWS CLI v2 is missing: these tests never pass by finding nothing to test.
 */
export async function startMoto(): Promise<MotoWorld> {
    if (!fs.existsSync(AWS_CLI_V2)) {
        throw new Error(`the AWS CLI v2 is not at ${AWS_CLI_V2}: install Debian's awscli (see .ci/run)`);
    }
    const port = await freePort();
    const server: ChildProcess = spawn("python3", ["-m", "moto.server", "-H", "127.0.0.1", "-p", String(port)], { stdio: "ignore" });
    const deadline = Date.now() + 30_000;
    while (!(await answers(port))) {
        if (Date.now() > deadline || server.exitCode !== null) {
            server.kill();
            throw new Error(`moto's server did not start on port ${port} (does python3 import moto.server? .ci/run checks)`);
        }
        await new Promise((done) => setTimeout(done, 100));
    }
    const endpoint = `http://127.0.0.1:${port}`;
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "moto-"));
    const bin = path.join(home, "bin");
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, "aws"), `#!/bin/sh\nexec ${AWS_CLI_V2} --endpoint-url "$MOTO_ENDPOINT" "$@"\n`, { mode: 0o755 });
    const env = {
        MOTO_ENDPOINT: endpoint,
        HOME: home,
        AWS_ACCESS_KEY_ID: "AKIAMOTOOPERATOR0001",
        AWS_SECRET_ACCESS_KEY: "operator-secret",
        AWS_REGION: "us-east-1",
        AWS_PAGER: "",
        AWS_EC2_METADATA_DISABLED: "true",
        TMPDIR: home,
    };
    const seeded = spawnSync("python3", ["-c", SEED, endpoint], { encoding: "utf8", env: { ...process.env, ...env } });
    if (seeded.status !== 0) {
        server.kill();
        throw new Error(`seeding moto failed: ${seeded.stderr}`);
    }
    return {
        endpoint,
        path: `${bin}:/usr/local/bin:/usr/bin:/bin`,
        env,
        ...JSON.parse(seeded.stdout),
        async stop() {
            const ended = new Promise((done) => server.once("exit", done));
            server.kill();
            await ended;
            fs.rmSync(home, { recursive: true, force: true });
        },
    };
}

export interface MotoRun {
    status: number | null;
    stdout: string;
    stderr: string;
}

/** Runs `script` with `interpreter`, the real AWS CLI against moto, and `env` added. */
export function runAgainstMoto(world: MotoWorld, script: string, env: Record<string, string>, interpreter: "sh" | "bash" = "sh"): MotoRun {
    const result = spawnSync(interpreter, ["-c", script], { encoding: "utf8", timeout: 60_000, env: { PATH: world.path, ...world.env, ...env } });
    if (result.error) {
        throw result.error;
    }
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** One AWS CLI call against moto, as a test's own look at the world. */
export function awsCli(world: MotoWorld, ...args: string[]): string {
    const result = spawnSync("aws", args, { encoding: "utf8", env: { PATH: world.path, ...world.env } });
    if (result.status !== 0) {
        throw new Error(`aws ${args.join(" ")} failed: ${result.stderr}`);
    }
    return result.stdout.trim();
}
