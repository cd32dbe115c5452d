// What keeps a destroy from losing the secrets a restore needs: the final snapshots keep the
// data, but New API signs sessions with SESSION_SECRET and keys cached tokens (and some stored
// values) with CRYPTO_SECRET, so a cluster restored with new ones logs everyone out and breaks
// tokens. The secrets live in SSM, encrypted with the cluster's key, and both go with the
// stack; so before they go, they must be in the stack's config (as sessionSecret and
// cryptoSecret, secret settings), from where a restored stack takes them.
import { CarriedSecretName } from "../secrets";

/** The carried secrets, with the variable that holds each one's running value in the check. */
const RUNNING_VALUE: Record<CarriedSecretName, string> = { sessionSecret: "SESSION_SECRET", cryptoSecret: "CRYPTO_SECRET" };

/** The command that copies a running secret into the stack's config (docs/operations.md, Disaster recovery). */
export function exportCommand(secret: CarriedSecretName, stack: string): string {
    return `pulumi config set --secret ${secret} "$(pulumi stack output --show-secrets ${secret} -s ${stack})" -s ${stack}`;
}

/**
 * A POSIX sh script, run when the check is deleted (by `pulumi destroy`, or by `pulumi up`
 * with finalSnapshot turned off): it fails unless the config of stack $STACK holds the running
 * values ($SESSION_SECRET, $CRYPTO_SECRET) of both secrets. It asks the Pulumi CLI, which runs
 * the destroy, for the config as it is now, so no `pulumi up` is needed after the export.
 */
export function exportCheckScript(): string {
    const secrets = Object.keys(RUNNING_VALUE) as CarriedSecretName[];
    // In the here-document $STACK is expanded and \$( is printed as $(: the commands as the operator types them.
    const commands = secrets.map((secret) => `  ${exportCommand(secret, "$STACK").replace(/\$\(/g, "\\$(")}`);
    return [
        "set -u",
        'missing=""',
        ...secrets.flatMap((secret) => [
            `stored="$(pulumi config get ${secret} -s "$STACK" 2>/dev/null)" || stored=""`,
            `if [ -z "$${RUNNING_VALUE[secret]}" ] || [ "$stored" != "$${RUNNING_VALUE[secret]}" ]; then missing="$missing ${secret}"; fi`,
        ]),
        'if [ -n "$missing" ]; then',
        "  cat >&2 <<EOF",
        "new-api-cluster: not deleting the cluster's secrets: the final snapshots keep its data, but the config of stack $STACK lacks the running value of:$missing.",
        "A cluster restored without them logs every user out and breaks cached tokens. Copy them into the config, then run the destroy again:",
        ...commands,
        "(docs/operations.md, Disaster recovery)",
        "EOF",
        "  exit 1",
        "fi",
        'echo "new-api-cluster: the config of stack $STACK holds sessionSecret and cryptoSecret; the final snapshots can be restored with them (docs/operations.md, Disaster recovery)"',
    ].join("\n");
}
