// What every node is given from the front door, and the order the nodes are created in, for
// the whole program under mocks: TRUSTED_PROXIES is exactly the load balancer's subnets, the
// login cookie is Secure only behind HTTPS, and the slaves come a batch at a time after the
// master is healthy.
import { writeFile } from "./cloudConfig";
import { MOCK_DOCKER_SUBNET, ProgramRun, Registered, mockSubnetCidr, named, ofType, program } from "./harness";

const INSTANCE = "aws:ec2/instance:Instance";
const SUBNET = "aws:ec2/subnet:Subnet";
const COMMAND = "command:local:Command";
const CONTAINER = "docker:index/container:Container";

function nodeEnv(instance: Registered): Record<string, string> {
    const content = writeFile(instance.inputs.userData, "/etc/new-api/node.env");
    return Object.fromEntries(content.trim().split("\n").map((line) => line.split(/=(.*)/s).slice(0, 2) as [string, string]));
}

/** The URN suffixes (type::name) of what a resource waits for. */
const dependencies = (r: Registered) => r.options.dependencies.map((urn) => urn.replace(/^.*\$/, ""));
const warmup = (node: string) => `${COMMAND}::newapi-dev-${node}-warmup`;

/** The load balancer's DNS name, as the mock AWS reports it for the registered load balancer. */
const albDnsName = (run: ProgramRun) => `${ofType(run, "aws:lb/loadBalancer:LoadBalancer")[0].name}-123456.us-east-1.elb.amazonaws.com`;

/** The address blocks of the subnets the load balancer is placed in, as the program registers them. */
function loadBalancerBlocks(run: ProgramRun): string[] {
    const alb = ofType(run, "aws:lb/loadBalancer:LoadBalancer")[0];
    const subnets = ofType(run, SUBNET);
    return (alb.inputs.subnets as string[]).map((id) => {
        const subnet = subnets.find((s) => `${s.name}-id` === id);
        if (subnet === undefined) {
            throw new Error(`the load balancer's subnet ${id} is not one of the stack's`);
        }
        return subnet.inputs.cidrBlock;
    });
}

describe("TRUSTED_PROXIES: the load balancer's subnets and nothing else", () => {
    test.each(["2", "3"])("a new VPC in %s zones: every node trusts exactly the ALB's subnets' blocks", async (azCount) => {
        const run = await program({ slaveCount: "2", azCount });
        const blocks = loadBalancerBlocks(run);
        expect(blocks).toHaveLength(Number(azCount));
        const privateBlocks = ofType(run, SUBNET).filter((s) => s.name.includes("private")).map((s) => s.inputs.cidrBlock);
        for (const instance of ofType(run, INSTANCE)) {
            const trusted = nodeEnv(instance).TRUSTED_PROXIES.split(",");
            expect(trusted).toEqual(blocks);
            // The nodes' own subnets, and so any other host in the VPC, are not trusted.
            expect(trusted.filter((b) => privateBlocks.includes(b))).toEqual([]);
        }
    });

    test("an existing VPC: the public subnets' blocks, looked up by id", async () => {
        const publicSubnetIds = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"];
        const privateSubnetIds = ["subnet-0123456789abcdef2", "subnet-0123456789abcdef3"];
        const run = await program({
            vpcId: "vpc-0123456789abcdef0",
            publicSubnetIds: JSON.stringify(publicSubnetIds),
            privateSubnetIds: JSON.stringify(privateSubnetIds),
        });
        expect(ofType(run, "aws:lb/loadBalancer:LoadBalancer")[0].inputs.subnets).toEqual(publicSubnetIds);
        for (const instance of ofType(run, INSTANCE)) {
            expect(nodeEnv(instance).TRUSTED_PROXIES).toBe(publicSubnetIds.map(mockSubnetCidr).join(","));
        }
        expect(run.invokes.filter((i) => i.token === "aws:ec2/getSubnet:getSubnet").map((i) => i.inputs.id).sort()).toEqual(publicSubnetIds);
    });

    test("the docker target trusts the cluster network's block, where nginx is", async () => {
        const run = await program({ target: "docker", slaveCount: "1" });
        for (const name of ["newapi-dev-master", "newapi-dev-slave-0"]) {
            const envs = named(run, CONTAINER, name).inputs.envs;
            expect(JSON.stringify(envs)).toContain(`"TRUSTED_PROXIES=${MOCK_DOCKER_SUBNET}"`);
        }
    });
});

