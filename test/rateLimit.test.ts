// New API's global API rate limiter against the requests the stack itself makes: load balancer
// and container health checks, the slaves' wait for setup, the master's setup, the post-deploy
// check. The limiter is modelled from New API's source; the schedule is read from what the
// program registers and renders, at 0, 10 and 100 slaves, on both targets.
import { SETUP_ANSWER_SECONDS } from "../components/nodeContract";
import { scriptParameters, writeFile, writeFiles, writtenScriptParameters } from "./cloudConfig";
import { ProgramRun, ofType, program } from "./harness";

/**
 * middleware/rate-limit.go and common/init.go: the API router (every /api/... route) passes
 * GlobalAPIRateLimit, GLOBAL_API_RATE_LIMIT (180) requests per GLOBAL_API_RATE_LIMIT_DURATION
 * (180 s), a sliding window kept in the shared Redis under rate_limit:GA<client IP>. Relay
 * routes (/v1/...) have no global limit.
 */
const LIMITER = { count: 180, windowSeconds: 180, limits: (path: string) => path.startsWith("/api/") };

interface Request {
    at: number;
    clientIp: string;
    path: string;
    /** Who sends it, for the report. */
    from: string;
}

/** The requests New API refuses with 429: per client IP, more than `count` in any window. */
function refused(requests: Request[]): Request[] {
    const byKey = new Map<string, number[]>();
    const out: Request[] = [];
    for (const request of [...requests].sort((a, b) => a.at - b.at)) {
        if (!LIMITER.limits(request.path)) {
            continue;
        }
        const key = `rate_limit:GA${request.clientIp}`;
        const accepted = (byKey.get(key) ?? []).filter((t) => t > request.at - LIMITER.windowSeconds);
        if (accepted.length >= LIMITER.count) {
            out.push(request);
        } else {
            accepted.push(request.at);
        }
        byKey.set(key, accepted);
    }
    return out;
}

/** Two windows of a steady state. */
const HORIZON = 2 * LIMITER.windowSeconds;

/** A request every `interval` seconds from `offset` on, over the horizon. */
function every(interval: number, offset: number, request: Omit<Request, "at">): Request[] {
    return Array.from({ length: Math.floor((HORIZON - offset) / interval) + 1 }, (_, i) => ({ ...request, at: offset + i * interval }));
}

/** The URL path of the first http://…:PORT/… in a command. */
function pathIn(command: string): string {
    const match = /http:\/\/[^/\s"']+(\/[^\s"'|)]*)/.exec(command);
    if (!match) {
        throw new Error(`no URL in ${command}`);
    }
    return match[1];
}

/** Seconds in a Go duration as Docker reads them back ("10s", "1m0s"). */
function goSeconds(duration: string): number {
    const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(duration);
    if (!match) {
        throw new Error(`not a duration: ${duration}`);
    }
    return Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0);
}

/** What the AWS target sends to New API, read from the registered resources and the rendered scripts. */
function awsSchedule(run: ProgramRun, healthPath?: string): Request[] {
    const requests: Request[] = [];
    const instances = ofType(run, "aws:ec2/instance:Instance");
    const groups = ofType(run, "aws:lb/targetGroup:TargetGroup");
    const attachments = ofType(run, "aws:lb/targetGroupAttachment:TargetGroupAttachment");
    // One load balancer node per zone at least; each checks every target of every group from its own address.
    const albNodes = ofType(run, "aws:lb/loadBalancer:LoadBalancer")[0].inputs.subnets.length;
    for (let node = 0; node < albNodes; node++) {
        for (const group of groups) {
            const targets = attachments.filter((a) => a.inputs.targetGroupArn.endsWith(`/${group.name}`));
            targets.forEach((target, i) => {
                const interval = group.inputs.healthCheck.interval;
                requests.push(
                    ...every(interval, (i * interval) / targets.length, {
                        clientIp: `10.0.0.${10 + node}`,
                        path: healthPath ?? group.inputs.healthCheck.path,
                        from: `ALB node ${node} checking ${target.name}`,
                    }),
                );
            });
        }
    }
    instances.forEach((instance, i) => {
        const start = writeFile(instance.inputs.userData, "/usr/local/sbin/new-api-start");
        const command = scriptParameters(start).HEALTH_COMMAND;
        const interval = Number(/--health-interval (\d+)s/.exec(start)?.[1]);
        // Every container checks itself from 127.0.0.1: one key for the whole cluster.
        requests.push(...every(interval, (i * interval) / instances.length, { clientIp: "127.0.0.1", path: healthPath ?? pathIn(command), from: `${instance.name} container check` }));
        const userData = instance.inputs.userData as string;
        const wait = writeFiles(userData)["/usr/local/sbin/new-api-wait-for-master"];
        if (wait !== undefined) {
            // wait-for-master.sh polls http://<master>:<APP_PORT>/api/status every POLL_SECONDS.
            const poll = Number(writtenScriptParameters(userData, wait.path).POLL_SECONDS);
            requests.push(...every(poll, 0, { clientIp: `10.0.129.${i}`, path: "/api/status", from: `${instance.name} waiting for setup` }));
        }
        if (userData.includes("/usr/local/sbin/new-api-setup")) {
            const setup = writtenScriptParameters(userData, "/usr/local/sbin/new-api-setup");
            expect(SETUP_ANSWER_SECONDS).toBeGreaterThan(HORIZON);
            requests.push(...every(Number(setup.POLL_SECONDS), 0, { clientIp: "127.0.0.1", path: pathIn(setup.STATUS_URL), from: "the master's setup" }));
        }
    });
    const verify = ofType(run, "command:local:Command").find((c) => c.name.endsWith("-verify"));
    const pause = Number(scriptParameters(verify?.inputs.create).POLL_SECONDS);
    requests.push(...every(pause, 0, { clientIp: "198.51.100.7", path: "/api/status", from: "the post-deploy check" }));
    return requests;
}

