// Reading raw config values one key at a time, recording every problem so that an operator
// sees all mistakes at once. Each problem names the key, the value given and what is allowed.
// The SDK's errors module alone: validation stays free of the rest of the SDK (stack.ts reads it).
import { RunError } from "@pulumi/pulumi/errors";
import { Check } from "./checks";

/**
 * The project's name in this repository's Pulumi.yaml. Pulumi keeps a stack's settings under the
 * running project's name (pulumi.getProject()), which `pulumi new` may have changed: this is only
 * the default, for the tests and the documentation.
 */
export const CONFIG_NAMESPACE = "new-api-cluster";

/** Raw config as Pulumi stores it: every value a string, structured values as JSON. */
export type RawConfig = Record<string, string | undefined>;

/**
 * Invalid configuration. A RunError, so that the Pulumi CLI prints the message once, without
 * a stack trace or an inspect dump of this object.
 */
export class ConfigError extends RunError {
    constructor(
        readonly problems: string[],
        namespace = CONFIG_NAMESPACE,
    ) {
        super(
            `Invalid ${namespace} configuration (nothing was created):\n` +
                problems.map((p) => `  - ${p}`).join("\n"),
        );
        this.name = "ConfigError";
    }
}

/** How much of a refused value a problem quotes. */
const SHOWN_VALUE_LENGTH = 120;

export class ConfigReader {
    readonly problems: string[] = [];

    /** `hidden`: the keys whose values a problem never quotes (secrets); `namespace`: the running project's, which problems name keys under. */
    constructor(
        readonly raw: RawConfig,
        private readonly hidden: ReadonlySet<string> = new Set(),
        readonly namespace = CONFIG_NAMESPACE,
    ) {}

    /** Records a problem with a key's value (which may involve other settings); a long value is shown cut short, a secret not at all. */
    fail(key: string, value: string | undefined, allowed: string): void {
        if (this.hidden.has(key)) {
            this.problems.push(`${this.namespace}:${key} = [secret]: ${allowed}`);
            return;
        }
        const text = value ?? "";
        const shown = text.length > SHOWN_VALUE_LENGTH ? `${text.slice(0, SHOWN_VALUE_LENGTH)}… (${text.length} characters)` : text;
        this.problems.push(`${this.namespace}:${key} = ${JSON.stringify(shown)}: ${allowed}`);
    }

    isSet(key: string): boolean {
        return this.raw[key] !== undefined;
    }

    string(key: string, fallback: string, check: Check): string {
        const value = this.raw[key] ?? fallback;
        const problem = check(value);
        if (problem) {
            this.fail(key, value, problem);
        }
        return value;
    }

    integer(key: string, fallback: number, min: number, max: number): number {
        const value = this.raw[key];
        if (value === undefined) {
            return fallback;
        }
        const n = Number(value.trim());
        if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
            this.fail(key, value, `must be a whole number from ${min} to ${max}`);
            return fallback;
        }
        return n;
    }

    boolean(key: string, fallback: boolean): boolean {
        const value = this.raw[key];
        if (value === undefined) {
            return fallback;
        }
        if (value !== "true" && value !== "false") {
            this.fail(key, value, "must be true or false");
            return fallback;
        }
        return value === "true";
    }

    /** Structured config arrives as JSON; undefined (after recording a problem) when it is not. */
    private json(key: string, value: string, shape: string): unknown {
        try {
            return JSON.parse(value);
        } catch {
            this.fail(key, value, `must be ${shape}`);
            return undefined;
        }
    }

    /** A non-empty list of strings, each checked by `check`. */
    stringList(key: string, fallback: string[], description: string, check: Check): string[] {
        const value = this.raw[key];
        if (value === undefined) {
            return fallback;
        }
        const shape = `a non-empty list of strings (${description})`;
        const parsed = this.json(key, value, shape);
        if (parsed === undefined) {
            return fallback;
        }
        if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((i) => typeof i === "string")) {
            this.fail(key, value, `must be ${shape}`);
            return fallback;
        }
        const problems = parsed.map(check).filter((p): p is string => p !== undefined);
        if (problems.length > 0) {
            this.fail(key, value, problems.join("; "));
            return fallback;
        }
        return parsed;
    }

    /** A map whose values are strings, numbers or booleans; `check` vets each entry. */
    stringMap(key: string, check: (name: string, value: string) => string | undefined): Record<string, string> {
        const value = this.raw[key];
        if (value === undefined) {
            return {};
        }
        const shape = "a map of NAME: value";
        const parsed = this.json(key, value, shape);
        if (parsed === undefined) {
            return {};
        }
        if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
            this.fail(key, value, `must be ${shape}`);
            return {};
        }
        const result: Record<string, string> = {};
        const problems: string[] = [];
        for (const [name, item] of Object.entries(parsed as Record<string, unknown>)) {
            const text = typeof item === "string" || typeof item === "number" || typeof item === "boolean" ? String(item) : undefined;
            const problem = text === undefined ? `${name} must be a string, number or boolean` : check(name, text);
            if (problem) {
                problems.push(problem);
            } else {
                result[name] = text as string;
            }
        }
        if (problems.length > 0) {
            this.fail(key, value, problems.join("; "));
        }
        return result;
    }
}
