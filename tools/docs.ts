// `npm run docs`: rewrites the generated parts of the docs: the tables of docs/configuration.md
// from the settings' schema, and docs/versions.md's table from the table of versions.
import * as fs from "fs";
import * as path from "path";
import { configurationTables } from "../components/config/docs";
import { versionsTable } from "../components/versions";

/** The generated part of the file, between its BEGIN and END markers. */
export const GENERATED = /(<!-- BEGIN settings[^\n]*-->\n)[\s\S]*?(<!-- END settings -->)/;
export const GENERATED_VERSIONS = /(<!-- BEGIN versions[^\n]*-->\n)[\s\S]*?(<!-- END versions -->)/;

function rewritten(markdown: string, marker: RegExp, name: string, content: string): string {
    if (!marker.test(markdown)) {
        throw new Error(`${name} has lost its BEGIN / END markers`);
    }
    return markdown.replace(marker, (_, begin: string, end: string) => `${begin}\n${content}\n\n${end}`);
}

export function withTables(markdown: string): string {
    return rewritten(markdown, GENERATED, "docs/configuration.md", configurationTables());
}

export function withVersions(markdown: string): string {
    return rewritten(markdown, GENERATED_VERSIONS, "docs/versions.md", versionsTable());
}

/** The project's root: the nearest folder above this file with a package.json (run from source or from bin/). */
function projectRoot(dir = __dirname): string {
    return fs.existsSync(path.join(dir, "package.json")) ? dir : projectRoot(path.dirname(dir));
}

if (require.main === module) {
    for (const [file, rewrite] of [
        ["configuration.md", withTables],
        ["versions.md", withVersions],
    ] as const) {
        const target = path.join(projectRoot(), "docs", file);
        fs.writeFileSync(target, rewrite(fs.readFileSync(target, "utf8")));
        console.log(`rewrote ${target}`);
    }
}