/** What the docker target sends: every container's check from its own 127.0.0.1, the setup container's polls. */
function dockerSchedule(run: ProgramRun, healthPath?: string): Request[] {
    const nodes = ofType(run, "docker:index/container:Container").filter((c) => /-(master|slave-\d+)$/.test(c.name));
    const requests = nodes.flatMap((node, i) => {
        const interval = goSeconds(node.inputs.healthcheck.interval);
        return every(interval, (i * interval) / nodes.length, {
            clientIp: "127.0.0.1",
            path: healthPath ?? pathIn(node.inputs.healthcheck.tests[1]),
            from: `${node.name} container check`,
        });
    });
    const setup = ofType(run, "docker:index/container:Container").find((c) => c.name.endsWith("-setup"));
    const script = setup?.inputs.command.join(" ") ?? "";
    requests.push(...every(5, 0, { clientIp: "172.18.0.9", path: pathIn(script), from: "the setup container" }));
    return requests;
}

const SIZES = [0, 10, 100];
// AWS is the default target: the AWS runs are the same runs as other files' (test/contract.test.ts's 100 slaves).
const config = (target: "aws" | "docker", slaves: number) => ({
    ...(target === "docker" ? { target } : {}),
    slaveCount: String(slaves),
    sqlMaxOpenConns: "4",
    adminUsername: "root",
});

describe("New API's global API rate limit never refuses the stack's own requests", () => {
    test.each(SIZES)("AWS, %i slaves", async (slaves) => {
        const run = await program(config("aws", slaves));
        const requests = awsSchedule(run);
        expect(requests.length).toBeGreaterThan(0);
        expect(refused(requests)).toEqual([]);
    });

    test.each(SIZES)("docker, %i slaves", async (slaves) => {
        const run = await program(config("docker", slaves));
        expect(refused(dockerSchedule(run))).toEqual([]);
    });

    test("the stack leaves the limiter on for real clients", async () => {
        const run = await program(config("aws", 10));
        const env = writeFile(ofType(run, "aws:ec2/instance:Instance")[0].inputs.userData, "/etc/new-api/node.env");
        expect(env).not.toMatch(/GLOBAL_API_RATE_LIMIT/);
    });
});

describe("the model can fail: health checks on the guide's /api/status", () => {
    test("AWS: fine at 10 slaves, refused at 100, from the container checks and the load balancer nodes alike", async () => {
        expect(refused(awsSchedule(await program(config("aws", 10)), "/api/status"))).toEqual([]);
        const failing = refused(awsSchedule(await program(config("aws", 100)), "/api/status"));
        expect(failing.some((r) => r.from.endsWith("container check"))).toBe(true);
        expect(failing.some((r) => r.from.startsWith("ALB node"))).toBe(true);
    });

    test("docker: fine at 0 slaves, refused at 100", async () => {
        expect(refused(dockerSchedule(await program(config("docker", 0)), "/api/status"))).toEqual([]);
        expect(refused(dockerSchedule(await program(config("docker", 100)), "/api/status")).length).toBeGreaterThan(0);
    });
});
