// The documentation stays true to the code: the settings' tables are the schema's, every
// relative link lands on a file and heading that exist, and the component table names the
// classes and type tokens the code has; and the speed docs/testing.md counts on: no file
// imports @pulumi/aws's package root.
import * as fs from "fs";
import * as path from "path";
import { CONFIG_KEYS, DEFAULT_IMAGE, SETTINGS, parseClusterConfig } from "../components/config";
import { nodeEnvironment, secretEnvironment } from "../components/environment";
import { configurationTables } from "../components/config/docs";
import { GENERATED_BLOCKS, markers, withTables } from "../tools/docs";
import { projectFiles } from "./projectFiles";

const ROOT = path.join(__dirname, "..");
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");
const DOCS = ["README.md", ...fs.readdirSync(path.join(ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
function anchor(heading: string): string {
    return heading
        .toLowerCase()
        .replace(/`/g, "")
        .replace(/[^\p{L}\p{N} _-]/gu, "")
        .replace(/ /g, "-");
}

function anchorsOf(markdown: string): string[] {
    const withoutCode = markdown.replace(/```[\s\S]*?```/g, "");
    return [...withoutCode.matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchor(m[1].trim()));
}

describe("the generated tables", () => {
    test.each(GENERATED_BLOCKS.map((block) => [block.file, block.name]))("%s: %s is what the code makes (npm run docs rewrites it)", (file, name) => {
        const doc = read(file);
        expect(doc).toMatch(markers(name));
        expect(withTables(file, doc)).toBe(doc);
    });
});

describe("docs/configuration.md", () => {
    test("they list every setting once, with a default, allowed values and a meaning", () => {
        const keys = [...configurationTables().matchAll(/^\| `([A-Za-z]+)` \| (.+?) \| (.+?) \| (.+?) \|$/gm)].map((m) => m[1]);
        expect(keys).toEqual([...CONFIG_KEYS]);
    });

    test("every default the tables show as a value is the one the program takes", () => {
        const docker = parseClusterConfig({ target: "docker" }, "dev");
        const aws = parseClusterConfig({}, "dev");
        // These defaults are other settings (or the stack's name), shown by name.
        const derived = ["clusterName", "slaveImage", "masterInstanceType", "sqlMaxIdleConns", "finalSnapshot", "deregistrationDelay"];
        const literal = CONFIG_KEYS.filter((key) => SETTINGS[key].shownDefault.startsWith("`") && !derived.includes(key));
        expect(literal.length).toBeGreaterThan(30);
        for (const key of literal) {
            const value = SETTINGS[key].scope === "docker" ? docker[key] : aws[key];
            expect([key, SETTINGS[key].shownDefault]).toEqual([key, `\`${typeof value === "string" ? value : JSON.stringify(value)}\``]);
        }
    });
});

describe("links", () => {
    test.each(DOCS)("every relative link in %s lands on an existing file and heading", (file) => {
        const markdown = read(file).replace(/```[\s\S]*?```/g, "");
        const broken: string[] = [];
        for (const [, target] of markdown.matchAll(/\]\(([^)\s]+)\)/g)) {
            if (/^[a-z]+:/.test(target)) {
                continue;
            }
            const [linkPath, fragment] = target.split("#");
            const resolved = linkPath === "" ? file : path.normalize(path.join(path.dirname(file), linkPath));
            if (!fs.existsSync(path.join(ROOT, resolved))) {
                broken.push(`${target}: no file ${resolved}`);
            } else if (fragment !== undefined && !anchorsOf(read(resolved)).includes(fragment)) {
                broken.push(`${target}: no heading #${fragment} in ${resolved}`);
            }
        }
        expect(broken).toEqual([]);
    });
});

