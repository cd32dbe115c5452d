// The AWS API contract: what the program registers, over a matrix of configurations, must
// obey every rule AWS documents for it (test/contract/tables/); and every rule is shown to
// fire on a value AWS would refuse, so that none of them can pass by accident.
import { AWS_CONFIG_CHECKS } from "../components/aws/configChecks";
import { largestUserDataBytes } from "../components/aws/userdata";
import { ClusterConfig, parseClusterConfig } from "../components/config";
import { checkContract, contextOf, viewOf } from "./contract/check";
import { Context, ResourceView } from "./contract/rules";
import { CONTRACT } from "./contract/tables";
import { Registered, ofType, program, unwrapSecrets } from "./harness";
import { exportSecrecy, misplacedSecrets, plainSecretLeaks, unusedSecrets } from "./secretScan";
import { EXAMPLE_FILES, STACK_FILES, readStackFile } from "./stackFiles";
import { EVERYTHING, EVERYTHING_EXISTING_VPC } from "./configurations";

/** The config with the largest single extraEnv value that config validation still accepts. */
function withLargestExtraEnv(base: Record<string, string>): Record<string, string> {
    const attempt = (size: number) => ({ ...base, extraEnv: JSON.stringify({ PADDING: "x".repeat(size) }) });
    const accepted = (size: number) => {
        try {
            parseClusterConfig(attempt(size), "dev", undefined, [], undefined, AWS_CONFIG_CHECKS);
            return true;
        } catch {
            return false;
        }
    };
    let [low, high] = [0, 16384];
    while (low < high) {
        const middle = Math.ceil((low + high) / 2);
        [low, high] = accepted(middle) ? [middle, high] : [low, middle - 1];
    }
    return attempt(low);
}

const MATRIX: [string, Record<string, string>, string][] = [
    ...[...STACK_FILES, ...EXAMPLE_FILES].map((file): [string, Record<string, string>, string] => {
        const { stack, config, document } = readStackFile(file);
        const region = document["aws:region"];
        return [file, typeof region === "string" ? { ...config, "aws:region": region } : config, stack];
    }),
    ["0 slaves", { slaveCount: "0" }, "dev"],
    // Instance-store types: no EC2 recover action, which CloudWatch refuses for them.
    ["1 slave, on instance-store types", { slaveCount: "1", instanceType: "c5d.large", masterInstanceType: "m6gd.large" }, "dev"],
    // The cache's other engine and an older version of each, applied at once.
    ["Redis OSS 6.2, applied immediately", { cacheEngine: "redis", cacheEngineVersion: "6.2", cacheApplyImmediately: "true" }, "dev"],
    ["Valkey 7.2 on one node", { cacheEngine: "valkey", cacheEngineVersion: "7.2", cacheNodeCount: "1" }, "dev"],
    ["100 slaves, automatic setup", { slaveCount: "100", sqlMaxOpenConns: "4", adminUsername: "root" }, "dev"],
    ["every option, HTTPS by a requested certificate", EVERYTHING, "dev"],
    ["every option on an existing VPC, HTTPS by certificateArn", EVERYTHING_EXISTING_VPC, "dev"],
    ["the largest extraEnv config accepts, every option", withLargestExtraEnv(EVERYTHING), "dev"],
];

describe("the AWS contract over the configuration matrix", () => {
    test.each(MATRIX)("%s: AWS would accept every value the program sends", async (_, config, stack) => {
        const run = await program(config, { stack });
        expect(checkContract(run.resources)).toEqual([]);

        // Generated secrets only in the inputs made for them, always marked secret, and in no plain
        // output; each is held somewhere, so that these scans can fail.
        expect(plainSecretLeaks(run)).toEqual([]);
        expect(misplacedSecrets(run)).toEqual([]);
        expect(unusedSecrets(run)).toEqual([]);
        expect(exportSecrecy(run).leaks).toEqual([]);

        // The config-time userData bound really bounds what the nodes get.
        const { "aws:region": region, ...own } = config;
        const parsed: ClusterConfig = parseClusterConfig(own, stack, region);
        if (parsed.target === "aws") {
            const sizes = ofType(run, "aws:ec2/instance:Instance").map((i) => Buffer.byteLength(i.inputs.userData, "utf8"));
            expect(Math.max(...sizes)).toBeLessThanOrEqual(largestUserDataBytes(parsed));
        }
    });

    test("the largest accepted extraEnv brings userData close to EC2's limit, and no further", () => {
        const config = parseClusterConfig(withLargestExtraEnv(EVERYTHING), "dev");
        expect(largestUserDataBytes(config)).toBeLessThanOrEqual(16384);
        expect(largestUserDataBytes(config)).toBeGreaterThan(16384 - 10);
    });
});

