// How `node bin/scripts/<script>.js` (the npm scripts) runs a script: on this project, with
// the Automation API's installer and the process's console. A ScriptFailure is printed as it
// is (no stack trace) with exit code 1; anything else is a bug and keeps its stack trace.
import { automationApiInstaller } from "./pulumiCli";
import { findProjectDir } from "./projectState";
import { ScriptContext, ScriptFailure, processConsole } from "./script";

export type Script = (argv: string[], context: ScriptContext) => Promise<void>;

/** `scriptDir`: the script's own folder (its __dirname), below the project's Pulumi.yaml. */
export async function runFromCommandLine(script: Script, scriptDir: string): Promise<void> {
    try {
        const context = { projectDir: findProjectDir(scriptDir), installCli: automationApiInstaller, console: processConsole };
        await script(process.argv.slice(2), context);
    } catch (error) {
        processConsole.err(error instanceof ScriptFailure ? `\n${error.message}\n` : `${(error as Error)?.stack ?? String(error)}\n`);
        process.exitCode = 1;
    }
}
