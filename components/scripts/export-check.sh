#!/bin/sh
# The secrets' export check, run by `pulumi destroy` (or by `pulumi up` with finalSnapshot
# turned off) on the operator's machine when it deletes the check: it fails unless the config
# of stack $STACK holds the running values ($SESSION_SECRET, $CRYPTO_SECRET) of both carried
# secrets, and then prints EXPORT_COMMANDS, the commands that copy them there, for this stack.
# It asks the Pulumi CLI, which runs the destroy, for the config as it is now, so no
# `pulumi up` is needed after the export.
# Parameters: exportCheckScript in components/aws/exportCheck.ts; the rest from the command's environment.
set -u

# shellcheck source=fill.sh
. "$(dirname "$0")/fill.sh"

missing=""
# lacks SECRET RUNNING_VALUE: adds SECRET to $missing unless the config holds RUNNING_VALUE
lacks() {
  stored="$(pulumi config get "$1" -s "$STACK" 2>/dev/null)" || stored=""
  if [ -z "$2" ] || [ "$stored" != "$2" ]; then
    missing="$missing $1"
  fi
}
lacks sessionSecret "$SESSION_SECRET"
lacks cryptoSecret "$CRYPTO_SECRET"
if [ -n "$missing" ]; then
  {
    echo "new-api-cluster: not deleting the cluster's secrets: the final snapshots keep its data, but the config of stack $STACK lacks the running value of:$missing."
    echo "A cluster restored without them logs every user out and breaks cached tokens. Copy them into the config, then run the destroy again:"
    fill "$EXPORT_COMMANDS" "$STACK_PLACEHOLDER" "$STACK"
    printf '%s\n' "$filled"
    echo "(docs/operations.md, Disaster recovery)"
  } >&2
  exit 1
fi
echo "new-api-cluster: the config of stack $STACK holds sessionSecret and cryptoSecret; the final snapshots can be restored with them (docs/operations.md, Disaster recovery)"
