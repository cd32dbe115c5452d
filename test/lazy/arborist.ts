import { lazyModule } from "./load";

module.exports = lazyModule("@npmcli/arborist");
