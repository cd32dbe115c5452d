// The project's own files, for the tests that read the source: what npm installs (node_modules),
// compiled output (bin/) and dot folders (.git, .ci's Node.js, .pulumi-local, .stryker-tmp) left out.
import * as fs from "fs";
import * as path from "path";

export const ROOT = path.join(__dirname, "..");

/** The files below `dir` (relative to the project's root) whose names match `name`, as paths from the root. */
export function projectFiles(dir: string, name: RegExp): string[] {
    return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) {
            return ["node_modules", "bin"].includes(entry.name) || entry.name.startsWith(".") ? [] : projectFiles(file, name);
        }
        return name.test(entry.name) ? [file] : [];
    });
}
