// The kinds of setting the schema is made of (a number, a choice, a text, ...): each knows its
// documentation and how to read and check its value. settings/ lists the settings themselves,
// and schema.ts puts them in reading order.
import { Check } from "./checks";
import { ConfigReader } from "./reader";

/** Where the cluster runs: AWS, or the local Docker engine (the quick start). */
export type Target = "aws" | "docker";

/** Which target reads a setting; a setting of the other target is refused. */
export type Scope = Target | "both";

/** The documentation's tables, in order. */
export const SECTIONS = {
    cluster: "Cluster and nodes (both targets)",
    nodes: "EC2 nodes (AWS)",
    database: "Database: RDS for MySQL (AWS; its version on both targets)",
    cache: "Cache: ElastiCache for Valkey or Redis OSS (AWS; engine and version on both targets)",
    network: "Network (AWS)",
    operations: "Operations (AWS)",
    local: "Local target (docker)",
} as const;
export type Section = keyof typeof SECTIONS;

/** What a setting's default may depend on: the stack's name and the settings read before it. */
export interface ReadContext {
    readonly stack: string;
    readonly earlier: Readonly<Record<string, unknown>>;
}

export interface Setting<T> {
    readonly scope: Scope;
    readonly section: Section;
    /** What the setting does, for the documentation (markdown). */
    readonly doc: string;
    /** The allowed values in words, for the documentation (markdown). */
    readonly allowed: string;
    /** The default as the documentation shows it (markdown). */
    readonly shownDefault: string;
    /** A secret: must be stored with `pulumi config set --secret`, and its value is never shown. */
    readonly secret?: boolean;
    read(reader: ConfigReader, key: string, context: ReadContext): T;
}

export interface Common {
    scope: Scope;
    section: Section;
    doc: string;
}

export type Default<T> = T | ((context: ReadContext) => T);

export function resolve<T>(fallback: Default<T>, context: ReadContext): T {
    return typeof fallback === "function" ? (fallback as (context: ReadContext) => T)(context) : fallback;
}

export const code = (value: unknown) => `\`${typeof value === "string" ? value : JSON.stringify(value)}\``;

export function integer(spec: Common & { default: Default<number>; min: number; max: number; unit?: string; shownDefault?: string }): Setting<number> {
    return {
        ...spec,
        allowed: `${spec.min}-${spec.max}${spec.unit ? ` ${spec.unit}` : ""}`,
        shownDefault: spec.shownDefault ?? code(spec.default),
        read: (reader, key, context) => reader.integer(key, resolve(spec.default, context), spec.min, spec.max),
    };
}

export function boolean(spec: Common & { default: Default<boolean>; shownDefault?: string }): Setting<boolean> {
    return {
        ...spec,
        allowed: "`true`, `false`",
        shownDefault: spec.shownDefault ?? code(spec.default),
        read: (reader, key, context) => reader.boolean(key, resolve(spec.default, context)),
    };
}

export function choice<T extends string>(spec: Common & { values: readonly T[]; default: T }): Setting<T> {
    const allowed = (value: string) =>
        (spec.values as readonly string[]).includes(value) ? undefined : `must be one of ${spec.values.join(", ")}`;
    return {
        ...spec,
        allowed: spec.values.map(code).join(", "),
        shownDefault: code(spec.default),
        read: (reader, key) => reader.string(key, spec.default, allowed) as T,
    };
}

/** `checkDefault`: the default is made from outside input (the stack's name) and checked like a value. */
export function text(spec: Common & { default: Default<string>; check: Check; allowed: string; shownDefault?: string; checkDefault?: boolean }): Setting<string> {
    return {
        ...spec,
        shownDefault: spec.shownDefault ?? (typeof spec.default === "string" ? code(spec.default) : "—"),
        // Otherwise a default is valid, or was checked as the setting it comes from.
        read: (reader, key, context) =>
            reader.isSet(key) || spec.checkDefault ? reader.string(key, resolve(spec.default, context), spec.check) : resolve(spec.default, context),
    };
}

/** A string without a default (or whose default depends on other settings and may be unset). */
export function optionalText(
    spec: Common & { check: Check; allowed: string; default?: (context: ReadContext) => string | undefined; shownDefault?: string },
): Setting<string | undefined> {
    return {
        ...spec,
        shownDefault: spec.shownDefault ?? "—",
        read: (reader, key, context) => (reader.isSet(key) ? reader.string(key, "", spec.check) : spec.default?.(context)),
    };
}

export function list(spec: Common & { default: string[]; item: Check; allowed: string; shownDefault?: string }): Setting<string[]> {
    return {
        ...spec,
        shownDefault: spec.shownDefault ?? code(spec.default),
        read: (reader, key) => reader.stringList(key, spec.default, spec.allowed.replace(/`/g, ""), spec.item),
    };
}

/**
 * A secret string without a default: stored with `--secret`, kept secret end to end by the
 * components (pulumi.secret), and never quoted in a problem.
 */
export function secretText(spec: Common & { check: Check; allowed: string }): Setting<string | undefined> {
    return { ...optionalText(spec), secret: true, allowed: `${spec.allowed}; set with \`pulumi config set --secret\`` };
}

/** A name's value in stack files is a string, number or boolean: e.g. extraEnv. */
export function map(spec: Common & { entry: (name: string, value: string) => string | undefined; allowed: string }): Setting<Record<string, string>> {
    return { ...spec, shownDefault: "`{}`", read: (reader, key) => reader.stringMap(key, spec.entry) };
}


/** A setting read earlier (SETTINGS is read in order): what a default may depend on. */
export const earlier = <T>(context: ReadContext, key: string) => context.earlier[key] as T;
