import { lazyModule } from "./load";

module.exports = lazyModule("typescript");
