// The stand-ins jest.config.js puts in place of modules @pulumi/pulumi loads but never uses
// here must still be those modules when something does use them.
import * as path from "path";
import { realModuleFile, standInFor } from "./load";

const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));

test("@pulumi/pulumi's TypeScript is a stand-in for the real compiler", () => {
    const ts = require(path.join(pulumiDir, "typescript-shim"));
    const real = require(realModuleFile("typescript"));
    expect(ts).not.toBe(real);
    expect(ts.version).toBe(real.version);
    expect(ts.createSourceFile("a.ts", "let a = 1;", ts.ScriptTarget.ES2022).statements).toHaveLength(1);
});

test("@pulumi/pulumi's Arborist is a stand-in that constructs the real class", () => {
    const arborist = require("@npmcli/arborist");
    const real = require(realModuleFile("@npmcli/arborist"));
    expect(arborist).not.toBe(real);
    expect(new arborist.Arborist({ path: pulumiDir })).toBeInstanceOf(real.Arborist);
    expect(new arborist({ path: pulumiDir })).toBeInstanceOf(real);
});

test("the tests' plain Node.js processes get jest.config.js's stand-ins, and only for what it maps", () => {
    const root = path.join(__dirname, "..", "..");
    expect(standInFor("./typescript-shim")).toBe(path.join(root, "test", "lazy", "typescript.ts"));
    expect(standInFor("@npmcli/arborist")).toBe(path.join(root, "test", "lazy", "arborist.ts"));
    for (const request of ["typescript", "typescript/package.json", "@npmcli/arborist/package.json", "./typescript-shim.js", path.join(pulumiDir, "index.js")]) {
        expect(standInFor(request)).toBeUndefined();
    }
});
