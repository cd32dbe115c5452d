// Reading back a rendered cloud-config, as cloud-init would.
import * as YAML from "yaml";
import { memoize } from "../components/memoize";

export interface WriteFile {
    path: string;
    permissions: string;
    content: string;
}

export interface CloudConfig {
    packages: string[];
    write_files: WriteFile[];
    runcmd: string[][];
}

/**
 * The cloud-config, parsed once per userData: tests read several files of each node's userData,
 * at 100 slaves hundreds of times. Frozen, since every caller shares it.
 */
export const parseCloudConfig: (userData: string) => CloudConfig = memoize((userData) => deepFreeze(YAML.parse(userData) as CloudConfig));

function deepFreeze<T>(value: T): T {
    if (value !== null && typeof value === "object") {
        Object.values(value).forEach(deepFreeze);
        Object.freeze(value);
    }
    return value;
}

/** The files the cloud-config writes, by path. */
export function writeFiles(userData: string): Record<string, WriteFile> {
    return Object.fromEntries(parseCloudConfig(userData).write_files.map((f) => [f.path, f]));
}

/** One written file's content; throws when the cloud-config does not write it. */
export function writeFile(userData: string, path: string): string {
    const file = writeFiles(userData)[path];
    if (!file) {
        throw new Error(`${path} not in userData`);
    }
    return file.content;
}

/** The parameters a rendered script is given (components/scripts/render.ts): its NAME='value' lines. */
export function scriptParameters(script: string): Record<string, string> {
    return Object.fromEntries([...script.matchAll(/^([A-Z][A-Z0-9_]*)='((?:[^']|'\\'')*)'$/gm)].map((m) => [m[1], m[2].replace(/'\\''/g, "'")]));
}

/** The parameters of a script the cloud-config writes. */
export function writtenScriptParameters(userData: string, path: string): Record<string, string> {
    return scriptParameters(writeFile(userData, path));
}
