// The test files `npm run mutate` runs against each mutant: those that exercise the mutated
// modules directly, without a whole-program run under mocks (seconds per mutant, hours in all).
const base = require("./jest.config");

module.exports = {
    ...base,
    testMatch: [
        "**/test/config.test.ts",
        "**/test/naming.test.ts",
        "**/test/weights.test.ts",
        "**/test/nginx.test.ts",
        "**/test/userdata.test.ts",
        "**/test/bootScripts.test.ts",
        "**/test/localScripts.test.ts",
        "**/test/policyRules.test.ts",
        "**/test/docs.test.ts",
        "**/test/scripts.test.ts",
    ],
};
