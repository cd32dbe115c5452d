// The building blocks of the AWS contract: a rule says what AWS requires of a value, cites
// where AWS says so, checks a registered resource, and can break a resource's inputs so that
// its own test sees it fire. The tables (tables/) are made of these; check.ts applies them.

/** A resource as AWS would receive it: secrets unwrapped, autonamed names filled in. */
export interface ResourceView {
    type: string;
    name: string;
    inputs: Record<string, any>;
}

/** Everything the program registered in one run, for rules that look across resources. */
export interface Context {
    resources: ResourceView[];
    /** The resource of `type` whose id (as the mocks give it) is `id`. */
    byId(type: string, id: string): ResourceView | undefined;
}

export interface Rule {
    /** What AWS requires, in words. */
    says: string;
    /** The AWS reference that states it. */
    ref: string;
    /** Why the resource breaks the rule, or undefined when it obeys. */
    check(resource: ResourceView, context: Context): string | undefined;
    /** A copy of `inputs` that breaks the rule: the rule's own test feeds it back to `check`. */
    breaks(inputs: Record<string, any>): Record<string, any>;
}

/** A rule over all resources of one type in a run: uniqueness, quotas per parent. */
export interface CollectiveRule {
    says: string;
    ref: string;
    check(resources: ResourceView[], context: Context): string[];
    /** The same resources, changed or added to so that the rule fires. */
    breaks(resources: ResourceView[]): ResourceView[];
}

/** How the AWS provider names a resource whose name input is left unset. */
export interface Autonaming {
    property: string;
    /** Between the logical name and the 7 random hex characters ("" for an RDS identifier). */
    separator: string;
    /** The provider's own limit: over it, Pulumi refuses to make a name. */
    maxLength: number;
    /** The provider lower-cases the name it makes (S3 buckets). */
    lowerCase?: boolean;
}

/** One resource type's contract. */
export interface Table {
    autonaming?: Autonaming;
    rules: Rule[];
    collective?: CollectiveRule[];
}

/** A constraint on one value: `test` returns a problem or undefined; `bad` is a value it refuses. */
export interface Constraint {
    says: string;
    test(value: any, inputs: Record<string, any>): string | undefined;
    bad: unknown;
}

const clone = <T>(value: T): T => structuredClone(value);

/** The values at a path such as "healthCheck.interval" or "defaultActions[].forward.targetGroups[].weight". */
export function valuesAt(inputs: unknown, path: string): unknown[] {
    let values: unknown[] = [inputs];
    for (const part of path.split(".")) {
        const key = part.replace(/\[\]$/, "");
        const spread = part.endsWith("[]");
        values = values.flatMap((v) => {
            const next = v !== null && typeof v === "object" ? (v as Record<string, unknown>)[key] : undefined;
            if (next === undefined) {
                return [];
            }
            return spread ? (Array.isArray(next) ? next : []) : [next];
        });
    }
    return values;
}

/** A copy of `inputs` with the value at `path` (its first element, through arrays) set to `value`. */
export function withValueAt(inputs: Record<string, any>, path: string, value: unknown): Record<string, any> {
    const copy = clone(inputs);
    const parts = path.split(".");
    let target: any = copy;
    parts.forEach((part, i) => {
        const key = part.replace(/\[\]$/, "");
        const last = i === parts.length - 1;
        if (part.endsWith("[]")) {
            if (!Array.isArray(target[key]) || target[key].length === 0) {
                target[key] = [{}];
            }
            if (last) {
                target[key][0] = value;
            } else {
                target = target[key][0];
            }
        } else if (last) {
            target[key] = value;
        } else {
            target[key] ??= {};
            target = target[key];
        }
    });
    return copy;
}

/** A rule on every value at `path` (absent values are left to `required`). */
export function field(path: string, constraint: Constraint, ref: string): Rule {
    return {
        says: `${path} ${constraint.says}`,
        ref,
        check: ({ inputs }) => {
            for (const value of valuesAt(inputs, path)) {
                const problem = constraint.test(value, inputs);
                if (problem) {
                    return `${path} = ${JSON.stringify(value)?.slice(0, 120)}: ${problem}`;
                }
            }
            return undefined;
        },
        breaks: (inputs) => withValueAt(inputs, path, constraint.bad),
    };
}

/** A rule on the resource as a whole, for cross-field and cross-resource requirements. */
export function rule(
    says: string,
    ref: string,
    holds: (inputs: Record<string, any>, context: Context) => boolean,
    breaks: (inputs: Record<string, any>) => Record<string, any>,
): Rule {
    return { says, ref, check: ({ inputs }, context) => (holds(inputs, context) ? undefined : says), breaks: (i) => breaks(clone(i)) };
}

export function required(path: string, ref: string): Rule {
    return rule(
        `${path} is required`,
        ref,
        (inputs) => valuesAt(inputs, path).length > 0,
        (inputs) => {
            const parts = path.split(".");
            const parent = parts.slice(0, -1).reduce((o: any, p) => o?.[p], inputs);
            if (parent) {
                delete parent[parts[parts.length - 1]];
            }
            return inputs;
        },
    );
}

