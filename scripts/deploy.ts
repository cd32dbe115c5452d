// `npm run deploy -- --stack dev [--preview | --destroy] [--create]`: a cloud stack through the same
// Automation API, but with the user's own Pulumi login and secrets provider: it never picks a
// backend nor generates a passphrase, and without a login it stops with the command to run.
// First: it stops an older Node.js before the SDK loads.
import "./nodeVersion";
import * as fs from "fs";
import { LocalWorkspace, OutputMap, WhoAmIResult } from "@pulumi/pulumi/automation";
import { ScriptContext, ScriptFailure, pulumiErrorText } from "./script";
import { findOrInstallPulumi } from "./pulumiCli";
import { runFromCommandLine } from "./commandLine";
import { createStack, runOperation, selectIfExists } from "./stackOperation";

export interface DeployOptions {
    stack: string;
    operation: "up" | "preview" | "destroy";
    /** A stack without its Pulumi.<stack>.yaml is deployed with the defaults only when asked: a mistyped name would make a new cluster. */
    create: boolean;
}

const USAGE = "Usage: npm run deploy -- --stack <name> [--preview | --destroy] [--create]   (e.g. --stack dev: Pulumi.dev.yaml)";

export function parseDeployArgs(argv: string[]): DeployOptions {
    let stack: string | undefined;
    let create = false;
    const operations: DeployOptions["operation"][] = [];
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === "--stack") {
            stack = argv[++i];
            if (stack === undefined || stack.startsWith("--")) throw new ScriptFailure(`--stack wants a stack name.\n${USAGE}`);
        } else if (arg === "--preview") operations.push("preview");
        else if (arg === "--destroy") operations.push("destroy");
        else if (arg === "--create") create = true;
        else throw new ScriptFailure(`Unknown argument ${arg}.\n${USAGE}`);
    }
    if (stack === undefined) throw new ScriptFailure(`Which stack? ${USAGE}`);
    if (operations.length > 1) throw new ScriptFailure(`--preview and --destroy do not go together.\n${USAGE}`);
    return { stack, operation: operations[0] ?? "up", create };
}

/** The stacks this project has a config file for (Pulumi.<stack>.yaml), sorted. */
export function stackFiles(projectDir: string): string[] {
    return fs
        .readdirSync(projectDir)
        .filter((file) => /^Pulumi\.[^.]+\.ya?ml$/.test(file))
        .sort();
}

/** Refuses a stack without its config file unless --create: `--stack prdo` must not deploy a new cluster with the defaults. */
export function refuseStackWithoutFile(projectDir: string, options: DeployOptions): void {
    const existing = stackFiles(projectDir);
    if (options.create || options.operation === "destroy" || existing.some((file) => file.replace(/\.ya?ml$/, "") === `Pulumi.${options.stack}`)) return;
    throw new ScriptFailure(
        `There is no Pulumi.${options.stack}.yaml in ${projectDir}: stack "${options.stack}" has no settings of yours, and up would deploy a new cluster with the defaults.\n` +
            `Stack files here: ${existing.length > 0 ? existing.join(", ") : "none"}.\n` +
            `Check the name, or add --create to make stack "${options.stack}" (its settings then go into Pulumi.${options.stack}.yaml).`,
    );
}

export async function runDeploy(argv: string[], context: ScriptContext): Promise<void> {
    const options = parseDeployArgs(argv);
    const { stack: stackName, operation } = options;
    const { projectDir, console } = context;
    refuseStackWithoutFile(projectDir, options);
    const log = (line: string) => console.out(`${line}\n`);

    const cli = await findOrInstallPulumi(projectDir, context.installCli, log);
    const workspace = await LocalWorkspace.create({ workDir: projectDir, pulumiCommand: cli.command });
    let login: WhoAmIResult;
    try {
        login = await workspace.whoAmI();
    } catch (error) {
        throw new ScriptFailure(
            `No Pulumi login found (${pulumiErrorText(error).split("\n")[0]}).\n` +
                `Log in, then run this again. For Pulumi Cloud:\n` +
                `  ${cli.invocation} login\n` +
                `or for state in your own bucket (its secrets then need PULUMI_CONFIG_PASSPHRASE or a KMS key of yours):\n` +
                `  ${cli.invocation} login s3://<your-bucket>\n` +
                `This script never chooses a backend or a passphrase for a cloud stack.`,
        );
    }
    const backend = login.url ?? "your backend";
    log(`Pulumi backend: ${backend} as ${login.user}.`);

    let stack = await selectIfExists(stackName, workspace);
    if (stack) log(`Stack: ${stackName}, existing.`);
    else if (operation === "destroy") {
        log(`Nothing to destroy: there is no stack "${stackName}" on ${backend}.`);
        return;
    } else {
        stack = await createStack(stackName, workspace);
        log(`Stack: ${stackName}, created on ${backend} (config: Pulumi.${stackName}.yaml).`);
    }

    const live = { onOutput: console.out, onError: console.err };
    if (operation === "preview") {
        await runOperation("preview", () => stack.preview(live));
        return;
    }
    if (operation === "destroy") {
        await runOperation("destroy", () => stack.destroy(live));
        log(`\nStack "${stackName}" destroyed (its history and config stay: \`${cli.invocation} stack rm ${stackName}\` removes them).`);
        return;
    }
    const result = await runOperation("up", () => stack.up(live));
    log(`\nNew API: ${result.outputs.url?.value}`);
    for (const line of loginSteps(result.outputs, stackName, cli.invocation)) log(line);
}

/**
 * How the operator logs in for the first time: as the root user the master created, or, with no
 * adminUsername, through the setup wizard on the master itself, as the public listener refuses
 * /api/setup (the first visitor would own the cluster).
 */
export function loginSteps(outputs: OutputMap, stackName: string, invocation: string): string[] {
    const username = outputs.adminUsername?.value as string | undefined;
    if (username !== undefined) {
        return [`Log in as ${username}; the password (a secret, not printed here): ${invocation} stack output --show-secrets adminPassword -s ${stackName}`];
    }
    const forward = (outputs.masterPortForwardCommand?.value as string | undefined) ?? `$(${invocation} stack output masterPortForwardCommand -s ${stackName})`;
    return [
        `No adminUsername in Pulumi.${stackName}.yaml: you create the root user in New API's setup wizard, once, on the master ` +
            `(the public URL refuses /api/setup, or the first visitor would own the cluster):`,
        `  1. The AWS CLI needs its Session Manager plugin: session-manager-plugin --version`,
        `     (https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-working-with-install-plugin.html)`,
        `  2. In another terminal, forward localhost:3000 to the master, and leave it running:`,
        `       ${forward}`,
        `  3. Open http://localhost:3000, complete the wizard (the root user's name and password), then stop the forward (Ctrl-C).`,
        `  4. The slaves notice the setup within 10 seconds and start; log in at ${outputs.url?.value} as that user.`,
    ];
}

if (require.main === module) void runFromCommandLine(runDeploy, __dirname);
