export { globalTeardown as default } from "./sharedRuns";
