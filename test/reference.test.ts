// The reference tables of docs/ say what the program does: every stack output is described
// (components/outputs.ts), every resource type and data source the AWS target uses has its AWS
// service (docs/requirements.md), every AWS CLI call the operator's machine makes has its IAM
// action, and the tools table asks for what the code needs. The tables themselves are compared
// with their generators in test/docs.test.ts.
import * as fs from "fs";
import * as path from "path";
import { LOCAL_SHELL } from "../components/aws/localCommands";
import { DEFAULT_IMAGE } from "../components/config";
import { imageDigest } from "../components/images";
import { OUTPUT_DOCS, OutputDoc } from "../components/outputs";
import { DEPLOY_NEEDS, OPERATOR_SCRIPTS, awsCliCalls, operatorPermissionsTable } from "../tools/reference";
import { EVERYTHING, EVERYTHING_EXISTING_VPC } from "./configurations";
import { ProgramRun, ofType, program } from "./harness";
import { STACK_FILES, readStackFile } from "./stackFiles";

const ROOT = path.join(__dirname, "..");
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");

const outputsWhere = (wanted: (doc: OutputDoc) => boolean) =>
    Object.entries(OUTPUT_DOCS)
        .filter(([, doc]) => wanted(doc))
        .map(([name]) => name)
        .sort();
const exported = (run: ProgramRun) => Object.keys(run.exports).sort();

describe("the outputs table (docs/operations.md) against what the program exports", () => {
    test("an AWS stack with every option: every AWS output, the secret ones as secrets", async () => {
        const run = await program(EVERYTHING);
        expect(exported(run)).toEqual(outputsWhere((doc) => doc.targets.includes("aws")));
        expect([...run.secretExports].sort()).toEqual(outputsWhere((doc) => doc.targets.includes("aws") && doc.secret));
    });

    test("a default AWS stack: all but the outputs of the settings it does not set", async () => {
        const run = await program({});
        expect(exported(run)).toEqual(outputsWhere((doc) => doc.targets.includes("aws") && doc.onlyWith === undefined));
    });

    test("a docker stack: every docker output, the secret ones as secrets", async () => {
        const run = await program({ target: "docker" });
        expect(exported(run)).toEqual(outputsWhere((doc) => doc.targets.includes("docker")));
        expect([...run.secretExports].sort()).toEqual(outputsWhere((doc) => doc.targets.includes("docker") && doc.secret));
    });
});

/** The AWS stack files and the configurations with every option, as the contract test runs them (shared runs). */
async function awsRuns(): Promise<ProgramRun[]> {
    const examples = STACK_FILES.map(readStackFile)
        .filter(({ config }) => config.target !== "docker")
        .map(({ stack, config, document }) => program({ ...config, "aws:region": document["aws:region"] as string }, { stack }));
    return Promise.all([program(EVERYTHING), program(EVERYTHING_EXISTING_VPC), ...examples]);
}

describe("the deploy permissions table (docs/requirements.md)", () => {
    test("has every resource type and data source the AWS target uses, and no other", async () => {
        const runs = await awsRuns();
        const used = new Set(runs.flatMap((run) => [...run.resources.map((r) => r.type), ...run.invokes.map((i) => i.token)]));
        const ours = [...used].filter((token) => !token.startsWith("new-api:")).sort();
        expect(ours).toEqual(Object.keys(DEPLOY_NEEDS).sort());
        // The types that issue 24 found missing from the old list: KMS, S3, CloudWatch Logs, IAM.
        expect(ours).toEqual(expect.arrayContaining(["aws:kms/key:Key", "aws:s3/bucket:Bucket", "aws:cloudwatch/logGroup:LogGroup", "aws:iam/instanceProfile:InstanceProfile"]));
        expect(read("docs/requirements.md")).toContain("`iam:PassRole`");
    });
});

