// `npm run docs`: rewrites the generated tables of docs/ (each between its BEGIN and END
// markers) from the code: the settings' schema, the stack outputs, the deploy permissions, the
// table of versions.
import * as fs from "fs";
import * as path from "path";
import { configurationTables } from "../components/config/docs";
import { versionsTable } from "../components/versions";
import { deployPermissionsTable, operatorPermissionsTable, outputsTable } from "./reference";

/** Each generated block: the file that holds it, its marker name, and what it holds. */
export const GENERATED_BLOCKS = [
    { file: "docs/configuration.md", name: "settings", content: configurationTables },
    { file: "docs/operations.md", name: "outputs", content: outputsTable },
    { file: "docs/requirements.md", name: "deploy-permissions", content: deployPermissionsTable },
    { file: "docs/requirements.md", name: "operator-permissions", content: operatorPermissionsTable },
    { file: "docs/versions.md", name: "versions", content: versionsTable },
] as const;

/** The generated part of a file: from `<!-- BEGIN name … -->` to `<!-- END name -->`. */
export function markers(name: string): RegExp {
    return new RegExp(`(<!-- BEGIN ${name}\\b[^\\n]*-->\\n)[\\s\\S]*?(<!-- END ${name} -->)`);
}

/** `markdown` with the blocks of `file` rewritten. */
export function withTables(file: string, markdown: string): string {
    return GENERATED_BLOCKS.filter((block) => block.file === file).reduce((text, block) => {
        const pattern = markers(block.name);
        if (!pattern.test(text)) {
            throw new Error(`${file} has lost its BEGIN ${block.name} / END ${block.name} markers`);
        }
        return text.replace(pattern, (_, begin: string, end: string) => `${begin}\n${block.content()}\n\n${end}`);
    }, markdown);
}

/** The project's root: the nearest folder above this file with a package.json (run from source or from bin/). */
function projectRoot(dir = __dirname): string {
    return fs.existsSync(path.join(dir, "package.json")) ? dir : projectRoot(path.dirname(dir));
}

if (require.main === module) {
    for (const file of new Set(GENERATED_BLOCKS.map((block) => block.file))) {
        const absolute = path.join(projectRoot(), file);
        fs.writeFileSync(absolute, withTables(file, fs.readFileSync(absolute, "utf8")));
        console.log(`rewrote ${absolute}`);
    }
}