describe("docs/architecture.md's component table", () => {
    test("names each component's file, class and type token as the code has them", () => {
        const rows = [...read("docs/architecture.md").matchAll(/^\| [^|]+ \| `([\w/.]+\.ts)` `(\w+)`[^|]* \| `(new-api:[\w:]+)` \|/gm)];
        const sources = fs.readdirSync(path.join(ROOT, "components"), { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"));
        const components = sources.flatMap((file) =>
            [...fs.readFileSync(path.join(ROOT, "components", file), "utf8").matchAll(/class (\w+) extends pulumi\.ComponentResource[\s\S]*?super\("([^"]+)"/g)].map(
                (m) => `${path.basename(file)} ${m[1]} ${m[2]}`,
            ),
        );
        const documented = rows.map((m) => `${path.basename(m[1])} ${m[2]} ${m[3]}`);
        expect(documented.length).toBeGreaterThan(0);
        expect(documented.sort()).toEqual(components.sort());
    });
});

describe("@pulumi/aws imports", () => {
    const sources = projectFiles(".", /\.ts$/).map((file) => ({ file, text: read(file) }));
    const imported = (pattern: RegExp) => sources.flatMap(({ file, text }) => [...text.matchAll(pattern)].map((m) => `${file}: ${m[1]}`));

    // The package root loads every AWS service: tsc reads all their declarations (2,700 files).
    test("no file imports the package root, only the service modules it uses", () => {
        expect(sources.map(({ file }) => file)).toEqual(expect.arrayContaining(["index.ts", "components/aws/network.ts", "test/docs.test.ts"]));
        expect(imported(/((?:from|import|require\()\s*(["'])@pulumi\/aws\2)/g)).toEqual([]);
    });

    test("every service module imported is a file Node loads (the package has no exports map)", () => {
        const modules = [...new Set(imported(/["'](@pulumi\/aws\/[^"']+)["']/g).map((line) => line.split(": ")[1]))];
        expect(modules).toEqual(expect.arrayContaining(["@pulumi/aws/ec2", "@pulumi/aws/getRegion"]));
        for (const module of modules) {
            expect(require.resolve(module)).toMatch(/\.js$/);
        }
    });
});

describe("docs/new-api.md", () => {
    test("its table has every variable the nodes are given, and names the release each was checked in", () => {
        const table = read("docs/new-api.md").split("## What the nodes set")[1].split("\n## ")[0];
        const documented = new Set([...table.matchAll(/^\| ([^|]+) \|/gm)].flatMap((m) => [...m[1].matchAll(/`([A-Z_]+)`/g)].map((v) => v[1])));
        const config = parseClusterConfig({ domainName: "api.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ" }, "dev");
        const frontDoor = { trustedProxies: ["10.0.0.0/20"], httpsOrigins: ["https://api.example.com"] };
        const secrets = { sessionSecret: "s", cryptoSecret: "c", dbPassword: "p", redisAuthToken: "t" };
        const given = [
            ...Object.keys(nodeEnvironment("slave", "n", config, frontDoor)),
            ...Object.keys(secretEnvironment(secrets, { databaseHost: "db", redisHost: "r", tls: true, logDatabaseHost: "log" })),
        ];
        expect(given.filter((name) => !documented.has(name))).toEqual([]);
        expect(read("docs/new-api.md")).toContain(`\`${DEFAULT_IMAGE}\``);
    });
});

describe("docs/testing.md, How the suite is laid out", () => {
    test("names every test file once, and no file that is not there", () => {
        const page = read("docs/testing.md");
        const section = page.slice(page.indexOf("## How the suite is laid out"), page.indexOf("\n## ", page.indexOf("## How the suite is laid out") + 1));
        const named = [...section.matchAll(/`([\w/]+\.test\.ts)`/g)].map((m) => m[1]);
        expect(named.filter((file, i) => named.indexOf(file) !== i)).toEqual([]);
        expect([...named].sort()).toEqual(projectFiles("test", /\.test\.ts$/).map((file) => path.relative("test", file)).sort());
    });
});
