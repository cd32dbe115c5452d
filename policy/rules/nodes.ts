// The EC2 nodes' rules: IMDSv2 for the host only, encrypted root volumes, no public IP or key pair,
// an instance profile, and no generated secret in userData or in any other plain input.
import { Rule, StackResource, TYPES, ofType, perResource } from "./rule";

/** The stack's generated secrets: what random.RandomPassword made, and what SecureStrings hold. */
function generatedSecrets(stack: StackResource[]): string[] {
    return [
        ...ofType(stack, TYPES.randomPassword).map((r) => r.props.result),
        ...ofType(stack, TYPES.parameter).filter((r) => r.props.type === "SecureString").map((r) => r.props.value),
    ].filter((v): v is string => typeof v === "string" && v.length >= 8);
}

/** The AWS inputs that hold a generated secret by design (Pulumi keeps them secret), by resource type. */
const SECRET_HOLDERS: [string, string[]][] = [
    [TYPES.parameter, ["value"]],
    [TYPES.rds, ["password"]],
    [TYPES.cache, ["authToken"]],
];

function withoutSecretProps(resource: StackResource): Record<string, any> {
    const held = SECRET_HOLDERS.find(([type]) => type === resource.type)?.[1] ?? [];
    // A SecureString's value is secret; a String parameter's is not.
    const secret = resource.type === TYPES.parameter && resource.props.type !== "SecureString" ? [] : held;
    return Object.fromEntries(Object.entries(resource.props).filter(([key]) => !secret.includes(key)));
}

/**
 * Looks like a credential: a password given literally (not read from a variable or command),
 * an AWS access key id, or an AWS secret key setting.
 */
const SECRET_PATTERNS = [/password\s*[=:]\s*["']?(?![$"'])[^\s"'$]{4,}/i, /\bAKIA[0-9A-Z]{16}\b/, /aws_secret_access_key/i];

export const NODE_RULES: Rule[] = [
    perResource("ec2-imdsv2", "Instances require IMDSv2 tokens.", TYPES.instance, (p) =>
        p.metadataOptions?.httpTokens === "required" ? undefined : "allows IMDSv1; set metadataOptions.httpTokens: required",
    ),
    perResource(
        "ec2-imds-hop-limit-1",
        "The instance metadata service answers the host only (hop limit 1): nothing in a container reaches the instance role.",
        TYPES.instance,
        (p) =>
            p.metadataOptions?.httpPutResponseHopLimit === 1
                ? undefined
                : `lets containers reach the instance role's credentials (IMDS hop limit ${p.metadataOptions?.httpPutResponseHopLimit ?? "default"}); set metadataOptions.httpPutResponseHopLimit: 1`,
    ),
    perResource("ec2-root-volume-encrypted", "Instance root volumes are encrypted.", TYPES.instance, (p) =>
        p.rootBlockDevice?.encrypted === true ? undefined : "has an unencrypted root volume; set rootBlockDevice.encrypted: true",
    ),
    perResource("ec2-no-public-ip", "Instances have no public IP.", TYPES.instance, (p) =>
        p.associatePublicIpAddress === true ? "gets a public IP; set associatePublicIpAddress: false" : undefined,
    ),
    perResource("ec2-no-key-pair", "Instances have no SSH key pair (use SSM Session Manager).", TYPES.instance, (p) =>
        p.keyName ? `has key pair ${p.keyName}; remove keyName and connect with SSM Session Manager` : undefined,
    ),
    perResource("ec2-no-secrets-in-user-data", "userData, which EC2 shows in clear text, holds no secret.", TYPES.instance, (p, stack) => {
        const userData = String(p.userData ?? "");
        if (generatedSecrets(stack).some((secret) => userData.includes(secret))) {
            return "userData contains a generated secret; nodes must read secrets from SSM at boot";
        }
        const pattern = SECRET_PATTERNS.find((re) => re.test(userData));
        return pattern ? `userData matches ${pattern}; move the secret to SSM Parameter Store` : undefined;
    }),
    {
        name: "secrets-only-where-secret",
        description: "A generated secret appears only in the inputs that hold it as a secret (SecureString values, the database password, the Redis token).",
        enforcementLevel: "mandatory",
        check: (stack) => {
            const secrets = generatedSecrets(stack);
            // AWS resources (the local target keeps secrets in container environments by design);
            // instances' userData has its own rule, ec2-no-secrets-in-user-data.
            return stack
                .filter((r) => r.type.startsWith("aws:") && r.type !== TYPES.instance)
                .map((r) => ({ ...r, props: withoutSecretProps(r) }))
                .filter((r) => secrets.some((secret) => JSON.stringify(r.props).includes(secret)))
                .map((r) => ({ message: `${r.name}: holds a generated secret in a plain input or output; keep secrets in SSM SecureString and secret inputs`, urn: r.urn }));
        },
    },
    perResource("ec2-instance-profile", "Instances have an instance profile (for SSM and their secrets).", TYPES.instance, (p) =>
        p.iamInstanceProfile ? undefined : "has no instance profile; set iamInstanceProfile",
    ),
];
