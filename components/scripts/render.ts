// The shell scripts the stack runs are the .sh files of this folder, each shellchecked and run
// in tests as it is. renderScript turns one into the text a node's userData, a local command
// or a container runs: its parameters as shell assignments before it, and the functions it
// sources put in their place, so that the text stands alone.
import * as fs from "fs";
import * as path from "path";
import { memoize } from "../memoize";

/** A script's parameters, NAME → value: the script reads them as variables, set -u guarding each. */
export type ScriptParameters = Record<string, string | number>;

/**
 * Where the .sh files are: beside this module when it runs from source (Pulumi, jest), and in
 * the source tree when it runs compiled under bin/ (`npm run bench`), which tsc does not copy
 * them into.
 */
const SCRIPT_FOLDERS = [__dirname, path.resolve(__dirname, "..", "..", "..", "components", "scripts")];

/** Read once: every node's userData renders the same few files. */
const readScript = memoize((name: string): string => {
    const folder = SCRIPT_FOLDERS.find((dir) => fs.existsSync(path.join(dir, name)));
    if (folder === undefined) {
        throw new Error(`script ${name} not found in ${SCRIPT_FOLDERS.join(" or ")}`);
    }
    return fs.readFileSync(path.join(folder, name), "utf8");
});

/** What setup.sh and local-setup.sh replace with the root user's password in SETUP_REQUEST. */
export const SETUP_PASSWORD_PLACEHOLDER = "{{password}}";

/** Single-quotes a value for sh and bash: nothing in it is ever expanded. */
export function shellQuote(value: string): string {
    return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** `# shellcheck source=lib.sh` and `. "$(dirname "$0")/lib.sh"`: how a script sources a library of this folder. */
const SOURCE_LINES = /^# shellcheck source=(\S+)\n\. "\$\(dirname "\$0"\)\/\1"\n/gm;

/**
 * A script's text without its comment lines and blank lines: they explain the file, and
 * userData, where the scripts go, has room for 16 KB only. (No script has a here-document.)
 */
function withoutComments(text: string): string {
    return text
        .split("\n")
        .filter((line) => !/^\s*(#.*)?$/.test(line))
        .join("\n");
}

/**
 * The script `name` of this folder with `parameters` set before it, standing alone: the
 * libraries it sources put in their place, comments left in the file.
 */
export function renderScript(name: string, parameters: ScriptParameters): string {
    const [shebang, ...body] = readScript(name).split("\n");
    if (!shebang.startsWith("#!")) {
        throw new Error(`script ${name} has no #! line`);
    }
    const assignments = Object.entries(parameters).map(([parameter, value]) => {
        if (!/^[A-Z][A-Z0-9_]*$/.test(parameter)) {
            throw new Error(`script parameter ${parameter} is not an upper-case shell name`);
        }
        return `${parameter}=${shellQuote(String(value))}`;
    });
    const text = body.join("\n").replace(SOURCE_LINES, (_, library: string) => readScript(library));
    return [shebang, `# components/scripts/${name} and its parameters`, ...assignments, withoutComments(text), ""].join("\n");
}
