// The cluster's generated secrets: created once for the whole cluster (their number never
// grows with slaveCount), kept in SSM Parameter Store, and read by every node at boot.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { SECRET_PARAMETERS, SecretName, secretParameterName, secretParameterPath } from "./naming";

export interface ClusterSecretsArgs {
    clusterName: string;
    tags: Record<string, string>;
}

/**
 * Letters and digits only, so that DSNs and URLs need no escaping and the RDS password
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
    /** Nodes depend on these, so that no node boots before its secrets exist. */
    readonly parameters: aws.ssm.Parameter[];
    /** Everything below this path belongs to this cluster; the nodes may read only here. */
    readonly parameterPath: string;

    constructor(name: string, args: ClusterSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("new-api:secrets:ClusterSecrets", name, {}, opts);
        const secrets = Object.keys(SECRET_PARAMETERS) as SecretName[];
        const values = {} as Record<SecretName, pulumi.Output<string>>;
        const parameterNames = {} as Record<SecretName, string>;
        const parameters: aws.ssm.Parameter[] = [];

        for (const secret of secrets) {
            const suffix = SECRET_PARAMETERS[secret];
            const password = new random.RandomPassword(
                `${name}-${suffix}`,
                { length: SECRET_LENGTH, special: false, upper: true, lower: true, numeric: true, minUpper: 4, minLower: 4, minNumeric: 4 },
                { parent: this },
            );
            // The provider marks `result` secret; under test mocks it does not, so say it here too.
            values[secret] = pulumi.secret(password.result);
            parameterNames[secret] = secretParameterName(args.clusterName, secret);
            const parameter = new aws.ssm.Parameter(
                `${name}-${suffix}`,
                {
                    name: parameterNames[secret],
                    description: DESCRIPTIONS[secret],
                    type: "SecureString",
                    value: values[secret],
                    tags: args.tags,
                },
                { parent: this },
            );
            parameters.push(parameter);
        }

        this.values = values;
        this.parameterNames = parameterNames;
        this.parameters = parameters;
        this.parameterPath = secretParameterPath(args.clusterName);
        this.registerOutputs({ parameterNames, parameterArns: parameters.map((p) => p.arn) });
    }
}
