// Pulumi.yaml's template section (`pulumi new <repository URL>`): it parses, names only real
// settings of this stack without a namespace, and its defaults are the program's own.
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { CONFIG_KEYS, CONFIG_NAMESPACE, parseClusterConfig } from "../components/config";

interface TemplateValue {
    description?: string;
    default?: unknown;
}

const PROJECT = YAML.parse(fs.readFileSync(path.join(__dirname, "..", "Pulumi.yaml"), "utf8"));

/**
 * Every way a template section fails `pulumi new` or this stack: unknown keys, a key under a
 * project's namespace (`pulumi new` would store it there, not under the new project's name),
 * missing descriptions, a default that differs from the program's own.
 */
function templateProblems(project: { name: string; template?: { description?: string; config?: Record<string, TemplateValue> } }): string[] {
    const template = project.template;
    if (template === undefined || !template.description) {
        return ["no template section with a description"];
    }
    const problems: string[] = [];
    const programDefaults = parseClusterConfig({}, "dev", "us-east-1") as unknown as Record<string, unknown>;
    for (const [key, value] of Object.entries(template.config ?? {})) {
        if (!value.description) {
            problems.push(`${key} has no description`);
        }
        if (typeof value.default !== "string") {
            problems.push(`${key}: a default must be a string (Pulumi stores config as strings)`);
        }
        if (key === "aws:region") {
            continue;
        }
        if (key.includes(":")) {
            problems.push(`${key} names a namespace: pulumi new would store it there, not under the new project's name`);
        } else if (!(CONFIG_KEYS as readonly string[]).includes(key)) {
            problems.push(`${key} is not a setting of this stack`);
        } else if (value.default !== String(programDefaults[key])) {
            problems.push(`${key}: the default ${JSON.stringify(value.default)} is not the program's (${JSON.stringify(String(programDefaults[key]))})`);
        }
    }
    return problems;
}

describe("the pulumi new template", () => {
    test("asks for the region, target and slave count, with the program's own defaults, keys without a namespace as in Pulumi's templates", () => {
        expect(Object.keys(PROJECT.template.config)).toEqual(["aws:region", "target", "slaveCount"]);
        expect(templateProblems(PROJECT)).toEqual([]);
    });

    test("the answers land under the new project's name, where the program reads them", () => {
        const answers = Object.fromEntries(
            Object.entries(PROJECT.template.config as Record<string, TemplateValue>)
                .filter(([key]) => !key.includes(":"))
                .map(([key]) => [`my-cluster:${key}`, key === "target" ? "docker" : "3"]),
        );
        const own = Object.fromEntries(Object.entries(answers).map(([key, value]) => [key.slice("my-cluster:".length), value]));
        const config = parseClusterConfig(own, "dev", undefined, [], { project: "my-cluster", otherKeys: ["aws:region"] });
        expect([config.target, config.slaveCount]).toEqual(["docker", 3]);
    });

    test("an unknown key, a namespaced key, a missing description or a default other than the program's is caught", () => {
        const broken = (change: (p: any) => void) => {
            const copy = structuredClone(PROJECT);
            change(copy);
            return templateProblems(copy);
        };
        expect(broken((p) => (p.template.config.slaves = { description: "x", default: "2" }))).toEqual(["slaves is not a setting of this stack"]);
        expect(broken((p) => (p.template.config[`${CONFIG_NAMESPACE}:adminUsername`] = { description: "x", default: "root" }))).toEqual([
            "new-api-cluster:adminUsername names a namespace: pulumi new would store it there, not under the new project's name",
        ]);
        expect(broken((p) => delete p.template.config["aws:region"].description)).toEqual(["aws:region has no description"]);
        expect(broken((p) => (p.template.config.slaveCount.default = "4"))).toEqual(['slaveCount: the default "4" is not the program\'s ("2")']);
        expect(broken((p) => (p.template.config.slaveCount.default = 2))).toEqual([
            expect.stringMatching(/a default must be a string/),
            expect.stringMatching(/is not the program's/),
        ]);
        expect(broken((p) => delete p.template)).toEqual(["no template section with a description"]);
    });
});