describe("the operator's AWS CLI permissions (docs/requirements.md)", () => {
    test("awsCliCalls names each call's IAM action, once, and refuses a service it has no prefix for", () => {
        const script = 'x="$(aws elbv2 describe-target-health --target-group-arn a)"\naws ssm send-command --instance-ids i\naws elbv2 describe-target-health\ncommand -v aws >/dev/null';
        expect(awsCliCalls(script)).toEqual([
            { command: "aws elbv2 describe-target-health", action: "elasticloadbalancing:DescribeTargetHealth" },
            { command: "aws ssm send-command", action: "ssm:SendCommand" },
        ]);
        expect(() => awsCliCalls("aws lambda invoke")).toThrow(/no IAM service prefix for the AWS CLI's lambda/);
    });

    test("OPERATOR_SCRIPTS are the scripts the program runs on the operator's machine, and the table has every AWS CLI call they make", async () => {
        const runs = await awsRuns();
        const texts = runs
            .flatMap((run) => ofType(run, "command:local:Command"))
            .flatMap((command) => [command.inputs.create, command.inputs.update, command.inputs.delete])
            .filter((text): text is string => typeof text === "string");
        const scripts = new Set(texts.flatMap((text) => [...text.matchAll(/^# components\/scripts\/(\S+) and its parameters$/gm)].map((m) => m[1])));
        expect([...scripts].sort()).toEqual(Object.keys(OPERATOR_SCRIPTS).sort());
        const table = operatorPermissionsTable();
        const calls = texts.flatMap(awsCliCalls);
        expect(calls.map((c) => c.action)).toEqual(expect.arrayContaining(["elasticloadbalancing:DescribeTargetHealth", "ssm:SendCommand", "ssm:GetCommandInvocation"]));
        for (const call of calls) {
            expect(table).toContain(`| \`${call.action}\` | \`${call.command}\` |`);
        }
    });
});

describe("the tools table (docs/requirements.md)", () => {
    const requirements = read("docs/requirements.md");
    const tools = requirements.split("## Tools")[1].split("\n## ")[0];
    const row = (tool: string) => tools.split("\n").find((line) => line.startsWith(`| ${tool} |`)) ?? "";

    test("asks for no older Node.js than package.json's engines, and names the Pulumi version package-lock.json pins", () => {
        const engines = JSON.parse(read("package.json")).engines.node as string;
        const required = Number(/>=\s*(\d+)/.exec(engines)?.[1]);
        const documented = Number(/\| (\d+) or newer/.exec(row("Node.js"))?.[1]);
        expect(documented).toBeGreaterThanOrEqual(required);
        expect(documented).toBeGreaterThanOrEqual(22);
        const pulumi = JSON.parse(read("package-lock.json")).packages["node_modules/@pulumi/pulumi"].version as string;
        expect(row("Pulumi CLI")).toContain(pulumi);
    });

    test("has a row for each command the operator's scripts run: the shell, the AWS CLI, curl", () => {
        const texts = Object.keys(OPERATOR_SCRIPTS).map((script) => fs.readFileSync(path.join(ROOT, "components", "scripts", script), "utf8"));
        expect(row(LOCAL_SHELL[0])).not.toBe("");
        expect(texts.some((text) => /\baws (elbv2|ssm|elasticache) /.test(text))).toBe(true);
        expect(row("AWS CLI")).toContain("v2");
        expect(texts.some((text) => /\bcurl /.test(text))).toBe(true);
        expect(row("curl")).not.toBe("");
        expect(row("Session Manager plugin")).toContain("masterPortForwardCommand");
    });

    test("says definitively whether an AWS deploy needs Docker, for the default image and for one by digest", async () => {
        expect(imageDigest(DEFAULT_IMAGE)).toBeUndefined();
        expect(requirements).toContain(`**With the default \`image\` (a tag, \`${DEFAULT_IMAGE}\`), an AWS deploy needs a Docker\nengine`);
        expect(requirements).toContain("by digest, it needs none.**");
        // The statement holds for the program: a tag is resolved through the Docker provider, a digest is not.
        const byTag = await program({});
        expect(byTag.invokes.filter((i) => i.token === "docker:index/getRegistryImage:getRegistryImage").length).toBeGreaterThan(0);
        const byDigest = await program(EVERYTHING_EXISTING_VPC);
        expect(byDigest.invokes.filter((i) => i.token.startsWith("docker:"))).toEqual([]);
    });
});
