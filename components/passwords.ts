// How each generated secret is generated: its length and character classes, and the keepers
// that make a new generation a new value. Pure, without the Pulumi SDK: the tests' mocks
// generate the same passwords from it (test/mockAnswers.ts).
import type * as random from "@pulumi/random";
import type { SecretName } from "./naming";

/**
 * The keepers of a rotatable secret's RandomPassword: changing them replaces the password.
 * Generation 0 has none, so that a stack made before rotation existed keeps its secrets.
 */
export function rotationKeepers(generation: number): Record<string, string> | undefined {
    return generation === 0 ? undefined : { rotation: String(generation) };
}

/**
 * How long each generated secret is. All are letters and digits only, so that DSNs, URLs and
 * JSON need no escaping; the length is the largest each consumer accepts, up to 48:
 * - dbPassword: RDS MySQL MasterUserPassword, 8-41 printable ASCII characters other than
 *   / @ " and space (API_CreateDBInstance).
 * - redisAuthToken: ElastiCache AuthToken, 16-128 printable characters (API_CreateReplicationGroup).
 * - adminPassword: New API's user model allows 8-20 characters (model.User, validate "min=8,max=20").
 */
export const SECRET_LENGTHS: Record<SecretName | "adminPassword", number> = {
    sessionSecret: 48,
    cryptoSecret: 48,
    dbPassword: 40,
    redisAuthToken: 48,
    adminPassword: 20,
};

/**
 * The random.RandomPassword arguments of a secret: its length, at least 4 of each class, and
 * for a rotatable secret the keepers of its generation. SESSION_SECRET and CRYPTO_SECRET take
 * no generation: nothing in config regenerates them.
 */
export function passwordArgs(secret: keyof typeof SECRET_LENGTHS, generation = 0): random.RandomPasswordArgs {
    const keepers = rotationKeepers(generation);
    return {
        ...(keepers === undefined ? {} : { keepers }),
        length: SECRET_LENGTHS[secret],
        special: false,
        upper: true,
        lower: true,
        numeric: true,
        minUpper: 4,
        minLower: 4,
        minNumeric: 4,
    };
}
