// npm run bench: evaluates the program under mocks for several slave counts and prints, for
// each, the resource count, the time to register every resource, and how many resources
// adding one slave changes (added + removed + changed inputs). Not a test: it prints figures,
// and fails only when adding a slave stops being O(1).
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Registration, diffRegistrations } from "../test/diff";

const SLAVE_COUNTS = [1, 10, 50, 100];

interface Evaluation {
    evaluationMs: number;
    resources: Registration[];
}

function evaluate(slaveCount: number): Evaluation {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "new-api-bench-"));
    const outputFile = path.join(dir, "evaluation.json");
    try {
        execFileSync(process.execPath, [path.join(__dirname, "evaluate.js"), String(slaveCount), outputFile], {
            stdio: ["ignore", "ignore", "inherit"],
        });
        return JSON.parse(fs.readFileSync(outputFile, "utf8")) as Evaluation;
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

function main(): void {
    console.log(`machine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? "unknown CPU"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`);
    // The added slave is the Nth (N-1 -> N): slaveCount cannot exceed 100.
    console.log("slaveCount N | resources | evaluation ms | ms per resource | changed by N-1 -> N");
    const changedCounts: number[] = [];
    for (const slaveCount of SLAVE_COUNTS) {
        const before = evaluate(slaveCount - 1);
        const base = evaluate(slaveCount);
        const diff = diffRegistrations(before.resources, base.resources);
        const changed = diff.added.length + diff.removed.length + diff.changed.length;
        changedCounts.push(changed);
        const perResource = base.evaluationMs / base.resources.length;
        console.log(
            [slaveCount, base.resources.length, base.evaluationMs.toFixed(0), perResource.toFixed(2), changed]
                .map(String)
                .join(" | "),
        );
    }
    if (new Set(changedCounts).size !== 1) {
        console.error(`adding one slave changes a number of resources that depends on the size: ${changedCounts.join(", ")}`);
        process.exit(1);
    }
}

main();
