// The shipped stack files (Pulumi.<stack>.yaml) and the config they give the program.
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { CONFIG_NAMESPACE } from "../components/config";

const ROOT = path.join(__dirname, "..");

export const STACK_FILES = fs.readdirSync(ROOT).filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f)).sort();

export interface StackFile {
    stack: string;
    /** This project's keys, as Pulumi hands them to the program: strings, structured values as JSON. */
    config: Record<string, string>;
    /** Every key of the file, other namespaces' (aws:region) included. */
    document: Record<string, unknown>;
}

export function readStackFile(file: string): StackFile {
    const document = (YAML.parse(fs.readFileSync(path.join(ROOT, file), "utf8")) as { config: Record<string, unknown> }).config;
    const prefix = `${CONFIG_NAMESPACE}:`;
    const config = Object.fromEntries(
        Object.entries(document)
            .filter(([key]) => key.startsWith(prefix))
            .map(([key, value]) => [key.slice(prefix.length), typeof value === "string" ? value : JSON.stringify(value)]),
    );
    return { stack: file.split(".")[1], config, document };
}
