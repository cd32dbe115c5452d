// The shipped stack files (Pulumi.<stack>.yaml) and the config they give the program.
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { CONFIG_NAMESPACE } from "../components/config";

const ROOT = path.join(__dirname, "..");

export const STACK_FILES = fs.readdirSync(ROOT).filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f)).sort();

/** The complete stack configurations of examples/, an operator's starting points (paths from the project's root). */
export const EXAMPLE_FILES = fs
    .readdirSync(path.join(ROOT, "examples"))
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((f) => `examples/${f}`);

export interface StackFile {
    stack: string;
    /** This project's keys, as Pulumi hands them to the program: strings, structured values as JSON. */
    config: Record<string, string>;
    /** Every key of the file, other namespaces' (aws:region) included. */
    document: Record<string, unknown>;
}

/** The stack an example's comment copies it to (`cp examples/<name>.yaml Pulumi.<stack>.yaml`): its name makes the cluster's. */
function exampleStack(file: string, text: string): string {
    const stack = new RegExp(`cp ${file} Pulumi\\.([^.]+)\\.yaml`).exec(text)?.[1];
    if (stack === undefined) {
        throw new Error(`${file} does not say which stack file to copy it to (cp ${file} Pulumi.<stack>.yaml)`);
    }
    return stack;
}

export function readStackFile(file: string): StackFile {
    const text = fs.readFileSync(path.join(ROOT, file), "utf8");
    const document = (YAML.parse(text) as { config: Record<string, unknown> }).config;
    const prefix = `${CONFIG_NAMESPACE}:`;
    const config = Object.fromEntries(
        Object.entries(document)
            .filter(([key]) => key.startsWith(prefix))
            .map(([key, value]) => [key.slice(prefix.length), typeof value === "string" ? value : JSON.stringify(value)]),
    );
    return { stack: file.startsWith("examples/") ? exampleStack(file, text) : file.split(".")[1], config, document };
}
