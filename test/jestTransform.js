// Jest's transformer for this project's TypeScript: test/transpile.js's, with source maps. Jest
// keeps what it returns in its own cache, under getCacheKey's key, and asks for a file again only
// when that changes: the TypeScript compiler (9 MB) loads only then, not in every worker as
// ts-jest loaded it (half a second of CPU for each of Jest's processes).
const { cacheKey, transpile } = require("./transpile");

module.exports = {
    getCacheKey: (source, fileName, { configString }) => cacheKey(fileName, source, configString),
    process: (source, fileName) => ({ code: transpile(source, fileName, true) }),
};
