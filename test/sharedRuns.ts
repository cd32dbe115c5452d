// Program runs shared by the test files of one `jest` invocation: the same configurations
// (the default stack, 0 to 5 slaves, the production example) are run by many files, in two
// worker processes. The first file to need a run computes it and leaves it as JSON in a folder
// made for this invocation (globalSetup below) and removed at its end (globalTeardown); a file
// that finds another worker computing it waits for the file. Nothing outlives the invocation,
// not even the tests' temporary folders.
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { ProgramRun } from "./mockRuntime";

/** The variable that names the invocation's folder, for the workers (they inherit Jest's environment). */
export const SHARED_RUNS_VARIABLE = "NEW_API_CLUSTER_SHARED_RUNS";

/** How long a file waits for a run another worker computes before computing it itself (a 100-slave run on a busy machine takes ~15 s). */
const WAIT_MS = 60_000;
const POLL_MS = 25;

/** The invocation's scratch folder, which also becomes the workers' TMPDIR: what the tests leave in temporary folders goes with it. */
const SCRATCH_VARIABLE = "NEW_API_CLUSTER_TEST_SCRATCH";

export async function globalSetup(): Promise<void> {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "new-api-cluster-tests-"));
    // Others may pass through, as through /tmp: a real nginx's workers run as nobody (test/nginx.test.ts).
    fs.chmodSync(scratch, 0o755);
    const runs = path.join(scratch, "program-runs");
    fs.mkdirSync(runs);
    Object.assign(process.env, { [SCRATCH_VARIABLE]: scratch, [SHARED_RUNS_VARIABLE]: runs, TMPDIR: scratch });
}

export async function globalTeardown(): Promise<void> {
    const scratch = process.env[SCRATCH_VARIABLE];
    if (scratch !== undefined) {
        fs.rmSync(scratch, { recursive: true, force: true });
    }
}

/**
 * The run `key` names: another file's if it made it, else `compute`'s, left for the others.
 * Every caller gets the run as JSON gives it back, so a run reads the same in every file.
 */
export async function sharedRun(key: string, compute: () => Promise<ProgramRun>): Promise<ProgramRun> {
    const dir = process.env[SHARED_RUNS_VARIABLE];
    if (dir === undefined || !fs.existsSync(dir)) {
        return JSON.parse(JSON.stringify(await compute()));
    }
    const file = path.join(dir, `${createHash("sha256").update(key).digest("hex")}.json`);
    const lock = `${file}.lock`;
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
        if (fs.existsSync(file)) {
            return JSON.parse(fs.readFileSync(file, "utf8"));
        }
        let claimed: number | undefined;
        try {
            claimed = Date.now() < deadline ? fs.openSync(lock, "wx") : undefined;
        } catch {
            // Another worker is computing it.
            await new Promise((wake) => setTimeout(wake, POLL_MS));
            continue;
        }
        try {
            const text = JSON.stringify(await compute());
            // Written whole, then renamed: a reader never sees half a file.
            fs.writeFileSync(`${file}.${process.pid}`, text);
            fs.renameSync(`${file}.${process.pid}`, file);
            return JSON.parse(text);
        } finally {
            if (claimed !== undefined) {
                fs.closeSync(claimed);
                fs.rmSync(lock, { force: true });
            }
        }
    }
}
