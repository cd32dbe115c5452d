// The cluster's generated secrets, created once for the whole cluster (their number never
// grows with slaveCount) and given identically to every node, whatever the target.
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { Settings } from "./config";
import { ServiceEndpoints, secretEnvironment } from "./environment";
import { ADMIN_PASSWORD_PARAMETER, SECRET_PARAMETERS, SecretName } from "./naming";
import { SECRET_LENGTHS, passwordArgs } from "./passwords";

/** The secrets a restored stack carries over from the stack whose data it restores. */
export type CarriedSecretName = Extract<SecretName, "sessionSecret" | "cryptoSecret">;

/** The secrets a config key rotates (dbPasswordRotation, redisAuthTokenRotation, adminPasswordRotation). */
export const ROTATABLE_SECRETS = ["dbPassword", "redisAuthToken", "adminPassword"] as const satisfies readonly (SecretName | "adminPassword")[];
export type RotatableSecret = (typeof ROTATABLE_SECRETS)[number];

export interface GeneratedSecretsArgs {
    /** Also generate the root user's password, for a master that completes setup itself. */
    adminPassword: boolean;
    /** Values set in config (sessionSecret, cryptoSecret): used instead of generated ones. */
    carried?: Partial<Record<CarriedSecretName, string>>;
    /** The generation of each rotatable secret: a new generation is a new value. */
    rotations: Record<RotatableSecret, number>;
}

/** The generations config gives the rotatable secrets. */
export function secretRotations(
    config: Pick<Settings, "dbPasswordRotation" | "redisAuthTokenRotation" | "adminPasswordRotation">,
): Record<RotatableSecret, number> {
    return { dbPassword: config.dbPasswordRotation, redisAuthToken: config.redisAuthTokenRotation, adminPassword: config.adminPasswordRotation };
}

const isRotatable = (secret: string): secret is RotatableSecret => (ROTATABLE_SECRETS as readonly string[]).includes(secret);


export class GeneratedSecrets extends pulumi.ComponentResource {
    /** The node secrets, each a Pulumi secret. */
    readonly values: Record<SecretName, pulumi.Output<string>>;
    /** Set when args.adminPassword: the root user's password, a Pulumi secret. */
    readonly adminPassword?: pulumi.Output<string>;

    constructor(name: string, args: GeneratedSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("new-api:secrets:GeneratedSecrets", name, {}, opts);
        const generate = (secret: keyof typeof SECRET_LENGTHS, leaf: string) => {
            const generation = isRotatable(secret) ? args.rotations[secret] : 0;
            const password = new random.RandomPassword(`${name}-${leaf}`, passwordArgs(secret, generation), { parent: this });
            // The provider marks `result` secret; under test mocks it does not, so say it here too.
            return pulumi.secret(password.result);
        };
        const values = {} as Record<SecretName, pulumi.Output<string>>;
        const carried: Partial<Record<SecretName, string>> = args.carried ?? {};
        for (const secret of Object.keys(SECRET_PARAMETERS) as SecretName[]) {
            const value = carried[secret];
            values[secret] = value === undefined ? generate(secret, SECRET_PARAMETERS[secret]) : pulumi.secret(value);
        }
        this.values = values;
        this.adminPassword = args.adminPassword ? generate("adminPassword", ADMIN_PASSWORD_PARAMETER) : undefined;
        this.registerOutputs({});
    }
}

/** The stack's secret outputs: the generated secrets and the connection strings built from them. */
export interface SecretOutputs extends Record<SecretName, pulumi.Output<string>> {
    sqlDsn: pulumi.Output<string>;
    redisConnectionString: pulumi.Output<string>;
}

/** The connection strings exactly as the nodes get them (secretEnvironment), as Pulumi secrets. */
export function secretOutputs(secrets: GeneratedSecrets, endpoints: pulumi.Input<ServiceEndpoints>): SecretOutputs {
    const environment = pulumi
        .all([pulumi.all(secrets.values), pulumi.output(endpoints)])
        .apply(([values, resolved]) => secretEnvironment(values as Record<SecretName, string>, resolved));
    return {
        ...secrets.values,
        sqlDsn: pulumi.secret(environment.apply((e) => e.SQL_DSN)),
        redisConnectionString: pulumi.secret(environment.apply((e) => e.REDIS_CONN_STRING)),
    };
}
