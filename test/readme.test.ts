// README is an operator's page: short, one way to deploy, one deploy-time estimate, a plain
// statement of what has been run, and none of the developers' material (test scores, where
// each price was found), which lives in docs/.
import * as fs from "fs";
import * as path from "path";
import { FIRST_DEPLOY_ESTIMATE, IAM_SERVICES } from "../tools/reference";

const ROOT = path.join(__dirname, "..");
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");
const README = read("README.md");
const DOCS = ["README.md", "CHANGELOG.md", ...fs.readdirSync(path.join(ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];
/** Text with its line breaks and runs of spaces folded, as a reader sees it. */
const folded = (text: string) => text.replace(/\s+/g, " ");
/** The lines of a markdown text's fenced code blocks. */
const codeLines = (text: string) => [...text.matchAll(/```[a-z]*\n([\s\S]*?)```/g)].flatMap((m) => m[1].split("\n"));
const section = (text: string, heading: string) => text.split(`\n## ${heading}\n`)[1].split("\n## ")[0];

describe("README", () => {
    test("has at most 300 lines", () => {
        expect(README.split("\n").length).toBeLessThanOrEqual(300);
    });

    test("deploys one way, npm run deploy, and leaves the Pulumi CLI's own path to docs/operations.md", () => {
        const commands = codeLines(README).map((line) => line.trim());
        expect(commands).toEqual(expect.arrayContaining(["npm run deploy -- --stack dev --preview    # what Pulumi.dev.yaml would create"]));
        expect(commands.filter((line) => line.startsWith("npm run deploy -- --stack")).length).toBeGreaterThan(3);
        expect(commands.filter((line) => /^pulumi (up|preview|destroy|refresh|new|stack (select|init))\b/.test(line))).toEqual([]);
        expect(codeLines(section(read("docs/operations.md"), "Deploying with the Pulumi CLI"))).toEqual(
            expect.arrayContaining(["pulumi up -s dev", "pulumi destroy -s dev"]),
        );
    });

    test("gives the one first-deploy estimate, as docs/operations.md does, and no other", () => {
        expect(folded(README)).toContain(FIRST_DEPLOY_ESTIMATE);
        expect(folded(section(read("docs/operations.md"), "What a first deploy takes"))).toContain(FIRST_DEPLOY_ESTIMATE);
        const ranges = [...folded(README).matchAll(/\d+\s*-\s*\d+\s*min/g)].map((m) => m[0]);
        expect(ranges).toEqual([...FIRST_DEPLOY_ESTIMATE.matchAll(/\d+-\d+ min/g)].map((m) => m[0]));
        // No page gives a first deploy another duration.
        for (const file of DOCS) {
            const sentences = folded(read(file)).split(/(?<=[.;:])\s/);
            const other = sentences.filter((s) => /first deploy[^.]*?\d+\s*-\s*\d+\s*min/i.test(s) && !s.includes(FIRST_DEPLOY_ESTIMATE));
            expect([file, other]).toEqual([file, []]);
        }
    });

    test("names, in short, every AWS service a deploy uses and iam:PassRole, and links the full tables", () => {
        const requirements = folded(section(README, "Requirements"));
        for (const { name } of Object.values(IAM_SERVICES)) {
            expect([name, requirements.includes(name)]).toEqual([name, true]);
        }
        expect(requirements).toContain("`iam:PassRole`");
        expect(requirements).toContain("(docs/requirements.md)");
    });

    test("says plainly what has and has not been run on AWS", () => {
        const statement = folded(section(README, "What has been run, and what has not"));
        expect(statement).toContain("Nothing in this project has been run on AWS or under `pulumi up` by its developers");
        expect(statement).toContain("Pulumi's mock runtime");
    });

    test("holds no developers' material: no test scores, no price sources, no index or file ids", () => {
        expect(README).not.toMatch(/mutat|\d+(\.\d+)? ?%|stored|Prices \(per unit|cost-prices|SKU/i);
        for (const file of [...DOCS, "components/aws/cost.ts"]) {
            expect([file, read(file).match(/stored[- ]index|index file|file id|\bfile \d{6,}/gi)]).toEqual([file, null]);
        }
    });
});
