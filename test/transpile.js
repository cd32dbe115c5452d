// Lets a plain Node.js process load this project's TypeScript: each .ts file is transpiled on
// load, one file at a time and without a type check, as ts-jest does for Jest (isolatedModules),
// with the compiler options of tsconfig.json. Plain JavaScript: it is what makes .ts loadable.
const fs = require("fs");
const path = require("path");
const ts = require("typescript");

const root = path.join(__dirname, "..");
const { config } = ts.readConfigFile(path.join(root, "tsconfig.json"), ts.sys.readFile);
const { options } = ts.convertCompilerOptionsFromJson(config.compilerOptions, root);
const compilerOptions = { ...options, sourceMap: false, inlineSourceMap: true, inlineSources: true };

require.extensions[".ts"] = (module, fileName) => {
    const { outputText } = ts.transpileModule(fs.readFileSync(fileName, "utf8"), { compilerOptions, fileName });
    module._compile(outputText, fileName);
};
