// `npm run deploy -- --stack dev [--preview | --destroy]`: a cloud stack through the same
// Automation API, but with the user's own Pulumi login and secrets provider: it never picks a
// backend nor generates a passphrase, and without a login it stops with the command to run.
import { LocalWorkspace, WhoAmIResult } from "@pulumi/pulumi/automation";
import { ScriptContext, ScriptFailure, pulumiErrorText } from "./script";
import { findOrInstallPulumi } from "./pulumiCli";
import { runFromCommandLine } from "./commandLine";
import { createStack, runOperation, selectIfExists } from "./stackOperation";

export interface DeployOptions {
    stack: string;
    operation: "up" | "preview" | "destroy";
}

const USAGE = "Usage: npm run deploy -- --stack <name> [--preview | --destroy]   (e.g. --stack dev: Pulumi.dev.yaml)";

export function parseDeployArgs(argv: string[]): DeployOptions {
    let stack: string | undefined;
    const operations: DeployOptions["operation"][] = [];
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === "--stack") {
            stack = argv[++i];
            if (stack === undefined || stack.startsWith("--")) throw new ScriptFailure(`--stack wants a stack name.\n${USAGE}`);
        } else if (arg === "--preview") operations.push("preview");
        else if (arg === "--destroy") operations.push("destroy");
        else throw new ScriptFailure(`Unknown argument ${arg}.\n${USAGE}`);
    }
    if (stack === undefined) throw new ScriptFailure(`Which stack? ${USAGE}`);
    if (operations.length > 1) throw new ScriptFailure(`--preview and --destroy do not go together.\n${USAGE}`);
    return { stack, operation: operations[0] ?? "up" };
}

export async function runDeploy(argv: string[], context: ScriptContext): Promise<void> {
    const { stack: stackName, operation } = parseDeployArgs(argv);
    const { projectDir, console } = context;
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
    const username = result.outputs.adminUsername?.value as string | undefined;
    log(
        username === undefined
            ? `No adminUsername in Pulumi.${stackName}.yaml: the first visitor completes New API's setup wizard, so open it now.`
            : `Log in as ${username}; the password (a secret, not printed here): ` +
                  `${cli.invocation} stack output --show-secrets adminPassword -s ${stackName}`,
    );
}

if (require.main === module) void runFromCommandLine(runDeploy, __dirname);
