// Pulumi.yaml's template section (`pulumi new <repository URL>`): it parses, names only real
// settings of this stack, and its defaults make a configuration the stack accepts.
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { CONFIG_KEYS, CONFIG_NAMESPACE, parseClusterConfig } from "../components/config";

interface TemplateValue {
    description?: string;
    default?: unknown;
}

const PROJECT = YAML.parse(fs.readFileSync(path.join(__dirname, "..", "Pulumi.yaml"), "utf8"));

/** Every way a template section fails `pulumi new` or this stack: unknown keys, missing descriptions, defaults config refuses. */
function templateProblems(project: { name: string; template?: { description?: string; config?: Record<string, TemplateValue> } }): string[] {
    const template = project.template;
    if (template === undefined || !template.description) {
        return ["no template section with a description"];
    }
    const problems: string[] = [];
    const own: Record<string, string> = {};
    let region: string | undefined;
    for (const [key, value] of Object.entries(template.config ?? {})) {
        if (!value.description) {
            problems.push(`${key} has no description`);
        }
        if (typeof value.default !== "string") {
            problems.push(`${key}: a default must be a string (Pulumi stores config as strings)`);
        }
        const [namespace, name] = key.split(":");
        if (key === "aws:region") {
            region = value.default as string;
        } else if (namespace !== CONFIG_NAMESPACE || !(CONFIG_KEYS as readonly string[]).includes(name)) {
            problems.push(`${key} is not a setting of this stack`);
        } else {
            own[name] = value.default as string;
        }
    }
    if (project.name !== CONFIG_NAMESPACE) {
        problems.push(`the project is named ${project.name}; the program reads its settings under ${CONFIG_NAMESPACE}`);
    }
    if (problems.length === 0) {
        try {
            parseClusterConfig(own, "dev", region);
        } catch (error) {
            problems.push(`the defaults are refused: ${(error as Error).message}`);
        }
    }
    return problems;
}

describe("the pulumi new template", () => {
    test("asks for the region, target, slave count and automatic setup, with descriptions and defaults the stack accepts", () => {
        expect(Object.keys(PROJECT.template.config)).toEqual([
            "aws:region",
            "new-api-cluster:target",
            "new-api-cluster:slaveCount",
            "new-api-cluster:adminUsername",
        ]);
        expect(templateProblems(PROJECT)).toEqual([]);
        const config = parseClusterConfig({ target: "aws", slaveCount: "2", adminUsername: "root" }, "dev", "us-east-1");
        expect([config.target, config.slaveCount, config.adminUsername]).toEqual(["aws", 2, "root"]);
    });

    test("the docker target accepts the same answers", () => {
        const answers = Object.fromEntries(
            Object.entries(PROJECT.template.config as Record<string, TemplateValue>)
                .filter(([key]) => key.startsWith(`${CONFIG_NAMESPACE}:`))
                .map(([key, value]) => [key.split(":")[1], key.endsWith(":target") ? "docker" : (value.default as string)]),
        );
        expect(parseClusterConfig(answers, "dev").target).toBe("docker");
    });

    test("an unknown key, a missing description, a default the stack refuses or another project name is caught", () => {
        const broken = (change: (p: any) => void) => {
            const copy = structuredClone(PROJECT);
            change(copy);
            return templateProblems(copy);
        };
        expect(broken((p) => (p.template.config["new-api-cluster:slaves"] = { description: "x", default: "2" }))).toEqual([
            "new-api-cluster:slaves is not a setting of this stack",
        ]);
        expect(broken((p) => delete p.template.config["aws:region"].description)).toEqual(["aws:region has no description"]);
        expect(broken((p) => (p.template.config["new-api-cluster:slaveCount"].default = "101"))).toEqual([
            expect.stringMatching(/the defaults are refused: [^]*slaveCount = "101"/),
        ]);
        expect(broken((p) => (p.template.config["new-api-cluster:slaveCount"].default = 2))).toEqual([
            expect.stringMatching(/a default must be a string/),
        ]);
        expect(broken((p) => (p.name = "my-gateway"))).toEqual([expect.stringMatching(/reads its settings under new-api-cluster/)]);
        expect(broken((p) => delete p.template)).toEqual(["no template section with a description"]);
    });
});
