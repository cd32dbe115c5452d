// examples/: complete stack configurations an operator copies as a stack's file. Each is valid
// config, and the program it gives builds what its comment promises (the AWS contract over them
// is test/contract.test.ts's).
import { parseClusterConfig } from "../components/config";
import { ofType, program } from "./harness";
import { EXAMPLE_FILES, readStackFile } from "./stackFiles";

const run = (file: string) => {
    const { stack, config, document } = readStackFile(file);
    return program({ ...config, "aws:region": document["aws:region"] as string }, { stack });
};

test("the examples are a small dev cluster, a production one behind HTTPS with a log database, and one in an existing VPC", () => {
    expect(EXAMPLE_FILES).toEqual(["examples/dev-small.yaml", "examples/existing-vpc.yaml", "examples/production-https.yaml"]);
});

// readStackFile takes the stack from the example's `cp examples/<name>.yaml Pulumi.<stack>.yaml`, or throws.
test.each(EXAMPLE_FILES)("%s is valid config for the stack it says to copy it to", (file) => {
    const { stack, config, document } = readStackFile(file);
    expect(() => parseClusterConfig(config, stack, document["aws:region"] as string)).not.toThrow();
});

test("dev-small: one slave, one NAT gateway, nothing protected", async () => {
    const result = await run("examples/dev-small.yaml");
    expect(ofType(result, "aws:ec2/instance:Instance")).toHaveLength(2);
    expect(ofType(result, "aws:ec2/natGateway:NatGateway")).toHaveLength(1);
    expect(ofType(result, "aws:rds/instance:Instance").map((db) => db.inputs.deletionProtection)).toEqual([false]);
});

test("production-https: HTTPS with its certificate, a log database, Multi-AZ, alerts by email", async () => {
    const result = await run("examples/production-https.yaml");
    expect(ofType(result, "aws:lb/listener:Listener").map((l) => l.inputs.port).sort()).toEqual([443, 80]);
    expect(ofType(result, "aws:acm/certificate:Certificate")).toHaveLength(1);
    const databases = ofType(result, "aws:rds/instance:Instance");
    expect(databases).toHaveLength(2);
    expect(databases.every((db) => db.inputs.multiAz === true && db.inputs.deletionProtection === true)).toBe(true);
    expect(ofType(result, "aws:sns/topicSubscription:TopicSubscription").map((s) => s.inputs.endpoint)).toEqual(["oncall@example.com"]);
});

test("existing-vpc: no VPC, subnet or NAT gateway of its own; the nodes in the given private subnets", async () => {
    const result = await run("examples/existing-vpc.yaml");
    for (const type of ["aws:ec2/vpc:Vpc", "aws:ec2/subnet:Subnet", "aws:ec2/natGateway:NatGateway"]) {
        expect(ofType(result, type)).toEqual([]);
    }
    const subnets = new Set(ofType(result, "aws:ec2/instance:Instance").map((i) => i.inputs.subnetId));
    expect([...subnets].sort()).toEqual(["subnet-0a1b2c3d4e5f60003", "subnet-0a1b2c3d4e5f60004"]);
});
