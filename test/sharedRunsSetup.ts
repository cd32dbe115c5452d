export { globalSetup as default } from "./sharedRuns";
