// The generated secrets in SSM Parameter Store (SecureString), where every node reads the
// same parameters at boot through its instance role: never in userData, which EC2 shows.
import * as ssm from "@pulumi/aws/ssm";
import * as pulumi from "@pulumi/pulumi";
import { ADMIN_PASSWORD_PARAMETER, SECRET_PARAMETERS, SecretName, clusterParameterName, secretParameterPath } from "../naming";
import { GeneratedSecrets } from "../secrets";

export interface SecretParametersArgs {
    clusterName: string;
    secrets: GeneratedSecrets;
    /** The cluster's KMS key (its id): not aws/ssm, which any principal that may read a parameter can use. */
    kmsKeyId: pulumi.Input<string>;
    tags: Record<string, string>;
}

const DESCRIPTIONS: Record<SecretName, string> = {
    sessionSecret: "New API SESSION_SECRET (cookie session key), identical on every node",
    cryptoSecret: "New API CRYPTO_SECRET (cache key HMAC), identical on every node",
    dbPassword: "Password of the RDS MySQL user the nodes connect as",
    redisAuthToken: "ElastiCache Redis AUTH token",
};

export class SecretParameters extends pulumi.ComponentResource {
    /** The SSM parameter names of the node secrets, identical for every node. */
    readonly parameterNames: Record<SecretName, string>;
    /** Nodes depend on these, so that no node boots before its secrets exist. */
    readonly parameters: ssm.Parameter[] = [];
    /** Everything below this path belongs to this cluster; the nodes may read only here. */
    readonly parameterPath: string;

    constructor(name: string, args: SecretParametersArgs, opts?: pulumi.ComponentResourceOptions) {
        super("new-api:secrets:SecretParameters", name, {}, opts);
        const store = (leaf: string, description: string, value: pulumi.Output<string>) => {
            const parameterName = clusterParameterName(args.clusterName, leaf);
            this.parameters.push(
                new ssm.Parameter(
                    `${name}-${leaf}`,
                    { name: parameterName, description, type: "SecureString", value, keyId: args.kmsKeyId, tags: args.tags },
                    { parent: this },
                ),
            );
            return parameterName;
        };
        const parameterNames = {} as Record<SecretName, string>;
        for (const secret of Object.keys(SECRET_PARAMETERS) as SecretName[]) {
            parameterNames[secret] = store(SECRET_PARAMETERS[secret], DESCRIPTIONS[secret], args.secrets.values[secret]);
        }
        if (args.secrets.adminPassword) {
            store(ADMIN_PASSWORD_PARAMETER, "New API root user password, set by the master's setup", args.secrets.adminPassword);
        }
        this.parameterNames = parameterNames;
        this.parameterPath = secretParameterPath(args.clusterName);
        this.registerOutputs({ parameterNames, parameterArns: this.parameters.map((p) => p.arn) });
    }
}
