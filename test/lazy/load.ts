// Jest maps two modules that @pulumi/pulumi loads for function serialization (which this
// program never uses) to stand-ins that load the real module on first use (jest.config.js):
// the TypeScript compiler (9 MB) and npm's Arborist (with its ~150 dependencies). Node loads
// them once per process, but Jest loads every module again for each test file: they were
// two thirds of the time each test file spent loading @pulumi/pulumi.
import * as path from "path";

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
