// The stand-in jest.config.js puts in place of a module @pulumi/pulumi loads but never uses
// here must still be that module when something does use it.
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

test("the tests' plain Node.js processes get jest.config.js's stand-in, and only for what it maps", () => {
    const root = path.join(__dirname, "..", "..");
    expect(standInFor("./typescript-shim")).toBe(path.join(root, "test", "lazy", "typescript.ts"));
    for (const request of ["typescript", "typescript/package.json", "./typescript-shim.js", path.join(pulumiDir, "index.js")]) {
        expect(standInFor(request)).toBeUndefined();
    }
});
