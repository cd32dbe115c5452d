// The program's import graph, with the policy pack's: no cycle, and the shared code (components/
// outside its target folders) and each target import no target of their own choosing: shared code
// never reaches into components/aws/ or components/docker/, and neither target into the other.
import * as fs from "fs";
import * as path from "path";
import { ROOT, projectFiles } from "./projectFiles";


/** Every TypeScript module of the program (index.ts and components/) and of the policy pack (policy/). */
function programModules(): string[] {
    return ["index.ts", ...projectFiles("components", /\.ts$/), ...projectFiles("policy", /\.ts$/)];
}

/** The program modules `file` imports (relative imports only; type-only imports count too). */
function importsOf(file: string): string[] {
    const text = fs.readFileSync(path.join(ROOT, file), "utf8");
    return [...text.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s+"(\.[^"]+)"/gms)].map(([, target]) => {
        const resolved = path.normalize(path.join(path.dirname(file), target));
        return fs.existsSync(path.join(ROOT, `${resolved}.ts`)) ? `${resolved}.ts` : path.join(resolved, "index.ts");
    });
}

const GRAPH = new Map(programModules().map((file) => [file, importsOf(file)]));

/** The folder a module belongs to, as far as the rules go: a target, the shared code, or the policy pack. */
const home = (file: string) =>
    file.startsWith("components/aws/")
        ? "aws"
        : file.startsWith("components/docker/")
          ? "docker"
          : file.startsWith("policy/")
            ? "policy"
            : file === "index.ts"
              ? "program"
              : "shared";

/** Every cycle of the graph, each as the path that closes it (depth-first, once per back edge). */
function cycles(): string[][] {
    const found: string[][] = [];
    const state = new Map<string, "open" | "done">();
    const stack: string[] = [];
    const visit = (file: string) => {
        state.set(file, "open");
        stack.push(file);
        for (const next of GRAPH.get(file) ?? []) {
            if (state.get(next) === "open") {
                found.push([...stack.slice(stack.indexOf(next)), next]);
            } else if (!state.has(next)) {
                visit(next);
            }
        }
        stack.pop();
        state.set(file, "done");
    };
    for (const file of GRAPH.keys()) {
        if (!state.has(file)) {
            visit(file);
        }
    }
    return found;
}

/** The imports from shared code into a target or the policy pack, or from one target into the other. */
function forbiddenArrows(): string[] {
    const allowed: Record<string, string[]> = {
        shared: ["shared"],
        aws: ["shared", "aws"],
        docker: ["shared", "docker"],
        program: ["shared", "aws", "docker"],
        policy: ["shared", "aws", "docker", "policy"],
    };
    return [...GRAPH].flatMap(([file, targets]) => targets.filter((t) => !allowed[home(file)].includes(home(t))).map((t) => `${file} -> ${t}`));
}

describe("the import graph", () => {
    test("every relative import names a module of the program", () => {
        const missing = [...GRAPH].flatMap(([file, targets]) => targets.filter((t) => !GRAPH.has(t)).map((t) => `${file} -> ${t}`));
        expect(missing).toEqual([]);
        expect(GRAPH.size).toBeGreaterThan(50);
    });

    test("has no cycle", () => {
        expect(cycles().map((cycle) => cycle.join(" -> "))).toEqual([]);
    });

    test("shared code imports no target, and no target the other", () => {
        expect(forbiddenArrows()).toEqual([]);
    });

    test("the checks can fail: a cycle and a shared-to-target arrow are found", () => {
        const real = new Map(GRAPH);
        try {
            GRAPH.set("components/naming.ts", [...(GRAPH.get("components/naming.ts") ?? []), "components/aws/cluster.ts"]);
            expect(cycles().length).toBeGreaterThan(0);
            expect(forbiddenArrows()).toEqual(["components/naming.ts -> components/aws/cluster.ts"]);
        } finally {
            GRAPH.clear();
            real.forEach((targets, file) => GRAPH.set(file, targets));
        }
    });
});

describe("components in one shape (docs/architecture.md, How the code is shaped)", () => {
    const sources = [...GRAPH.keys()].map((file) => ({ file, text: fs.readFileSync(path.join(ROOT, file), "utf8") }));
    /** The top-level declarations of a module: each from its line to the next top-level one. */
    const declarations = (text: string) => text.split(/\n(?=export |function |class |const )/);
    const RESOURCE = /new (?:[a-z]\w*\.)+(?!\w*Error\(|Config\()[A-Z]\w*\(/;

    test("each ComponentResource has the type token new-api:<module>:<its class name> and registers its outputs", () => {
        const components = sources.flatMap(({ file, text }) =>
            declarations(text)
                .filter((d) => /class \w+ extends pulumi\.ComponentResource/.test(d))
                .map((d) => ({ file, name: /class (\w+)/.exec(d)?.[1], token: /super\("([^"]+)"/.exec(d)?.[1], registers: d.includes("this.registerOutputs(") })),
        );
        expect(components.length).toBeGreaterThanOrEqual(16);
        const wrong = components.filter((c) => c.token !== undefined && !new RegExp(`^new-api:[a-z]+:${c.name}$`).test(c.token));
        expect(wrong).toEqual([]);
        expect(components.filter((c) => c.token === undefined || !c.registers)).toEqual([]);
    });

    test("a function that creates resources is a create* factory; every other exported function creates none", () => {
        const creating = sources.flatMap(({ file, text }) =>
            declarations(text)
                .filter((d) => /^export (?:async )?function (\w+)/.test(d) && RESOURCE.test(d))
                .map((d) => `${file}: ${/^export (?:async )?function (\w+)/.exec(d)?.[1]}`),
        );
        expect(creating.length).toBeGreaterThanOrEqual(3);
        expect(creating.filter((entry) => !/: create[A-Z]/.test(entry))).toEqual([]);
    });
});

describe("files a reader can hold in mind", () => {
    test("no code file is over 400 lines", () => {
        // Every code file of the project: TypeScript, JavaScript, shell.
        const files = projectFiles(".", /\.(ts|js|sh)$/);
        expect(files.length).toBeGreaterThan(150);
        const lines = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8").split("\n").length - 1;
        expect(files.filter((file) => lines(file) > 400).map((file) => `${file}: ${lines(file)} lines`)).toEqual([]);
    });
});
