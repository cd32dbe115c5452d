// jest.config.js's stand-in for the tests' plain Node.js processes (the run server, docker.test's
// child), loaded by their --require hook (test/register.js): Node resolves the requests Jest maps
// to the same stand-in. Loading @pulumi/pulumi there takes 0.65 s of CPU, 0.3 s with it (measured).
import Module = require("module");
import { standInFor } from "./load";

type Resolve = (request: string, ...rest: unknown[]) => string;
const moduleInternals = Module as unknown as { _resolveFilename: Resolve };
const resolve = moduleInternals._resolveFilename;
moduleInternals._resolveFilename = function (this: unknown, request, ...rest) {
    return standInFor(request) ?? resolve.call(this, request, ...rest);
};
