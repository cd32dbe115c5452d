// The Node.js the scripts need, checked before anything loads @pulumi/pulumi: local.ts and
// deploy.ts import this module first, for its effect at the end. The SDK (3.249 and later)
// and this project declare engines node >=22, but npm only warns about engines, and on an older
// Node.js the SDK fails with an error that does not say why.

/** package.json's engines.node is `>=` this (test/quickStartChecks.test.ts checks that they agree). */
export const MINIMUM_NODE_MAJOR = 22;
/** The LTS line to install: the one CI tests on first (.ci/node-versions). */
export const RECOMMENDED_NODE_MAJOR = 24;

/** Why Node.js `version` (as process.versions.node gives it) cannot run the scripts, and what to install; undefined if it can. */
export function nodeVersionProblem(version: string): string | undefined {
    const major = Number(/^v?(\d+)\./.exec(version)?.[1]);
    if (major >= MINIMUM_NODE_MAJOR) {
        return undefined;
    }
    return (
        `This is Node.js ${version}; this project needs Node.js ${MINIMUM_NODE_MAJOR} or later (engines in package.json, as @pulumi/pulumi's).\n` +
        `Install Node.js ${RECOMMENDED_NODE_MAJOR} LTS (https://nodejs.org/en/download), check that \`node --version\` prints v${RECOMMENDED_NODE_MAJOR}, and run again.`
    );
}

const problem = nodeVersionProblem(process.versions.node);
if (problem !== undefined) {
    process.stderr.write(`\n${problem}\n`);
    process.exit(1);
}
