// One evaluation of the program under mocks, in a process of its own so that every run
// starts from a fresh Pulumi runtime. Writes the registrations and the time as JSON to the
// file named by its second argument (stdout would be cut short by process.exit).
import * as ec2 from "@pulumi/aws/ec2";
import * as elasticache from "@pulumi/aws/elasticache";
import * as iam from "@pulumi/aws/iam";
import * as lb from "@pulumi/aws/lb";
import * as rds from "@pulumi/aws/rds";
import * as ssm from "@pulumi/aws/ssm";
import * as vpc from "@pulumi/aws/vpc";
import * as command from "@pulumi/command";
import * as random from "@pulumi/random";
import * as fs from "fs";
import { evaluateProgram } from "../test/mockRuntime";
import { benchConfig } from "./config";

// Load the provider modules first (@pulumi/aws loads each module on first use), so that the
// time measured is the program's evaluation, not module loading.
const loaded = [ec2.Instance, lb.Listener, rds.Instance, elasticache.ReplicationGroup];
const more = [ssm.Parameter, iam.Role, vpc.SecurityGroupIngressRule, command.local.Command, random.RandomPassword];

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