describe("login cookies", () => {
    test("behind HTTPS: Secure, for the domain and the load balancer's name", async () => {
        const run = await program({ domainName: "api.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ" });
        const dnsName = albDnsName(run);
        for (const instance of ofType(run, INSTANCE)) {
            expect(nodeEnv(instance)).toMatchObject({
                SESSION_COOKIE_SECURE: "true",
                SESSION_COOKIE_TRUSTED_URL: `https://api.example.com,https://${dnsName}`,
            });
        }
    });

    test("a certificate without a domain: the load balancer's name alone", async () => {
        const run = await program({ certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-0a1b-0a1b-0a1b-0a1b2c3d4e5f" });
        expect(nodeEnv(named(run, INSTANCE, "newapi-dev-master")).SESSION_COOKIE_TRUSTED_URL).toBe(`https://${albDnsName(run)}`);
    });

    test("plain HTTP: neither is set, on either target", async () => {
        const aws = await program({ slaveCount: "1" });
        for (const instance of ofType(aws, INSTANCE)) {
            expect(Object.keys(nodeEnv(instance)).filter((k) => k.startsWith("SESSION_COOKIE"))).toEqual([]);
        }
        const docker = await program({ target: "docker", slaveCount: "1" });
        expect(JSON.stringify(named(docker, CONTAINER, "newapi-dev-master").inputs.envs)).not.toContain("SESSION_COOKIE");
    });
});

describe("the rollout order: the master, then the slaves a batch at a time", () => {
    test("4 slaves at 50 %: the first batch after the master is healthy, the second after the first", async () => {
        const run = await program({ slaveCount: "4", rolloutBatchPercent: "50" });
        const waitsFor = (node: string) => dependencies(named(run, INSTANCE, `newapi-dev-${node}`));
        expect(waitsFor("master")).not.toEqual(expect.arrayContaining([expect.stringMatching(/-warmup$/)]));
        for (const first of ["slave-0", "slave-1"]) {
            expect(waitsFor(first)).toContain(warmup("master"));
        }
        for (const second of ["slave-2", "slave-3"]) {
            expect(waitsFor(second)).toEqual(expect.arrayContaining([warmup("slave-0"), warmup("slave-1")]));
            expect(waitsFor(second)).not.toContain(warmup("master"));
        }
    });

    test("the default share, 25 %: one slave at a time below 8 slaves, two at 8", async () => {
        const run = await program({ slaveCount: "8" });
        const waitsFor = (node: string) => dependencies(named(run, INSTANCE, `newapi-dev-${node}`)).filter((d) => d.endsWith("-warmup"));
        expect(waitsFor("slave-1")).toEqual([warmup("master")]);
        expect(waitsFor("slave-2").sort()).toEqual([warmup("slave-0"), warmup("slave-1")]);
        expect(waitsFor("slave-7").sort()).toEqual([warmup("slave-4"), warmup("slave-5")]);
    });

    test("an upgrade changes every node's image, and each slave still waits for its batch's predecessor", async () => {
        const run = await program({ slaveCount: "2", image: "calciumion/new-api:v0.13.3" });
        expect(dependencies(named(run, INSTANCE, "newapi-dev-slave-0"))).toContain(warmup("master"));
        expect(dependencies(named(run, INSTANCE, "newapi-dev-slave-1"))).toContain(warmup("slave-0"));
    });
});
