// `npm run local [-- --slaves N | --destroy]`: the whole cluster on this machine's Docker
// engine, from a fresh clone, in one command. Checks Docker, finds or installs the Pulumi CLI,
// keeps the stack's state and passphrase in the project (.pulumi-local/, git-ignored) unless
// PULUMI_BACKEND_URL names a backend of the user's, then runs `up` on the `local` stack
// (Pulumi.local.yaml) with Pulumi's live output and prints the URL and the admin login.
// First: it stops an older Node.js before the SDK loads.
import "./nodeVersion";
import * as path from "path";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { checkDocker } from "./docker";
import { ScriptContext, ScriptFailure, pulumiErrorText } from "./script";
import { findOrInstallPulumi } from "./pulumiCli";
import { runFromCommandLine } from "./commandLine";
import {
    PROJECT_STATE_DIR,
    createStateFolders,
    generatePassphrase,
    projectState,
    readPassphrase,
    refuseForeignSalt,
} from "./projectState";
import { createStack, runOperation, selectIfExists } from "./stackOperation";

const LOCAL_STACK = "local";

export interface LocalOptions {
    destroy: boolean;
    /** Set: `slaveCount` becomes this before `up`. */
    slaves?: number;
}

const USAGE = "Usage: npm run local [-- --slaves N | --destroy]";

export function parseLocalArgs(argv: string[]): LocalOptions {
    const options: LocalOptions = { destroy: false };
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === "--destroy") options.destroy = true;
        else if (arg === "--slaves") {
            const value = argv[++i];
            if (value === undefined || !/^\d+$/.test(value)) {
                throw new ScriptFailure(`--slaves wants a number of slaves (0 or more), not ${value ?? "nothing"}.\n${USAGE}`);
            }
            options.slaves = Number(value);
        } else throw new ScriptFailure(`Unknown argument ${arg}.\n${USAGE}`);
    }
    if (options.destroy && options.slaves !== undefined) throw new ScriptFailure(`--destroy and --slaves do not go together.\n${USAGE}`);
    return options;
}

export async function runLocal(argv: string[], context: ScriptContext): Promise<void> {
    const options = parseLocalArgs(argv);
    const { projectDir, console } = context;
    const log = (line: string) => console.out(`${line}\n`);
    const env = process.env;

    const docker = await checkDocker(env, log);
    const cli = await findOrInstallPulumi(projectDir, context.installCli, log);

    // The user's own backend, when they name one; else state and passphrase inside the project.
    const state = env.PULUMI_BACKEND_URL ? undefined : projectState(projectDir);
    const envVars: Record<string, string> = { DOCKER_HOST: docker.host };
    let passphrase: string | undefined;
    if (state) {
        createStateFolders(state);
        passphrase = readPassphrase(state);
        Object.assign(envVars, { PULUMI_BACKEND_URL: state.backendUrl, PULUMI_HOME: state.pulumiHome });
        if (passphrase !== undefined) envVars.PULUMI_CONFIG_PASSPHRASE = passphrase;
        log(`State: ${path.relative(projectDir, state.stateDir)} (a file backend in this project, ignored by git).`);
    } else {
        log(`State: your backend PULUMI_BACKEND_URL=${env.PULUMI_BACKEND_URL}; its secrets use your own passphrase or key.`);
    }

    const workspace = await LocalWorkspace.create({ workDir: projectDir, pulumiCommand: cli.command, envVars });
    let stack = await selectIfExists(LOCAL_STACK, workspace);
    if (stack) {
        log(`Stack: ${LOCAL_STACK}, existing.`);
        if (state && passphrase === undefined) {
            throw new ScriptFailure(
                `The stack "${LOCAL_STACK}" in ${PROJECT_STATE_DIR}/state was encrypted with the passphrase kept in ` +
                    `${PROJECT_STATE_DIR}/passphrase, which is gone: its secrets cannot be read.\n` +
                    `Start over: remove its containers (docker rm -f $(docker ps -aq --filter label=new-api.cluster)), ` +
                    `delete ${PROJECT_STATE_DIR}/state and the \`encryptionsalt:\` line of Pulumi.${LOCAL_STACK}.yaml, and run again.`,
            );
        }
    } else {
        if (options.destroy) {
            log(`Nothing to destroy: there is no stack "${LOCAL_STACK}".`);
            return;
        }
        if (state && passphrase === undefined) {
            refuseForeignSalt(projectDir, LOCAL_STACK);
            passphrase = generatePassphrase(state);
            workspace.envVars.PULUMI_CONFIG_PASSPHRASE = passphrase;
            log(
                `Passphrase: generated into ${path.relative(projectDir, state.passphraseFile)}, beside the state. ` +
                    `It encrypts the stack's secrets, which protects nothing from anyone who can read this folder: ` +
                    `the local target is for trying the cluster on this machine, not for production.`,
            );
        }
        stack = await createStack(LOCAL_STACK, workspace);
        log(`Stack: ${LOCAL_STACK}, created (config: Pulumi.${LOCAL_STACK}.yaml).`);
    }

    if (options.slaves !== undefined) {
        try {
            // Under the project's own name, which `pulumi new` may have changed: the program reads it there.
            const project = (await workspace.projectSettings()).name;
            await stack.setConfig(`${project}:slaveCount`, { value: String(options.slaves) });
        } catch (error) {
            throw new ScriptFailure(`Could not set slaveCount:\n${pulumiErrorText(error)}`);
        }
        log(`slaveCount: ${options.slaves} (saved in Pulumi.${LOCAL_STACK}.yaml).`);
    }

    if (options.destroy) {
        await runOperation("destroy", () => stack.destroy({ onOutput: console.out, onError: console.err }));
        log(
            `\nRemoved the containers, the network and the volumes (the pulled images stay in Docker's cache). ` +
                `The empty stack and its passphrase stay in ${PROJECT_STATE_DIR} for the next \`npm run local\`.`,
        );
        return;
    }
    const result = await runOperation("up", () => stack.up({ onOutput: console.out, onError: console.err }));
    const url = result.outputs.url?.value as string | undefined;
    const username = result.outputs.adminUsername?.value as string | undefined;
    const password = result.outputs.adminPassword?.value as string | undefined;
    log(`\nNew API is running: ${url}`);
    log(`Log in as ${username} with the password ${password}`);
    if (state) {
        log(
            `To run pulumi yourself on this stack: export PULUMI_BACKEND_URL=${state.backendUrl} ` +
                `PULUMI_HOME=${state.pulumiHome} PULUMI_CONFIG_PASSPHRASE_FILE=${state.passphraseFile}`,
        );
    }
    log(`Rescale: npm run local -- --slaves N    Remove it all: npm run local -- --destroy`);
}

if (require.main === module) void runFromCommandLine(runLocal, __dirname);
