// What every script shares: where it writes, what it is given, and how it fails: a
// ScriptFailure is something the user can act on (commandLine.ts prints it as it is).
import { CommandError } from "@pulumi/pulumi/automation";
import type { CliInstaller } from "./pulumiCli";

export class ScriptFailure extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ScriptFailure";
    }
}

/** Where a script writes: its own lines, and the Pulumi CLI's live output. */
export interface Console {
    out(text: string): void;
    err(text: string): void;
}

/** What a script is given: the tests give a temporary project, a fake installer and a recording console. */
export interface ScriptContext {
    projectDir: string;
    installCli: CliInstaller;
    console: Console;
}

export const processConsole: Console = {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
};

/** What a failed Pulumi CLI command printed on stderr (the Automation API's error text wraps it in code/stdout/err fields). */
export function pulumiErrorText(error: unknown): string {
    if (error instanceof CommandError) {
        // A non-zero exit reaches the Automation API as execa's error, which holds the stderr.
        const result = (error as unknown as { commandResult: { stderr: string; err?: { stderr?: string } } }).commandResult;
        const stderr = (result.err?.stderr ?? result.stderr).trim();
        if (stderr) return stderr;
    }
    return error instanceof Error ? error.message : String(error);
}
