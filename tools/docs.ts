// `npm run docs`: rewrites the tables of docs/configuration.md from the settings' schema.
import * as fs from "fs";
import * as path from "path";
import { configurationTables } from "../components/config/docs";

/** The generated part of the file, between its BEGIN and END markers. */
export const GENERATED = /(<!-- BEGIN settings[^\n]*-->\n)[\s\S]*?(<!-- END settings -->)/;

export function withTables(markdown: string): string {
    if (!GENERATED.test(markdown)) {
        throw new Error("docs/configuration.md has lost its BEGIN settings / END settings markers");
    }
    return markdown.replace(GENERATED, (_, begin: string, end: string) => `${begin}\n${configurationTables()}\n\n${end}`);
}

/** The project's root: the nearest folder above this file with a package.json (run from source or from bin/). */
function projectRoot(dir = __dirname): string {
    return fs.existsSync(path.join(dir, "package.json")) ? dir : projectRoot(path.dirname(dir));
}

if (require.main === module) {
    const file = path.join(projectRoot(), "docs", "configuration.md");
    fs.writeFileSync(file, withTables(fs.readFileSync(file, "utf8")));
    console.log(`rewrote ${file}`);
}
