// npm run bench: evaluates the program under mocks for several slave counts and prints, for
// each, the resource count, the time to register every resource, and how many resources
// adding one slave changes (added + removed + changed inputs). Not a test: it prints figures,
// and fails only when adding a slave stops being O(1).
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { TARGET_HEALTH_CHECK } from "../components/aws/loadBalancer";
import { parseClusterConfig } from "../components/config";
import { MODEL_START_SECONDS, rolloutSeconds } from "../components/rollout";
import { stopBudget } from "../components/stopBudget";
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

/** The rollouts' modelled durations (rollout.ts) at the default settings: a model, not a measurement. */
function printRollouts(): void {
    const config = parseClusterConfig({}, "bench");
    const stop = stopBudget(config);
    const healthySeconds = TARGET_HEALTH_CHECK.healthyThreshold * TARGET_HEALTH_CHECK.interval;
    console.log(
        `rollouts (modelled: rolloutBatchPercent ${config.rolloutBatchPercent}, drain at most ${stop.drainWaitSeconds} s, stop at most ${stop.stopSeconds} s, ` +
            `start ${MODEL_START_SECONDS.replace} s new / ${MODEL_START_SECONDS.restart} s restarted, healthy ${healthySeconds} s)`,
    );
    console.log("slaveCount | upgrade (replace) min | rotation (restart) min");
    for (const slaveCount of [1, 10, 100]) {
        const model = { slaveCount, rolloutBatchPercent: config.rolloutBatchPercent, drainWaitSeconds: stop.drainWaitSeconds, stopSeconds: stop.stopSeconds, healthySeconds };
        console.log([slaveCount, (rolloutSeconds(model, "replace") / 60).toFixed(1), (rolloutSeconds(model, "restart") / 60).toFixed(1)].join(" | "));
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
    printRollouts();
    if (new Set(changedCounts).size !== 1) {
        console.error(`adding one slave changes a number of resources that depends on the size: ${changedCounts.join(", ")}`);
        process.exit(1);
    }
}

main();
