#!/bin/sh
# The SET step of a Redis AUTH token rotation, run by `pulumi up` on the operator's machine
# (AWS CLI, the stack's credentials) once every node has restarted: ends the rotation with
# strategy SET (ModifyReplicationGroup: "SET - allowed only after ROTATE"), so that only
# $AUTH_TOKEN, the new token, is accepted; then waits until the replication group is available
# with no token change pending, at most TIMEOUT_SECONDS. The token goes to the AWS CLI in a
# file only the operator can read, never on a command line.
# Parameters: tokenSetScript in components/aws/rotationScripts.ts; the rest from the command's environment.
set -u

# shellcheck source=poll.sh
. "$(dirname "$0")/poll.sh"
# shellcheck source=operator.sh
. "$(dirname "$0")/operator.sh"
# shellcheck source=progress.sh
. "$(dirname "$0")/progress.sh"

require_aws_cli "ending the Redis AUTH token rotation"
use_stack_credentials || exit 1
fail() { echo "new-api-cluster: Redis AUTH token rotation of $REPLICATION_GROUP_ID: $*" >&2; exit 1; }
umask 077
input="$(mktemp)" || fail "could not create a temporary file"
trap 'rm -f "$input"' EXIT
printf '{"ReplicationGroupId":"%s","AuthToken":"%s","AuthTokenUpdateStrategy":"SET","ApplyImmediately":true}\n' "$REPLICATION_GROUP_ID" "$AUTH_TOKEN" > "$input" \
  || fail "could not write $input"
if ! answer="$(aws elasticache modify-replication-group --cli-input-json "file://$input" --query ReplicationGroup.Status --output text 2>&1)"; then
  fail "SET was refused ($answer); the old token still works until the next pulumi up sets it"
fi
settled() {
  state="$(aws elasticache describe-replication-groups --replication-group-id "$REPLICATION_GROUP_ID" \
      --query 'ReplicationGroups[0].[Status,PendingModifiedValues.AuthTokenStatus]' --output text 2>&1)" \
    || state="the AWS CLI failed: $state"
  case "$state" in
    available*None) return 0 ;;
  esac
  if progress_due "$poll_deadline"; then
    echo "new-api-cluster: $REPLICATION_GROUP_ID: waiting for the old token to go (ElastiCache says $state); at most $progress_left s left"
  fi
  return 1
}
poll_until "$TIMEOUT_SECONDS" "$POLL_SECONDS" settled || fail "still not done after $TIMEOUT_SECONDS s (last state: $state)"
echo "new-api-cluster: only the new Redis AUTH token is accepted now"
