// The test files `npm run mutate` runs against each mutant. Jest loads every file its testMatch
// names for every mutant (the per-test filter only skips tests inside them), so keep the list to
// files that exercise the mutated modules directly, without a whole-program run under mocks.
// MUTATE_TESTS narrows it to the direct tests of the module being mutated (docs/mutation.md):
//   MUTATE_TESTS=weights npx stryker run --mutate components/weights.ts
const base = require("./jest.config");

const DIRECT_TESTS = [
    "config",
    "configRefused",
    "configRules",
    "configSecrets",
    "configRestoreKeys",
    "naming",
    "weights",
    "images",
    "secrets",
    "nginx",
    "environment",
    "userdata",
    "nodeStart",
    "masterSetup",
    "stopPath",
    "operatorScripts",
    "localScripts",
    "policyRules",
    "docs",
    "scripts",
];

const selected = (process.env.MUTATE_TESTS ?? "").split(/[\s,]+/).filter((name) => name !== "");

module.exports = {
    ...base,
    testMatch: (selected.length > 0 ? selected : DIRECT_TESTS).map((name) => `**/test/${name}.test.ts`),
};
