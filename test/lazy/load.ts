// Jest maps the TypeScript compiler (9 MB), which @pulumi/pulumi loads for function
// serialization (this program never uses it), to a stand-in that loads the real module on first
// use (jest.config.js). Node loads it once per process, but Jest loads every module again for
// each test file: loading @pulumi/pulumi takes twice the CPU with it (0.65 s against 0.3 s in a
// plain Node.js process, measured with 3.276). The tests' plain Node.js processes get the same
// stand-in (./resolve.ts).
import * as path from "path";

const rootDir = path.join(__dirname, "..", "..");
const { moduleNameMapper } = require(path.join(rootDir, "jest.config.js")) as { moduleNameMapper: Record<string, string> };
const standIns = Object.entries(moduleNameMapper).map(([pattern, file]) => ({ pattern: new RegExp(pattern), file: file.replace("<rootDir>", rootDir) }));

/** The file jest.config.js loads for `request` in its place, if any. */
export function standInFor(request: string): string | undefined {
    return standIns.find(({ pattern }) => pattern.test(request))?.file;
}

/** The file `require(id)` loads from @pulumi/pulumi, found past Jest's mapping (which would give the stand-in). */
export function realModuleFile(id: string): string {
    const packageJson = require.resolve(`${id}/package.json`, { paths: [path.dirname(require.resolve("@pulumi/pulumi/package.json"))] });
    return path.join(path.dirname(packageJson), require(packageJson).main ?? "index.js");
}

/** A stand-in for the module `id`, loading it on first use. */
export function lazyModule(id: string): object {
    const file = realModuleFile(id);
    let loaded: any;
    const load = () => (loaded ??= require(file));
    // Answers `__esModule` so that TypeScript's import helpers keep the stand-in (they would
    // copy every property, loading the module), and `default` as they would for CommonJS.
    return new Proxy(function standIn() {}, {
        get: (_, key) => (key === "__esModule" ? true : key === "default" ? load() : load()[key]),
        apply: (_, self, args) => load().apply(self, args),
        construct: (_, args) => new (load())(...args),
    });
}
