// Lets a plain Node.js process (the run server, docker.test's child: node --require this file)
// load this project's TypeScript, transpiled as Jest's is (./transpile.js) but without source
// maps: those processes report messages, not stacks; and gives it jest.config.js's stand-ins
// (./lazy/resolve.ts), as Jest's workers have them. The output is cached by content
// (node_modules/.cache/, which `npm ci` empties): transpiling the program's 50 files costs a
// second of CPU at every `npm test` otherwise.
const fs = require("fs");
const path = require("path");
const { cacheKey, transpile } = require("./transpile");

const cacheDir = path.join(__dirname, "..", "node_modules", ".cache", "new-api-cluster-transpile");

require.extensions[".ts"] = (module, fileName) => {
    const source = fs.readFileSync(fileName, "utf8");
    const cached = path.join(cacheDir, `${cacheKey(fileName, source)}.js`);
    let output;
    try {
        output = fs.readFileSync(cached, "utf8");
    } catch {
        output = transpile(source, fileName, false);
        fs.mkdirSync(cacheDir, { recursive: true });
        // Written whole, then renamed: a process reading it never sees half a file.
        fs.writeFileSync(`${cached}.${process.pid}`, output);
        fs.renameSync(`${cached}.${process.pid}`, cached);
    }
    module._compile(output, fileName);
};

// A --require hook runs before the process's own code: so before anything loads @pulumi/pulumi.
require("./lazy/resolve");
