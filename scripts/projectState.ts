// What the local script keeps inside the project, all under one git-ignored folder
// (.gitignore: `.pulumi-local/`): the stack's state (a file backend), the passphrase that
// encrypts its secrets, Pulumi's home (plugins, the selected stack) and a CLI it installed.
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { ScriptFailure } from "./script";

export const PROJECT_STATE_DIR = ".pulumi-local";

export interface ProjectState {
    /** The file backend's folder and its URL for PULUMI_BACKEND_URL. */
    stateDir: string;
    backendUrl: string;
    passphraseFile: string;
    pulumiHome: string;
}

export function projectState(projectDir: string): ProjectState {
    const root = path.join(projectDir, PROJECT_STATE_DIR);
    const stateDir = path.join(root, "state");
    return {
        stateDir,
        // file:// + an absolute path; forward slashes on Windows too.
        backendUrl: `file://${stateDir.split(path.sep).join("/")}`,
        passphraseFile: path.join(root, "passphrase"),
        pulumiHome: path.join(root, "home"),
    };
}

/** The folders the CLI writes into; only their owner may read them (the passphrase is among them). */
export function createStateFolders(state: ProjectState): void {
    for (const dir of [path.dirname(state.stateDir), state.stateDir, state.pulumiHome]) {
        fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    }
}

export function readPassphrase(state: ProjectState): string | undefined {
    return fs.existsSync(state.passphraseFile) ? fs.readFileSync(state.passphraseFile, "utf8").trim() : undefined;
}

/** A new random passphrase, written once (mode 0600) beside the state it encrypts. */
export function generatePassphrase(state: ProjectState): string {
    const passphrase = randomBytes(32).toString("base64url");
    fs.writeFileSync(state.passphraseFile, `${passphrase}\n`, { mode: 0o600, flag: "wx" });
    return passphrase;
}

/**
 * Pulumi keeps a passphrase stack's salt in its config file (Pulumi.<stack>.yaml), and a new
 * stack must then be created with the passphrase that salt belongs to: a salt already there,
 * when this script is about to generate a passphrase, is another one's (an earlier manual
 * `pulumi stack init`), and `pulumi stack init` would fail with "incorrect passphrase".
 */
export function refuseForeignSalt(projectDir: string, stackName: string): void {
    const file = `Pulumi.${stackName}.yaml`;
    const fullPath = path.join(projectDir, file);
    if (!fs.existsSync(fullPath)) return;
    const salt = (YAML.parse(fs.readFileSync(fullPath, "utf8")) as { encryptionsalt?: string } | null)?.encryptionsalt;
    if (salt === undefined) return;
    throw new ScriptFailure(
        `${file} has an \`encryptionsalt:\` line from a stack "${stackName}" created earlier with a passphrase of yours, ` +
            `which this script does not know.\n` +
            `Either delete that line from ${file} (this script then creates its own stack, state in ${PROJECT_STATE_DIR}), ` +
            `or keep using that stack: PULUMI_BACKEND_URL=<its backend> PULUMI_CONFIG_PASSPHRASE=<its passphrase> npm run local`,
    );
}

/** The folder holding Pulumi.yaml, from where a script's file lives (scripts/ or bin/scripts/). */
export function findProjectDir(start: string): string {
    for (let dir = start; ; dir = path.dirname(dir)) {
        if (fs.existsSync(path.join(dir, "Pulumi.yaml"))) return dir;
        if (path.dirname(dir) === dir) throw new Error(`No Pulumi.yaml above ${start}`);
    }
}
