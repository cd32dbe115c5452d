/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: {
    "^.+\\.ts$": "<rootDir>/test/jestTransform.js",
  },
  // A module @pulumi/pulumi loads but this program never uses, loaded on first use (test/lazy/load.ts).
  moduleNameMapper: {
    "/typescript-shim$": "<rootDir>/test/lazy/typescript.ts",
  },
  // Per invocation: the program run server every test file asks for its runs, and one scratch folder for temporary files (test/sharedRuns.ts).
  globalSetup: "<rootDir>/test/sharedRunsSetup.ts",
  globalTeardown: "<rootDir>/test/sharedRunsTeardown.ts",
  // A test waits for program runs (the first one loads the SDK), and some run scripts for real: room on a busy 2-core machine.
  testTimeout: 60000,
  // A worker has no open handle when its tests end (checked with process.getActiveResourcesInfo()),
  // and runs its exit handlers at once, but the process then takes 300-600 ms on this machine to
  // end (freeing the heap that many program runs leave): past Jest's 500 ms default, which Jest
  // reported as "a worker process has failed to exit gracefully".
  workerGracefulExitTimeout: 5000,
  // Two cores, three test files at once: a third worker fills the time the others wait on the
  // run server, on moto and on the stop path's real timers (docs/testing.md, Speed).
  maxWorkers: 3,
};
