// shellcheck run once over many files, what it says split by file: one run costs about what one
// file does (its start-up dominates), and each file's test still names its own problems.
import { spawnSync } from "child_process";

interface Comment {
    file: string;
    line: number;
    column: number;
    level: string;
    code: number;
    message: string;
}

/**
 * The problems `shellcheck args files` finds in each of `files` (paths as given, relative to
 * `cwd`), as "file:line:column: level SCcode: message"; none for a file that passes. Throws when
 * shellcheck cannot run or says anything it does not tie to one of the files.
 */
export function shellcheck(files: string[], args: string[], cwd?: string): Record<string, string[]> {
    const result = spawnSync("shellcheck", ["--format=json1", ...args, ...files], { cwd, encoding: "utf8", timeout: 60000 });
    if (result.error) {
        throw new Error(`shellcheck could not run (install it: see .ci/run): ${result.error.message}`);
    }
    if (result.stderr !== "" || (result.status !== 0 && result.status !== 1)) {
        throw new Error(`shellcheck failed with status ${result.status}: ${result.stderr}`);
    }
    const problems: Record<string, string[]> = Object.fromEntries(files.map((file) => [file, []]));
    for (const c of (JSON.parse(result.stdout) as { comments: Comment[] }).comments) {
        if (problems[c.file] === undefined) {
            throw new Error(`shellcheck reported on ${c.file}, not one of ${files.join(", ")}: ${c.message}`);
        }
        problems[c.file].push(`${c.file}:${c.line}:${c.column}: ${c.level} SC${c.code}: ${c.message}`);
    }
    return problems;
}
