// What `pulumi up` runs on the operator's machine (warm-ups, drains, restarts, the final check):
// the shell, and the AWS CLI's environment, the stack's own credentials (config/awsCredentials.ts),
// so that the CLI runs as the AWS provider does; it is checked once before the first wait.
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { AwsCliCredentials } from "../config/awsCredentials";
import { renderScript } from "../scripts/render";

/** A command `pulumi up` runs on the operator's machine: POSIX sh (Linux, macOS, WSL). */
export const LOCAL_SHELL = ["/bin/sh", "-c"];

/** The environment of every AWS CLI call a command makes: the region and, where the stack sets them, its credentials (the keys as secrets). */
export type AwsCliEnvironment = Record<string, pulumi.Input<string>>;

/** ASSUME_ROLES as operator.sh reads it: a word per role, its fields separated by `|` (no field may hold either). */
export function assumeRolesVariable(credentials: AwsCliCredentials): string {
    return credentials.assumeRoles
        .map((role) => [role.roleArn, role.sessionName, role.externalId ?? "", role.durationSeconds ?? "", role.sourceIdentity ?? ""].join("|"))
        .join(" ");
}

/**
 * The CLI's environment: only the variables the stack's settings call for, so that a stack
 * without any gets the region alone (and an existing stack's commands see no change).
 */
export function awsCliEnvironment(credentials: AwsCliCredentials, region: pulumi.Input<string>): AwsCliEnvironment {
    const env: AwsCliEnvironment = { AWS_REGION: region };
    const set = (name: string, value: string | undefined, secret = false) => {
        if (value !== undefined) {
            env[name] = secret ? pulumi.secret(value) : value;
        }
    };
    set("AWS_PROFILE", credentials.profile);
    set("AWS_ACCESS_KEY_ID", credentials.accessKey, true);
    set("AWS_SECRET_ACCESS_KEY", credentials.secretKey, true);
    set("AWS_SESSION_TOKEN", credentials.token, true);
    set("AWS_SHARED_CREDENTIALS_FILE", credentials.sharedCredentialsFile);
    set("AWS_CONFIG_FILE", credentials.sharedConfigFile);
    set("AWS_ROLE_ARN", credentials.webIdentity?.roleArn);
    set("AWS_ROLE_SESSION_NAME", credentials.webIdentity?.sessionName);
    set("AWS_WEB_IDENTITY_TOKEN_FILE", credentials.webIdentity?.tokenFile);
    if (credentials.assumeRoles.length > 0) {
        env.ASSUME_ROLES = assumeRolesVariable(credentials);
    }
    return env;
}

/** Where the stack's credentials come from, as the caller check's message names them. */
export function credentialsSource(credentials: AwsCliCredentials): string {
    const base =
        credentials.accessKey !== undefined
            ? "the access key in aws:accessKey"
            : credentials.webIdentity !== undefined
              ? `the web identity token in ${credentials.webIdentity.tokenFile} for ${credentials.webIdentity.roleArn} (aws:assumeRoleWithWebIdentity)`
              : credentials.profile !== undefined
                ? `the profile ${credentials.profile} (aws:profile)`
                : "this shell's credentials (AWS_PROFILE, AWS_ACCESS_KEY_ID, or the default profile), as the provider, which has no aws:profile";
    const roles = credentials.assumeRoles.map((role) => role.roleArn);
    return roles.length === 0 ? base : `${base}, then the roles ${roles.join(", then ")} (aws:assumeRoles)`;
}

/** The caller check (components/scripts/caller-check.sh): reads EXPECTED_ACCOUNT and the CLI's environment. */
export function callerCheckScript(credentials: AwsCliCredentials): string {
    return renderScript("caller-check.sh", { CREDENTIALS: credentialsSource(credentials) });
}

/** The AWS CLI's environment, and the check every command that runs the CLI waits for. */
export interface CheckedAwsCli {
    environment: AwsCliEnvironment;
    check: pulumi.Resource;
}

/**
 * The caller check, a child of `parent`: runs again whenever the account or the credentials
 * settings change, and otherwise once, when it is created.
 */
export function createAwsCliCheck(
    name: string,
    args: { credentials: AwsCliCredentials; region: pulumi.Input<string>; account: pulumi.Input<string> },
    parent: pulumi.Resource,
): CheckedAwsCli {
    const environment = awsCliEnvironment(args.credentials, args.region);
    const script = callerCheckScript(args.credentials);
    const check = new command.local.Command(
        `${name}-aws-cli-check`,
        {
            interpreter: LOCAL_SHELL,
            create: script,
            environment: { ...environment, EXPECTED_ACCOUNT: args.account },
            triggers: [args.account, script, ...Object.values(environment)],
        },
        { parent },
    );
    return { environment, check };
}
