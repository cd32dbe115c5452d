// Where the stack's generated secrets may appear: only inside values Pulumi keeps secret.
// Used over every configuration the tests run whole (test/contract.test.ts, test/programSecrets.test.ts).
import { ProgramRun, SECRET_SIG_KEY, mockPassword, unwrapSecrets } from "./mockRuntime";

/** The value Pulumi's serializer marks a secret with, under the key SECRET_SIG_KEY. */
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

const RANDOM_PASSWORD = "random:index/randomPassword:RandomPassword";

export const isSecretInput = (value: unknown): boolean =>
    typeof value === "object" && value !== null && (value as Record<string, unknown>)[SECRET_SIG_KEY] === SECRET_SIG;

/** Every value the random provider generated in this run, as the mocks generated it. */
export function generatedSecrets(run: ProgramRun): string[] {
    return run.resources.filter((r) => r.type === RANDOM_PASSWORD).map((r) => mockPassword(r.name, unwrapSecrets(r.inputs)));
}

/** Paths (type::name, then the input path) of every plain string, skipping values marked secret. */
function plainStrings(value: unknown, path: string): [string, string][] {
    if (isSecretInput(value)) {
        return [];
    }
    if (typeof value === "string") {
        return [[path, value]];
    }
    if (Array.isArray(value)) {
        return value.flatMap((v, i) => plainStrings(v, `${path}[${i}]`));
    }
    if (value !== null && typeof value === "object") {
        return Object.entries(value).flatMap(([k, v]) => [[`${path}.${k} (key)`, k] as [string, string], ...plainStrings(v, `${path}.${k}`)]);
    }
    return [];
}

/**
 * Where a generated secret appears outside a Pulumi secret: in a resource's name or any of its
 * inputs (tags, userData, descriptions, names...), of every resource type.
 */
export function plainSecretLeaks(run: ProgramRun): string[] {
    const secrets = generatedSecrets(run);
    return run.resources.flatMap((r) => {
        const id = `${r.type}::${r.name}`;
        return [["name", r.name] as [string, string], ...plainStrings(r.inputs, "inputs")]
            .filter(([, text]) => secrets.some((secret) => text.includes(secret)))
            .map(([path]) => `${id} ${path}`);
    });
}

/**
 * The inputs made to hold a secret, by resource type; AWS shows every other input (tags, names,
 * descriptions, userData) to anyone who may describe the resource, secret-marked or not. The
 * local target hands secrets to its containers by design, and a command `pulumi up` runs on the
 * operator's machine (the export check) gets them through its environment, which AWS never sees.
 */
const SECRET_INPUTS: Record<string, (inputs: Record<string, any>) => string[]> = {
    "aws:ssm/parameter:Parameter": (inputs) => (inputs.type === "SecureString" ? ["value"] : []),
    "aws:rds/instance:Instance": () => ["password"],
    "aws:elasticache/replicationGroup:ReplicationGroup": () => ["authToken"],
    "docker:index/container:Container": () => ["envs", "uploads"],
    "command:local:Command": () => ["environment"],
};

interface Holder {
    id: string;
    /** Whether the input is one made to hold a secret. */
    expected: boolean;
}

/** For each generated secret, the inputs (type::name.input) that hold it. */
export function secretHolders(run: ProgramRun): Record<string, Holder[]> {
    const inputs = run.resources.flatMap((r) => {
        const expected = SECRET_INPUTS[r.type]?.(unwrapSecrets(r.inputs)) ?? [];
        return Object.entries(r.inputs).map(([key, value]) => ({
            id: `${r.type}::${r.name}.${key}`,
            expected: expected.includes(key),
            text: JSON.stringify(unwrapSecrets(value)) ?? "",
        }));
    });
    return Object.fromEntries(
        generatedSecrets(run).map((secret) => [secret, inputs.filter((i) => i.text.includes(secret)).map(({ id, expected }) => ({ id, expected }))]),
    );
}

/** Inputs that hold a generated secret though they are not made for one (see SECRET_INPUTS). */
export const misplacedSecrets = (run: ProgramRun): string[] =>
    Object.values(secretHolders(run)).flatMap((holders) => holders.filter((h) => !h.expected).map((h) => h.id));

/** Generated secrets that no input made for a secret holds: the scans above would be vacuous for them. */
export const unusedSecrets = (run: ProgramRun): string[] =>
    Object.entries(secretHolders(run)).filter(([, holders]) => !holders.some((h) => h.expected)).map(([secret]) => secret);

/** The stack outputs that hold a generated secret without being Pulumi secrets, and whether each output is secret. */
export function exportSecrecy(run: ProgramRun): { leaks: string[]; secret: string[] } {
    const secrets = generatedSecrets(run);
    const leaks: string[] = [];
    const secret: string[] = [];
    for (const [name, value] of Object.entries(run.exports)) {
        if (value === undefined) {
            continue;
        }
        const text = JSON.stringify(value) ?? "";
        const isSecret = run.secretExports.includes(name);
        if (isSecret) {
            secret.push(name);
        } else if (secrets.some((s) => text.includes(s))) {
            leaks.push(name);
        }
    }
    return { leaks, secret: secret.sort() };
}
