// What keeps a destroy from losing the secrets a restore needs: the final snapshots keep the
// data, but New API signs sessions with SESSION_SECRET and keys cached tokens (and some stored
// values) with CRYPTO_SECRET, so a cluster restored with new ones logs everyone out and breaks
// tokens. The secrets live in SSM, encrypted with the cluster's key, and both go with the
// stack; so before they go, they must be in the stack's config (as sessionSecret and
// cryptoSecret, secret settings), from where a restored stack takes them.
import { CarriedSecretName } from "../secrets";
import { renderScript } from "../scripts/render";

/** The command that copies a running secret into the stack's config (docs/operations.md, Disaster recovery). */
export function exportCommand(secret: CarriedSecretName, stack: string): string {
    return `pulumi config set --secret ${secret} "$(pulumi stack output --show-secrets ${secret} -s ${stack})" -s ${stack}`;
}

/** What export-check.sh replaces with the stack's name in the export commands. */
const STACK_PLACEHOLDER = "{{stack}}";

/**
 * The check (components/scripts/export-check.sh), POSIX sh run when the check is deleted (by
 * `pulumi destroy`, or by `pulumi up` with finalSnapshot turned off): it fails unless the
 * config of stack $STACK holds the running values ($SESSION_SECRET, $CRYPTO_SECRET) of both
 * secrets, printing the commands that put them there.
 */
export function exportCheckScript(): string {
    const secrets: CarriedSecretName[] = ["sessionSecret", "cryptoSecret"];
    return renderScript("export-check.sh", {
        EXPORT_COMMANDS: secrets.map((secret) => `  ${exportCommand(secret, STACK_PLACEHOLDER)}`).join("\n"),
        STACK_PLACEHOLDER,
    });
}
