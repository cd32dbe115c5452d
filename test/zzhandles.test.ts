import { program } from "./harness";
test("run", async () => {
    await program({ slaveCount: "0" });
});
afterAll(async () => {
    await new Promise((r) => setTimeout(r, 200));
    require("fs").writeFileSync("/tmp/handles.txt", JSON.stringify((process as any).getActiveResourcesInfo()) + "\n" + (process as any)._getActiveHandles().map((h: any) => h.constructor?.name + " " + (h._idleTimeout ?? "") + " " + (h._onTimeout?.toString().slice(0, 300) ?? "")).join("\n"));
});
