// This project's TypeScript as JavaScript, one file at a time and without a type check (tsc does
// that, in npm test), with tsconfig.json's compiler options: for Jest (./jestTransform.js) and
// for the tests' plain Node.js processes (./register.js). Plain JavaScript: it runs before any
// TypeScript can load.
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");

const root = path.join(__dirname, "..");

let compiler;
/** The TypeScript compiler and tsconfig.json's options, loaded on the first file not in a cache. */
function typescript() {
    if (compiler === undefined) {
        const ts = require("typescript");
        const { config } = ts.readConfigFile(path.join(root, "tsconfig.json"), ts.sys.readFile);
        const { options } = ts.convertCompilerOptionsFromJson(config.compilerOptions, root);
        compiler = { ts, options };
    }
    return compiler;
}

/** `source`, the TypeScript file `fileName`, as JavaScript; `inlineSourceMap` appends its source map. */
function transpile(source, fileName, inlineSourceMap) {
    const { ts, options } = typescript();
    const compilerOptions = { ...options, sourceMap: false, inlineSourceMap, inlineSources: inlineSourceMap };
    return ts.transpileModule(source, { compilerOptions, fileName }).outputText;
}

/** What every file's output depends on: the compiler's version and tsconfig.json. */
const setup = [require("typescript/package.json").version, fs.readFileSync(path.join(root, "tsconfig.json"), "utf8")].join("\0");

/** A file's output depends on its path and source too, and on `more` (what else its reader puts in). */
function cacheKey(fileName, source, more = "") {
    return crypto.createHash("sha256").update(`${setup}\0${fileName}\0${source}\0${more}`).digest("hex");
}

module.exports = { cacheKey, transpile };
