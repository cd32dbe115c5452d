// The cluster's generated secrets: created once for the whole cluster (their number never
// grows with slaveCount), kept in SSM Parameter Store, and read by the nodes at boot.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import {
    ADMIN_PASSWORD_PARAMETER,
    SECRET_PARAMETERS,
    SecretName,
    clusterParameterName,
    secretParameterPath,
} from "./naming";

export interface ClusterSecretsArgs {
    clusterName: string;
    /** Also generate the root user's password, for a master that completes setup itself. */
    adminPassword: boolean;
    tags: Record<string, string>;
}

/**
 * Letters and digits only, so that DSNs, URLs and JSON need no escaping and the RDS password
 * rules (no / @ " or space) and the ElastiCache AUTH rules (16-128 printable) both hold.
 */
export const SECRET_LENGTH = 48;

const DESCRIPTIONS: Record<SecretName, string> = {
    sessionSecret: "New API SESSION_SECRET (cookie session key), identical on every node",
    cryptoSecret: "New API CRYPTO_SECRET (cache key HMAC), identical on every node",
    dbPassword: "Password of the RDS MySQL user the nodes connect as",
    redisAuthToken: "ElastiCache Redis AUTH token",
};

export class ClusterSecrets extends pulumi.ComponentResource {
    /** The secret values, each a Pulumi secret. */
    readonly values: Record<SecretName, pulumi.Output<string>>;
    /** The SSM parameter names, identical for every node. */
    readonly parameterNames: Record<SecretName, string>;
    /** Set when args.adminPassword: the root user's password, a Pulumi secret. */
    readonly adminPassword?: pulumi.Output<string>;
    /** Nodes depend on these, so that no node boots before its secrets exist. */
    readonly parameters: aws.ssm.Parameter[] = [];
    /** Everything below this path belongs to this cluster; the nodes may read only here. */
    readonly parameterPath: string;

    constructor(name: string, args: ClusterSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("new-api:secrets:ClusterSecrets", name, {}, opts);
        const generate = (leaf: string, description: string) => {
            const password = new random.RandomPassword(
                `${name}-${leaf}`,
                {
                    length: SECRET_LENGTH,
                    special: false,
                    upper: true,
                    lower: true,
                    numeric: true,
                    minUpper: 4,
                    minLower: 4,
                    minNumeric: 4,
                },
                { parent: this },
            );
            // The provider marks `result` secret; under test mocks it does not, so say it here too.
            const value = pulumi.secret(password.result);
            const parameterName = clusterParameterName(args.clusterName, leaf);
            this.parameters.push(
                new aws.ssm.Parameter(
                    `${name}-${leaf}`,
                    { name: parameterName, description, type: "SecureString", value, tags: args.tags },
                    { parent: this },
                ),
            );
            return { value, parameterName };
        };

        const values = {} as Record<SecretName, pulumi.Output<string>>;
        const parameterNames = {} as Record<SecretName, string>;
        for (const secret of Object.keys(SECRET_PARAMETERS) as SecretName[]) {
            const generated = generate(SECRET_PARAMETERS[secret], DESCRIPTIONS[secret]);
            values[secret] = generated.value;
            parameterNames[secret] = generated.parameterName;
        }
        if (args.adminPassword) {
            this.adminPassword = generate(ADMIN_PASSWORD_PARAMETER, "New API root user password, set by the master's setup").value;
        }

        this.values = values;
        this.parameterNames = parameterNames;
        this.parameterPath = secretParameterPath(args.clusterName);
        this.registerOutputs({ parameterNames, parameterArns: this.parameters.map((p) => p.arn) });
    }
}