describe("the contract covers the program", () => {
    test("every AWS resource type the program registers has a table, and every table a resource type", async () => {
        const [all, existing] = await Promise.all([program(EVERYTHING), program(EVERYTHING_EXISTING_VPC)]);
        const registered = new Set([...all.resources, ...existing.resources].map((r) => r.type).filter((t) => t.startsWith("aws:")));
        expect([...registered].sort()).toEqual(Object.keys(CONTRACT).sort());
    });

    test("a type without a table is itself a violation", () => {
        const stray: Registered = {
            type: "aws:sqs/queue:Queue",
            name: "stray",
            inputs: {},
            options: { urn: "", parent: "", dependencies: [], propertyDependencies: {}, ignoreChanges: [], protect: false, deleteBeforeReplace: false },
        };
        expect(checkContract([stray])).toEqual([expect.objectContaining({ rule: "aws:sqs/queue:Queue has a contract table" })]);
    });

    test("an autonamed resource whose name would be too long for the provider is a violation", () => {
        const group: Registered = {
            type: "aws:lb/targetGroup:TargetGroup",
            name: "a-target-group-name-of-25",
            inputs: { port: 3000, protocol: "HTTP", targetType: "instance" },
            options: { urn: "", parent: "", dependencies: [], propertyDependencies: {}, ignoreChanges: [], protect: false, deleteBeforeReplace: false },
        };
        expect(checkContract([group]).map((v) => v.rule)).toContain("the provider can autoname it");
    });

    test("secrets are checked as AWS receives them: unwrapped", async () => {
        const run = await program(EVERYTHING);
        const db = ofType(run, "aws:rds/instance:Instance")[0];
        expect(typeof db.inputs.password).toBe("object");
        expect(unwrapSecrets(db.inputs).password).toMatch(/^[A-Za-z0-9]{40}$/);
    });
});

/** Each rule of each table, by type and what it says. */
const RULES = Object.entries(CONTRACT).flatMap(([type, table]) => table.rules.map((r, i): [string, string, number] => [type, r.says, i]));
const COLLECTIVE = Object.entries(CONTRACT).flatMap(([type, table]) =>
    (table.collective ?? []).map((r, i): [string, string, number] => [type, r.says, i]),
);

/** The program's own resources of a type, as AWS receives them, from the runs with every option on. */
async function viewsOf(type: string): Promise<ResourceView[]> {
    const runs = await Promise.all([program(EVERYTHING), program(EVERYTHING_EXISTING_VPC)]);
    const run = runs.find((r) => ofType(r, type).length > 0) ?? runs[0];
    return ofType(run, type).map((r) => viewOf(r, CONTRACT[type]).view);
}

/** The context cross-resource rules see, over the run with every option on; built once. */
let context: Promise<Context> | undefined;
function everythingContext(): Promise<Context> {
    context ??= program(EVERYTHING).then((run) => contextOf(run.resources.map((r) => viewOf(r, CONTRACT[r.type]).view)));
    return context;
}

describe("every rule fires on a value AWS refuses", () => {
    test.each(RULES)("%s: %s", async (type, _, index) => {
        const rule = CONTRACT[type].rules[index];
        const views = await viewsOf(type);
        expect(views.length).toBeGreaterThan(0);
        const context = await everythingContext();
        for (const view of views) {
            expect(rule.check(view, context)).toBeUndefined();
        }
        const broken = { ...views[0], inputs: rule.breaks(views[0].inputs) };
        expect(rule.check(broken, context)).toEqual(expect.any(String));
    });

    test.each(COLLECTIVE)("%s: %s", async (type, _, index) => {
        const rule = CONTRACT[type].collective?.[index];
        const views = await viewsOf(type);
        const context = contextOf(views);
        expect(rule?.check(views, context)).toEqual([]);
        expect(rule?.check(rule.breaks(views), context).length).toBeGreaterThan(0);
    });
});
