/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: {
    "^.+\\.ts$": "ts-jest",
  },
  // Modules @pulumi/pulumi loads but this program never uses, loaded on first use (test/lazy/load.ts).
  moduleNameMapper: {
    "/typescript-shim$": "<rootDir>/test/lazy/typescript.ts",
    "^@npmcli/arborist$": "<rootDir>/test/lazy/arborist.ts",
  },
  // One folder per invocation where test files share their program runs (test/sharedRuns.ts).
  globalSetup: "<rootDir>/test/sharedRunsSetup.ts",
  globalTeardown: "<rootDir>/test/sharedRunsTeardown.ts",
  // Loading @pulumi/aws is the slow part of every program test; give it room on 2 cores.
  testTimeout: 60000,
  // Two cores: run two test files at once (the default would use one worker).
  maxWorkers: 2,
};
