// One evaluation of the program under mocks, in a process of its own so that every run
// starts from a fresh Pulumi runtime. Writes the registrations and the time as JSON to the
// file named by its second argument (stdout would be cut short by process.exit).
import * as aws from "@pulumi/aws";
import * as command from "@pulumi/command";
import * as random from "@pulumi/random";
import * as fs from "fs";
import { evaluateProgram } from "../test/mockRuntime";
import { benchConfig } from "./config";

// Load the provider modules first (@pulumi/aws loads each module on first use), so that the
// time measured is the program's evaluation, not module loading.
const loaded = [aws.ec2.Instance, aws.lb.Listener, aws.rds.Instance, aws.elasticache.ReplicationGroup];
const more = [aws.ssm.Parameter, aws.iam.Role, aws.vpc.SecurityGroupIngressRule, command.local.Command, random.RandomPassword];

async function main(): Promise<void> {
    if (loaded.length + more.length === 0) {
        throw new Error("nothing preloaded");
    }
    const [slaveCount, outputFile] = [Number(process.argv[2]), process.argv[3]];
    const run = await evaluateProgram(require, benchConfig(slaveCount));
    const resources = run.resources.map(({ type, name, inputs }) => ({ type, name, inputs }));
    fs.writeFileSync(outputFile, JSON.stringify({ evaluationMs: run.evaluationMs, resources }));
    // The mock runtime keeps handles open; the work is done.
    process.exit(0);
}

main().catch((error) => {
    console.error(error);
    process.exit(1);
});
