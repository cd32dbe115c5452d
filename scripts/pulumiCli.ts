// The Pulumi CLI the Automation API drives: the one on PATH, else one installed into the
// project by the Automation API's own installer, pinned to the version of @pulumi/pulumi in
// package-lock.json (the installer's default), so that a fresh clone needs nothing but Node.js.
import * as fs from "fs";
import * as path from "path";
import { PulumiCommand } from "@pulumi/pulumi/automation";
import { ScriptFailure, pulumiErrorText } from "./script";
import { PROJECT_STATE_DIR } from "./projectState";

/** The installed @pulumi/pulumi's version: the installer's default. */
const { version: sdkVersion } = require("@pulumi/pulumi/package.json") as { version: string };

/** Where a CLI the scripts install goes, relative to the project; git ignores it (.gitignore). */
export const CLI_ROOT = path.join(PROJECT_STATE_DIR, "cli");

/** Installs the CLI under `root` (as `root/bin/pulumi`): downloads it, in real use. */
export type CliInstaller = (root: string) => Promise<PulumiCommand>;

export const automationApiInstaller: CliInstaller = (root) => PulumiCommand.install({ root });

export interface PulumiCli {
    command: PulumiCommand;
    /** How the user runs this CLI from the project folder: `pulumi`, or the installed one's relative path. */
    invocation: string;
}

export async function findOrInstallPulumi(
    projectDir: string,
    install: CliInstaller,
    log: (line: string) => void,
): Promise<PulumiCli> {
    try {
        const command = await PulumiCommand.get();
        log(`Pulumi CLI: ${command.command} v${command.version} (on PATH).`);
        return { command, invocation: "pulumi" };
    } catch (error) {
        // Anything but "not found" (too old, broken) is for the user to fix: installing another would hide it.
        const text = pulumiErrorText(error);
        if (!text.includes("ENOENT")) throw new ScriptFailure(`The Pulumi CLI on PATH does not work: ${text}`);
    }
    const root = path.join(projectDir, CLI_ROOT);
    const invocation = path.join(CLI_ROOT, "bin", "pulumi");
    if (fs.existsSync(path.join(root, "bin", "pulumi"))) {
        let command: PulumiCommand;
        try {
            command = await PulumiCommand.get({ root });
        } catch (error) {
            throw new ScriptFailure(
                `The Pulumi CLI installed in ${CLI_ROOT} does not work: ${pulumiErrorText(error)}\n` +
                    `Delete ${CLI_ROOT} to have it installed again, and run again.`,
            );
        }
        log(`Pulumi CLI: ${invocation} v${command.version} (installed in this project by an earlier run).`);
        return { command, invocation };
    }
    log(`No Pulumi CLI on PATH: installing Pulumi v${sdkVersion} into ${CLI_ROOT} (this project only, once)...`);
    try {
        const command = await install(root);
        log(`Pulumi CLI: ${invocation} v${command.version}.`);
        return { command, invocation };
    } catch (error) {
        throw new ScriptFailure(
            `Could not install the Pulumi CLI into ${CLI_ROOT}: ${pulumiErrorText(error)}\n` +
                `Install it yourself (https://www.pulumi.com/docs/install/), check that \`pulumi version\` works, and run again.`,
        );
    }
}
