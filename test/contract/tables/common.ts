// What the tables of several services share: the EC2 and ELB references, the tag rules,
// RDS-style identifiers, KMS key references and policy documents.
import { Constraint, Rule, field, pattern, rule } from "../rules";

export const EC2 = "https://docs.aws.amazon.com/AWSEC2/latest/APIReference";
export const EC2_GUIDE = "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide";
export const ELB_GUIDE = "https://docs.aws.amazon.com/elasticloadbalancing/latest/application";

/** Letters, digits, white space and _ . : / = + - @: the tag characters of most services. */
export const TAG_CHARACTERS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/**
 * A service's tag rules: at most 50 tags, keys of 1-128 and values of at most 256 characters,
 * no `aws:` prefix, and (outside EC2, which allows any character) only `characters`.
 */
function tags(ref: string, characters?: RegExp): Constraint {
    return {
        says: `are at most 50 tags, keys 1-128 and values 0-256 characters${characters ? `, matching ${characters}` : ""}, no aws: prefix`,
        test: (value) => {
            const entries = Object.entries(value as Record<string, unknown>);
            if (entries.length > 50) {
                return `${entries.length} tags, more than 50`;
            }
            for (const [key, v] of entries) {
                const text = String(v);
                if (key.length < 1 || key.length > 128 || text.length > 256) {
                    return `tag ${key}: keys have 1-128 and values 0-256 characters`;
                }
                if (/^aws:/i.test(key)) {
                    return `tag ${key}: the aws: prefix is reserved`;
                }
                if (characters && (!characters.test(key) || !characters.test(text))) {
                    return `tag ${key} = ${JSON.stringify(text)}: only letters, digits, white space and _ . : / = + - @ (${ref})`;
                }
            }
            return undefined;
        },
        bad: characters ? { "new-api:why": "it's; not allowed" } : { "aws:cloudformation:stack-name": "reserved" },
    };
}

export const tagRule = (ref: string, characters?: RegExp) => field("tags", tags(ref, characters), ref);

/** RDS and ElastiCache identifiers: a letter first, then letters, digits and single hyphens, no hyphen last. */
export function awsIdentifier(max: number, lowerCase: boolean): Constraint {
    const letters = lowerCase ? "a-z" : "a-zA-Z";
    const re = new RegExp(`^(?=.{1,${max}}$)[${letters}](?!.*--)[${letters}0-9-]*(?<!-)$`);
    return pattern(re, `1-${max} ${lowerCase ? "lower-case " : ""}letters, digits and single hyphens, a letter first and no hyphen last`, "final--snapshot-");
}

/** A reference to a KMS key where services take one: key id, key ARN, alias name or alias ARN. */
export const KMS_KEY_REFERENCE = pattern(
    /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key\/[0-9a-f-]{36}|alias\/[a-zA-Z0-9/_-]+)|alias\/[a-zA-Z0-9/_-]+)$/,
    "a KMS key id, key ARN, alias name or alias ARN",
    "my key",
);

/** A policy document of at most `maxBytes`, white space counted (KMS and S3 count the document as sent). */
export function policyOfAtMost(maxBytes: number, ref: string): Rule {
    return rule(
        `policy is a JSON document of at most ${maxBytes} bytes`,
        ref,
        (i) => {
            try {
                JSON.parse(i.policy);
            } catch {
                return false;
            }
            return Buffer.byteLength(i.policy, "utf8") <= maxBytes;
        },
        (i) => ({ ...i, policy: JSON.stringify({ Version: "2012-10-17", Statement: [], Padding: "x".repeat(maxBytes) }) }),
    );
}

export type PolicyStatement = { Effect?: string; Principal?: unknown; Action?: string | string[]; Resource?: string | string[] };
export const statementsOf = (policy: string): PolicyStatement[] => [JSON.parse(policy).Statement ?? []].flat();
export const listOf = (value: string | string[] | undefined): string[] => [value ?? []].flat();