export function length(min: number, max: number): Constraint {
    return {
        says: `has ${min}-${max} characters`,
        test: (v) => (typeof v === "string" && v.length >= min && v.length <= max ? undefined : `must have ${min}-${max} characters`),
        bad: "x".repeat(max + 1),
    };
}

/** UTF-8 bytes, where AWS counts bytes (EC2 userData). */
export function bytes(max: number): Constraint {
    return {
        says: `has at most ${max} bytes`,
        test: (v) => (typeof v === "string" && Buffer.byteLength(v, "utf8") <= max ? undefined : `has ${Buffer.byteLength(String(v), "utf8")} bytes, more than ${max}`),
        bad: "x".repeat(max + 1),
    };
}

export function pattern(re: RegExp, says: string, bad: string): Constraint {
    return { says, test: (v) => (typeof v === "string" && re.test(v) ? undefined : `must be ${says}`), bad };
}

export function oneOf(values: readonly unknown[]): Constraint {
    return {
        says: `is one of ${values.join(", ")}`,
        test: (v) => (values.includes(v) ? undefined : `must be one of ${values.join(", ")}`),
        bad: "not-an-allowed-value",
    };
}

export function integer(min: number, max: number): Constraint {
    return {
        says: `is a whole number from ${min} to ${max}`,
        test: (v) => (Number.isInteger(v) && v >= min && v <= max ? undefined : `must be a whole number from ${min} to ${max}`),
        bad: max + 1,
    };
}

export function count(min: number, max: number): Constraint {
    return {
        says: `lists ${min}-${max} items`,
        test: (v) => (Array.isArray(v) && v.length >= min && v.length <= max ? undefined : `must list ${min}-${max} items`),
        bad: Array.from({ length: max + 1 }, (_, i) => `item-${i}`),
    };
}

/** An IPv4 CIDR block (no host bits) with a prefix length in [minPrefix, maxPrefix]. */
export function cidr(minPrefix: number, maxPrefix: number): Constraint {
    return {
        says: `is an IPv4 CIDR block from /${minPrefix} to /${maxPrefix}`,
        test: (v) => {
            const match = typeof v === "string" ? /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(v) : null;
            if (!match || match.slice(1, 5).some((o) => Number(o) > 255)) {
                return "must be an IPv4 CIDR block";
            }
            const prefix = Number(match[5]);
            return prefix < minPrefix || prefix > maxPrefix ? `must have a prefix from /${minPrefix} to /${maxPrefix}` : undefined;
        },
        bad: `10.0.0.0/${minPrefix === 0 ? 33 : minPrefix - 1}`,
    };
}

/** A JSON document of at most `maxNonWhitespace` characters, not counting white space (IAM's way). */
export function jsonDocument(maxNonWhitespace: number): Constraint {
    return {
        says: `is a JSON document of at most ${maxNonWhitespace} characters without white space`,
        test: (v) => {
            try {
                JSON.parse(v);
            } catch {
                return "must be a JSON document";
            }
            const size = String(v).replace(/\s/g, "").length;
            return size > maxNonWhitespace ? `has ${size} characters without white space, more than ${maxNonWhitespace}` : undefined;
        },
        bad: JSON.stringify({ Statement: "x".repeat(maxNonWhitespace) }),
    };
}

/** Every value of a resource type is distinct: names and identifiers unique in an account and region (or a narrower scope). */
export function unique(path: string, ref: string, scope = "in the account and region"): CollectiveRule {
    return {
        says: `${path} is unique ${scope}`,
        ref,
        check: (resources) => {
            const seen = new Map<unknown, string>();
            const problems: string[] = [];
            for (const r of resources) {
                for (const value of valuesAt(r.inputs, path)) {
                    const first = seen.get(value);
                    if (first !== undefined) {
                        problems.push(`${path} = ${JSON.stringify(value)} is used by ${first} and ${r.name}`);
                    }
                    seen.set(value, r.name);
                }
            }
            return problems;
        },
        breaks: (resources) => {
            const first = resources.find((r) => valuesAt(r.inputs, path).length > 0) ?? resources[0];
            return [...resources, { ...first, name: `${first.name}-copy`, inputs: clone(first.inputs) }];
        },
    };
}

/** At most `max` resources of this type per value of `parentPath` (a quota per group, role, …). */
export function perParent(parentPath: string, max: number, says: string, ref: string): CollectiveRule {
    return {
        says,
        ref,
        check: (resources) => {
            const counts = new Map<unknown, number>();
            for (const r of resources) {
                const parent = valuesAt(r.inputs, parentPath)[0];
                counts.set(parent, (counts.get(parent) ?? 0) + 1);
            }
            return [...counts].filter(([, n]) => n > max).map(([parent, n]) => `${n} for ${parentPath} ${JSON.stringify(parent)}, more than ${max}`);
        },
        breaks: (resources) => [
            ...resources,
            ...Array.from({ length: max }, (_, i) => ({ ...resources[0], name: `${resources[0].name}-${i}`, inputs: clone(resources[0].inputs) })),
        ],
    };
}
