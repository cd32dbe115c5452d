// Lets a plain Node.js process load this project's TypeScript: each .ts file is transpiled on
// load, one file at a time and without a type check, as ts-jest does for Jest (isolatedModules),
// with the compiler options of tsconfig.json. Plain JavaScript: it is what makes .ts loadable.
// The output is cached by content (node_modules/.cache/, which `npm ci` empties): transpiling
// the program's 50 files costs a second of CPU at every `npm test` otherwise.
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");

const root = path.join(__dirname, "..");
const cacheDir = path.join(root, "node_modules", ".cache", "new-api-cluster-transpile");

let compiler;
/** The TypeScript compiler and tsconfig.json's options, loaded on the first file not in the cache. */
function typescript() {
    if (compiler === undefined) {
        const ts = require("typescript");
        const { config } = ts.readConfigFile(path.join(root, "tsconfig.json"), ts.sys.readFile);
        const { options } = ts.convertCompilerOptionsFromJson(config.compilerOptions, root);
        // No source maps: the run server and docker.test's child report messages, not stacks.
        compiler = { ts, compilerOptions: { ...options, sourceMap: false } };
    }
    return compiler;
}

/** What every file's output depends on: the compiler's version and tsconfig.json. */
const setup = [require("typescript/package.json").version, fs.readFileSync(path.join(root, "tsconfig.json"), "utf8")].join("\0");

/** A file's output depends on its path and source too. */
function cacheKey(fileName, source) {
    return crypto.createHash("sha256").update(`${setup}\0${fileName}\0${source}`).digest("hex");
}

require.extensions[".ts"] = (module, fileName) => {
    const source = fs.readFileSync(fileName, "utf8");
    const cached = path.join(cacheDir, `${cacheKey(fileName, source)}.js`);
    let output;
    try {
        output = fs.readFileSync(cached, "utf8");
    } catch {
        const { ts, compilerOptions } = typescript();
        output = ts.transpileModule(source, { compilerOptions, fileName }).outputText;
        fs.mkdirSync(cacheDir, { recursive: true });
        // Written whole, then renamed: a process reading it never sees half a file.
        fs.writeFileSync(`${cached}.${process.pid}`, output);
        fs.renameSync(`${cached}.${process.pid}`, cached);
    }
    module._compile(output, fileName);
};
